package registry

import (
	"github.com/abci-ics/ics/provider/vsc"
	"github.com/abci-ics/ics/state/typed"
)

// StoreName is the store the records live in: the provider's.
const StoreName = "provider"

// Key prefixes of the registry in the provider store. They are frozen: a
// test checks them, and package provider's that no prefix is used twice.
// Keys of one consumer start with a prefix byte and the consumer's id part
// (vsc.IDPart).
const (
	keyNextConsumerID byte = 0x05 // -> next consumer id, 8 bytes
	prefixConsumer    byte = 0x10 // | consumer -> Consumer
	prefixOptedIn     byte = 0x14 // | consumer | provider addr -> empty
	prefixCommission  byte = 0x15 // | consumer | provider addr -> fraction.Fraction
)

// Prefixes returns every prefix of the registry.
func Prefixes() []byte {
	return []byte{keyNextConsumerID, prefixConsumer, prefixOptedIn, prefixCommission}
}

// ConsumerPrefixes returns the prefixes under which a consumer's opt-ins
// and commissions are deleted with its state (its record stays).
func ConsumerPrefixes() []byte { return []byte{prefixOptedIn, prefixCommission} }

// ConsumerKey returns the key of a consumer's record.
func ConsumerKey(consumerID string) []byte { return typed.Key(prefixConsumer, vsc.IDPart(consumerID)) }

// OptedInKey returns the key marking a validator opted in to a consumer.
func OptedInKey(consumerID string, providerAddr []byte) []byte {
	return typed.Key(prefixOptedIn, vsc.IDPart(consumerID), providerAddr)
}

// CommissionKey returns the key of a validator's commission on a consumer.
func CommissionKey(consumerID string, providerAddr []byte) []byte {
	return typed.Key(prefixCommission, vsc.IDPart(consumerID), providerAddr)
}
