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
func (*Keeper) AssignedKey(s state.Store, consumerID string, providerAddr []byte) ([]byte, bool) {
	bz := kv(s).Get(AssignedKey(consumerID, providerAddr))
	return bz, bz != nil
}

// KeyOwner returns which validator a consumer address belongs to on a
// consumer (a key in its set, or one that left it less than an unbonding
// period ago).
func (*Keeper) KeyOwner(s state.Store, consumerID string, consumerAddr []byte) (KeyOwner, bool) {
	return typed.Get[KeyOwner](kv(s), KeyOwnerKey(consumerID, consumerAddr))
}

// Assignment is a validator's assigned key on a consumer.
type Assignment struct {
	ProviderAddr []byte
	ConsumerKey  []byte
}

// Assignments returns the keys assigned for a consumer, by provider address.
func (*Keeper) Assignments(s state.Store, consumerID string) []Assignment {
	p := typed.Key(prefixAssigned, IDPart(consumerID))
	it := kv(s).Iterator(p, state.PrefixEnd(p))
	defer it.Close()
	var out []Assignment
	for ; it.Valid(); it.Next() {
		out = append(out, Assignment{ProviderAddr: bytes.Clone(it.Key()[len(p):]), ConsumerKey: bytes.Clone(it.Value())})
	}
	return out
}

func (k *Keeper) assignedKeys(s state.Store, consumerID string) [][]byte {
	var out [][]byte
	for _, a := range k.Assignments(s, consumerID) {
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
	for _, consumerID := range consumers {
		if kv(s).Has(KeyOwnerKey(consumerID, addr)) {
			return true
		}
	}
	return false
}

// Assign makes validator v use consumerKey on consumer consumerID from the
// next epoch on; assigning v's provider key goes back to it. The caller
// checks that v exists and the consumer is not stopping. Errors:
// ErrInvalidConsumerKey (not an ed25519 key), ErrKeyInUse (another
// validator's provider key, or a key another validator uses or used on
// that consumer less than an unbonding period ago).
func (k *Keeper) Assign(s state.Store, consumerID string, v Validator, consumerKey []byte) ([]abci.Event, error) {
	if _, err := PubKey(consumerKey); err != nil {
		return nil, err
	}
	addr := consumerAddr(consumerKey)
	if other, ok := k.Staking.ValidatorByConsAddr(s, addr); ok && !bytes.Equal(other.ConsAddr, v.ConsAddr) {
		return nil, fmt.Errorf("%w: it is the provider key of another validator", ErrKeyInUse)
	}
	if owner, ok := k.KeyOwner(s, consumerID, addr); ok && !bytes.Equal(owner.ProviderAddr, v.ConsAddr) {
		return nil, fmt.Errorf("%w: another validator uses it on consumer %s", ErrKeyInUse, consumerID)
	}
	for _, a := range k.Assignments(s, consumerID) {
		if bytes.Equal(a.ConsumerKey, consumerKey) && !bytes.Equal(a.ProviderAddr, v.ConsAddr) {
			return nil, fmt.Errorf("%w: another validator assigned it on consumer %s", ErrKeyInUse, consumerID)
		}
	}
	st := kv(s)
	if old, ok := k.AssignedKey(s, consumerID, v.ConsAddr); ok {
		st.Delete(reservedKey(old, consumerID))
	}
	if bytes.Equal(consumerKey, v.PubKey) {
		st.Delete(AssignedKey(consumerID, v.ConsAddr)) // back to the provider key
	} else {
		st.Set(AssignedKey(consumerID, v.ConsAddr), bytes.Clone(consumerKey))
		st.Set(reservedKey(consumerKey, consumerID), []byte{})
	}
	return []abci.Event{event.New("assign_consumer_key", "consumer_id", consumerID,
		"provider_validator_address", address.Encode(k.Prefix+"valcons", v.ConsAddr),
		"consumer_consensus_pub_key", hex.EncodeToString(consumerKey))}, nil
}

// PruneKeyOwners deletes the mappings of consumer keys that left a
// consumer's set more than an unbonding period ago.
func (k *Keeper) PruneKeyOwners(s state.Store, consumerID string, now time.Time) {
	p := typed.Key(prefixKeyPrune, IDPart(consumerID))
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
		if owner, ok := k.KeyOwner(s, consumerID, addr); ok && owner.PruneTime == int64(binary.BigEndian.Uint64(pk[len(p):])) {
			st.Delete(KeyOwnerKey(consumerID, addr))
		}
	}
}

// DeleteConsumer deletes a consumer's keys of this package: its validator
// set, assignments, key owners, VSC queues, slash acknowledgements, holds
// (released first by the caller) and its reserved keys.
func (k *Keeper) DeleteConsumer(s state.Store, consumerID string) {
	st := kv(s)
	for _, ck := range k.assignedKeys(s, consumerID) {
		st.Delete(reservedKey(ck, consumerID))
	}
	for _, p := range consumerPrefixes {
		lo := typed.Key(p, IDPart(consumerID))
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
