package coin

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// ValidateDenom checks a denomination: 3 to 128 characters, a letter first,
// then letters, digits and the separators / : . _ -.
func ValidateDenom(d string) error {
	if len(d) < 3 || len(d) > 128 {
		return fmt.Errorf("%w: %q must be 3 to 128 characters", ErrInvalidDenom, d)
	}
	for i := 0; i < len(d); i++ {
		c := d[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case i > 0 && (c >= '0' && c <= '9' || c == '/' || c == ':' || c == '.' || c == '_' || c == '-'):
		default:
			return fmt.Errorf("%w: %q has %q at position %d", ErrInvalidDenom, d, c, i)
		}
	}
	return nil
}

// Validate checks that the coin has a valid denomination and a positive amount.
func (c Coin) Validate() error {
	if err := ValidateDenom(c.Denom); err != nil {
		return err
	}
	if c.Amount == 0 {
		return fmt.Errorf("%w: zero %s", ErrInvalidAmount, c.Denom)
	}
	return nil
}

// String formats the coin as AMOUNTDENOM, for example 100stake.
func (c Coin) String() string { return strconv.FormatUint(c.Amount, 10) + c.Denom }

// ParseCoin parses AMOUNTDENOM, for example 100stake.
func ParseCoin(s string) (Coin, error) {
	s = strings.TrimSpace(s)
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 {
		return Coin{}, fmt.Errorf("%w: %q does not start with an amount", ErrInvalidAmount, s)
	}
	amt, err := strconv.ParseUint(s[:i], 10, 64)
	if err != nil {
		return Coin{}, fmt.Errorf("%w: %q: %v", ErrInvalidAmount, s, err)
	}
	c := Coin{Denom: s[i:], Amount: amt}
	return c, c.Validate()
}

// ParseCoins parses a comma-separated list of coins, for example 10stake,5atom.
func ParseCoins(s string) ([]Coin, error) {
	var out []Coin
	for _, part := range strings.Split(s, ",") {
		c, err := ParseCoin(part)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, ValidateCoins(out)
}

// ValidateCoins checks a list of coins: not empty, each valid, no
// denomination twice.
func ValidateCoins(cs []Coin) error {
	if len(cs) == 0 {
		return fmt.Errorf("%w: no coins", ErrInvalidAmount)
	}
	seen := make(map[string]struct{}, len(cs))
	for _, c := range cs {
		if err := c.Validate(); err != nil {
			return err
		}
		if _, dup := seen[c.Denom]; dup {
			return fmt.Errorf("%w: %s appears twice", ErrInvalidDenom, c.Denom)
		}
		seen[c.Denom] = struct{}{}
	}
	return nil
}

// FormatCoins formats coins as a comma-separated list.
func FormatCoins(cs []Coin) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = c.String()
	}
	return strings.Join(parts, ",")
}

// SortCoins sorts coins by denomination, in place.
func SortCoins(cs []Coin) {
	sort.Slice(cs, func(i, j int) bool { return cs[i].Denom < cs[j].Denom })
}
