package shares

import (
	"errors"
	"math"
	"testing"

	"pgregory.net/rapid"
)

func TestIssueRejects(t *testing.T) {
	for name, c := range map[string]struct {
		r      Rate
		amount uint64
		want   error
	}{
		"too small": {Rate{Tokens: 10, Shares: 5}, 1, ErrDelegationTooSmall},
		"overflow":  {Rate{Tokens: 1, Shares: 1 << 63}, 4, ErrOverflow},
		"no tokens": {Rate{Tokens: 0, Shares: 5}, 1, ErrInvalidExchangeRate},
	} {
		if _, err := c.r.Issue(c.amount); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
	}
	if sh, err := (Rate{Tokens: 3, Shares: 4}).Issue(5); sh != 6 || err != nil {
		t.Fatalf("5 tokens at 3:4 bought %d shares (%v), want 6", sh, err)
	}
	if _, _, err := (Rate{Tokens: 10, Shares: 10}).Unbond(5, 6); !errors.Is(err, ErrInsufficientDelegation) {
		t.Fatalf("unbond more than held: %v", err)
	}
	if _, err := Add(math.MaxUint64, 1); !errors.Is(err, ErrOverflow) {
		t.Fatalf("add: %v", err)
	}
}

// TestNoTokensCreated checks that a delegation followed by the undelegation
// of everything it is worth never leaves with more than it brought, and
// never leaves the other delegators' shares worth less.
func TestNoTokensCreated(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		r := Rate{Tokens: rapid.Uint64Range(1, 1e15).Draw(rt, "tokens")}
		r.Shares = rapid.Uint64Range(1, 1e15).Draw(rt, "shares")
		amount := rapid.Uint64Range(1, 1e15).Draw(rt, "amount")
		sh, err := r.Issue(amount)
		if err != nil {
			return
		}
		after := Rate{Tokens: r.Tokens + amount, Shares: r.Shares + sh}
		worth := after.Value(sh)
		if worth > amount {
			rt.Fatalf("%d tokens bought shares worth %d", amount, worth)
		}
		out, tokens, err := after.Unbond(sh, worth)
		if err != nil || out != sh || tokens > amount {
			rt.Fatalf("unbond %d: shares %d, tokens %d, %v", worth, out, tokens, err)
		}
		rest := Rate{Tokens: after.Tokens - tokens, Shares: after.Shares - out}
		if rest.Value(r.Shares) < r.Value(r.Shares) {
			rt.Fatalf("others' %d shares lost value: %d < %d", r.Shares, rest.Value(r.Shares), r.Value(r.Shares))
		}
	})
}
