package ibcgo

import (
	"fmt"

	gogoproto "github.com/cosmos/gogoproto/proto"
	transfertypes "github.com/cosmos/ibc-go/v10/modules/apps/transfer/types"

	"github.com/abci-ics/ics/ibc/transfer"
	"github.com/abci-ics/ics/types/coin"
)

// registerTransfer translates ICS-20's MsgTransfer. The amount must fit
// icsd's 64-bit amounts; the packet encoding must be JSON (empty means
// JSON, as in ibc-go); the rest is checked by icsd's own ValidateBasic,
// which is at least as strict as ibc-go's.
func registerTransfer() {
	register(ModuleTransfer, func(m *transfertypes.MsgTransfer) string { return m.Sender }, func(m *transfertypes.MsgTransfer, from []byte) (gogoproto.Message, error) {
		if m.Encoding != "" && m.Encoding != transfertypes.EncodingJSON {
			return nil, fmt.Errorf("%w: packet encoding %q; icsd sends %q only", ErrUnsupported, m.Encoding, transfertypes.EncodingJSON)
		}
		amt := m.Token.Amount
		if amt.IsNil() || !amt.IsPositive() || !amt.IsUint64() {
			return nil, invalid("token amount %s: want a positive 64-bit amount", m.Token.String())
		}
		n := &transfer.MsgTransfer{
			Sender: from, SourcePort: m.SourcePort, SourceChannel: m.SourceChannel,
			Token: coin.Coin{Denom: m.Token.Denom, Amount: amt.Uint64()}, Receiver: m.Receiver,
			TimeoutRevisionNumber: m.TimeoutHeight.RevisionNumber, TimeoutRevisionHeight: m.TimeoutHeight.RevisionHeight,
			TimeoutTimestamp: m.TimeoutTimestamp, Memo: m.Memo,
		}
		if err := n.ValidateBasic(); err != nil {
			return nil, err
		}
		return n, nil
	})
}
