package client

import (
	"bytes"
	"fmt"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	ibctm "github.com/cosmos/ibc-go/v10/modules/light-clients/07-tendermint"

	"github.com/abci-ics/ics/state"
)

// checkSigner returns ErrUnauthorized unless the transaction signer is
// the message's signer.
func checkSigner(signer, msgSigner []byte) error {
	if len(signer) == 0 || !bytes.Equal(signer, msgSigner) {
		return fmt.Errorf("%w: message signer %X, transaction signer %X", ErrUnauthorized, msgSigner, signer)
	}
	return nil
}

// decode unmarshals bz into m, turning a decoding failure (or a panic of
// generated code on adversarial input) into an error wrapping sentinel.
func decode(what string, bz []byte, m interface{ Unmarshal([]byte) error }, sentinel error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: decoding %s: %v", sentinel, what, r)
		}
	}()
	if len(bz) == 0 {
		return fmt.Errorf("%w: empty %s", sentinel, what)
	}
	if err := m.Unmarshal(bz); err != nil {
		return fmt.Errorf("%w: decoding %s: %v", sentinel, what, err)
	}
	return nil
}

// DecodeCreateClient decodes and validates the client state and consensus
// state of m (see ValidateClientState and ValidateConsensusState).
func DecodeCreateClient(m *MsgCreateClient) (*ibctm.ClientState, *ibctm.ConsensusState, error) {
	cs, cons := new(ibctm.ClientState), new(ibctm.ConsensusState)
	if err := decode("client state", m.ClientState, cs, ErrInvalidClientState); err != nil {
		return nil, nil, err
	}
	if err := decode("consensus state", m.ConsensusState, cons, ErrInvalidConsensusState); err != nil {
		return nil, nil, err
	}
	if err := ValidateClientState(cs); err != nil {
		return nil, nil, err
	}
	if err := ValidateConsensusState(cons); err != nil {
		return nil, nil, err
	}
	return cs, cons, nil
}

// DecodeHeader decodes the header of m. It returns an error wrapping
// ErrInvalidHeader.
func DecodeHeader(m *MsgUpdateClient) (*ibctm.Header, error) {
	h := new(ibctm.Header)
	if err := decode("header", m.Header, h, ErrInvalidHeader); err != nil {
		return nil, err
	}
	return h, nil
}

// DecodeMisbehaviour decodes the misbehaviour of m. It returns an error
// wrapping ErrInvalidMisbehaviour.
func DecodeMisbehaviour(m *MsgSubmitMisbehaviour) (*ibctm.Misbehaviour, error) {
	mb := new(ibctm.Misbehaviour)
	if err := decode("misbehaviour", m.Misbehaviour, mb, ErrInvalidMisbehaviour); err != nil {
		return nil, err
	}
	return mb, nil
}

// HandleCreateClient executes MsgCreateClient for signer and returns the
// create_client event, which carries the new client's id. It returns
// ErrUnauthorized when signer is not m.Signer and the errors of
// DecodeCreateClient and CreateClient.
func (k Keeper) HandleCreateClient(s state.Store, height int64, now time.Time, signer []byte, m *MsgCreateClient) ([]abci.Event, error) {
	if err := checkSigner(signer, m.Signer); err != nil {
		return nil, err
	}
	cs, cons, err := DecodeCreateClient(m)
	if err != nil {
		return nil, err
	}
	clientID, err := k.CreateClient(s, height, now, cs, cons)
	if err != nil {
		return nil, err
	}
	return []abci.Event{clientEvent(EventTypeCreateClient, clientID, cs.LatestHeight)}, nil
}

// HandleUpdateClient executes MsgUpdateClient for signer. It returns
// ErrUnauthorized when signer is not m.Signer, ErrInvalidHeader for a
// header that does not decode, and the errors of UpdateClient.
func (k Keeper) HandleUpdateClient(s state.Store, height int64, now time.Time, signer []byte, m *MsgUpdateClient) ([]abci.Event, error) {
	if err := checkSigner(signer, m.Signer); err != nil {
		return nil, err
	}
	h, err := DecodeHeader(m)
	if err != nil {
		return nil, err
	}
	return k.UpdateClient(s, height, now, m.ClientId, h)
}

// HandleSubmitMisbehaviour executes MsgSubmitMisbehaviour for signer. It
// returns ErrUnauthorized when signer is not m.Signer,
// ErrInvalidMisbehaviour for evidence that does not decode, and the errors
// of SubmitMisbehaviour.
func (k Keeper) HandleSubmitMisbehaviour(s state.Store, height int64, now time.Time, signer []byte, m *MsgSubmitMisbehaviour) ([]abci.Event, error) {
	if err := checkSigner(signer, m.Signer); err != nil {
		return nil, err
	}
	mb, err := DecodeMisbehaviour(m)
	if err != nil {
		return nil, err
	}
	return k.SubmitMisbehaviour(s, height, now, m.ClientId, mb)
}
