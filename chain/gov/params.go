package gov

import (
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/abci-ics/ics/chain/bank"
	"github.com/abci-ics/ics/state"
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
		MinDeposit:       bank.Coin{Denom: "stake", Amount: 10_000_000},
		MaxDepositPeriod: int64(48 * time.Hour),
		VotingPeriod:     int64(48 * time.Hour),
		Quorum:           Fraction{Numerator: 334, Denominator: 1000},
		Threshold:        Fraction{Numerator: 1, Denominator: 2},
		VetoThreshold:    Fraction{Numerator: 334, Denominator: 1000},
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
		v    Fraction
	}{{"quorum", p.Quorum}, {"threshold", p.Threshold}, {"veto_threshold", p.VetoThreshold}} {
		if err := f.v.Validate(); err != nil {
			return fmt.Errorf("%w: %s: %v", ErrInvalidParams, f.name, err)
		}
	}
	return nil
}

// Validate checks that f has a non-zero denominator and is at most 1.
func (f Fraction) Validate() error {
	if f.Denominator == 0 {
		return fmt.Errorf("fraction %d/0 has a zero denominator", f.Numerator)
	}
	if f.Numerator > f.Denominator {
		return fmt.Errorf("fraction %d/%d is above 1", f.Numerator, f.Denominator)
	}
	return nil
}

// String formats f as a decimal when its denominator is a power of ten
// (0.334) and as numerator/denominator otherwise (1/3).
func (f Fraction) String() string {
	d, digits := f.Denominator, 0
	for d > 1 && d%10 == 0 {
		d /= 10
		digits++
	}
	if d != 1 || f.Denominator == 0 {
		return fmt.Sprintf("%d/%d", f.Numerator, f.Denominator)
	}
	s := strconv.FormatUint(f.Numerator/f.Denominator, 10)
	if digits == 0 {
		return s
	}
	frac := strconv.FormatUint(f.Numerator%f.Denominator, 10)
	return s + "." + strings.Repeat("0", digits-len(frac)) + frac
}

// ParseFraction parses a decimal (0.334) or a ratio (1/3) into an exact
// fraction. It does not reduce the fraction and does not require it to be
// at most 1; call Validate for that.
func ParseFraction(s string) (Fraction, error) {
	if num, den, ok := strings.Cut(s, "/"); ok {
		n, err1 := strconv.ParseUint(num, 10, 64)
		d, err2 := strconv.ParseUint(den, 10, 64)
		if err1 != nil || err2 != nil || d == 0 {
			return Fraction{}, fmt.Errorf("fraction %q is not NUM/DEN", s)
		}
		return Fraction{Numerator: n, Denominator: d}, nil
	}
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(frac) > 19 || strings.ContainsAny(whole+frac, "+-") {
		return Fraction{}, fmt.Errorf("fraction %q is not a decimal with at most 19 digits after the point", s)
	}
	n, err := strconv.ParseUint(whole+frac, 10, 64)
	if err != nil {
		return Fraction{}, fmt.Errorf("fraction %q: %v", s, err)
	}
	d := uint64(1)
	for range len(frac) {
		d *= 10
	}
	return Fraction{Numerator: n, Denominator: d}, nil
}

// exceeds reports whether a/b > f. It is false when b is zero.
func (f Fraction) exceeds(a, b *big.Int) bool {
	if b.Sign() == 0 {
		return false
	}
	l := new(big.Int).Mul(a, new(big.Int).SetUint64(f.Denominator))
	r := new(big.Int).Mul(b, new(big.Int).SetUint64(f.Numerator))
	return l.Cmp(r) > 0
}

// reaches reports whether a/b >= f. It is false when b is zero.
func (f Fraction) reaches(a, b *big.Int) bool {
	if b.Sign() == 0 {
		return false
	}
	l := new(big.Int).Mul(a, new(big.Int).SetUint64(f.Denominator))
	r := new(big.Int).Mul(b, new(big.Int).SetUint64(f.Numerator))
	return l.Cmp(r) >= 0
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
			p.MinDeposit, err = bank.ParseCoin(v)
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
		var f Fraction
		if err = decodeJSON(valueJSON, &v); err == nil {
			f, err = ParseFraction(v)
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
