package icsgenesis

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/bits"
	"strconv"
	"strings"
	"time"

	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/types/fraction"
)

// This file reads the reference's proto JSON by hand where no generated
// type exists here (the ConsumerGenesisState, ProviderInfo and
// ConsumerParams wrappers), with the rules of proto3 JSON: a field may be
// spelled with its original name or its lowerCamelCase JSON name, a
// missing or null field has its default value, 64-bit integers are
// strings or numbers. Names are matched exactly; an unknown name, or one
// field given twice, is an error.

// object splits the JSON object raw into its members, keyed by original
// name. Members that are null are left out.
func object(raw []byte, names ...string) (map[string]json.RawMessage, error) {
	byName := make(map[string]string, 2*len(names))
	for _, n := range names {
		byName[n], byName[camel(n)] = n, n
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("%w: want a JSON object", ccv.ErrInvalidGenesis)
	}
	m := make(map[string]json.RawMessage, len(names))
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("%w: malformed JSON: %v", ccv.ErrInvalidGenesis, err)
		}
		key, _ := tok.(string)
		name, ok := byName[key]
		if !ok {
			return nil, fmt.Errorf("%w: unknown field %q", ccv.ErrInvalidGenesis, key)
		}
		if seen[name] {
			return nil, fmt.Errorf("%w: field %q given twice", ccv.ErrInvalidGenesis, name)
		}
		seen[name] = true
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("%w: field %q: malformed JSON: %v", ccv.ErrInvalidGenesis, name, err)
		}
		if string(v) != "null" {
			m[name] = v
		}
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return nil, fmt.Errorf("%w: malformed JSON object", ccv.ErrInvalidGenesis)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: trailing data after the JSON object", ccv.ErrInvalidGenesis)
	}
	return m, nil
}

// camel returns the proto JSON name of an original field name.
func camel(name string) string {
	parts := strings.Split(name, "_")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}

func decodeAs[T any](m map[string]json.RawMessage, name, want string) (T, error) {
	var v T
	raw, ok := m[name]
	if !ok {
		return v, nil
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return v, fmt.Errorf("%w: %s: want %s", ccv.ErrInvalidGenesis, name, want)
	}
	return v, nil
}

func readBool(m map[string]json.RawMessage, name string) (bool, error) {
	return decodeAs[bool](m, name, "a boolean")
}

func readString(m map[string]json.RawMessage, name string) (string, error) {
	return decodeAs[string](m, name, "a string")
}

func readArray(m map[string]json.RawMessage, name string) ([]json.RawMessage, error) {
	return decodeAs[[]json.RawMessage](m, name, "an array")
}

// paramReader reads the members of an object one after the other and keeps
// the first error.
type paramReader struct {
	m   map[string]json.RawMessage
	err error
}

func (r *paramReader) keep(err error) {
	if r.err == nil {
		r.err = err
	}
}

func (r *paramReader) bool(name string) bool {
	v, err := readBool(r.m, name)
	r.keep(err)
	return v
}

func (r *paramReader) string(name string) string {
	v, err := readString(r.m, name)
	r.keep(err)
	return v
}

func (r *paramReader) strings(name string) []string {
	v, err := decodeAs[[]string](r.m, name, "a list of strings")
	r.keep(err)
	return v
}

// int64 reads an int64 written as a decimal string or a JSON integer.
func (r *paramReader) int64(name string) int64 {
	raw, ok := r.m[name]
	if !ok {
		return 0
	}
	s := string(raw)
	if len(raw) > 0 && raw[0] == '"' {
		s, _ = readString(r.m, name)
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		r.keep(fmt.Errorf("%w: %s: %s is not a 64-bit integer", ccv.ErrInvalidGenesis, name, raw))
	}
	return n
}

func (r *paramReader) duration(name string) time.Duration {
	s := r.string(name)
	d, err := parseDuration(s)
	if err != nil {
		r.keep(fmt.Errorf("%w: %s: %v", ccv.ErrInvalidGenesis, name, err))
	}
	return d
}

