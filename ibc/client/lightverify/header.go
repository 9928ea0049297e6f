package lightverify

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	cmtmath "github.com/cometbft/cometbft/libs/math"
	"github.com/cometbft/cometbft/light"
	"github.com/cometbft/cometbft/types"
)

// VerifyAdjacent verifies untrusted, the header right after trusted, whose
// validators are untrustedVals, and returns what light.VerifyAdjacent
// returns for the same arguments: light.ErrOldHeaderExpired if trusted is
// past the trusting period at now, light.ErrInvalidHeader if untrusted is
// malformed, not after trusted, at or past now + maxClockDrift, not of
// untrustedVals or not signed by more than 2/3 of their power, and an
// error if untrustedVals are not trusted's next validators.
//
// untrustedValsHash, if not nil, must be untrustedVals.Hash(), which the
// caller may have computed already; nil computes it.
func VerifyAdjacent(trusted, untrusted *types.SignedHeader, untrustedVals *types.ValidatorSet, untrustedValsHash []byte,
	trustingPeriod time.Duration, now time.Time, maxClockDrift time.Duration,
) error {
	if untrusted.Height != trusted.Height+1 {
		return errors.New("headers must be adjacent in height")
	}
	if light.HeaderExpired(trusted, trustingPeriod, now) {
		return light.ErrOldHeaderExpired{At: trusted.Time.Add(trustingPeriod), Now: now}
	}
	if err := checkNewHeader(trusted, untrusted, untrustedVals, untrustedValsHash, now, maxClockDrift); err != nil {
		return light.ErrInvalidHeader{Reason: err}
	}
	if !bytes.Equal(untrusted.ValidatorsHash, trusted.NextValidatorsHash) {
		return fmt.Errorf("expected old header next validators (%X) to match those from new header (%X)",
			trusted.NextValidatorsHash, untrusted.ValidatorsHash)
	}
	c := NewCommit(trusted.ChainID, untrusted.Commit)
	if err := c.VerifyLight(untrustedVals, untrusted.Commit.BlockID, untrusted.Height); err != nil {
		return light.ErrInvalidHeader{Reason: err}
	}
	return nil
}

// VerifyNonAdjacent verifies untrusted, a header above trusted but not
// right after it, whose validators are untrustedVals, against
// trustedVals, the validators trusted holds for the next block, and
// returns what light.VerifyNonAdjacent returns for the same arguments:
// light.ErrOldHeaderExpired if trusted is past the trusting period at now,
// light.ErrInvalidHeader if untrusted is malformed, not after trusted, at
// or past now + maxClockDrift or not of untrustedVals,
// light.ErrNewValSetCantBeTrusted if trustedVals of no more than
// trustLevel of their power signed it, another error of the trusting
// check, and light.ErrInvalidHeader if untrustedVals of no more than 2/3
// of their power signed it. A signature of a validator in both sets is
// verified once.
//
// untrustedValsHash, if not nil, must be untrustedVals.Hash(); nil
// computes it.
func VerifyNonAdjacent(trusted *types.SignedHeader, trustedVals *types.ValidatorSet,
	untrusted *types.SignedHeader, untrustedVals *types.ValidatorSet, untrustedValsHash []byte,
	trustingPeriod time.Duration, now time.Time, maxClockDrift time.Duration, trustLevel cmtmath.Fraction,
) error {
	if untrusted.Height == trusted.Height+1 {
		return errors.New("headers must be non adjacent in height")
	}
	if light.HeaderExpired(trusted, trustingPeriod, now) {
		return light.ErrOldHeaderExpired{At: trusted.Time.Add(trustingPeriod), Now: now}
	}
	if err := checkNewHeader(trusted, untrusted, untrustedVals, untrustedValsHash, now, maxClockDrift); err != nil {
		return light.ErrInvalidHeader{Reason: err}
	}
	c := NewCommit(trusted.ChainID, untrusted.Commit)
	if err := c.VerifyLightTrusting(trustedVals, trustLevel); err != nil {
		// Only the power error itself, not one wrapping it, as in CometBFT.
		if power, ok := err.(types.ErrNotEnoughVotingPowerSigned); ok {
			return light.ErrNewValSetCantBeTrusted{Reason: power}
		}
		return err
	}
	// As in CometBFT, the new validators come last: they can be made
	// arbitrarily many, the trusted ones cannot.
	if err := c.VerifyLight(untrustedVals, untrusted.Commit.BlockID, untrusted.Height); err != nil {
		return light.ErrInvalidHeader{Reason: err}
	}
	return nil
}

// checkNewHeader checks untrusted as the light package does before any
// signature: well formed for trusted's chain, above trusted in height and
// time, before now + maxClockDrift, of validators hashing to
// untrustedValsHash (untrustedVals.Hash() if nil).
func checkNewHeader(trusted, untrusted *types.SignedHeader, untrustedVals *types.ValidatorSet, untrustedValsHash []byte,
	now time.Time, maxClockDrift time.Duration,
) error {
	if err := untrusted.ValidateBasic(trusted.ChainID); err != nil {
		return fmt.Errorf("untrustedHeader.ValidateBasic failed: %w", err)
	}
	if untrusted.Height <= trusted.Height {
		return fmt.Errorf("expected new header height %d to be greater than one of old header %d",
			untrusted.Height, trusted.Height)
	}
	if !untrusted.Time.After(trusted.Time) {
		return fmt.Errorf("expected new header time %v to be after old header time %v",
			untrusted.Time, trusted.Time)
	}
	if !untrusted.Time.Before(now.Add(maxClockDrift)) {
		return fmt.Errorf("new header has a time from the future %v (now: %v; max clock drift: %v)",
			untrusted.Time, now, maxClockDrift)
	}
	if untrustedValsHash == nil {
		untrustedValsHash = untrustedVals.Hash()
	}
	if !bytes.Equal(untrusted.ValidatorsHash, untrustedValsHash) {
		return fmt.Errorf("expected new header validators (%X) to match those that were supplied (%X) at height %d",
			untrusted.ValidatorsHash, untrustedValsHash, untrusted.Height)
	}
	return nil
}
