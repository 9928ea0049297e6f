package client

import (
	"fmt"

	gogotypes "github.com/cosmos/gogoproto/types"
	ibctm "github.com/cosmos/ibc-go/v10/modules/light-clients/07-tendermint"
)

// The type URLs of the client and consensus states, as ibc-go names them.
const (
	ClientStateTypeURL    = "/ibc.lightclients.tendermint.v1.ClientState"
	ConsensusStateTypeURL = "/ibc.lightclients.tendermint.v1.ConsensusState"
)

// Client and consensus states are stored as ibc-go stores them: wrapped in
// a google.protobuf.Any with their type URL, so that relayers and
// counterparties that read or prove them (as the stock relayers do) decode
// them as they decode any IBC chain's.

// EncodeClientState returns the stored form of cs.
func EncodeClientState(cs *ibctm.ClientState) ([]byte, error) {
	return encodeAny(ClientStateTypeURL, cs)
}

// EncodeConsensusState returns the stored form of cons.
func EncodeConsensusState(cons *ibctm.ConsensusState) ([]byte, error) {
	return encodeAny(ConsensusStateTypeURL, cons)
}

// DecodeClientState decodes a stored client state.
func DecodeClientState(bz []byte) (*ibctm.ClientState, error) {
	var cs ibctm.ClientState
	if err := decodeAny(ClientStateTypeURL, bz, &cs); err != nil {
		return nil, err
	}
	return &cs, nil
}

// DecodeConsensusState decodes a stored consensus state.
func DecodeConsensusState(bz []byte) (*ibctm.ConsensusState, error) {
	var cons ibctm.ConsensusState
	if err := decodeAny(ConsensusStateTypeURL, bz, &cons); err != nil {
		return nil, err
	}
	return &cons, nil
}

func encodeAny(typeURL string, m interface{ Marshal() ([]byte, error) }) ([]byte, error) {
	v, err := m.Marshal()
	if err != nil {
		return nil, err
	}
	a := gogotypes.Any{TypeUrl: typeURL, Value: v}
	return a.Marshal()
}

func decodeAny(typeURL string, bz []byte, m interface{ Unmarshal([]byte) error }) error {
	var a gogotypes.Any
	if err := a.Unmarshal(bz); err != nil {
		return fmt.Errorf("stored %s: %w", typeURL, err)
	}
	if a.TypeUrl != typeURL {
		return fmt.Errorf("stored state is a %q, want %q", a.TypeUrl, typeURL)
	}
	if err := m.Unmarshal(a.Value); err != nil {
		return fmt.Errorf("stored %s: %w", typeURL, err)
	}
	return nil
}
