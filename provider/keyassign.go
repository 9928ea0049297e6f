package provider

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/crypto/ed25519"

	"github.com/abci-ics/ics/types/address"

	"github.com/abci-ics/ics/state"
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
	bz := kv(s).Get(KeyOwnerKey(chainID, consumerAddr))
	if bz == nil {
		return KeyOwner{}, false
	}
	var o KeyOwner
	mustUnmarshal(&o, bz, "key owner")
	return o, true
}

// Assignment is a validator's assigned key on a consumer.
type Assignment struct {
	ProviderAddr []byte
	ConsumerKey  []byte
}

// Assignments returns the keys assigned for a consumer, by provider address.
func (*Keeper) Assignments(s state.Store, chainID string) []Assignment {
	p := key(prefixAssigned, chainPart(chainID))
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
// consumer, or maps to a validator on one (a key in use, or one that left
// a consumer's set less than an unbonding period ago, whose slashes must
// still find that validator): chain/staking refuses such a key for a new
// validator. A pubKey that is not an ed25519 key is not reserved.
func (k *Keeper) IsKeyReserved(s state.Store, pubKey []byte) bool {
	if len(pubKey) != ed25519.PubKeySize {
		return false
	}
	p := key(keyReservedKeys, pubKey)
	it := kv(s).Iterator(p, state.PrefixEnd(p))
	assigned := it.Valid()
	it.Close()
	if assigned {
		return true
	}
	addr := consumerAddr(pubKey)
	for _, c := range k.Consumers(s) {
		if kv(s).Has(KeyOwnerKey(c.ChainId, addr)) {
			return true
		}
	}
	return false
}

// HandleAssignConsumerKey assigns m.ConsumerKey to the validator operated
// by signer on consumer m.ChainId, effective at the next epoch. Errors:
// ErrUnauthorized (signer is not m.Operator), ErrValidatorNotFound,
// ErrConsumerNotFound (unknown or stopping), ErrInvalidConsumerKey (not an
// ed25519 key), ErrKeyInUse (another validator's provider key, or a key
// another validator uses or used on that consumer less than an unbonding
// period ago).
func (k *Keeper) HandleAssignConsumerKey(s state.Store, height int64, now time.Time, signer []byte, m *MsgAssignConsumerKey) ([]abci.Event, error) {
	if !bytes.Equal(signer, m.Operator) {
		return nil, ErrUnauthorized
	}
	v, ok := k.Staking.ValidatorByOperator(s, m.Operator)
	if !ok {
		return nil, fmt.Errorf("%w: operator %X", ErrValidatorNotFound, m.Operator)
	}
	c, ok := k.Consumer(s, m.ChainId)
	if !ok || c.Phase == PHASE_STOPPING {
		return nil, fmt.Errorf("%w: %q", ErrConsumerNotFound, m.ChainId)
	}
	if _, err := pubKey(m.ConsumerKey); err != nil {
		return nil, err
	}
	addr := consumerAddr(m.ConsumerKey)
	if other, ok := k.Staking.ValidatorByConsAddr(s, addr); ok && !bytes.Equal(other.ConsAddr, v.ConsAddr) {
		return nil, fmt.Errorf("%w: it is the provider key of another validator", ErrKeyInUse)
	}
	if owner, ok := k.KeyOwner(s, m.ChainId, addr); ok && !bytes.Equal(owner.ProviderAddr, v.ConsAddr) {
		return nil, fmt.Errorf("%w: another validator uses it on %s", ErrKeyInUse, m.ChainId)
	}
	for _, a := range k.Assignments(s, m.ChainId) {
		if bytes.Equal(a.ConsumerKey, m.ConsumerKey) && !bytes.Equal(a.ProviderAddr, v.ConsAddr) {
			return nil, fmt.Errorf("%w: another validator assigned it on %s", ErrKeyInUse, m.ChainId)
		}
	}
	st := kv(s)
	if old, ok := k.AssignedKey(s, m.ChainId, v.ConsAddr); ok {
		st.Delete(reservedKey(old, m.ChainId))
	}
	if bytes.Equal(m.ConsumerKey, v.PubKey) {
		st.Delete(AssignedKey(m.ChainId, v.ConsAddr)) // back to the provider key
	} else {
		st.Set(AssignedKey(m.ChainId, v.ConsAddr), bytes.Clone(m.ConsumerKey))
		st.Set(reservedKey(m.ConsumerKey, m.ChainId), []byte{})
	}
	return []abci.Event{event("assign_consumer_key", "chain_id", m.ChainId,
		"provider_validator_address", address.Encode(k.Prefix+"valcons", v.ConsAddr),
		"consumer_consensus_pub_key", hex.EncodeToString(m.ConsumerKey))}, nil
}

// pruneKeyOwners deletes the mappings of consumer keys that left a
// consumer's set more than an unbonding period ago.
func (k *Keeper) pruneKeyOwners(s state.Store, chainID string, now time.Time) {
	p := key(prefixKeyPrune, chainPart(chainID))
	st := kv(s)
	it := st.Iterator(p, append(bytes.Clone(p), u64(uint64(now.UnixNano())+1)...))
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
