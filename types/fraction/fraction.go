package fraction

import (
	"errors"
	"fmt"
	"math/big"
	"math/bits"
	"strconv"
	"strings"
)

// ErrInvalid is returned for a fraction that does not parse, has a zero
// denominator or is above 1.
var ErrInvalid = errors.New("invalid fraction")

// MaxDecimals is the most digits after the point that Parse accepts: 10^19
// is the largest power of ten that fits in a uint64.
const MaxDecimals = 19

// New returns numerator/denominator.
func New(numerator, denominator uint64) Fraction {
	return Fraction{Numerator: numerator, Denominator: denominator}
}

// Parse parses a decimal ("0.05", ".5", "1", at most MaxDecimals digits
// after the point) or a ratio ("1/20") into an exact, unreduced fraction
// and validates it. Signs, exponents, spaces and digit separators are
// refused. Errors wrap ErrInvalid.
func Parse(s string) (Fraction, error) {
	f, ok := parse(s)
	if !ok {
		return Fraction{}, fmt.Errorf("%w: %q is neither a decimal with at most %d digits after the point nor NUM/DEN", ErrInvalid, s, MaxDecimals)
	}
	if err := f.Validate(); err != nil {
		return Fraction{}, fmt.Errorf("%q: %w", s, err)
	}
	return f, nil
}

// parse reads s without validating the value.
func parse(s string) (Fraction, bool) {
	if num, den, ok := strings.Cut(s, "/"); ok {
		n, err1 := strconv.ParseUint(num, 10, 64)
		d, err2 := strconv.ParseUint(den, 10, 64)
		return New(n, d), err1 == nil && err2 == nil
	}
	whole, frac, _ := strings.Cut(s, ".")
	if whole+frac == "" || len(frac) > MaxDecimals {
		return Fraction{}, false
	}
	n, err := strconv.ParseUint(whole+frac, 10, 64)
	d := uint64(1)
	for range len(frac) {
		d *= 10
	}
	return New(n, d), err == nil
}

// Validate checks that f has a non-zero denominator and is at most 1.
// Errors wrap ErrInvalid.
func (f Fraction) Validate() error {
	if f.Denominator == 0 {
		return fmt.Errorf("%w: %d/0 has a zero denominator", ErrInvalid, f.Numerator)
	}
	if f.Numerator > f.Denominator {
		return fmt.Errorf("%w: %d/%d is above 1", ErrInvalid, f.Numerator, f.Denominator)
	}
	return nil
}

// String formats f as a decimal when its denominator is a power of ten
// ("0.05", "1") and as numerator/denominator otherwise ("1/3", "1/0").
func (f Fraction) String() string {
	d, digits := f.Denominator, 0
	for d > 1 && d%10 == 0 {
		d /= 10
		digits++
	}
	if d != 1 {
		return fmt.Sprintf("%d/%d", f.Numerator, f.Denominator)
	}
	s := strconv.FormatUint(f.Numerator/f.Denominator, 10)
	if digits == 0 {
		return s
	}
	frac := strconv.FormatUint(f.Numerator%f.Denominator, 10)
	return s + "." + strings.Repeat("0", digits-len(frac)) + frac
}

// MulFloor returns floor(x * f) exactly. f must be valid: MulFloor panics
// on a zero denominator and may panic on a fraction above 1.
func (f Fraction) MulFloor(x uint64) uint64 {
	hi, lo := bits.Mul64(x, f.Numerator)
	q, _ := bits.Div64(hi, lo, f.Denominator) // hi < denominator when numerator <= denominator
	return q
}

// LessOrEqual reports whether f <= g, exactly. Both denominators must be
// non-zero.
func (f Fraction) LessOrEqual(g Fraction) bool {
	ahi, alo := bits.Mul64(f.Numerator, g.Denominator)
	bhi, blo := bits.Mul64(g.Numerator, f.Denominator)
	return ahi < bhi || ahi == bhi && alo <= blo
}

// ReachedBy reports whether a/b >= f, exactly. It is false when b is zero;
// a and b must not be negative.
func (f Fraction) ReachedBy(a, b *big.Int) bool {
	return b.Sign() != 0 && f.cmpRatio(a, b) >= 0
}

// ExceededBy reports whether a/b > f, exactly. It is false when b is zero;
// a and b must not be negative.
func (f Fraction) ExceededBy(a, b *big.Int) bool {
	return b.Sign() != 0 && f.cmpRatio(a, b) > 0
}

// cmpRatio compares a*denominator with b*numerator, which for a positive b
// is the sign of a/b - f.
func (f Fraction) cmpRatio(a, b *big.Int) int {
	l := new(big.Int).Mul(a, new(big.Int).SetUint64(f.Denominator))
	r := new(big.Int).Mul(b, new(big.Int).SetUint64(f.Numerator))
	return l.Cmp(r)
}
