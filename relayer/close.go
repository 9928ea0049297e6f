package relayer

import (
	"context"
	"fmt"

	gogoproto "github.com/cosmos/gogoproto/proto"
	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"

	"github.com/abci-ics/ics/ibc/channel"
	"github.com/abci-ics/ics/ibc/commitment"
)

// ConfirmClose completes the closing of l's channel: when one end is
// CLOSED (its application closed it, or a timeout closed an ordered
// channel) and the other is OPEN or TRYOPEN, it closes the other with a
// MsgChannelCloseConfirm that proves the closed end, and returns the
// chain whose end it closed. It returns "" when there is nothing to do:
// both ends closed, neither, the other end still in INIT (it does not
// know its counterparty, so it cannot be confirmed), or the closed end
// closed in INIT. The work is read from the chains, so a relayer stopped
// between the client update and the confirmation finishes at its next
// pass.
func (l *Link) ConfirmClose(ctx context.Context) (string, error) {
	if l.A.Channel == "" || l.B.Channel == "" {
		return "", nil
	}
	aEnd, err := l.A.Chain.channelEnd(ctx, l.A.Port, l.A.Channel)
	if err != nil {
		return "", err
	}
	bEnd, err := l.B.Chain.channelEnd(ctx, l.B.Port, l.B.Channel)
	if err != nil {
		return "", err
	}
	open, closed, openEnd, closedEnd := l.B, l.A, bEnd, aEnd
	if bEnd.State == channeltypes.CLOSED {
		open, closed, openEnd, closedEnd = l.A, l.B, aEnd, bEnd
	}
	// An end closed in INIT names no counterparty channel: no proof of it
	// can close the other end, which stays as it is.
	if (aEnd.State == channeltypes.CLOSED) == (bEnd.State == channeltypes.CLOSED) || closedEnd.Counterparty.ChannelId != open.Channel ||
		openEnd.State != channeltypes.OPEN && openEnd.State != channeltypes.TRYOPEN {
		return "", nil
	}
	if openEnd.Counterparty.ChannelId != closed.Channel {
		return "", fmt.Errorf("%s: channel %s/%s leads to %s, not %s", open.Chain.ID, open.Port, open.Channel, openEnd.Counterparty.ChannelId, closed.Channel)
	}
	_, err = proveAndSubmit(ctx, open, closed.Chain, []string{commitment.ChannelPath(closed.Port, closed.Channel)}, func(p [][]byte, h clienttypes.Height) []gogoproto.Message {
		return []gogoproto.Message{&channel.MsgChannelCloseConfirm{PortId: open.Port, ChannelId: open.Channel, ProofInit: p[0],
			ProofRevisionNumber: h.RevisionNumber, ProofRevisionHeight: h.RevisionHeight, Signer: open.Chain.Submit.Address()}}
	})
	if err != nil {
		// Another relayer may have confirmed it first.
		if now, rerr := open.Chain.channelEnd(ctx, open.Port, open.Channel); rerr == nil && now.State == channeltypes.CLOSED {
			return "", nil
		}
		return "", fmt.Errorf("close confirm on %s: %w", open.Chain.ID, err)
	}
	return open.Chain.ID, nil
}
