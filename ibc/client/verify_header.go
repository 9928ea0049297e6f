package client

import (
	"fmt"
	"time"

	cmttypes "github.com/cometbft/cometbft/types"
	ibctm "github.com/cosmos/ibc-go/v10/modules/light-clients/07-tendermint"

	"github.com/abci-ics/ics/state"
)

// VerifyHeader checks h against clientID's consensus state at
// h.TrustedHeight exactly as UpdateClient would (client active at now,
// header complete and of the client's chain, trusted validators matching
// the trusted consensus state within the trusting period, time within the
// max clock drift, adjacent or skipping verification with the trust
// level) and returns the decoded signed header and its validator set,
// which h's validators hash commits to. It writes nothing.
//
// It returns the errors UpdateClient returns for the same header:
// ErrClientNotFound, ErrClientNotActive (with ErrClientFrozen or
// ErrClientExpired), ErrInvalidHeader, ErrChainIDMismatch,
// ErrInvalidHeaderHeight, ErrConsensusStateNotFound,
// ErrInvalidTrustedValidators, ErrTrustingPeriodExpired,
// ErrHeaderInFuture or ErrInsufficientTrust. Unlike UpdateClient it does
// not compare h with the consensus states already stored: a verified
// header that conflicts with them is returned without error (an update
// would freeze the client instead).
//
// The provider uses it to check the infraction block header that comes
// with consumer double-vote evidence.
func (Keeper) VerifyHeader(s state.Store, clientID string, now time.Time, h *ibctm.Header) (*cmttypes.SignedHeader, *cmttypes.ValidatorSet, error) {
	st := kv(s)
	cs, ok := getClientState(st, clientID)
	if !ok {
		return nil, nil, fmt.Errorf("%w: %q", ErrClientNotFound, clientID)
	}
	if err := checkActive(st, clientID, cs, now); err != nil {
		return nil, nil, err
	}
	d, err := decodeHeader(cs, h)
	if err != nil {
		return nil, nil, fmt.Errorf("verify header of %s: %w", clientID, err)
	}
	trusted, ok := getConsensusState(st, clientID, d.trusted)
	if !ok {
		return nil, nil, fmt.Errorf("verify header of %s: %w: trusted height %s", clientID, ErrConsensusStateNotFound, d.trusted)
	}
	if err := verifyHeader(cs, trusted, d, now); err != nil {
		return nil, nil, fmt.Errorf("verify header of %s at %s: %w", clientID, d.height, err)
	}
	return d.signed, d.vals, nil
}
