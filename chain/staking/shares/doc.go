// Package shares is the exact arithmetic of delegator shares: what new
// tokens buy, what shares are worth, and what an unbonding takes out. It
// holds no state; package staking applies it to each validator's tokens
// and delegator shares, a Rate.
//
// # Shares and rounding
//
// A validator has tokens T and delegator shares S; a delegation holds
// shares, worth shares*T/S tokens. All arithmetic is on uint64 with exact
// 128-bit intermediates (math/bits), and every rounding favours the
// validator's remaining delegators, so no operation creates tokens:
//
//   - delegating a tokens issues floor(a*S/T) shares (a shares when S is
//     0); an amount worth no share is refused (ErrDelegationTooSmall), and a
//     validator with shares but no tokens accepts no delegation
//     (ErrInvalidExchangeRate);
//   - undelegating a tokens removes exactly a tokens and ceil(a*S/T)
//     shares; a remainder of shares worth no token is removed with them,
//     and whoever removes the last shares takes the last tokens;
//   - the value of shares, Rate.Value, is rounded down;
//   - a slash removes tokens and no shares, so all delegators of the
//     validator lose the same fraction.
//
// Every result that would not fit in 64 bits is refused with ErrOverflow
// rather than wrapped.
package shares
