package gov

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/types/coin"
	"github.com/abci-ics/ics/types/fraction"
)

// MaxPeriod bounds the deposit and voting periods, so that end times never
// overflow.
const MaxPeriod = 10 * 365 * 24 * time.Hour

// DefaultParams returns the parameters of a new chain: a minimum deposit of
// 10,000,000 stake, two-day deposit and voting periods, quorum 0.334,
// threshold 0.5, veto threshold 0.334, vetoed deposits burned, others
// refunded.
func DefaultParams() Params {
	return Params{
		MinDeposit:       coin.Coin{Denom: "stake", Amount: 10_000_000},
		MaxDepositPeriod: int64(48 * time.Hour),
		VotingPeriod:     int64(48 * time.Hour),
		Quorum:           fraction.New(334, 1000),
		Threshold:        fraction.New(1, 2),
		VetoThreshold:    fraction.New(334, 1000),
		BurnVoteVeto:     true,
	}
}

// Validate checks the parameters and returns ErrInvalidParams on failure.
func (p Params) Validate() error {
	if err := p.MinDeposit.Validate(); err != nil {
		return fmt.Errorf("%w: min_deposit: %v", ErrInvalidParams, err)
	}
	for _, d := range []struct {
		name string
		v    int64
	}{{"max_deposit_period", p.MaxDepositPeriod}, {"voting_period", p.VotingPeriod}} {
		if d.v <= 0 || d.v > int64(MaxPeriod) {
			return fmt.Errorf("%w: %s %v not in (0, %v]", ErrInvalidParams, d.name, time.Duration(d.v), MaxPeriod)
		}
	}
	for _, f := range []struct {
		name string
		v    fraction.Fraction
	}{{"quorum", p.Quorum}, {"threshold", p.Threshold}, {"veto_threshold", p.VetoThreshold}} {
		if err := f.v.Validate(); err != nil {
			return fmt.Errorf("%w: %s: %v", ErrInvalidParams, f.name, err)
		}
	}
	return nil
}

// SetParamJSON sets one gov parameter from its JSON value; register it
// with RegisterParamSpace("gov", k.SetParamJSON) to let proposals change
// gov's own parameters. Keys are the Params field names: min_deposit
// ("10000000stake"), max_deposit_period and voting_period (Go durations,
// "48h"), quorum, threshold and veto_threshold ("0.334" or "1/3"), and the
// booleans burn_vote_veto, burn_deposit_no_quorum and burn_deposit_expired.
// It returns ErrUnknownParam for another key and ErrInvalidParams for a
// value that does not decode or makes the parameters invalid.
func (k Keeper) SetParamJSON(s state.Store, key, valueJSON string) error {
	p := k.Params(s)
	var err error
	switch key {
	case "min_deposit":
		var v string
		if err = decodeJSON(valueJSON, &v); err == nil {
			p.MinDeposit, err = coin.ParseCoin(v)
		}
	case "max_deposit_period", "voting_period":
		var v string
		var d time.Duration
		if err = decodeJSON(valueJSON, &v); err == nil {
			d, err = time.ParseDuration(v)
		}
		if key == "voting_period" {
			p.VotingPeriod = int64(d)
		} else {
			p.MaxDepositPeriod = int64(d)
		}
	case "quorum", "threshold", "veto_threshold":
		var v string
		var f fraction.Fraction
		if err = decodeJSON(valueJSON, &v); err == nil {
			f, err = fraction.Parse(v)
		}
		switch key {
		case "quorum":
			p.Quorum = f
		case "threshold":
			p.Threshold = f
		default:
			p.VetoThreshold = f
		}
	case "burn_vote_veto":
		err = decodeJSON(valueJSON, &p.BurnVoteVeto)
	case "burn_deposit_no_quorum":
		err = decodeJSON(valueJSON, &p.BurnDepositNoQuorum)
	case "burn_deposit_expired":
		err = decodeJSON(valueJSON, &p.BurnDepositExpired)
	default:
		return fmt.Errorf("%w: gov has no parameter %q", ErrUnknownParam, key)
	}
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrInvalidParams, key, err)
	}
	return k.SetParams(s, p)
}

// decodeJSON decodes exactly one JSON value of v's type.
func decodeJSON(s string, v any) error {
	dec := json.NewDecoder(strings.NewReader(s))
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("trailing data after the JSON value")
	}
	return nil
}
