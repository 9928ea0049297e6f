package connection

import (
	"fmt"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"
	connectiontypes "github.com/cosmos/ibc-go/v10/modules/core/03-connection/types"

	"github.com/abci-ics/ics/state"
)

// The Handle* methods run the chain's connection transactions. Each checks
// that the transaction signer is the message's signer (ErrUnauthorized),
// decodes the ibc-go values carried as bytes (ErrInvalidMessage) and runs
// the keeper step of the same name, whose errors it returns. Nothing is
// written on error.

// decode unmarshals a gogoproto value carried in a message field.
func decode(what string, bz []byte, v interface{ Unmarshal([]byte) error }) error {
	if err := v.Unmarshal(bz); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrInvalidMessage, what, err)
	}
	return nil
}

// decodeVersion decodes a connection version; empty means none.
func decodeVersion(bz []byte) (*connectiontypes.Version, error) {
	if len(bz) == 0 {
		return nil, nil
	}
	v := new(connectiontypes.Version)
	if err := decode("version", bz, v); err != nil {
		return nil, err
	}
	return v, nil
}

func proofHeight(revision, height uint64) clienttypes.Height {
	return clienttypes.NewHeight(revision, height)
}

// HandleConnectionOpenInit runs ConnOpenInit.
func (k *Keeper) HandleConnectionOpenInit(s state.Store, height int64, now time.Time, signer []byte, m *MsgConnectionOpenInit) ([]abci.Event, error) {
	if err := checkSigner(signer, m.Signer); err != nil {
		return nil, err
	}
	var cp connectiontypes.Counterparty
	if err := decode("counterparty", m.Counterparty, &cp); err != nil {
		return nil, err
	}
	v, err := decodeVersion(m.Version)
	if err != nil {
		return nil, err
	}
	_, events, err := k.ConnOpenInit(s, now, m.ClientId, cp, v)
	return events, err
}

// HandleConnectionOpenTry runs ConnOpenTry.
func (k *Keeper) HandleConnectionOpenTry(s state.Store, height int64, now time.Time, signer []byte, m *MsgConnectionOpenTry) ([]abci.Event, error) {
	if err := checkSigner(signer, m.Signer); err != nil {
		return nil, err
	}
	var cp connectiontypes.Counterparty
	if err := decode("counterparty", m.Counterparty, &cp); err != nil {
		return nil, err
	}
	if n := len(m.CounterpartyVersions); n > MaxCounterpartyVersions {
		return nil, fmt.Errorf("%w: %d counterparty versions, at most %d", ErrInvalidVersion, n, MaxCounterpartyVersions)
	}
	versions := make([]*connectiontypes.Version, len(m.CounterpartyVersions))
	for i, bz := range m.CounterpartyVersions {
		versions[i] = new(connectiontypes.Version)
		if err := decode("counterparty version", bz, versions[i]); err != nil {
			return nil, err
		}
	}
	_, events, err := k.ConnOpenTry(s, now, m.ClientId, cp, versions, m.ProofInit,
		proofHeight(m.ProofRevisionNumber, m.ProofRevisionHeight))
	return events, err
}

// HandleConnectionOpenAck runs ConnOpenAck.
func (k *Keeper) HandleConnectionOpenAck(s state.Store, height int64, now time.Time, signer []byte, m *MsgConnectionOpenAck) ([]abci.Event, error) {
	if err := checkSigner(signer, m.Signer); err != nil {
		return nil, err
	}
	v, err := decodeVersion(m.Version)
	if err != nil {
		return nil, err
	}
	return k.ConnOpenAck(s, now, m.ConnectionId, m.CounterpartyConnectionId, v, m.ProofTry,
		proofHeight(m.ProofRevisionNumber, m.ProofRevisionHeight))
}

// HandleConnectionOpenConfirm runs ConnOpenConfirm.
func (k *Keeper) HandleConnectionOpenConfirm(s state.Store, height int64, now time.Time, signer []byte, m *MsgConnectionOpenConfirm) ([]abci.Event, error) {
	if err := checkSigner(signer, m.Signer); err != nil {
		return nil, err
	}
	return k.ConnOpenConfirm(s, now, m.ConnectionId, m.ProofAck, proofHeight(m.ProofRevisionNumber, m.ProofRevisionHeight))
}
