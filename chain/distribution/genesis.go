package distribution

import (
	"bytes"
	"fmt"
	"math/big"

	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/state/typed"
	"github.com/abci-ics/ics/types/coin"
)

// DefaultGenesis returns a genesis with default parameters and nothing
// accrued.
func DefaultGenesis() *GenesisState { return &GenesisState{Params: DefaultParams()} }

func checkBig(s, what string) error {
	if s == "" {
		return nil
	}
	b, ok := new(big.Int).SetString(s, 10)
	if !ok || b.Sign() < 0 || b.String() != s {
		return fmt.Errorf("%s %q is not a canonical non-negative integer", what, s)
	}
	return nil
}

// ValidateGenesis checks the distribution genesis without touching state:
// valid parameters and coins, 20-byte addresses, canonical non-negative
// big integers, delegations with shares, nothing twice.
func ValidateGenesis(gs *GenesisState) error {
	if err := gs.Params.Validate(); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidGenesis, err)
	}
	if len(gs.CommunityPool) > 0 {
		if err := coin.ValidateCoins(gs.CommunityPool); err != nil {
			return fmt.Errorf("%w: community pool: %v", ErrInvalidGenesis, err)
		}
	}
	seen := map[string]bool{}
	once := func(key []byte) error {
		if seen[string(key)] {
			return fmt.Errorf("%w: entry %x appears twice", ErrInvalidGenesis, key)
		}
		seen[string(key)] = true
		return nil
	}
	for i, vr := range gs.ValidatorRewards {
		if err := checkAddr("validator", vr.Validator); err != nil {
			return fmt.Errorf("%w: validator rewards %d: %v", ErrInvalidGenesis, i, err)
		}
		if err := coin.ValidateDenom(vr.Denom); err != nil {
			return fmt.Errorf("%w: validator rewards %d: %v", ErrInvalidGenesis, i, err)
		}
		if err := checkBig(vr.Rewards.RewardPerShare, "reward per share"); err != nil {
			return fmt.Errorf("%w: validator rewards %d: %v", ErrInvalidGenesis, i, err)
		}
		if err := checkBig(vr.Rewards.Remainder, "remainder"); err != nil {
			return fmt.Errorf("%w: validator rewards %d: %v", ErrInvalidGenesis, i, err)
		}
		if err := once(ValidatorRewardsKey(vr.Validator, vr.Denom)); err != nil {
			return err
		}
	}
	for i, c := range gs.Commissions {
		if err := checkAddr("validator", c.Validator); err != nil {
			return fmt.Errorf("%w: commission %d: %v", ErrInvalidGenesis, i, err)
		}
		if err := coin.ValidateCoins(c.Amount); err != nil {
			return fmt.Errorf("%w: commission %d: %v", ErrInvalidGenesis, i, err)
		}
		if err := once(CommissionKey(c.Validator, "")); err != nil {
			return err
		}
	}
	for i, d := range gs.DelegatorStarts {
		if err := checkAddr("delegator", d.Delegator); err != nil {
			return fmt.Errorf("%w: delegator start %d: %v", ErrInvalidGenesis, i, err)
		}
		if err := checkAddr("validator", d.Validator); err != nil {
			return fmt.Errorf("%w: delegator start %d: %v", ErrInvalidGenesis, i, err)
		}
		if d.Start.Shares == 0 {
			return fmt.Errorf("%w: delegator start %d has no shares", ErrInvalidGenesis, i)
		}
		for _, dv := range d.Start.RewardPerShare {
			if err := checkBig(dv.Value, "start"); err != nil {
				return fmt.Errorf("%w: delegator start %d: %v", ErrInvalidGenesis, i, err)
			}
		}
		if err := once(DelegatorStartKey(d.Delegator, d.Validator)); err != nil {
			return err
		}
	}
	return nil
}

// InitGenesis validates gs, writes it, and checks that the module account
// holds exactly what the state owes (ErrInvalidGenesis otherwise), so the
// bank genesis must be loaded first.
func (k Keeper) InitGenesis(s state.Store, gs *GenesisState) error {
	if err := ValidateGenesis(gs); err != nil {
		return err
	}
	if err := k.SetParams(s, gs.Params); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidGenesis, err)
	}
	st := kv(s)
	for _, c := range gs.CommunityPool {
		setAmount(st, CommunityPoolKey(c.Denom), c.Amount)
	}
	for i := range gs.ValidatorRewards {
		vr := &gs.ValidatorRewards[i]
		r := vr.Rewards
		if r.RewardPerShare == "" {
			r.RewardPerShare = "0"
		}
		typed.Set(st, ValidatorRewardsKey(vr.Validator, vr.Denom), &r)
	}
	for _, c := range gs.Commissions {
		for _, a := range c.Amount {
			setAmount(st, CommissionKey(c.Validator, a.Denom), a.Amount)
		}
	}
	for i := range gs.DelegatorStarts {
		d := &gs.DelegatorStarts[i]
		typed.Set(st, DelegatorStartKey(d.Delegator, d.Validator), &d.Start)
	}
	if err := k.CheckInvariant(s); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidGenesis, err)
	}
	return nil
}

// ExportGenesis returns the parameters and every record, in key order.
func (k Keeper) ExportGenesis(s state.Store) *GenesisState {
	st := kv(s)
	gs := &GenesisState{Params: k.Params(s), CommunityPool: k.CommunityPool(s)}
	typed.Each(st, []byte{prefixValidatorRewards}, func(rest []byte, vr ValidatorRewards) {
		n := int(rest[0])
		gs.ValidatorRewards = append(gs.ValidatorRewards, GenesisValidatorRewards{
			Validator: bytes.Clone(rest[1 : 1+n]), Denom: string(rest[1+n:]), Rewards: vr})
	})
	typed.Each(st, []byte{prefixCommission}, func(rest []byte, a Amount) {
		n := int(rest[0])
		val, c := rest[1:1+n], coin.Coin{Denom: string(rest[1+n:]), Amount: a.Amount}
		if l := len(gs.Commissions); l > 0 && bytes.Equal(gs.Commissions[l-1].Validator, val) {
			gs.Commissions[l-1].Amount = append(gs.Commissions[l-1].Amount, c)
			return
		}
		gs.Commissions = append(gs.Commissions, GenesisCommission{Validator: bytes.Clone(val), Amount: []coin.Coin{c}})
	})
	typed.Each(st, []byte{prefixDelegatorStart}, func(rest []byte, ds DelegatorStart) {
		n := int(rest[0])
		gs.DelegatorStarts = append(gs.DelegatorStarts, GenesisDelegatorStart{
			Delegator: bytes.Clone(rest[1 : 1+n]), Validator: bytes.Clone(rest[2+n:]), Start: ds})
	})
	return gs
}