// fraction reads a decimal string as the ratio in lowest terms.
func (r *paramReader) fraction(name string) fraction.Fraction {
	s := r.string(name)
	if _, frac, _ := strings.Cut(s, "."); strings.Contains(s, "/") || len(frac) > maxDecimals {
		r.keep(fmt.Errorf("%w: %s: %q is not a decimal of at most %d digits after the point", ccv.ErrInvalidGenesis, name, s, maxDecimals))
		return fraction.Fraction{}
	}
	f, err := fraction.Parse(s)
	if err != nil {
		r.keep(fmt.Errorf("%w: %s: %v", ccv.ErrInvalidGenesis, name, err))
		return fraction.Fraction{}
	}
	g := gcd(f.Numerator, f.Denominator)
	return fraction.New(f.Numerator/g, f.Denominator/g)
}

func gcd(a, b uint64) uint64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// maxDecimals is the precision of the reference's decimals (sdk LegacyDec).
const maxDecimals = 18

// decimal writes f, a valid fraction, as the decimal string that reads
// back as f: f must be in lowest terms and its denominator a product of
// 2s and 5s whose decimal needs at most maxDecimals digits.
func decimal(f fraction.Fraction) (string, error) {
	n, d := f.Numerator, f.Denominator
	if g := gcd(n, d); g != 1 {
		return "", fmt.Errorf("%s is not in lowest terms: its decimal reads back as %d/%d", f, n/g, d/g)
	}
	twos, fives, rest := 0, 0, d
	for rest%2 == 0 {
		rest, twos = rest/2, twos+1
	}
	for rest%5 == 0 {
		rest, fives = rest/5, fives+1
	}
	digits := max(twos, fives)
	if rest != 1 || digits > maxDecimals {
		return "", fmt.Errorf("%s has no exact decimal of at most %d digits", f, maxDecimals)
	}
	scale := uint64(1)
	for range digits {
		scale *= 10
	}
	// n <= d, so n * (scale / d) <= scale <= 10^18 does not overflow.
	return fraction.New(n*(scale/d), scale).String(), nil
}

// formatDuration writes d, not negative, as a proto JSON duration, as
// jsonpb does: seconds, then 3, 6 or 9 digits of fraction if needed.
func formatDuration(d time.Duration) string {
	s := fmt.Sprintf("%d.%09d", d/time.Second, d%time.Second)
	s = strings.TrimSuffix(s, "000")
	s = strings.TrimSuffix(s, "000")
	s = strings.TrimSuffix(s, ".000")
	return s + "s"
}

// parseDuration reads a non-negative proto JSON duration ("3600s",
// "1.5s", at most 9 digits of fraction) that fits a time.Duration.
func parseDuration(s string) (time.Duration, error) {
	body, ok := strings.CutSuffix(s, "s")
	whole, frac, hasFrac := strings.Cut(body, ".")
	if !ok || !digitsOnly(whole) || hasFrac && (!digitsOnly(frac) || len(frac) > 9) {
		return 0, fmt.Errorf("%q is not a proto JSON duration such as \"3600s\"", s)
	}
	secs, err := strconv.ParseUint(whole, 10, 64)
	if err != nil || secs > math.MaxInt64/uint64(time.Second) {
		return 0, fmt.Errorf("%q is out of range", s)
	}
	ns := uint64(0)
	if hasFrac {
		ns, _ = strconv.ParseUint(frac+strings.Repeat("0", 9-len(frac)), 10, 64)
	}
	total, carry := bits.Add64(secs*uint64(time.Second), ns, 0)
	if carry != 0 || total > math.MaxInt64 {
		return 0, fmt.Errorf("%q is out of range", s)
	}
	return time.Duration(total), nil
}

func digitsOnly(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func int64String(n int64) string { return strconv.FormatInt(n, 10) }
