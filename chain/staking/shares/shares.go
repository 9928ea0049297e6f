package shares

import (
	"fmt"
	"math"
	"math/bits"
)

// Rate is a validator's exchange rate: Shares delegator shares own Tokens
// tokens.
type Rate struct {
	Tokens uint64
	Shares uint64
}

// MulDiv returns a*b/c rounded down (or up), and false when c is zero or
// the result does not fit in 64 bits.
func MulDiv(a, b, c uint64, up bool) (uint64, bool) {
	hi, lo := bits.Mul64(a, b)
	if c == 0 || hi >= c {
		return 0, false
	}
	q, r := bits.Div64(hi, lo, c)
	if up && r != 0 {
		if q == math.MaxUint64 {
			return 0, false
		}
		q++
	}
	return q, true
}

// Add returns a+b or ErrOverflow.
func Add(a, b uint64) (uint64, error) {
	s, carry := bits.Add64(a, b, 0)
	if carry != 0 {
		return 0, ErrOverflow
	}
	return s, nil
}

// Value returns the tokens that n shares are worth, rounded down (0 when
// there are no shares). It panics when n exceeds r.Shares, a broken
// invariant of the caller.
func (r Rate) Value(n uint64) uint64 {
	if r.Shares == 0 {
		return 0
	}
	t, ok := MulDiv(n, r.Tokens, r.Shares, false)
	if !ok {
		panic(fmt.Sprintf("shares: invariant shares <= delegator shares broken: %d of %d", n, r.Shares))
	}
	return t
}

// Issue returns the shares that amount new tokens buy:
// floor(amount * shares / tokens), or amount itself when there are no
// shares. Rounding down never gives a delegator more than it paid for. It
// returns ErrInvalidExchangeRate (shares but no tokens; unwrapped, for the
// caller to name the validator), ErrOverflow, or ErrDelegationTooSmall for
// an amount worth no share.
func (r Rate) Issue(amount uint64) (uint64, error) {
	if r.Shares == 0 {
		return amount, nil
	}
	if r.Tokens == 0 {
		return 0, ErrInvalidExchangeRate
	}
	sh, ok := MulDiv(amount, r.Shares, r.Tokens, false)
	if !ok {
		return 0, fmt.Errorf("%w: shares for %d tokens", ErrOverflow, amount)
	}
	if sh == 0 {
		return 0, fmt.Errorf("%w: %d tokens", ErrDelegationTooSmall, amount)
	}
	return sh, nil
}

// Unbond works out how to take amount tokens out of a delegation of held
// shares. The shares removed are ceil(amount * shares / tokens), so the
// tokens left behind are never worth less per share; a remainder worth no
// token is removed too, and removing every share removes every token. It
// returns ErrInsufficientDelegation when held is worth less than amount.
func (r Rate) Unbond(held, amount uint64) (shares, tokens uint64, err error) {
	if amount > r.Value(held) {
		return 0, 0, fmt.Errorf("%w: %d requested, %d delegated", ErrInsufficientDelegation, amount, r.Value(held))
	}
	shares, _ = MulDiv(amount, r.Shares, r.Tokens, true) // fits: at most held
	if shares > held || r.Value(held-shares) == 0 {
		shares = held
	}
	tokens = amount
	if shares == r.Shares {
		tokens = r.Tokens
	}
	return shares, tokens, nil
}
