package ccvrelay

import (
	"context"
	"fmt"
	"slices"

	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"

	"github.com/abci-ics/ics/ibc/transfer"
	"github.com/abci-ics/ics/interchain"
	"github.com/abci-ics/ics/relayer"
)

// OpenTransfer returns the unordered ICS-20 channel (port transfer on both
// sides) on the connection of l, the CCV link (A the consumer): the one
// open already, else one the consumer started (by its own application or
// by a relayer stopped halfway), finished, else a new one the consumer
// initiates. It returns nil, and opens nothing, when a side has no ICS-20
// (a consumer with its own transaction format and no bank).
func OpenTransfer(ctx context.Context, l *relayer.Link) (*relayer.Link, error) {
	for _, c := range []*relayer.Chain{l.A.Chain, l.B.Chain} {
		ok, err := hasTransfer(ctx, c)
		if err != nil || !ok {
			return nil, err
		}
	}
	var aChans, bChans []channeltypes.IdentifiedChannel
	if err := l.A.Chain.QueryJSON(ctx, interchain.PathIBCChannels, &aChans); err != nil {
		return nil, err
	}
	if err := l.B.Chain.QueryJSON(ctx, interchain.PathIBCChannels, &bChans); err != nil {
		return nil, err
	}
	started := transferEnds(aChans, l.A.Connection)
	for _, state := range []channeltypes.State{channeltypes.OPEN, channeltypes.INIT} {
		for _, ch := range started {
			if ch.State != state {
				continue
			}
			bChannel := ch.Counterparty.ChannelId
			if state == channeltypes.INIT {
				bChannel = counterpartyOf(bChans, l.B.Connection, ch.ChannelId)
			}
			t := l.OnConnection(transfer.PortID, ch.ChannelId, transfer.PortID, bChannel)
			if err := relayer.FinishChannel(ctx, t); err != nil {
				return nil, err
			}
			return t, nil
		}
	}
	return l.OpenChannel(ctx, transfer.PortID, transfer.PortID, channeltypes.UNORDERED, transfer.Version)
}

// hasTransfer reports whether chain c has ICS-20: it answers the query of
// denomination traces.
func hasTransfer(ctx context.Context, c *relayer.Chain) (bool, error) {
	res, err := c.Node.Query(ctx, interchain.PathDenomTraces, nil, 0, false)
	if err != nil {
		return false, fmt.Errorf("%s: query %s: %w", c.ID, interchain.PathDenomTraces, err)
	}
	return res.Code == 0, nil
}

// transferEnds returns the unordered ICS-20 channel ends among chans on
// connection conn that face the counterparty's transfer port.
func transferEnds(chans []channeltypes.IdentifiedChannel, conn string) []channeltypes.IdentifiedChannel {
	var out []channeltypes.IdentifiedChannel
	for _, ch := range chans {
		if ch.PortId == transfer.PortID && ch.Counterparty.PortId == transfer.PortID && ch.Ordering == channeltypes.UNORDERED &&
			slices.Equal(ch.ConnectionHops, []string{conn}) {
			out = append(out, ch)
		}
	}
	return out
}

// counterpartyOf returns the channel among chans, on connection conn, in
// TRYOPEN or OPEN, that answered the other side's transfer channel
// aChannel; "" when its try step has not happened.
func counterpartyOf(chans []channeltypes.IdentifiedChannel, conn, aChannel string) string {
	for _, ch := range transferEnds(chans, conn) {
		if ch.Counterparty.ChannelId == aChannel && (ch.State == channeltypes.TRYOPEN || ch.State == channeltypes.OPEN) {
			return ch.ChannelId
		}
	}
	return ""
}
