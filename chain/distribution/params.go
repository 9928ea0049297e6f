package distribution

import (
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"strconv"
	"strings"

	"github.com/abci-ics/ics/chain/bank"
	"github.com/abci-ics/ics/state"
)

// DefaultParams returns the parameters of a new chain: a community tax of
// 0.02, no inflation, bond denomination "stake".
func DefaultParams() Params {
	return Params{
		CommunityTax: Fraction{Numerator: 2, Denominator: 100},
		BondDenom:    "stake",
	}
}

// Validate checks the parameters and returns ErrInvalidParams on failure.
func (p Params) Validate() error {
	if err := p.CommunityTax.Validate(); err != nil {
		return fmt.Errorf("%w: community_tax: %v", ErrInvalidParams, err)
	}
	if err := bank.ValidateDenom(p.BondDenom); err != nil {
		return fmt.Errorf("%w: bond_denom: %v", ErrInvalidParams, err)
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
// (0.02) and as numerator/denominator otherwise (1/3).
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

// ParseFraction parses a decimal (0.02, at most 19 digits after the point)
// or a ratio (1/3) into an exact fraction. It does not require the
// fraction to be at most 1; call Validate for that.
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

// mulFloor returns floor(a * f) for a valid fraction f.
func (f Fraction) mulFloor(a uint64) uint64 {
	r := new(big.Int).SetUint64(a)
	r.Mul(r, new(big.Int).SetUint64(f.Numerator))
	return r.Quo(r, new(big.Int).SetUint64(f.Denominator)).Uint64()
}

// SetParamJSON sets one distribution parameter from its JSON value;
// register it with gov's RegisterParamSpace("distribution", ...). Keys:
// community_tax ("0.02" or "1/50"), inflation_per_block (a JSON number)
// and bond_denom (a string). It returns ErrUnknownParam for another key
// and ErrInvalidParams for a value that does not decode or makes the
// parameters invalid.
func (k Keeper) SetParamJSON(s state.Store, key, valueJSON string) error {
	p := k.Params(s)
	var err error
	switch key {
	case "community_tax":
		var v string
		if err = decodeJSON(valueJSON, &v); err == nil {
			p.CommunityTax, err = ParseFraction(v)
		}
	case "inflation_per_block":
		err = decodeJSON(valueJSON, &p.InflationPerBlock)
	case "bond_denom":
		err = decodeJSON(valueJSON, &p.BondDenom)
	default:
		return fmt.Errorf("%w: distribution has no parameter %q", ErrUnknownParam, key)
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
