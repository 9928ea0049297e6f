package staking

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"sort"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/abci-ics/ics/chain/staking/unbonding"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/state/typed"
)

// EndBlock completes the unbonding entries due at now that nobody holds,
// then recomputes the bonded set, the top MaxValidators of the power index
// (neither jailed nor tombstoned, positive power; ties by operator). A
// validator entering the set is bonded (its tokens move to the bonded pool
// and a pending unbonding of it is cancelled); one leaving it starts
// unbonding until now+UnbondingPeriod (its tokens move to the not-bonded
// pool). It returns the changes against the set it last returned, in
// operator order, with power 0 for removed validators, and a Result with
// the completion events and the ids of the validators' new unbonding
// entries. Entries complete before the set changes, so none started here
// completes in the same call, and nothing after reads their holders: a
// hold the caller puts on them right after EndBlock returns has the same
// effect as one put when they started.
func (k Keeper) EndBlock(s state.Store, height int64, now time.Time) ([]abci.ValidatorUpdate, Result, error) {
	p := k.Params(s)
	events, err := k.completeMature(s, p, now)
	if err != nil {
		return nil, Result{}, err
	}
	updates, started, err := k.applyValidatorSet(s, p, height, now)
	if err != nil {
		return nil, Result{}, err
	}
	return updates, Result{Events: events, Unbondings: started}, nil
}

type operatorPower struct {
	operator []byte
	power    int64
}

// lastPowers returns the set last returned to CometBFT, by operator.
func (Keeper) lastPowers(s state.Store) []operatorPower {
	var out []operatorPower
	typed.Each(kv(s), []byte{prefixLastPower}, func(op []byte, lp LastPower) {
		out = append(out, operatorPower{bytes.Clone(op), lp.Power})
	})
	return out
}

// LastValidatorSet returns the set EndBlock last chose, each member with
// its power, in operator order: the set a chain whose staking chooses its
// validators last returned to CometBFT (taken whole, for a chain that
// starts returning them; see app/consumerapp's sovereign transition).
func (k Keeper) LastValidatorSet(s state.Store) []abci.ValidatorUpdate {
	var out []abci.ValidatorUpdate
	for _, lp := range k.lastPowers(s) {
		if v, ok := k.Validator(s, lp.operator); ok {
			out = append(out, abci.Ed25519ValidatorUpdate(v.PubKey, lp.power))
		}
	}
	return out
}

// nextPowers returns the top maxValidators of the power index.
func (Keeper) nextPowers(s state.Store, maxValidators uint32) []operatorPower {
	pre := []byte{prefixByPower}
	it := kv(s).Iterator(pre, state.PrefixEnd(pre))
	defer it.Close()
	var out []operatorPower
	for ; it.Valid() && len(out) < int(maxValidators); it.Next() {
		k := it.Key()
		out = append(out, operatorPower{bytes.Clone(k[9:]), int64(^binary.BigEndian.Uint64(k[1:9]))})
	}
	return out
}

// applyValidatorSet bonds the validators entering the set and starts the
// unbonding of those leaving it. It returns the updates and the ids of the
// unbonding entries it started.
func (k Keeper) applyValidatorSet(s state.Store, p Params, height int64, now time.Time) ([]abci.ValidatorUpdate, []uint64, error) {
	last := map[string]int64{}
	for _, lp := range k.lastPowers(s) {
		last[string(lp.operator)] = lp.power
	}
	next := map[string]int64{}
	ops := make([]string, 0, len(last))
	for op := range last {
		ops = append(ops, op)
	}
	for _, np := range k.nextPowers(s, p.MaxValidators) {
		next[string(np.operator)] = np.power
		if _, ok := last[string(np.operator)]; !ok {
			ops = append(ops, string(np.operator))
		}
	}
	sort.Strings(ops)
	var updates []abci.ValidatorUpdate
	var started []uint64
	for _, op := range ops {
		np, inNext := next[op]
		lp, inLast := last[op]
		if inNext && inLast && np == lp {
			continue
		}
		v, ok := k.Validator(s, []byte(op))
		if !ok {
			panic(fmt.Sprintf("staking: broken invariant: validator set holds missing validator %X", op))
		}
		if inNext {
			if err := k.bondValidator(s, p, v); err != nil {
				return nil, nil, err
			}
			typed.Set(kv(s), LastPowerKey(v.Operator), &LastPower{Power: np})
		} else {
			id, err := k.unbondValidator(s, p, v, height, now)
			if err != nil {
				return nil, nil, err
			}
			started = append(started, id)
			kv(s).Delete(LastPowerKey(v.Operator))
		}
		updates = append(updates, abci.Ed25519ValidatorUpdate(v.PubKey, np))
	}
	checkUpdates(updates)
	return updates, started, nil
}

// checkUpdates panics when updates would make CometBFT halt: a key twice or
// a negative power.
func checkUpdates(updates []abci.ValidatorUpdate) {
	seen := make(map[string]struct{}, len(updates))
	for _, u := range updates {
		pk := string(u.PubKey.GetEd25519())
		if _, dup := seen[pk]; dup || len(pk) != 32 {
			panic(fmt.Sprintf("staking: invariant one update per 32-byte key broken for key %X", pk))
		}
		seen[pk] = struct{}{}
		if u.Power < 0 {
			panic(fmt.Sprintf("staking: invariant non-negative power broken for key %X: %d", pk, u.Power))
		}
	}
}

// bondValidator makes v bonded if it is not already.
func (k Keeper) bondValidator(s state.Store, p Params, v Validator) error {
	if v.Status == BOND_STATUS_BONDED {
		return nil
	}
	if v.Status == BOND_STATUS_UNBONDING {
		if e, ok := queue.Entry(s, v.UnbondingId); ok && e.Kind == unbonding.UNBONDING_KIND_VALIDATOR {
			queue.Remove(s, e)
		}
	}
	if err := k.moveTokens(s, p, notBondedPool, bondedPool, v.Tokens); err != nil {
		return err
	}
	v.Status = BOND_STATUS_BONDED
	k.setValidator(s, p, v)
	return nil
}

// unbondValidator starts the unbonding of a validator leaving the set and
// returns the id of its entry.
func (k Keeper) unbondValidator(s state.Store, p Params, v Validator, height int64, now time.Time) (uint64, error) {
	if v.Status != BOND_STATUS_BONDED {
		panic(fmt.Sprintf("staking: invariant last set is bonded broken for %X (status %s)", v.Operator, v.Status))
	}
	if err := k.moveTokens(s, p, bondedPool, notBondedPool, v.Tokens); err != nil {
		return 0, err
	}
	e := unbonding.UnbondingEntry{
		Kind: unbonding.UNBONDING_KIND_VALIDATOR, Validator: v.Operator, CreationHeight: height,
		CompletionTimeNs: nanos(now.Add(p.UnbondingPeriod)), InitialBalance: v.Tokens, Balance: v.Tokens,
	}
	queue.Add(s, &e)
	v.Status = BOND_STATUS_UNBONDING
	v.UnbondingHeight, v.UnbondingTimeNs, v.UnbondingId = height, e.CompletionTimeNs, e.Id
	k.setValidator(s, p, v)
	return e.Id, nil
}
