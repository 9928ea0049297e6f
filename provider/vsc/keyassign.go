package vsc

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/crypto/ed25519"

	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/state/typed"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/event"
)

// AssignedKey returns the consumer key a validator assigned for a consumer.
func (*Keeper) AssignedKey(s state.Store, chainID string, providerAddr []byte) ([]byte, bool) {
	bz := kv(s).Get(AssignedKey(chainID, providerAddr))
	return bz, bz != nil
}

// KeyOwner returns which validator a consumer address belongs to on a
// consumer (a key in its set, or one that left it less than an unbonding
// period ago).
func (*Keeper) KeyOwner(s state.Store, chainID string, consumerAddr []byte) (KeyOwner, bool) {
	return typed.Get[KeyOwner](kv(s), KeyOwnerKey(chainID, consumerAddr))
}

// Assignment is a validator's assigned key on a consumer.
type Assignment struct {
	ProviderAddr []byte
	ConsumerKey  []byte
}

// Assignments returns the keys assigned for a consumer, by provider address.
func (*Keeper) Assignments(s state.Store, chainID string) []Assignment {
	p := typed.Key(prefixAssigned, ChainPart(chainID))
	it := kv(s).Iterator(p, state.PrefixEnd(p))
	defer it.Close()
	var out []Assignment
	for ; it.Valid(); it.Next() {
		out = append(out, Assignment{ProviderAddr: bytes.Clone(it.Key()[len(p):]), ConsumerKey: bytes.Clone(it.Value())})
	}
	return out
}

func (k *Keeper) assignedKeys(s state.Store, chainID string) [][]byte {
	var out [][]byte
	for _, a := range k.Assignments(s, chainID) {
		out = append(out, a.ConsumerKey)
	}
	return out
}

// IsKeyReserved reports whether pubKey is assigned as a consumer key on any
// consumer, or maps to a validator on one of consumers (a key in use, or
// one that left a consumer's set less than an unbonding period ago, whose
// slashes must still find that validator). A pubKey that is not an
// ed25519 key is not reserved.
func (k *Keeper) IsKeyReserved(s state.Store, pubKey []byte, consumers []string) bool {
	if len(pubKey) != ed25519.PubKeySize {
		return false
	}
	p := typed.Key(keyReservedKeys, pubKey)
	it := kv(s).Iterator(p, state.PrefixEnd(p))
	assigned := it.Valid()
	it.Close()
	if assigned {
		return true
	}
	addr := consumerAddr(pubKey)
	for _, chainID := range consumers {
		if kv(s).Has(KeyOwnerKey(chainID, addr)) {
			return true
		}
	}
	return false
}

// Assign makes validator v use consumerKey on consumer chainID from the
// next epoch on; assigning v's provider key goes back to it. The caller
// checks that v exists and the consumer is not stopping. Errors:
// ErrInvalidConsumerKey (not an ed25519 key), ErrKeyInUse (another
// validator's provider key, or a key another validator uses or used on
// that consumer less than an unbonding period ago).
func (k *Keeper) Assign(s state.Store, chainID string, v Validator, consumerKey []byte) ([]abci.Event, error) {
	if _, err := PubKey(consumerKey); err != nil {
		return nil, err
	}
	addr := consumerAddr(consumerKey)
	if other, ok := k.Staking.ValidatorByConsAddr(s, addr); ok && !bytes.Equal(other.ConsAddr, v.ConsAddr) {
		return nil, fmt.Errorf("%w: it is the provider key of another validator", ErrKeyInUse)
	}
	if owner, ok := k.KeyOwner(s, chainID, addr); ok && !bytes.Equal(owner.ProviderAddr, v.ConsAddr) {
		return nil, fmt.Errorf("%w: another validator uses it on %s", ErrKeyInUse, chainID)
	}
	for _, a := range k.Assignments(s, chainID) {
		if bytes.Equal(a.ConsumerKey, consumerKey) && !bytes.Equal(a.ProviderAddr, v.ConsAddr) {
			return nil, fmt.Errorf("%w: another validator assigned it on %s", ErrKeyInUse, chainID)
		}
	}
	st := kv(s)
	if old, ok := k.AssignedKey(s, chainID, v.ConsAddr); ok {
		st.Delete(reservedKey(old, chainID))
	}
	if bytes.Equal(consumerKey, v.PubKey) {
		st.Delete(AssignedKey(chainID, v.ConsAddr)) // back to the provider key
	} else {
		st.Set(AssignedKey(chainID, v.ConsAddr), bytes.Clone(consumerKey))
		st.Set(reservedKey(consumerKey, chainID), []byte{})
	}
	return []abci.Event{event.New("assign_consumer_key", "chain_id", chainID,
		"provider_validator_address", address.Encode(k.Prefix+"valcons", v.ConsAddr),
		"consumer_consensus_pub_key", hex.EncodeToString(consumerKey))}, nil
}

// PruneKeyOwners deletes the mappings of consumer keys that left a
// consumer's set more than an unbonding period ago.
func (k *Keeper) PruneKeyOwners(s state.Store, chainID string, now time.Time) {
	p := typed.Key(prefixKeyPrune, ChainPart(chainID))
	st := kv(s)
	it := st.Iterator(p, append(bytes.Clone(p), typed.U64(uint64(now.UnixNano())+1)...))
	var keys [][]byte
	for ; it.Valid(); it.Next() {
		keys = append(keys, bytes.Clone(it.Key()))
	}
	it.Close()
	for _, pk := range keys {
		st.Delete(pk)
		addr := pk[len(p)+8:]
		if owner, ok := k.KeyOwner(s, chainID, addr); ok && owner.PruneTime == int64(binary.BigEndian.Uint64(pk[len(p):])) {
			st.Delete(KeyOwnerKey(chainID, addr))
		}
	}
}

// DeleteConsumer deletes a consumer's keys of this package: its validator
// set, assignments, key owners, VSC queues, slash acknowledgements, holds
// (released first by the caller) and its reserved keys.
func (k *Keeper) DeleteConsumer(s state.Store, chainID string) {
	st := kv(s)
	for _, ck := range k.assignedKeys(s, chainID) {
		st.Delete(reservedKey(ck, chainID))
	}
	for _, p := range consumerPrefixes {
		lo := typed.Key(p, ChainPart(chainID))
		it := st.Iterator(lo, state.PrefixEnd(lo))
		var keys [][]byte
		for ; it.Valid(); it.Next() {
			keys = append(keys, bytes.Clone(it.Key()))
		}
		it.Close()
		for _, k := range keys {
			st.Delete(k)
		}
	}
}
