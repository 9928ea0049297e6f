package client

import (
	"fmt"
	"time"

	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"

	"github.com/abci-ics/ics/ibc/commitment"
	"github.com/abci-ics/ics/state"
)

// proofRoot returns the commitment root of the client's consensus state at
// h, checking that the client exists, is active at now and that h is at
// most its latest height.
func proofRoot(s state.Store, clientID string, h clienttypes.Height, now time.Time) ([]byte, error) {
	st := kv(s)
	cs, ok := getClientState(st, clientID)
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrClientNotFound, clientID)
	}
	if err := checkActive(st, clientID, cs, now); err != nil {
		return nil, err
	}
	if h.GT(cs.LatestHeight) {
		return nil, fmt.Errorf("%w: %s > %s on client %s", ErrInvalidProofHeight, h, cs.LatestHeight, clientID)
	}
	cons, ok := getConsensusState(st, clientID, h)
	if !ok {
		return nil, fmt.Errorf("%w: client %s at proof height %s", ErrConsensusStateNotFound, clientID, h)
	}
	return cons.Root.Hash, nil
}

// VerifyMembership checks that proof (an encoded MerkleProof, see package
// commitment) proves that path has value in the counterparty's "ibc"
// store, against the root of the client's consensus state at exactly
// height h. The client must exist (ErrClientNotFound) and be active at now
// (ErrClientNotActive); h must not be above its latest height
// (ErrInvalidProofHeight) and a consensus state must be stored at h
// (ErrConsensusStateNotFound). A failing proof returns an error wrapping
// commitment.ErrInvalidProof. No delay period applies.
func (Keeper) VerifyMembership(s state.Store, clientID string, h clienttypes.Height, now time.Time, proof []byte, path string, value []byte) error {
	root, err := proofRoot(s, clientID, h, now)
	if err != nil {
		return err
	}
	if err := commitment.VerifyMembership(root, proof, path, value); err != nil {
		return fmt.Errorf("client %s at %s: %w", clientID, h, err)
	}
	return nil
}

// VerifyNonMembership checks that proof proves that path has no value in
// the counterparty's "ibc" store, against the root of the client's
// consensus state at exactly height h. It returns the errors of
// VerifyMembership.
func (Keeper) VerifyNonMembership(s state.Store, clientID string, h clienttypes.Height, now time.Time, proof []byte, path string) error {
	root, err := proofRoot(s, clientID, h, now)
	if err != nil {
		return err
	}
	if err := commitment.VerifyNonMembership(root, proof, path); err != nil {
		return fmt.Errorf("client %s at %s: %w", clientID, h, err)
	}
	return nil
}
