package distribution

import (
	"bytes"
	"fmt"
	"math/big"
	"math/bits"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/state/typed"
	"github.com/abci-ics/ics/types/coin"
)

// BeginBlock distributes the block's rewards: it mints
// Params.InflationPerBlock of the bond denomination into the fee
// collector, moves the fee collector's whole balance (every denomination)
// to the distribution module account, and allocates each denomination:
//
//  1. floor(amount * CommunityTax) to the community pool;
//  2. the rest to the bonded validators in proportion to their tokens,
//     each share rounded down, the remainder to the community pool;
//  3. of a validator's share, floor(share * Commission) to its commission
//     and the rest to its delegators (to the community pool when it has no
//     delegator shares), through its reward-per-share accumulator.
//
// Without bonded tokens everything goes to the community pool. It returns
// ErrInvalidValidator when staking reports an invalid commission; the
// caller then discards s.
func (k Keeper) BeginBlock(s state.Store, height int64, now time.Time) ([]abci.Event, error) {
	p := k.Params(s)
	if p.InflationPerBlock > 0 {
		if err := k.Bank.Mint(s, feeCollector, []coin.Coin{{Denom: p.BondDenom, Amount: p.InflationPerBlock}}); err != nil {
			return nil, fmt.Errorf("mint inflation: %w", err)
		}
	}
	fees := k.Bank.Balances(s, feeCollector)
	if len(fees) == 0 {
		return nil, nil
	}
	if err := k.Bank.Send(s, feeCollector, moduleAddr, fees); err != nil {
		return nil, fmt.Errorf("collect fees: %w", err)
	}
	vals := k.Staking.BondedValidators(s)
	total := new(big.Int)
	for _, v := range vals {
		if err := v.Commission.Validate(); err != nil {
			return nil, fmt.Errorf("%w: %X: commission: %v", ErrInvalidValidator, v.Operator, err)
		}
		total.Add(total, new(big.Int).SetUint64(v.Tokens))
	}
	st := kv(s)
	for _, fee := range fees {
		community := p.CommunityTax.MulFloor(fee.Amount)
		toVals := fee.Amount - community
		if total.Sign() == 0 {
			community, toVals = fee.Amount, 0
		}
		var given uint64
		for _, v := range vals {
			if toVals == 0 {
				break
			}
			share := new(big.Int).SetUint64(toVals)
			share.Mul(share, new(big.Int).SetUint64(v.Tokens)).Quo(share, total)
			r := share.Uint64() // at most toVals
			if r == 0 {
				continue
			}
			given += r
			comm := v.Commission.MulFloor(r)
			if err := addAmount(st, CommissionKey(v.Operator, fee.Denom), comm); err != nil {
				return nil, err
			}
			if v.DelegatorShares == 0 {
				community += r - comm
				continue
			}
			if err := addRewards(st, v.Operator, fee.Denom, r-comm, v.DelegatorShares); err != nil {
				return nil, err
			}
		}
		if err := addAmount(st, CommunityPoolKey(fee.Denom), community+(toVals-given)); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

// addRewards credits amount of denom to the delegators of validator, who
// hold shares in total: reward_per_share grows by amount*Scale/shares,
// and what the division leaves is kept for the next allocation.
func addRewards(st state.KVStore, validator []byte, denom string, amount, shares uint64) error {
	if amount == 0 {
		return nil
	}
	key := ValidatorRewardsKey(validator, denom)
	vr, _ := typed.Get[ValidatorRewards](st, key)
	out, carry := bits.Add64(vr.Outstanding, amount, 0)
	if carry != 0 {
		return fmt.Errorf("%w: outstanding rewards of %X in %s", ErrOverflow, validator, denom)
	}
	num := new(big.Int).SetUint64(amount)
	num.Mul(num, Scale).Add(num, parseBig(vr.Remainder, "remainder"))
	inc, rem := new(big.Int).QuoRem(num, new(big.Int).SetUint64(shares), new(big.Int))
	rps := parseBig(vr.RewardPerShare, "reward per share")
	vr.RewardPerShare = rps.Add(rps, inc).String()
	vr.Remainder = rem.String()
	vr.Outstanding = out
	typed.Set(st, key, &vr)
	return nil
}

// start returns the start record of a delegation.
func start(st state.KVStore, delegator, validator []byte) (DelegatorStart, bool) {
	return typed.Get[DelegatorStart](st, DelegatorStartKey(delegator, validator))
}

// setStart records that delegator's delegation of shares to validator
// starts earning now, or deletes the record when shares is zero.
func setStart(st state.KVStore, delegator, validator []byte, shares uint64) {
	key := DelegatorStartKey(delegator, validator)
	if shares == 0 {
		st.Delete(key)
		return
	}
	ds := DelegatorStart{Shares: shares}
	denoms, vrs := validatorRewards(st, validator)
	for i, vr := range vrs {
		ds.RewardPerShare = append(ds.RewardPerShare, DenomValue{Denom: denoms[i], Value: vr.RewardPerShare})
	}
	typed.Set(st, key, &ds)
}

// pending computes a delegation's rewards from its start record: in each
// denomination shares*(reward_per_share - start)/Scale, rounded down and
// capped by the validator's outstanding rewards. It returns the coins and
// the accumulators (for the caller to debit), in denomination order.
func pending(st state.KVStore, ds DelegatorStart, validator []byte) ([]coin.Coin, []string, []ValidatorRewards) {
	from := make(map[string]string, len(ds.RewardPerShare))
	for _, dv := range ds.RewardPerShare {
		from[dv.Denom] = dv.Value
	}
	denoms, vrs := validatorRewards(st, validator)
	shares := new(big.Int).SetUint64(ds.Shares)
	var out []coin.Coin
	for i, vr := range vrs {
		diff := parseBig(vr.RewardPerShare, "reward per share")
		diff.Sub(diff, parseBig(from[denoms[i]], "start"))
		if diff.Sign() <= 0 {
			continue // a stale start of a removed validator
		}
		amt := diff.Mul(diff, shares).Quo(diff, Scale)
		if !amt.IsUint64() || amt.Uint64() > vr.Outstanding {
			amt.SetUint64(vr.Outstanding)
		}
		if amt.Sign() > 0 {
			out = append(out, coin.Coin{Denom: denoms[i], Amount: amt.Uint64()})
		}
	}
	return out, denoms, vrs
}

// Rewards returns the rewards delegator can withdraw from its delegation
// to validator now.
func (k Keeper) Rewards(s state.Store, delegator, validator []byte) []coin.Coin {
	st := kv(s)
	ds, ok := start(st, delegator, validator)
	if !ok {
		return nil
	}
	cs, _, _ := pending(st, ds, validator)
	return cs
}

// DelegationRewards are the pending rewards of one delegation.
type DelegationRewards struct {
	Validator []byte
	Rewards   []coin.Coin
}

// DelegatorRewards returns the pending rewards of each of delegator's
// delegations that has a start record, sorted by validator.
func (k Keeper) DelegatorRewards(s state.Store, delegator []byte) []DelegationRewards {
	st := kv(s)
	var out []DelegationRewards
	typed.Each(st, delegatorPrefix(delegator), func(rest []byte, ds DelegatorStart) {
		val := bytes.Clone(rest[1:])
		cs, _, _ := pending(st, ds, val)
		out = append(out, DelegationRewards{Validator: val, Rewards: cs})
	})
	return out
}

// withdraw pays a delegation's pending rewards to the delegator and
// restarts it at the current accumulators. A delegation without a start
// record (one created without AfterDelegationModified) earns nothing
// before this call and starts now.
func (k Keeper) withdraw(s state.Store, delegator, validator []byte) ([]coin.Coin, error) {
	st := kv(s)
	ds, ok := start(st, delegator, validator)
	if !ok {
		if shares, found := k.Staking.Delegation(s, delegator, validator); found {
			setStart(st, delegator, validator, shares)
		}
		return nil, nil
	}
	cs, denoms, vrs := pending(st, ds, validator)
	j := 0
	for i, vr := range vrs {
		if j < len(cs) && cs[j].Denom == denoms[i] {
			vr.Outstanding -= cs[j].Amount
			typed.Set(st, ValidatorRewardsKey(validator, denoms[i]), &vr)
			j++
		}
	}
	setStart(st, delegator, validator, ds.Shares)
	if len(cs) > 0 {
		if err := k.Bank.Send(s, moduleAddr, delegator, cs); err != nil {
			return nil, fmt.Errorf("pay rewards: %w", err)
		}
	}
	return cs, nil
}

// BeforeDelegationSharesModified pays delegator its pending rewards from
// validator, with the shares it held until now. Staking calls it before
// it changes the delegation's shares; on error the caller discards s.
func (k Keeper) BeforeDelegationSharesModified(s state.Store, delegator, validator []byte) error {
	_, err := k.withdraw(s, delegator, validator)
	return err
}

// AfterDelegationModified restarts the delegation with its new shares at
// the current accumulators, or forgets it when it no longer exists.
// Staking calls it after it created a delegation or changed its shares.
func (k Keeper) AfterDelegationModified(s state.Store, delegator, validator []byte) {
	shares, found := k.Staking.Delegation(s, delegator, validator)
	if !found {
		shares = 0
	}
	setStart(kv(s), delegator, validator, shares)
}

// AfterValidatorRemoved pays validator's remaining commission to its
// operator and moves its undistributable outstanding rewards (rounding
// dust) to the community pool. Staking calls it after deleting a
// validator, when no delegation to it remains; on error the caller
// discards s.
func (k Keeper) AfterValidatorRemoved(s state.Store, validator []byte) error {
	st := kv(s)
	if _, err := k.withdrawCommission(s, validator); err != nil {
		return err
	}
	denoms, vrs := validatorRewards(st, validator)
	for i, vr := range vrs {
		st.Delete(ValidatorRewardsKey(validator, denoms[i]))
		if err := addAmount(st, CommunityPoolKey(denoms[i]), vr.Outstanding); err != nil {
			return err
		}
	}
	return nil
}

// withdrawCommission pays validator's accumulated commission to it.
func (k Keeper) withdrawCommission(s state.Store, validator []byte) ([]coin.Coin, error) {
	cs := k.Commission(s, validator)
	for _, c := range cs {
		kv(s).Delete(CommissionKey(validator, c.Denom))
	}
	if len(cs) > 0 {
		if err := k.Bank.Send(s, moduleAddr, validator, cs); err != nil {
			return nil, fmt.Errorf("pay commission: %w", err)
		}
	}
	return cs, nil
}

// FundCommunityPool moves coins from the account from to the community
// pool. Errors: those of coin.ValidateCoins, an error wrapping the bank's
// when from lacks them, ErrOverflow; on error the caller discards s.
func (k Keeper) FundCommunityPool(s state.Store, from []byte, cs []coin.Coin) error {
	if len(cs) == 0 {
		return nil
	}
	if err := coin.ValidateCoins(cs); err != nil {
		return err
	}
	if err := k.Bank.Send(s, from, moduleAddr, cs); err != nil {
		return fmt.Errorf("fund community pool: %w", err)
	}
	st := kv(s)
	for _, c := range cs {
		if err := addAmount(st, CommunityPoolKey(c.Denom), c.Amount); err != nil {
			return err
		}
	}
	return nil
}

// AllocateToValidator moves coins from the account from to the module
// account and allocates them to the validator v as a block's share is
// allocated: floor(amount * v.Commission) to its commission, the rest to
// its delegators (to the community pool when it has no delegator shares).
// Its delegators withdraw their part with MsgWithdrawRewards, the
// validator its commission with MsgWithdrawCommission. Errors:
// ErrInvalidValidator (an operator that is not an address, an invalid
// commission), those of coin.ValidateCoins, an error wrapping the bank's
// when from lacks the coins, ErrOverflow; on error the caller discards s.
func (k Keeper) AllocateToValidator(s state.Store, from []byte, v Validator, cs []coin.Coin) error {
	if len(cs) == 0 {
		return nil
	}
	if err := checkAddr("operator", v.Operator); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidValidator, err)
	}
	if err := v.Commission.Validate(); err != nil {
		return fmt.Errorf("%w: %X: commission: %v", ErrInvalidValidator, v.Operator, err)
	}
	if err := coin.ValidateCoins(cs); err != nil {
		return err
	}
	if err := k.Bank.Send(s, from, moduleAddr, cs); err != nil {
		return fmt.Errorf("allocate to validator: %w", err)
	}
	st := kv(s)
	for _, c := range cs {
		comm := v.Commission.MulFloor(c.Amount)
		if err := addAmount(st, CommissionKey(v.Operator, c.Denom), comm); err != nil {
			return err
		}
		if v.DelegatorShares == 0 {
			if err := addAmount(st, CommunityPoolKey(c.Denom), c.Amount-comm); err != nil {
				return err
			}
			continue
		}
		if err := addRewards(st, v.Operator, c.Denom, c.Amount-comm, v.DelegatorShares); err != nil {
			return err
		}
	}
	return nil
}
