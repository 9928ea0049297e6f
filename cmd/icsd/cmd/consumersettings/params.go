package consumersettings

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/types/fraction"
)

// ParseWhen reads a point in time as the consumer commands' time flags
// take it: RFC 3339, or a duration from now ("90s", "+2m"); empty or
// "now" is now.
func ParseWhen(s string, now time.Time) (time.Time, error) {
	if s == "" || s == "now" {
		return now, nil
	}
	if d, err := time.ParseDuration(strings.TrimPrefix(s, "+")); err == nil {
		return now.Add(d), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q: use RFC 3339 (2026-01-02T15:04:05Z) or a duration from now (90s)", s)
	}
	return t, nil
}

// paramFlags are the flags of AddParamFlags.
var paramFlags = []string{"unbonding-period", "ccv-timeout-period", "transfer-timeout-period", "redistribution-fraction",
	"blocks-per-distribution-transmission", "historical-entries", "retry-delay-period", "signed-blocks-window", "min-signed-per-window"}

// AddParamFlags adds to f one flag per consumer parameter, defaulting to
// SPEC 12's values.
func AddParamFlags(f *pflag.FlagSet) {
	d := ccv.DefaultConsumerParams()
	f.Duration("unbonding-period", d.UnbondingPeriod, "consumer unbonding period (VSCs mature this long after they are applied)")
	f.Duration("ccv-timeout-period", d.CcvTimeoutPeriod, "timeout of CCV packets")
	f.Duration("transfer-timeout-period", d.TransferTimeoutPeriod, "timeout of reward transfers")
	f.String("redistribution-fraction", d.ConsumerRedistributionFraction.String(), "share of fees the consumer keeps")
	f.Int64("blocks-per-distribution-transmission", d.BlocksPerDistributionTransmission, "blocks between reward transfers")
	f.Int64("historical-entries", d.HistoricalEntries, "past headers the consumer keeps")
	f.Duration("retry-delay-period", d.RetryDelayPeriod, "wait before a bounced slash packet is sent again")
	f.Int64("signed-blocks-window", d.SignedBlocksWindow, "downtime window in blocks")
	f.String("min-signed-per-window", d.MinSignedPerWindow.String(), "fraction of the window a validator must sign")
}

// applyParamFlags sets the parameters whose flags (of
// AddParamFlags) were given.
func applyParamFlags(f *pflag.FlagSet, p *ccv.ConsumerParams) error {
	durations := map[string]*time.Duration{"unbonding-period": &p.UnbondingPeriod, "ccv-timeout-period": &p.CcvTimeoutPeriod,
		"transfer-timeout-period": &p.TransferTimeoutPeriod, "retry-delay-period": &p.RetryDelayPeriod}
	for name, field := range durations {
		if f.Changed(name) {
			*field, _ = f.GetDuration(name)
		}
	}
	counts := map[string]*int64{"blocks-per-distribution-transmission": &p.BlocksPerDistributionTransmission,
		"historical-entries": &p.HistoricalEntries, "signed-blocks-window": &p.SignedBlocksWindow}
	for name, field := range counts {
		if f.Changed(name) {
			*field, _ = f.GetInt64(name)
		}
	}
	fractions := map[string]*fraction.Fraction{"redistribution-fraction": &p.ConsumerRedistributionFraction, "min-signed-per-window": &p.MinSignedPerWindow}
	for _, name := range []string{"redistribution-fraction", "min-signed-per-window"} {
		if !f.Changed(name) {
			continue
		}
		v, _ := f.GetString(name)
		fr, err := fraction.Parse(v)
		if err != nil {
			return fmt.Errorf("--%s: %w", name, err)
		}
		*fractions[name] = fr
	}
	return nil
}

// ParamsFromFlags reads the flags of AddParamFlags in f over the default
// consumer parameters, and validates them.
func ParamsFromFlags(f *pflag.FlagSet) (ccv.ConsumerParams, error) {
	p := ccv.DefaultConsumerParams()
	if err := applyParamFlags(f, &p); err != nil {
		return p, err
	}
	if err := p.Validate(); err != nil {
		return p, fmt.Errorf("consumer parameters: %w", err)
	}
	return p, nil
}
