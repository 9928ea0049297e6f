package client

import (
	"bytes"
	"fmt"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	ibctm "github.com/cosmos/ibc-go/v10/modules/light-clients/07-tendermint"

	"github.com/abci-ics/ics/ibc/client/lightverify"
	"github.com/abci-ics/ics/state"
)

// SubmitMisbehaviour freezes the client on evidence m: two headers of the
// client's chain that the client would have accepted and that cannot both
// be honest, because they are at the same height with different block ids
// (a fork) or because the higher one does not have a later time (a BFT
// time violation). The headers may come in either order.
//
// The client must exist (ErrClientNotFound) and be active
// (ErrClientNotActive). Each header must be complete, of the client's
// chain, above its trusted height, signed by +2/3 of its own validator set
// and by the trust level of its trusted validators, which must match the
// client's consensus state at its trusted height, itself within the
// trusting period at now; a failure returns the error UpdateClient would.
// Headers that do not conflict return ErrInvalidMisbehaviour. The client id
// inside m, deprecated in ibc-go, is ignored. Nothing is written on error;
// on success the client is frozen and the client_misbehaviour event
// returned.
func (Keeper) SubmitMisbehaviour(s state.Store, height int64, now time.Time, clientID string, m *ibctm.Misbehaviour) ([]abci.Event, error) {
	st := kv(s)
	cs, ok := getClientState(st, clientID)
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrClientNotFound, clientID)
	}
	if err := checkActive(st, clientID, cs, now); err != nil {
		return nil, err
	}
	if m == nil {
		return nil, fmt.Errorf("%w: nil misbehaviour", ErrInvalidMisbehaviour)
	}
	d1, err := decodeHeader(cs, m.Header1)
	if err != nil {
		return nil, fmt.Errorf("misbehaviour of %s: header 1: %w", clientID, err)
	}
	d2, err := decodeHeader(cs, m.Header2)
	if err != nil {
		return nil, fmt.Errorf("misbehaviour of %s: header 2: %w", clientID, err)
	}
	if d1.height.LT(d2.height) {
		d1, d2 = d2, d1
	}
	if d1.height.EQ(d2.height) {
		if bytes.Equal(d1.signed.Commit.BlockID.Hash, d2.signed.Commit.BlockID.Hash) {
			return nil, fmt.Errorf("%w: both headers commit to block %X at %s", ErrInvalidMisbehaviour, d1.signed.Commit.BlockID.Hash, d1.height)
		}
	} else if d1.signed.Time.After(d2.signed.Time) {
		return nil, fmt.Errorf("%w: header at %s has a later time than the one at %s", ErrInvalidMisbehaviour, d1.height, d2.height)
	}
	for i, d := range []*header{d1, d2} {
		if err := verifyMisbehaviourHeader(st, clientID, cs, d, now); err != nil {
			return nil, fmt.Errorf("misbehaviour of %s: header at %s (%d of 2): %w", clientID, d.height, i+1, err)
		}
	}
	return freeze(st, clientID, cs, d1.height), nil
}

// verifyMisbehaviourHeader checks that the client would have accepted the
// header of a misbehaviour: it is well formed and committed to by +2/3 of
// its validators, and the trust level of the trusted validators of the
// client's consensus state at its trusted height signed it.
func verifyMisbehaviourHeader(st state.KVStore, clientID string, cs *ibctm.ClientState, d *header, now time.Time) (err error) {
	trusted, ok := getConsensusState(st, clientID, d.trusted)
	if !ok {
		return fmt.Errorf("%w: trusted height %s", ErrConsensusStateNotFound, d.trusted)
	}
	if err := checkTrusted(cs, trusted, d, now); err != nil {
		return err
	}
	defer recoverInvalid(&err)
	if err := d.signed.ValidateBasic(cs.ChainId); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidHeader, err)
	}
	got := d.valsHash
	if got == nil {
		got = d.vals.Hash()
	}
	if !bytes.Equal(got, d.signed.ValidatorsHash) {
		return fmt.Errorf("%w: validator set hashes to %X, header has %X", ErrInvalidHeader, got, d.signed.ValidatorsHash)
	}
	// The checks of VerifyCommitLightTrusting and VerifyCommitLight, on one
	// Commit so that signatures the two sets share are verified once.
	c := lightverify.NewCommit(cs.ChainId, d.signed.Commit)
	if err := c.VerifyLightTrusting(d.trustedVals, cs.TrustLevel.ToTendermint()); err != nil {
		return fmt.Errorf("%w: %v", ErrInsufficientTrust, err)
	}
	if err := c.VerifyLight(d.vals, d.signed.Commit.BlockID, d.signed.Height); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidHeader, err)
	}
	return nil
}
