package fraction

import (
	"errors"
	"math/big"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	for s, want := range map[string]Fraction{
		"0.05":                  {5, 100},
		"0.334":                 {334, 1000},
		"0.5":                   {5, 10},
		".5":                    {5, 10},
		"1":                     {1, 1},
		"1.":                    {1, 1},
		"1.0":                   {10, 10},
		"0":                     {0, 1},
		"00.25":                 {25, 100},
		"1/20":                  {1, 20},
		"1/3":                   {1, 3},
		"0/7":                   {0, 7},
		"2/2":                   {2, 2},
		"0.1234567890123456789": {1234567890123456789, 10_000_000_000_000_000_000},
		"1.0000000000000000000": {10_000_000_000_000_000_000, 10_000_000_000_000_000_000},
		"18446744073709551615/18446744073709551615": {1<<64 - 1, 1<<64 - 1},
	} {
		got, err := Parse(s)
		if err != nil || got != want {
			t.Errorf("%q: %v %v", s, got, err)
		}
	}
	for _, bad := range []string{
		"", ".", "/", "a", "1/x", "x/1", "/2", "1/", "1e3", "0x1", " 0.5", "0.5 ",
		"-0.1", "+0.1", "-1/2", "+1", "1_0/20", "0.1_0",
		"1.5", "2/1", "5.", "1.0000000000000000001", // above 1
		"1/0", "0/0", // zero denominator
		"0.12345678901234567890", // more than MaxDecimals digits
		"18446744073709551616/1", // numerator overflows
		"1/18446744073709551616", // denominator overflows
		"1.2.3", "1/2/3", "0.5/1", "1/0.5",
	} {
		if f, err := Parse(bad); !errors.Is(err, ErrInvalid) || f != (Fraction{}) {
			t.Errorf("%q: %v %v", bad, f, err)
		}
	}
}

func TestString(t *testing.T) {
	for f, want := range map[Fraction]string{
		{334, 1000}: "0.334", {5, 100}: "0.05", {5, 10}: "0.5", {10, 10}: "1.0", {1, 1}: "1", {0, 1}: "0",
		{1, 3}: "1/3", {1, 20}: "1/20", {2, 1}: "2", {3, 2}: "3/2", {1, 0}: "1/0", {0, 0}: "0/0",
		{1, 10_000_000_000_000_000_000}: "0.0000000000000000001",
	} {
		if got := f.String(); got != want {
			t.Errorf("%d/%d: %q, want %q", f.Numerator, f.Denominator, got, want)
		}
	}
}

func TestValidate(t *testing.T) {
	for _, f := range []Fraction{New(0, 1), New(1, 1), New(1, 3), New(1<<64-1, 1<<64-1)} {
		if err := f.Validate(); err != nil {
			t.Errorf("%v: %v", f, err)
		}
	}
	for _, f := range []Fraction{New(0, 0), New(1, 0), New(2, 1), New(1<<64-1, 1<<64-2)} {
		if err := f.Validate(); !errors.Is(err, ErrInvalid) {
			t.Errorf("%v: %v", f, err)
		}
	}
}

func TestMulFloor(t *testing.T) {
	for _, c := range []struct {
		f       Fraction
		x, want uint64
	}{
		{New(1, 3), 10, 3},
		{New(0, 5), 1<<64 - 1, 0},
		{New(1, 1), 1<<64 - 1, 1<<64 - 1},
		{New(1<<63, 1<<63+1), 1<<64 - 1, 1<<64 - 3},
		{New(2, 100), 12_345, 246},
	} {
		if got := c.f.MulFloor(c.x); got != c.want {
			t.Errorf("%d * %v = %d, want %d", c.x, c.f, got, c.want)
		}
	}
}

func TestLessOrEqual(t *testing.T) {
	if !New(1, 3).LessOrEqual(New(2, 6)) || !New(2, 6).LessOrEqual(New(1, 3)) || !New(0, 1).LessOrEqual(New(0, 7)) {
		t.Error("equal values")
	}
	if !New(1, 3).LessOrEqual(New(1, 2)) || New(1, 2).LessOrEqual(New(1, 3)) {
		t.Error("different values")
	}
	if New(1<<64-1, 1<<64-1).LessOrEqual(New(1<<64-2, 1<<64-1)) || !New(1<<64-2, 1<<64-1).LessOrEqual(New(1, 1)) {
		t.Error("128-bit products")
	}
}

