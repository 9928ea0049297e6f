package poaprovider

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/cometbft/cometbft/crypto/ed25519"

	"github.com/abci-ics/ics/provider"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/types/fraction"
)

// poaStore holds the weighted validator list, the last set given to
// CometBFT, the admin key and the chain id.
const poaStore = "poa"

// Validator is one member of the list: a name, an ed25519 consensus key and
// a voting power. A jailed validator is out of the set until the admin
// unjails it; a tombstoned one for good.
type Validator struct {
	Name        string `json:"name"`
	PubKey      []byte `json:"pub_key"`
	Power       int64  `json:"power"`
	JailedUntil int64  `json:"jailed_until,omitempty"` // Unix ns; 0 when not jailed
	Tombstoned  bool   `json:"tombstoned,omitempty"`
}

// ConsAddr is the validator's consensus address.
func (v Validator) ConsAddr() []byte { return ed25519.PubKey(v.PubKey).Address() }

// active reports whether the validator is in the set.
func (v Validator) active() bool { return v.Power > 0 && v.JailedUntil == 0 && !v.Tombstoned }

func valKey(consAddr []byte) []byte { return append([]byte("v/"), consAddr...) }

// POA is the weighted validator list; it is the provider's provider.Staking.
type POA struct{}

var _ provider.Staking = POA{}

func (POA) get(s state.Store, consAddr []byte) (Validator, bool) {
	bz := s.KV(poaStore).Get(valKey(consAddr))
	if bz == nil {
		return Validator{}, false
	}
	var v Validator
	if err := json.Unmarshal(bz, &v); err != nil {
		panic(fmt.Sprintf("poaprovider: broken invariant: validator %X does not decode: %v", consAddr, err))
	}
	return v, true
}

func (POA) set(s state.Store, v Validator) {
	bz, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	s.KV(poaStore).Set(valKey(v.ConsAddr()), bz)
}

// Validators returns the whole list, by consensus address.
func (POA) Validators(s state.Store) []Validator {
	var out []Validator
	it := s.KV(poaStore).Iterator([]byte("v/"), state.PrefixEnd([]byte("v/")))
	defer it.Close()
	for ; it.Valid(); it.Next() {
		var v Validator
		if err := json.Unmarshal(it.Value(), &v); err != nil {
			panic(fmt.Sprintf("poaprovider: broken invariant: validator %X does not decode: %v", it.Key(), err))
		}
		out = append(out, v)
	}
	return out
}

func view(v Validator) provider.Validator {
	return provider.Validator{ConsAddr: v.ConsAddr(), PubKey: v.PubKey, Power: v.Power, Tokens: uint64(max(v.Power, 0)),
		Bonded: v.active(), Jailed: v.JailedUntil != 0, Tombstoned: v.Tombstoned}
}

// Candidates returns the active validators: a list has no inactive ones,
// and a validator's tokens are its power.
func (p POA) Candidates(s state.Store) []provider.Validator { return p.BondedValidators(s) }

// BondedValidators returns the active validators, by consensus address.
func (p POA) BondedValidators(s state.Store) []provider.Validator {
	var out []provider.Validator
	for _, v := range p.Validators(s) {
		if v.active() {
			out = append(out, view(v))
		}
	}
	return out
}

// ValidatorByConsAddr implements provider.Staking.
func (p POA) ValidatorByConsAddr(s state.Store, consAddr []byte) (provider.Validator, bool) {
	v, ok := p.get(s, consAddr)
	if !ok {
		return provider.Validator{}, false
	}
	return view(v), true
}

// ValidatorByOperator implements provider.Staking: an operator is named by
// its consensus address.
func (p POA) ValidatorByOperator(s state.Store, operator []byte) (provider.Validator, bool) {
	return p.ValidatorByConsAddr(s, operator)
}

// Jail takes the validator out of the set until the admin unjails it (and
// not before until).
func (p POA) Jail(s state.Store, consAddr []byte, until time.Time) error {
	v, ok := p.get(s, consAddr)
	if !ok {
		return fmt.Errorf("no validator %X", consAddr)
	}
	if v.JailedUntil == 0 {
		v.JailedUntil = max(until.UnixNano(), 1)
		p.set(s, v)
	}
	return nil
}

// Slash cuts the validator's power by frac and returns the power cut.
func (p POA) Slash(s state.Store, consAddr []byte, _, _ int64, frac fraction.Fraction, _ int64) (uint64, error) {
	v, ok := p.get(s, consAddr)
	if !ok {
		return 0, fmt.Errorf("no validator %X", consAddr)
	}
	cut := frac.MulFloor(uint64(v.Power))
	v.Power -= int64(cut)
	p.set(s, v)
	return cut, nil
}

// Tombstone takes the validator out for good.
func (p POA) Tombstone(s state.Store, consAddr []byte) error {
	v, ok := p.get(s, consAddr)
	if !ok {
		return fmt.Errorf("no validator %X", consAddr)
	}
	v.Tombstoned = true
	p.set(s, v)
	return nil
}

// noUnbonding is the provider's provider.Unbonding for a chain without
// delegations: power changes take effect at once, so there is no entry to
// hold. The provider still uses the unbonding period for its consumers'
// clients.
type noUnbonding struct{ period time.Duration }

func (u noUnbonding) UnbondingPeriod(state.Store) time.Duration       { return u.period }
func (noUnbonding) EntryValidator(state.Store, uint64) ([]byte, bool) { return nil, false }
func (noUnbonding) PutOnHold(state.Store, uint64, string) error       { return errNoEntries }
func (noUnbonding) ReleaseHold(state.Store, uint64, string) error     { return errNoEntries }

var errNoEntries = errors.New("a proof-of-authority chain has no unbonding entries")

// updates returns the CometBFT updates from the last set given to
// CometBFT to the current active set, and records the new set.
func (p POA) updates(s state.Store) []validatorUpdate {
	last := map[string]int64{}
	it := s.KV(poaStore).Iterator([]byte("l/"), state.PrefixEnd([]byte("l/")))
	for ; it.Valid(); it.Next() {
		last[string(it.Key()[2:])] = int64(binary.BigEndian.Uint64(it.Value()))
	}
	it.Close()
	var out []validatorUpdate
	seen := map[string]bool{}
	for _, v := range p.Validators(s) {
		pk := string(v.PubKey)
		if !v.active() {
			continue
		}
		seen[pk] = true
		if last[pk] != v.Power {
			out = append(out, validatorUpdate{v.PubKey, v.Power})
			s.KV(poaStore).Set(append([]byte("l/"), v.PubKey...), binary.BigEndian.AppendUint64(nil, uint64(v.Power)))
		}
	}
	for pk := range last {
		if !seen[pk] {
			out = append(out, validatorUpdate{[]byte(pk), 0})
			s.KV(poaStore).Delete(append([]byte("l/"), pk...))
		}
	}
	sort.Slice(out, func(i, j int) bool { return string(out[i].pubKey) < string(out[j].pubKey) })
	return out
}

type validatorUpdate struct {
	pubKey []byte
	power  int64
}
