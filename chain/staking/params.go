package staking

import (
	"fmt"
	"math"
	"time"

	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/state/typed"
	"github.com/abci-ics/ics/types/coin"
	"github.com/abci-ics/ics/types/fraction"
)

// Bounds that no parameter can exceed. They keep iteration and time
// arithmetic bounded and total consensus power below CometBFT's limit.
const (
	MaxValidatorsLimit = 10_000
	MaxEntriesLimit    = 100
	MaxWindowLimit     = 1_000_000
	MaxPeriodLimit     = 100 * 365 * 24 * time.Hour
	// MaxPower is the largest consensus power of one validator: even a full
	// set of MaxValidatorsLimit validators stays below CometBFT's maximum
	// total voting power (math.MaxInt64 / 8).
	MaxPower = math.MaxInt64 / 8 / MaxValidatorsLimit
)

// DefaultParams returns the parameters of a new chain.
func DefaultParams() Params {
	return Params{
		BondDenom:               "stake",
		UnbondingPeriod:         21 * 24 * time.Hour,
		MaxValidators:           180,
		PowerReduction:          1_000_000,
		MinSelfDelegation:       1,
		MaxEntries:              7,
		SignedBlocksWindow:      100,
		MinSignedPerWindow:      fraction.New(1, 2),
		DowntimeJailDuration:    10 * time.Minute,
		SlashFractionDowntime:   fraction.New(1, 10_000),
		SlashFractionDoubleSign: fraction.New(1, 20),
	}
}

// Validate checks the parameters and returns ErrInvalidParams if one is out
// of range.
func (p Params) Validate() error {
	if err := coin.ValidateDenom(p.BondDenom); err != nil {
		return fmt.Errorf("%w: bond denom: %v", ErrInvalidParams, err)
	}
	checks := []struct {
		ok   bool
		what string
	}{
		{p.UnbondingPeriod > 0 && p.UnbondingPeriod <= MaxPeriodLimit, "unbonding_period"},
		{p.MaxValidators >= 1 && p.MaxValidators <= MaxValidatorsLimit, "max_validators"},
		{p.PowerReduction >= 1, "power_reduction"},
		{p.MinSelfDelegation >= 1, "min_self_delegation"},
		{p.MaxEntries >= 1 && p.MaxEntries <= MaxEntriesLimit, "max_entries"},
		{p.SignedBlocksWindow >= 1 && p.SignedBlocksWindow <= MaxWindowLimit, "signed_blocks_window"},
		{p.DowntimeJailDuration > 0 && p.DowntimeJailDuration <= MaxPeriodLimit, "downtime_jail_duration"},
		{p.MinSignedPerWindow.Validate() == nil, "min_signed_per_window"},
		{p.SlashFractionDowntime.Validate() == nil, "slash_fraction_downtime"},
		{p.SlashFractionDoubleSign.Validate() == nil, "slash_fraction_double_sign"},
	}
	for _, c := range checks {
		if !c.ok {
			return fmt.Errorf("%w: %s out of range", ErrInvalidParams, c.what)
		}
	}
	return nil
}

// Params returns the stored parameters. They are written at genesis; a
// missing record is a broken invariant.
func (Keeper) Params(s state.Store) Params {
	p, ok := typed.Get[Params](kv(s), []byte{keyParams})
	if !ok {
		panic("staking: broken invariant: parameters missing from state")
	}
	return p
}

// SetParams validates and stores p. A change of PowerReduction rebuilds the
// power index (the validator set follows at the next EndBlock); a change of
// SignedBlocksWindow restarts every liveness window.
func (k Keeper) SetParams(s state.Store, p Params) error {
	if err := p.Validate(); err != nil {
		return err
	}
	op, found := typed.Get[Params](kv(s), []byte{keyParams})
	typed.Set(kv(s), []byte{keyParams}, &p)
	if found {
		if op.PowerReduction != p.PowerReduction {
			k.reindexPower(s, p)
		}
		if op.SignedBlocksWindow != p.SignedBlocksWindow {
			typed.DeletePrefix(kv(s), []byte{prefixSigningInfo})
			typed.DeletePrefix(kv(s), []byte{prefixMissed})
		}
	}
	return nil
}
