package providerapp

import (
	"time"

	"github.com/abci-ics/ics/chain/distribution"
	"github.com/abci-ics/ics/chain/staking"
	"github.com/abci-ics/ics/interchain"
	"github.com/abci-ics/ics/provider"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/types/coin"
	"github.com/abci-ics/ics/types/fraction"
)

// This file holds the adapters through which the provider sees staking
// and distribution.

// providerStaking shows the provider the chain's staking.
type providerStaking struct{ k *staking.Keeper }

func (p providerStaking) view(reduction uint64, v staking.Validator) provider.Validator {
	return provider.Validator{
		ConsAddr: v.ConsAddress(), PubKey: v.PubKey, Power: v.ConsensusPower(reduction), Tokens: v.Tokens,
		Bonded: v.Status == staking.BOND_STATUS_BONDED, Jailed: v.Jailed, Tombstoned: v.Tombstoned,
	}
}

func (p providerStaking) BondedValidators(s state.Store) []provider.Validator {
	vs := p.k.BondedValidators(s)
	reduction := p.k.Params(s).PowerReduction
	out := make([]provider.Validator, 0, len(vs))
	for _, v := range vs {
		out = append(out, p.view(reduction, v))
	}
	return out
}

// Candidates returns the bonded validators, then every other validator
// with power that is not jailed or tombstoned, by operator.
func (p providerStaking) Candidates(s state.Store) []provider.Validator {
	out := p.BondedValidators(s)
	reduction := p.k.Params(s).PowerReduction
	for _, v := range p.k.Validators(s) {
		if v.Status != staking.BOND_STATUS_BONDED && !v.Jailed && !v.Tombstoned && v.ConsensusPower(reduction) > 0 {
			out = append(out, p.view(reduction, v))
		}
	}
	return out
}

func (p providerStaking) ValidatorByConsAddr(s state.Store, consAddr []byte) (provider.Validator, bool) {
	v, ok := p.k.ValidatorByConsAddr(s, consAddr)
	if !ok {
		return provider.Validator{}, false
	}
	return p.view(p.k.Params(s).PowerReduction, v), true
}

func (p providerStaking) ValidatorByOperator(s state.Store, operator []byte) (provider.Validator, bool) {
	v, ok := p.k.Validator(s, operator)
	if !ok {
		return provider.Validator{}, false
	}
	return p.view(p.k.Params(s).PowerReduction, v), true
}

func (p providerStaking) Jail(s state.Store, consAddr []byte, until time.Time) error {
	return p.k.Jail(s, consAddr, until)
}

func (p providerStaking) Slash(s state.Store, consAddr []byte, infractionHeight, power int64, frac fraction.Fraction, height int64) (uint64, error) {
	return p.k.Slash(s, consAddr, infractionHeight, power, frac, height)
}

func (p providerStaking) Tombstone(s state.Store, consAddr []byte) error {
	return p.k.Tombstone(s, consAddr)
}

// consumerRewards pays consumers' rewards through the distribution: a
// provider validator is found by its consensus address and given its share
// as a block's share is given, with the consumer commission it set or,
// when it set none, its own staking commission. A validator gone from
// staking gets nothing: its share goes to the community pool.
type consumerRewards struct {
	k    *staking.Keeper
	dist distribution.Keeper
}

func (r consumerRewards) FundCommunityPool(s state.Store, from []byte, cs []coin.Coin) error {
	return r.dist.FundCommunityPool(s, from, cs)
}

func (r consumerRewards) PayValidator(s state.Store, from, consAddr []byte, cs []coin.Coin, commission *fraction.Fraction) error {
	v, ok := r.k.ValidatorByConsAddr(s, consAddr)
	if !ok {
		return r.dist.FundCommunityPool(s, from, cs)
	}
	dv := distribution.Validator{Operator: v.Operator, Tokens: v.Tokens, DelegatorShares: v.DelegatorShares, Commission: v.CommissionRate}
	if commission != nil {
		dv.Commission = *commission
	}
	return r.dist.AllocateToValidator(s, from, dv, cs)
}

// providerUnbonding shows the provider the unbonding queue.
type providerUnbonding struct{ k *staking.Keeper }

func (p providerUnbonding) UnbondingPeriod(s state.Store) time.Duration {
	return p.k.Params(s).UnbondingPeriod
}

func (p providerUnbonding) EntryValidator(s state.Store, id uint64) ([]byte, bool) {
	e, ok := p.k.Unbonding().Entry(s, id)
	if !ok {
		return nil, false
	}
	v, ok := p.k.Validator(s, e.Validator)
	if !ok {
		return nil, false
	}
	return v.ConsAddress(), true
}

func (p providerUnbonding) PutOnHold(s state.Store, id uint64, holder string) error {
	return p.k.Unbonding().PutOnHold(s, id, holder)
}

func (p providerUnbonding) ReleaseHold(s state.Store, id uint64, holder string) error {
	return p.k.Unbonding().ReleaseHold(s, id, holder)
}

// unbondingEntries shows the provider's holds query the unbonding entries.
type unbondingEntries struct{ k *staking.Keeper }

func (u unbondingEntries) UnbondingEntry(s state.Store, id uint64) (interchain.UnbondingEntry, bool) {
	e, ok := u.k.Unbonding().Entry(s, id)
	if !ok {
		return interchain.UnbondingEntry{}, false
	}
	return interchain.UnbondingEntry{CreationHeight: e.CreationHeight, Kind: e.Kind.String(), Delegator: e.Delegator,
		Validator: e.Validator, Balance: e.Balance, CompletionTimeNs: e.CompletionTimeNs}, true
}
