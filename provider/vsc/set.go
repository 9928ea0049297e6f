package vsc

import (
	"bytes"
	"fmt"
	"sort"
	"time"

	"github.com/cometbft/cometbft/crypto/ed25519"

	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/state/typed"
)

// Member is one validator of a consumer's validator set: the provider
// validator, the key it validates the consumer with, and its power.
type Member struct {
	ProviderAddr []byte
	ConsumerKey  []byte
	Power        int64
}

// PubKey returns bz as an ed25519 public key, or ErrInvalidConsumerKey.
func PubKey(bz []byte) (ed25519.PubKey, error) {
	if len(bz) != ed25519.PubKeySize {
		return nil, fmt.Errorf("%w: %d bytes, want %d", ErrInvalidConsumerKey, len(bz), ed25519.PubKeySize)
	}
	return ed25519.PubKey(bz), nil
}

// consumerAddr returns the consensus address of a consumer key.
func consumerAddr(consumerKey []byte) []byte { return ed25519.PubKey(consumerKey).Address() }

// ValidatorSet returns the validator set last computed for a consumer (the
// one it runs, or will run once the pending changes reach it), by
// provider address.
func (*Keeper) ValidatorSet(s state.Store, consumerID string) []Member {
	p := typed.Key(prefixValidator, IDPart(consumerID))
	var out []Member
	typed.Each(kv(s), p, func(providerAddr []byte, v ConsumerValidator) {
		out = append(out, Member{ProviderAddr: bytes.Clone(providerAddr), ConsumerKey: v.ConsumerKey, Power: v.Power})
	})
	return out
}

// NextSet computes a consumer's next validator set from the provider's
// bonded validators (every one with positive power that is neither jailed
// nor tombstoned, under its assigned key if any), by provider address.
func (k *Keeper) NextSet(s state.Store, consumerID string, bonded []Validator) []Member {
	assigned := map[string][]byte{}
	for _, a := range k.Assignments(s, consumerID) {
		assigned[string(a.ProviderAddr)] = a.ConsumerKey
	}
	var set []Member
	for _, v := range bonded {
		if v.Jailed || v.Tombstoned || v.Power <= 0 {
			continue
		}
		key, ok := assigned[string(v.ConsAddr)]
		if !ok {
			key = v.PubKey
		}
		set = append(set, Member{ProviderAddr: v.ConsAddr, ConsumerKey: key, Power: v.Power})
	}
	sort.Slice(set, func(i, j int) bool { return bytes.Compare(set[i].ProviderAddr, set[j].ProviderAddr) < 0 })
	return set
}

// StoreSet turns a consumer's stored validator set old into next, writing
// only what changed, and keeps the consumer-address index: keys in the set
// map to their validator, keys that left it keep mapping for one provider
// unbonding period.
func (k *Keeper) StoreSet(s state.Store, consumerID string, old, next []Member, now time.Time) {
	st := kv(s)
	inUse := map[string]bool{}
	nextBy := map[string]Member{}
	for _, m := range next {
		inUse[string(m.ConsumerKey)] = true
		nextBy[string(m.ProviderAddr)] = m
	}
	oldBy := map[string]Member{}
	prune := now.Add(k.Unbonding.UnbondingPeriod(s)).UnixNano()
	for _, m := range old {
		oldBy[string(m.ProviderAddr)] = m
		if _, ok := nextBy[string(m.ProviderAddr)]; !ok {
			st.Delete(ValidatorKey(consumerID, m.ProviderAddr))
		}
		if !inUse[string(m.ConsumerKey)] {
			addr := consumerAddr(m.ConsumerKey)
			typed.Set(st, KeyOwnerKey(consumerID, addr), &KeyOwner{ProviderAddr: m.ProviderAddr, ConsumerKey: m.ConsumerKey, PruneTime: prune})
			st.Set(keyPruneKey(consumerID, prune, addr), []byte{})
		}
	}
	for _, m := range next {
		was, ok := oldBy[string(m.ProviderAddr)]
		if ok && was.Power == m.Power && bytes.Equal(was.ConsumerKey, m.ConsumerKey) {
			continue
		}
		typed.Set(st, ValidatorKey(consumerID, m.ProviderAddr), &ConsumerValidator{ConsumerKey: m.ConsumerKey, Power: m.Power})
		if ok && bytes.Equal(was.ConsumerKey, m.ConsumerKey) {
			continue // same key, new power: its owner entry stands
		}
		addr := consumerAddr(m.ConsumerKey)
		if owner, ok := k.KeyOwner(s, consumerID, addr); ok && owner.PruneTime != 0 {
			st.Delete(keyPruneKey(consumerID, owner.PruneTime, addr))
		}
		typed.Set(st, KeyOwnerKey(consumerID, addr), &KeyOwner{ProviderAddr: m.ProviderAddr, ConsumerKey: m.ConsumerKey})
	}
}

// diff returns the updates that turn old into next, keyed by consumer key
// and sorted by it: a key that leaves gets power 0, and a key that is both
// left and entered keeps its new power, so no key appears twice.
func diff(old, next []Member) []ccv.ValidatorUpdate {
	powers := map[string]int64{}
	for _, m := range old {
		powers[string(m.ConsumerKey)] = 0
	}
	oldPower := map[string]int64{}
	for _, m := range old {
		oldPower[string(m.ConsumerKey)] = m.Power
	}
	for _, m := range next {
		powers[string(m.ConsumerKey)] = m.Power
	}
	keys := make([]string, 0, len(powers))
	for ck, p := range powers {
		if was, ok := oldPower[ck]; ok && was == p {
			continue
		}
		keys = append(keys, ck)
	}
	sort.Strings(keys)
	out := make([]ccv.ValidatorUpdate, len(keys))
	for i, ck := range keys {
		out[i] = ccv.ValidatorUpdate{PubKey: []byte(ck), Power: powers[ck]}
	}
	return out
}
