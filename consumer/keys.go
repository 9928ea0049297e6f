package consumer

import (
	"github.com/abci-ics/ics/state/typed"
)

// StoreName is the name of the multistore store this package owns; every
// key below lives under s.KV(StoreName).
const StoreName = "consumer"

// Key prefixes of the consumer store. They are part of the state layout
// and must never change; a test freezes them. Where the reference
// implementation (interchain-security's x/ccv/consumer) keeps the same
// thing, the byte is the reference's; our own records use 0x30 and up.
// Addresses in keys are always 20 bytes and public keys 32, so no length
// prefix is needed.
const (
	keyProviderClient    byte = 0x03 // -> client id
	keyProviderChannel   byte = 0x04 // -> channel id (the established CCV channel)
	prefixPendingChanges byte = 0x05 // | pub key -> power (8, big endian)
	prefixMaturity       byte = 0x0c // | maturity time (8) | vscId (8) -> marker
	prefixHeightVSCID    byte = 0x0d // | height (8) -> vscId (8)
	prefixOutstanding    byte = 0x0e // | consAddr -> marker
	prefixPendingPacket  byte = 0x0f // | index (8) -> PendingPacket
	prefixValidator      byte = 0x10 // | consAddr -> CrossChainValidator
	keyNextPacketIndex   byte = 0x14 // -> next queue index (8)
	keyParams            byte = 0x16 // -> ccv.ConsumerParams

	keyOpeningChannel byte = 0x30 // -> channel id being opened (INIT sent, no ACK yet)
	keyFeePoolAddr    byte = 0x31 // -> provider fee pool address (from the handshake)
	keyStopped        byte = 0x32 // -> marker: the CCV channel is closed or timed out
	keyHighestVSCID   byte = 0x33 // -> highest applied vscId (8)
	prefixSigningInfo byte = 0x34 // | consAddr -> SigningInfo
	prefixMissed      byte = 0x35 // | consAddr | index (8) -> marker
	keyClosePending   byte = 0x36 // -> marker: closing the CCV channel failed; EndBlock retries

	keyConsumerID          byte = 0x37 // -> the consumer id the provider gave (from the genesis)
	keyTransmissionChannel byte = 0x38 // -> transfer channel found for the rewards
	keyLastTransmission    byte = 0x39 // -> height of the last reward transmission (8)
)

// marker is the value of keys that carry all their data in the key. It is
// not empty so that such keys can be proven.
var marker = []byte{1}

// PendingChangeKey is the key of the accumulated update of a public key.
func PendingChangeKey(pubKey []byte) []byte { return typed.Key(prefixPendingChanges, pubKey) }

// MaturityKey is the key of the maturity of a VSC: time order, then id.
func MaturityKey(maturityNs int64, vscID uint64) []byte {
	return typed.Key(prefixMaturity, typed.TimeKey(maturityNs), typed.U64(vscID))
}

// HeightVSCIDKey is the key of the vscId that comes into force at height.
func HeightVSCIDKey(height uint64) []byte { return typed.Key(prefixHeightVSCID, typed.U64(height)) }

// OutstandingKey is the key of the outstanding-downtime flag of an address.
func OutstandingKey(consAddr []byte) []byte { return typed.Key(prefixOutstanding, consAddr) }

// PendingPacketKey is the key of a queued packet.
func PendingPacketKey(index uint64) []byte { return typed.Key(prefixPendingPacket, typed.U64(index)) }

// ValidatorKey is the key of a cross-chain validator.
func ValidatorKey(consAddr []byte) []byte { return typed.Key(prefixValidator, consAddr) }

// SigningInfoKey is the key of a validator's downtime window state.
func SigningInfoKey(consAddr []byte) []byte { return typed.Key(prefixSigningInfo, consAddr) }

// MissedKey marks a missed block at index of a validator's window.
func MissedKey(consAddr []byte, index int64) []byte {
	return typed.Key(prefixMissed, consAddr, typed.U64(uint64(index)))
}
