package channel

import (
	"fmt"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"

	"github.com/abci-ics/ics/state"
)

// The Handle* methods run the chain's channel handshake transactions. Each
// checks that the transaction signer is the message's signer
// (ErrUnauthorized), decodes the ibc-go values carried as bytes
// (ErrInvalidMessage) and runs the keeper step of the same name, whose
// errors it returns. Nothing is written on error. The packet transactions
// are package packet's.

// decode unmarshals a gogoproto value carried in a message field.
func decode(what string, bz []byte, v interface{ Unmarshal([]byte) error }) error {
	if err := v.Unmarshal(bz); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrInvalidMessage, what, err)
	}
	return nil
}

func proofHeight(revision, height uint64) clienttypes.Height {
	return clienttypes.NewHeight(revision, height)
}

// decodeChannel decodes the channel of an open message, which must be in
// state want.
func decodeChannel(bz []byte, want channeltypes.State) (channeltypes.Channel, error) {
	var ch channeltypes.Channel
	if err := decode("channel", bz, &ch); err != nil {
		return ch, err
	}
	if ch.State != want {
		return ch, fmt.Errorf("%w: channel in state %s, want %s", ErrInvalidMessage, ch.State, want)
	}
	return ch, nil
}

// HandleChannelOpenInit runs ChanOpenInit.
func (k *Keeper) HandleChannelOpenInit(s state.Store, height int64, now time.Time, signer []byte, m *MsgChannelOpenInit) ([]abci.Event, error) {
	if err := checkSigner(signer, m.Signer); err != nil {
		return nil, err
	}
	ch, err := decodeChannel(m.Channel, channeltypes.INIT)
	if err != nil {
		return nil, err
	}
	_, events, err := k.ChanOpenInit(s, now, m.PortId, ch.Ordering, ch.ConnectionHops, ch.Counterparty, ch.Version)
	return events, err
}

// HandleChannelOpenTry runs ChanOpenTry.
func (k *Keeper) HandleChannelOpenTry(s state.Store, height int64, now time.Time, signer []byte, m *MsgChannelOpenTry) ([]abci.Event, error) {
	if err := checkSigner(signer, m.Signer); err != nil {
		return nil, err
	}
	ch, err := decodeChannel(m.Channel, channeltypes.TRYOPEN)
	if err != nil {
		return nil, err
	}
	_, events, err := k.ChanOpenTry(s, now, m.PortId, ch.Ordering, ch.ConnectionHops, ch.Counterparty,
		m.CounterpartyVersion, m.ProofInit, proofHeight(m.ProofRevisionNumber, m.ProofRevisionHeight))
	return events, err
}

// HandleChannelOpenAck runs ChanOpenAck.
func (k *Keeper) HandleChannelOpenAck(s state.Store, height int64, now time.Time, signer []byte, m *MsgChannelOpenAck) ([]abci.Event, error) {
	if err := checkSigner(signer, m.Signer); err != nil {
		return nil, err
	}
	return k.ChanOpenAck(s, now, m.PortId, m.ChannelId, m.CounterpartyChannelId, m.CounterpartyVersion,
		m.ProofTry, proofHeight(m.ProofRevisionNumber, m.ProofRevisionHeight))
}

// HandleChannelOpenConfirm runs ChanOpenConfirm.
func (k *Keeper) HandleChannelOpenConfirm(s state.Store, height int64, now time.Time, signer []byte, m *MsgChannelOpenConfirm) ([]abci.Event, error) {
	if err := checkSigner(signer, m.Signer); err != nil {
		return nil, err
	}
	return k.ChanOpenConfirm(s, now, m.PortId, m.ChannelId, m.ProofAck, proofHeight(m.ProofRevisionNumber, m.ProofRevisionHeight))
}

// HandleChannelCloseInit closes a channel on behalf of a transaction. The
// application bound to the port must implement CloseInitApp and accept;
// otherwise, and when it refuses, the error is ErrCloseRefused. Other
// errors: those of ChanCloseInit, and ErrPortNotBound.
func (k *Keeper) HandleChannelCloseInit(s state.Store, height int64, now time.Time, signer []byte, m *MsgChannelCloseInit) ([]abci.Event, error) {
	if err := checkSigner(signer, m.Signer); err != nil {
		return nil, err
	}
	app, err := k.PortApp(m.PortId)
	if err != nil {
		return nil, err
	}
	return state.Atomic(s, func(c state.Store) ([]abci.Event, error) {
		return k.closeInit(c, now, m.PortId, m.ChannelId, func() error {
			closer, ok := app.(CloseInitApp)
			if !ok {
				return fmt.Errorf("%w: port %q does not allow it", ErrCloseRefused, m.PortId)
			}
			if err := closer.OnChanCloseInit(c, m.PortId, m.ChannelId); err != nil {
				return fmt.Errorf("%w: port %q: %w", ErrCloseRefused, m.PortId, err)
			}
			return nil
		})
	})
}

// HandleChannelCloseConfirm runs ChanCloseConfirm.
func (k *Keeper) HandleChannelCloseConfirm(s state.Store, height int64, now time.Time, signer []byte, m *MsgChannelCloseConfirm) ([]abci.Event, error) {
	if err := checkSigner(signer, m.Signer); err != nil {
		return nil, err
	}
	return k.ChanCloseConfirm(s, now, m.PortId, m.ChannelId, m.ProofInit, proofHeight(m.ProofRevisionNumber, m.ProofRevisionHeight))
}
