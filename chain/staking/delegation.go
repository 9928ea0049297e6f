package staking

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/abci-ics/ics/chain/staking/shares"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/state/typed"
	"github.com/abci-ics/ics/types/address"
)

// Delegation returns delegator's delegation to validator.
func (Keeper) Delegation(s state.Store, delegator, validator []byte) (Delegation, bool) {
	return typed.Get[Delegation](kv(s), DelegationKey(delegator, validator))
}

// DelegationsOf returns delegator's delegations, sorted by validator.
func (Keeper) DelegationsOf(s state.Store, delegator []byte) []Delegation {
	return typed.All[Delegation](kv(s), typed.Key(prefixDelegation, delegator))
}

// DelegationsTo returns the delegations to validator, sorted by delegator.
func (k Keeper) DelegationsTo(s state.Store, validator []byte) []Delegation {
	var out []Delegation
	for _, delegator := range typed.Keys(kv(s), typed.Key(prefixDelegationTo, validator)) {
		d, ok := k.Delegation(s, delegator, validator)
		if !ok {
			panic(fmt.Sprintf("staking: broken invariant: reverse index holds missing delegation of %X to %X", delegator, validator))
		}
		out = append(out, d)
	}
	return out
}

// setDelegation stores d with its reverse index, or deletes both when d has
// no shares left.
func setDelegation(s state.Store, d Delegation) {
	st := kv(s)
	if d.Shares == 0 {
		st.Delete(DelegationKey(d.Delegator, d.Validator))
		st.Delete(DelegationToKey(d.Validator, d.Delegator))
		return
	}
	typed.Set(st, DelegationKey(d.Delegator, d.Validator), &d)
	st.Set(DelegationToKey(d.Validator, d.Delegator), marker)
}

// sharesFor returns the shares that amount new tokens buy from v (see
// shares.Rate.Issue).
func (v Validator) sharesFor(amount uint64) (uint64, error) {
	sh, err := v.rate().Issue(amount)
	if errors.Is(err, shares.ErrInvalidExchangeRate) {
		return 0, fmt.Errorf("%w: %X", err, v.Operator)
	}
	return sh, err
}

// prepareBond returns v and delegator's delegation to it after amount
// more tokens buy shares of v, and the shares bought. It writes nothing;
// writeBond stores the result once the tokens are in v's pool.
func (k Keeper) prepareBond(s state.Store, v Validator, delegator []byte, amount uint64) (Validator, Delegation, uint64, error) {
	sh, err := v.sharesFor(amount)
	if err != nil {
		return v, Delegation{}, 0, err
	}
	d, _ := k.Delegation(s, delegator, v.Operator)
	tokens, err1 := shares.Add(v.Tokens, amount)
	total, err2 := shares.Add(v.DelegatorShares, sh)
	mine, err3 := shares.Add(d.Shares, sh)
	if err1 != nil || err2 != nil || err3 != nil {
		return v, Delegation{}, 0, fmt.Errorf("%w: delegation of %d to %X", shares.ErrOverflow, amount, v.Operator)
	}
	v.Tokens, v.DelegatorShares = tokens, total
	return v, Delegation{Delegator: delegator, Validator: v.Operator, Shares: mine}, sh, nil
}

func (k Keeper) writeBond(s state.Store, p Params, v Validator, d Delegation) {
	setDelegation(s, d)
	k.setValidator(s, p, v)
}

// unbondAmount works out how to take amount tokens out of delegation d of
// v (see shares.Rate.Unbond).
func (v Validator) unbondAmount(d Delegation, amount uint64) (sh, tokens uint64, err error) {
	return v.rate().Unbond(d.Shares, amount)
}

// unbond removes shares and tokens (from unbondAmount) from delegation d
// and from v, and stores both.
func (k Keeper) unbond(s state.Store, p Params, v *Validator, d Delegation, shares, tokens uint64) {
	if shares > d.Shares || shares > v.DelegatorShares || tokens > v.Tokens {
		panic(fmt.Sprintf("staking: invariant delegation <= validator shares broken for %X", v.Operator))
	}
	d.Shares -= shares
	v.DelegatorShares -= shares
	v.Tokens -= tokens
	setDelegation(s, d)
	k.setValidator(s, p, *v)
}

// selfBondTooLow reports whether the operator's own delegation to v is
// worth less than v's minimum self-delegation.
func (k Keeper) selfBondTooLow(s state.Store, v Validator) bool {
	d, _ := k.Delegation(s, v.Operator, v.Operator)
	return v.TokensFromShares(d.Shares) < v.MinSelfDelegation
}

// checkSigner returns ErrInvalidAddress for a malformed claimed address and
// ErrUnauthorized when it is not the signer.
func checkSigner(signer, claimed []byte) error {
	if len(claimed) != address.Len {
		return fmt.Errorf("%w: %d bytes, want %d", ErrInvalidAddress, len(claimed), address.Len)
	}
	if !bytes.Equal(signer, claimed) {
		return fmt.Errorf("%w: %X signed for %X", ErrUnauthorized, signer, claimed)
	}
	return nil
}
