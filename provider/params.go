package provider

import (
	"fmt"
	"time"

	"github.com/abci-ics/ics/provider/registry"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/state/typed"
	"github.com/abci-ics/ics/types/fraction"
)

// DefaultParams returns the provider parameters of SPEC 12.
func DefaultParams() Params {
	return Params{
		BlocksPerEpoch:              600,
		TrustingPeriodFraction:      fraction.New(66, 100),
		CcvTimeoutPeriod:            4 * 7 * 24 * time.Hour,
		InitTimeoutPeriod:           7 * 24 * time.Hour,
		VscTimeoutPeriod:            5 * 7 * 24 * time.Hour,
		SlashMeterReplenishPeriod:   time.Hour,
		SlashMeterReplenishFraction: fraction.New(5, 100),
		DowntimeJailDuration:        10 * time.Minute,
		DowntimeSlashFraction:       fraction.New(0, 1),
		DoubleSignSlashFraction:     fraction.New(5, 100),
		MaxClockDrift:               10 * time.Second,
	}
}

// DefaultGenesis returns a genesis with the default parameters.
func DefaultGenesis() *GenesisState { return &GenesisState{Params: DefaultParams()} }

// Validate checks that counts and periods are positive and fractions
// valid; the trusting period fraction must be positive and below one.
func (p Params) Validate() error {
	if p.BlocksPerEpoch <= 0 {
		return fmt.Errorf("%w: blocks_per_epoch %d must be positive", ErrInvalidParams, p.BlocksPerEpoch)
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"ccv_timeout_period", p.CcvTimeoutPeriod}, {"init_timeout_period", p.InitTimeoutPeriod},
		{"vsc_timeout_period", p.VscTimeoutPeriod}, {"slash_meter_replenish_period", p.SlashMeterReplenishPeriod},
		{"downtime_jail_duration", p.DowntimeJailDuration}, {"max_clock_drift", p.MaxClockDrift}} {
		if d.v <= 0 {
			return fmt.Errorf("%w: %s must be positive, got %s", ErrInvalidParams, d.name, d.v)
		}
	}
	for _, f := range []struct {
		name string
		v    fraction.Fraction
	}{{"trusting_period_fraction", p.TrustingPeriodFraction}, {"slash_meter_replenish_fraction", p.SlashMeterReplenishFraction},
		{"downtime_slash_fraction", p.DowntimeSlashFraction}, {"double_sign_slash_fraction", p.DoubleSignSlashFraction}} {
		if err := f.v.Validate(); err != nil {
			return fmt.Errorf("%w: %s: %v", ErrInvalidParams, f.name, err)
		}
	}
	if t := p.TrustingPeriodFraction; t.Numerator == 0 || t.Numerator >= t.Denominator {
		return fmt.Errorf("%w: trusting_period_fraction %s must be in (0, 1)", ErrInvalidParams, t)
	}
	return nil
}

// Params returns the provider's parameters (the defaults before genesis).
func (*Keeper) Params(s state.Store) Params {
	p, ok := typed.Get[Params](kv(s), []byte{keyParams})
	if !ok {
		return DefaultParams()
	}
	return p
}

// SetParams validates and stores p.
func (*Keeper) SetParams(s state.Store, p Params) error {
	if err := p.Validate(); err != nil {
		return err
	}
	typed.Set(kv(s), []byte{keyParams}, &p)
	return nil
}

// InitGenesis stores the parameters, starts the vsc ids at 1 and fills the
// slash meter.
func (k *Keeper) InitGenesis(s state.Store, g *GenesisState, now time.Time) error {
	if err := k.SetParams(s, g.Params); err != nil {
		return err
	}
	k.VSC().Init(s)
	k.replenish(s, g.Params, now, true)
	return nil
}

// ExportGenesis returns the parameters.
func (k *Keeper) ExportGenesis(s state.Store) *GenesisState {
	return &GenesisState{Params: k.Params(s)}
}

// DefaultInfractionParameters returns the punishments of the provider's
// parameters: a double signer is slashed, jailed forever and tombstoned; a
// validator down is slashed and jailed.
func DefaultInfractionParameters(p Params) registry.InfractionParameters {
	return registry.InfractionParameters{
		DoubleSign: registry.InfractionParams{SlashFraction: p.DoubleSignSlashFraction, Tombstone: true},
		Downtime:   registry.InfractionParams{SlashFraction: p.DowntimeSlashFraction, JailDuration: p.DowntimeJailDuration},
	}
}
