package staking

import (
	"fmt"
	"math"
	"math/bits"
	"time"

	"github.com/abci-ics/ics/chain/staking/unbonding"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/types/fraction"
)

// JailedForever is the jail end of a tombstoned validator.
var JailedForever = time.Unix(0, math.MaxInt64).UTC()

// Slash burns frac of the stake that the validator with consensus
// address consAddr had at infractionHeight, taken to be power *
// PowerReduction tokens (rounded down). Undelegations and redelegations
// from the validator created at or after infractionHeight, and still
// pending (held ones included), are slashed first, each by at most frac of
// its initial balance (a redelegation loses that fraction of the shares
// it created at its destination); the rest comes from the validator's
// tokens, so delegators lose in proportion to their shares. The burned
// tokens leave the pool that held them and the supply. It returns the
// tokens burned, ErrValidatorNotFound, or ErrInvalidSlash for an invalid
// fraction, a negative power or an infraction height above height.
func (k Keeper) Slash(s state.Store, consAddr []byte, infractionHeight, power int64, frac fraction.Fraction, height int64) (uint64, error) {
	if err := frac.Validate(); err != nil {
		return 0, fmt.Errorf("%w: %v", ErrInvalidSlash, err)
	}
	if power < 0 || infractionHeight < 0 || infractionHeight > height {
		return 0, fmt.Errorf("%w: power %d, infraction height %d at height %d", ErrInvalidSlash, power, infractionHeight, height)
	}
	v, ok := k.ValidatorByConsAddr(s, consAddr)
	if !ok {
		return 0, fmt.Errorf("%w: consensus address %X", ErrValidatorNotFound, consAddr)
	}
	p := k.Params(s)
	hi, base := bits.Mul64(uint64(power), p.PowerReduction)
	if hi != 0 {
		base = math.MaxUint64
	}
	remaining := frac.MulFloor(base)
	var burned uint64
	if infractionHeight < height {
		for _, e := range queue.EntriesFrom(s, v.Operator) {
			if e.CreationHeight < infractionHeight {
				continue
			}
			due := frac.MulFloor(e.InitialBalance)
			remaining -= min(due, remaining)
			n, err := k.slashEntry(s, p, e, frac, due)
			if err != nil {
				return 0, err
			}
			burned += n
		}
		v, _ = k.Validator(s, v.Operator)
	}
	n := min(remaining, v.Tokens)
	v.Tokens -= n
	k.setValidator(s, p, v)
	if err := k.burn(s, p, v.pool(), n); err != nil {
		return 0, err
	}
	return burned + n, nil
}

// slashEntry burns up to due tokens of an unbonding entry and returns how
// many it burned.
func (k Keeper) slashEntry(s state.Store, p Params, e unbonding.UnbondingEntry, frac fraction.Fraction, due uint64) (uint64, error) {
	var n uint64
	switch e.Kind {
	case unbonding.UNBONDING_KIND_UNDELEGATION:
		n = min(due, e.Balance)
		if err := k.burn(s, p, notBondedPool, n); err != nil {
			return 0, err
		}
	case unbonding.UNBONDING_KIND_REDELEGATION:
		dst, ok := k.Validator(s, e.DstValidator)
		d, found := k.Delegation(s, e.Delegator, e.DstValidator)
		if !ok || !found {
			return 0, nil
		}
		shares := min(frac.MulFloor(e.DstShares), d.Shares)
		if shares == 0 {
			return 0, nil
		}
		n = dst.TokensFromShares(shares)
		if shares == dst.DelegatorShares {
			n = dst.Tokens
		}
		k.unbond(s, p, &dst, d, shares, n)
		if err := k.burn(s, p, dst.pool(), n); err != nil {
			return 0, err
		}
	default:
		return 0, nil
	}
	e.Balance -= min(n, e.Balance)
	queue.SetBalance(s, e)
	return n, nil
}

// Jail takes the validator with consensus address consAddr out of the
// validator set (at the next EndBlock) until at least until; jailing a
// jailed validator only extends its jail. It returns ErrValidatorNotFound.
func (k Keeper) Jail(s state.Store, consAddr []byte, until time.Time) error {
	v, ok := k.ValidatorByConsAddr(s, consAddr)
	if !ok {
		return fmt.Errorf("%w: consensus address %X", ErrValidatorNotFound, consAddr)
	}
	v.Jailed = true
	v.JailedUntilNs = max(v.JailedUntilNs, nanos(until))
	k.setValidator(s, k.Params(s), v)
	return nil
}

// Tombstone marks the validator with consensus address consAddr as
// tombstoned: it can never be unjailed nor punished again for double
// signing. It returns ErrValidatorNotFound.
func (k Keeper) Tombstone(s state.Store, consAddr []byte) error {
	v, ok := k.ValidatorByConsAddr(s, consAddr)
	if !ok {
		return fmt.Errorf("%w: consensus address %X", ErrValidatorNotFound, consAddr)
	}
	v.Tombstoned = true
	k.setValidator(s, k.Params(s), v)
	return nil
}

// IsTombstoned reports whether the validator with consensus address
// consAddr is tombstoned (false for an unknown address).
func (k Keeper) IsTombstoned(s state.Store, consAddr []byte) bool {
	v, ok := k.ValidatorByConsAddr(s, consAddr)
	return ok && v.Tombstoned
}

// JailedUntil returns the end of the validator's jail.
func (v Validator) JailedUntil() time.Time { return time.Unix(0, v.JailedUntilNs).UTC() }
