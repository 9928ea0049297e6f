package transfer

import (
	"bytes"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/types/address"
)

// ValidateBasic checks m without reading state: a 20-byte sender, the port
// PortID, a "channel-N" source channel, a positive amount of a denomination
// checkDenom accepts, a receiver of 1 to MaxReceiverLen bytes of UTF-8 that
// is not blank, a memo of at most MaxMemoLen bytes of UTF-8, and a timeout:
// a timeout height (a revision number needs a revision height) or a
// timeout timestamp or both. Errors: ErrInvalidAddress, ErrInvalidPort,
// ErrInvalidChannel, ErrInvalidDenom, ErrInvalidAmount, ErrInvalidMemo,
// ErrInvalidTimeout.
func (m *MsgTransfer) ValidateBasic() error {
	if len(m.Sender) != address.Len {
		return fmt.Errorf("%w: sender must be %d bytes, got %d", ErrInvalidAddress, address.Len, len(m.Sender))
	}
	if m.SourcePort != PortID {
		return fmt.Errorf("%w: %q, want %q", ErrInvalidPort, m.SourcePort, PortID)
	}
	if !isChannelID(m.SourceChannel) {
		return fmt.Errorf("%w: %q is not channel-N", ErrInvalidChannel, m.SourceChannel)
	}
	if err := checkDenom(m.Token.Denom); err != nil {
		return err
	}
	if m.Token.Amount == 0 {
		return fmt.Errorf("%w: zero %s", ErrInvalidAmount, m.Token.Denom)
	}
	if strings.TrimSpace(m.Receiver) == "" || len(m.Receiver) > MaxReceiverLen || !utf8.ValidString(m.Receiver) {
		return fmt.Errorf("%w: receiver must be 1 to %d bytes of UTF-8, not blank", ErrInvalidAddress, MaxReceiverLen)
	}
	if len(m.Memo) > MaxMemoLen || !utf8.ValidString(m.Memo) {
		return fmt.Errorf("%w: at most %d bytes of UTF-8, got %d bytes", ErrInvalidMemo, MaxMemoLen, len(m.Memo))
	}
	if m.TimeoutRevisionHeight == 0 && m.TimeoutRevisionNumber != 0 {
		return fmt.Errorf("%w: revision %d without a height", ErrInvalidTimeout, m.TimeoutRevisionNumber)
	}
	if m.TimeoutRevisionHeight == 0 && m.TimeoutTimestamp == 0 {
		return fmt.Errorf("%w: neither a timeout height nor a timeout timestamp", ErrInvalidTimeout)
	}
	return nil
}

// HandleTransfer executes m for signer, who must be m.Sender
// (ErrUnauthorized otherwise), and returns the ibc_transfer event. Other
// errors are Transfer's; nothing is written on error.
func (k Keeper) HandleTransfer(s state.Store, height int64, now time.Time, signer []byte, m *MsgTransfer) ([]abci.Event, error) {
	if !bytes.Equal(signer, m.Sender) {
		return nil, fmt.Errorf("%w: sender %X, signer %X", ErrUnauthorized, m.Sender, signer)
	}
	_, events, err := k.Transfer(s, height, now, m)
	return events, err
}