func TestReachedAndExceededBy(t *testing.T) {
	b := func(x int64) *big.Int { return big.NewInt(x) }
	half := New(1, 2)
	for _, c := range []struct {
		a, b              *big.Int
		reached, exceeded bool
	}{
		{b(1), b(2), true, false},
		{b(2), b(4), true, false},
		{b(3), b(5), true, true},
		{b(2), b(5), false, false},
		{b(0), b(0), false, false},
		{b(1), b(0), false, false},
	} {
		if got := half.ReachedBy(c.a, c.b); got != c.reached {
			t.Errorf("%v/%v reaches 1/2: %v", c.a, c.b, got)
		}
		if got := half.ExceededBy(c.a, c.b); got != c.exceeded {
			t.Errorf("%v/%v exceeds 1/2: %v", c.a, c.b, got)
		}
	}
	huge, _ := new(big.Int).SetString(strings.Repeat("9", 40), 10)
	if !New(0, 1).ReachedBy(b(0), huge) || New(0, 1).ExceededBy(b(0), huge) || !New(1, 1).ReachedBy(huge, huge) {
		t.Error("big operands")
	}
}

// FuzzParse: what parses is valid, has the exact value of its text and
// formats back to an equal fraction.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"0.334", "1/3", "1", ".5", "0.05", "0.1234567890123456789", "18446744073709551615/18446744073709551615", "1.5", "-1", "1e-3", "010/10"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fr, err := Parse(s)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("%q: error %v does not wrap ErrInvalid", s, err)
			}
			return
		}
		if err := fr.Validate(); err != nil {
			t.Fatalf("%q -> %v: %v", s, fr, err)
		}
		want, ok := decimalValue(s)
		if !ok {
			t.Fatalf("%q parsed as %v but is not a rational number", s, fr)
		}
		got := new(big.Rat).SetFrac(new(big.Int).SetUint64(fr.Numerator), new(big.Int).SetUint64(fr.Denominator))
		if got.Cmp(want) != 0 {
			t.Fatalf("%q parsed as %v = %v, want %v", s, fr, got, want)
		}
		again, err := Parse(fr.String())
		if err != nil {
			t.Fatalf("%q -> %q does not parse: %v", s, fr.String(), err)
		}
		if again != fr {
			t.Fatalf("%q -> %v -> %v", s, fr, again)
		}
	})
}

// FuzzExact: MulFloor and LessOrEqual agree with arbitrary-precision
// arithmetic on valid fractions.
func FuzzExact(f *testing.F) {
	f.Add(uint64(1), uint64(3), uint64(2), uint64(6), uint64(10))
	f.Add(uint64(1<<63), uint64(1<<63+1), uint64(1<<64-2), uint64(1<<64-1), uint64(1<<64-1))
	f.Fuzz(func(t *testing.T, n1, d1, n2, d2, x uint64) {
		if d1 == 0 || d2 == 0 {
			return
		}
		a, b := New(min(n1, d1), d1), New(min(n2, d2), d2)
		ra := new(big.Rat).SetFrac(new(big.Int).SetUint64(a.Numerator), new(big.Int).SetUint64(a.Denominator))
		rb := new(big.Rat).SetFrac(new(big.Int).SetUint64(b.Numerator), new(big.Int).SetUint64(b.Denominator))
		if got, want := a.LessOrEqual(b), ra.Cmp(rb) <= 0; got != want {
			t.Fatalf("%v <= %v: %v", a, b, got)
		}
		p := new(big.Int).SetUint64(x)
		p.Mul(p, new(big.Int).SetUint64(a.Numerator)).Quo(p, new(big.Int).SetUint64(a.Denominator))
		if got := a.MulFloor(x); !p.IsUint64() || got != p.Uint64() {
			t.Fatalf("%d * %v = %d, want %v", x, a, got, p)
		}
	})
}

// decimalValue is the value of a decimal or of a ratio of decimal integers
// (big.Rat reads a leading 0 of a ratio's integers as octal).
func decimalValue(s string) (*big.Rat, bool) {
	num, den, ok := strings.Cut(s, "/")
	if !ok {
		return new(big.Rat).SetString(s)
	}
	n, ok1 := new(big.Int).SetString(num, 10)
	d, ok2 := new(big.Int).SetString(den, 10)
	if !ok1 || !ok2 || d.Sign() == 0 {
		return nil, false
	}
	return new(big.Rat).SetFrac(n, d), true
}
