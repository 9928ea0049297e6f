package interchain

import (
	"bytes"
	"fmt"

	abci "github.com/cometbft/cometbft/abci/types"
	gogoproto "github.com/cosmos/gogoproto/proto"

	"github.com/abci-ics/ics/ibc/channel"
	"github.com/abci-ics/ics/ibc/client"
	"github.com/abci-ics/ics/ibc/connection"
	"github.com/abci-ics/ics/ibc/packet"
	"github.com/abci-ics/ics/provider"
	"github.com/abci-ics/ics/state"
)

// RelayTxPrefix starts every encoded RelayTx, so that a chain tells relay
// transactions from its own with one comparison.
var RelayTxPrefix = []byte("\x00icsrelay/1\x00")

// MaxRelayTxBytes bounds an encoded RelayTx; MaxRelayMsgs bounds its
// messages.
const (
	MaxRelayTxBytes = 4 << 20
	MaxRelayMsgs    = 64
)

// relayMsgs are the message types a RelayTx may carry: those whose
// authority is a proof or evidence, never their signer.
var relayMsgs = map[string]bool{
	TypeURL(&client.MsgCreateClient{}):                 true,
	TypeURL(&client.MsgUpdateClient{}):                 true,
	TypeURL(&client.MsgSubmitMisbehaviour{}):           true,
	TypeURL(&connection.MsgConnectionOpenInit{}):       true,
	TypeURL(&connection.MsgConnectionOpenTry{}):        true,
	TypeURL(&connection.MsgConnectionOpenAck{}):        true,
	TypeURL(&connection.MsgConnectionOpenConfirm{}):    true,
	TypeURL(&channel.MsgChannelOpenInit{}):             true,
	TypeURL(&channel.MsgChannelOpenTry{}):              true,
	TypeURL(&channel.MsgChannelOpenAck{}):              true,
	TypeURL(&channel.MsgChannelOpenConfirm{}):          true,
	TypeURL(&channel.MsgChannelCloseConfirm{}):         true,
	TypeURL(&packet.MsgRecvPacket{}):                   true,
	TypeURL(&packet.MsgAcknowledgement{}):              true,
	TypeURL(&packet.MsgTimeout{}):                      true,
	TypeURL(&provider.MsgSubmitConsumerDoubleVoting{}): true,
	TypeURL(&provider.MsgSubmitConsumerMisbehaviour{}): true,
}

// IsRelayMsg reports whether a RelayTx may carry messages of typeURL.
// Transfers, key assignments and channel closes need a signer the chain
// authenticated, and travel in the chain's own transactions.
func IsRelayMsg(typeURL string) bool { return relayMsgs[typeURL] }

// NewRelayTx packs msgs, from the relayer at address relayer, and encodes
// the transaction with its prefix. Errors: ErrInvalidRelayTx for a message
// a RelayTx may not carry, too many messages or too many bytes.
func NewRelayTx(relayer []byte, msgs ...gogoproto.Message) ([]byte, error) {
	tx := RelayTx{Relayer: relayer}
	for _, m := range msgs {
		bz, err := gogoproto.Marshal(m)
		if err != nil {
			return nil, err
		}
		tx.Msgs = append(tx.Msgs, RelayMsg{TypeUrl: TypeURL(m), Value: bz})
	}
	if err := tx.Validate(); err != nil {
		return nil, err
	}
	bz, err := tx.Marshal()
	if err != nil {
		return nil, err
	}
	out := append(bytes.Clone(RelayTxPrefix), bz...)
	if len(out) > MaxRelayTxBytes {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrInvalidRelayTx, len(out), MaxRelayTxBytes)
	}
	return out, nil
}

// DecodeRelayTx decodes raw when it starts with RelayTxPrefix: ok is false
// (and the error nil) for any other transaction, which is the chain's own.
// Errors: ErrInvalidRelayTx.
func DecodeRelayTx(raw []byte) (tx RelayTx, ok bool, err error) {
	body, ok := bytes.CutPrefix(raw, RelayTxPrefix)
	if !ok {
		return RelayTx{}, false, nil
	}
	if len(raw) > MaxRelayTxBytes {
		return RelayTx{}, true, fmt.Errorf("%w: %d bytes, limit %d", ErrInvalidRelayTx, len(raw), MaxRelayTxBytes)
	}
	if err := tx.Unmarshal(body); err != nil {
		return RelayTx{}, true, fmt.Errorf("%w: %w", ErrInvalidRelayTx, err)
	}
	return tx, true, tx.Validate()
}

// Validate checks what needs no state: at least one message, at most
// MaxRelayMsgs, each of a type a RelayTx may carry.
func (tx RelayTx) Validate() error {
	if len(tx.Msgs) == 0 || len(tx.Msgs) > MaxRelayMsgs {
		return fmt.Errorf("%w: %d messages, want 1 to %d", ErrInvalidRelayTx, len(tx.Msgs), MaxRelayMsgs)
	}
	for i, m := range tx.Msgs {
		if !IsRelayMsg(m.TypeUrl) {
			return fmt.Errorf("%w: message %d: %q may not be relayed unsigned", ErrInvalidRelayTx, i, m.TypeUrl)
		}
	}
	return nil
}

// HandleRelayTx runs the messages of tx in order on one cache of s, which
// it writes only when all succeed, and returns their events. Errors: those
// of Validate and of HandleMsg, wrapped with the message's index.
func (l *IBC) HandleRelayTx(s state.Store, b Block, tx RelayTx) ([]abci.Event, error) {
	if err := tx.Validate(); err != nil {
		return nil, err
	}
	return state.Atomic(s, func(c state.Store) ([]abci.Event, error) {
		var events []abci.Event
		for i, m := range tx.Msgs {
			evs, err := l.HandleMsg(c, b, tx.Relayer, m.TypeUrl, m.Value)
			if err != nil {
				return nil, fmt.Errorf("message %d (%s): %w", i, m.TypeUrl, err)
			}
			events = append(events, evs...)
		}
		return events, nil
	})
}
