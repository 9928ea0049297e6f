package vsc

import (
	"github.com/abci-ics/ics/state/typed"
)

// StoreName is the multistore store this package writes in: package
// provider's store, which it shares. The two packages use disjoint key
// prefixes.
const StoreName = "provider"

// Key prefixes of this package in the provider store. They are frozen: a
// test checks them (and package provider's test that the two sets do not
// meet).
//
// Keys of one consumer start with a prefix byte, then the length of its
// consumer id (one byte) and the consumer id, so that deleting a consumer is
// deleting those ranges.
const (
	keyVSCID         byte = 0x02 // -> next vsc id, 8 bytes
	prefixVSCHeight  byte = 0x04 // | vscID -> provider height, 8 bytes
	prefixValidator  byte = 0x20 // | consumer | provider addr -> ConsumerValidator
	prefixAssigned   byte = 0x21 // | consumer | provider addr -> consumer key
	prefixKeyOwner   byte = 0x22 // | consumer | consumer addr -> KeyOwner
	prefixKeyPrune   byte = 0x23 // | consumer | time | consumer addr -> empty
	prefixPendingVSC byte = 0x30 // | consumer | vscID -> VSC packet data
	prefixSlashAck   byte = 0x31 // | consumer | consumer addr -> empty
	prefixSentVSC    byte = 0x32 // | consumer | vscID -> send time (Unix ns)
	prefixProgress   byte = 0x33 // | consumer -> last vsc id sent, last matured (8 bytes each)
	prefixHold       byte = 0x40 // | consumer | vscID | unbonding id -> empty
	keyReservedKeys  byte = 0x50 // | consumer key | consumer -> empty
)

// consumerPrefixes are the prefixes under which a consumer's keys of this
// package live.
var consumerPrefixes = []byte{prefixValidator, prefixAssigned, prefixKeyOwner, prefixKeyPrune,
	prefixPendingVSC, prefixSlashAck, prefixSentVSC, prefixProgress, prefixHold}

// Prefixes returns every key prefix this package uses in the provider
// store, for package provider's layout test.
func Prefixes() []byte {
	return []byte{keyVSCID, prefixVSCHeight, prefixValidator, prefixAssigned, prefixKeyOwner, prefixKeyPrune,
		prefixPendingVSC, prefixSlashAck, prefixSentVSC, prefixProgress, prefixHold, keyReservedKeys}
}

// IDPart is the length-prefixed consumer id that follows a consumer
// prefix, in the keys of package vsc and of package provider.
func IDPart(consumerID string) []byte { return append([]byte{byte(len(consumerID))}, consumerID...) }

// ValidatorKey returns the key of a member of a consumer's validator set.
func ValidatorKey(consumerID string, providerAddr []byte) []byte {
	return typed.Key(prefixValidator, IDPart(consumerID), providerAddr)
}

// AssignedKey returns the key of a validator's assigned consumer key.
func AssignedKey(consumerID string, providerAddr []byte) []byte {
	return typed.Key(prefixAssigned, IDPart(consumerID), providerAddr)
}

// KeyOwnerKey returns the key mapping a consumer address to its validator.
func KeyOwnerKey(consumerID string, consumerAddr []byte) []byte {
	return typed.Key(prefixKeyOwner, IDPart(consumerID), consumerAddr)
}

func keyPruneKey(consumerID string, ns int64, consumerAddr []byte) []byte {
	return typed.Key(prefixKeyPrune, IDPart(consumerID), typed.U64(uint64(ns)), consumerAddr)
}

// PendingVSCKey returns the key of a VSC packet waiting for the channel.
func PendingVSCKey(consumerID string, vscID uint64) []byte {
	return typed.Key(prefixPendingVSC, IDPart(consumerID), typed.U64(vscID))
}

func slashAckKey(consumerID string, consumerAddr []byte) []byte {
	return typed.Key(prefixSlashAck, IDPart(consumerID), consumerAddr)
}

func sentVSCKey(consumerID string, vscID uint64) []byte {
	return typed.Key(prefixSentVSC, IDPart(consumerID), typed.U64(vscID))
}

// HoldKey returns the key of a consumer's hold on an unbonding entry.
func HoldKey(consumerID string, vscID, unbondingID uint64) []byte {
	return typed.Key(prefixHold, IDPart(consumerID), typed.U64(vscID), typed.U64(unbondingID))
}

func reservedKey(consumerKey []byte, consumerID string) []byte {
	return typed.Key(keyReservedKeys, consumerKey, IDPart(consumerID))
}

func vscHeightKey(vscID uint64) []byte { return typed.Key(prefixVSCHeight, typed.U64(vscID)) }
