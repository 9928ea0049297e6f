package provider

import (
	"github.com/abci-ics/ics/provider/registry"
	"github.com/abci-ics/ics/provider/rewards"
	"github.com/abci-ics/ics/provider/vsc"
	"github.com/abci-ics/ics/state/typed"
)

// Key prefixes of the provider store. They are frozen: a test checks them.
//
// Keys of one consumer all start with a prefix byte, then the length of
// its consumer id (one byte) and the consumer id, so that deleting a
// consumer is deleting those ranges. In the same store, package
// provider/vsc owns the prefixes of the validator sets, key assignment,
// VSC queues and holds (0x02, 0x04, 0x20-0x23, 0x30-0x32, 0x40, 0x50:
// vsc.Prefixes), and package provider/registry those of the consumers'
// records, opt-ins and commissions (0x05, 0x10, 0x14, 0x15:
// registry.Prefixes), and package provider/rewards those of the consumers'
// reward pools (0x17-0x19: rewards.Prefixes).
const (
	keyParams      byte = 0x01 // -> Params
	keySlashMeter  byte = 0x03 // -> SlashMeter
	prefixChannel  byte = 0x11 // | channel id -> consumer id
	prefixClient   byte = 0x12 // | client id -> consumer id
	prefixGenesis  byte = 0x13 // | consumer -> ccv.ConsumerGenesis
	prefixPunished byte = 0x16 // | consumer | provider addr | consumer height -> empty
)

// consumerPrefixes are the prefixes, of this package and of the registry,
// under which a consumer's keys are deleted with its state.
// A consumer's reward pool is not among them: deleteConsumer empties it
// into the community pool first.
var consumerPrefixes = append(append([]byte{prefixGenesis, prefixPunished}, registry.ConsumerPrefixes()...), rewards.ConsumerPrefixes()...)

// GenesisKey returns the key of a launched consumer's genesis.
func GenesisKey(consumerID string) []byte { return typed.Key(prefixGenesis, vsc.IDPart(consumerID)) }

// PunishedKey returns the key recording that a validator was punished for
// double signing at a height of a consumer.
func PunishedKey(consumerID string, providerAddr []byte, consumerHeight int64) []byte {
	return typed.Key(prefixPunished, vsc.IDPart(consumerID), providerAddr, typed.U64(uint64(consumerHeight)))
}

// ChannelKey returns the key mapping a CCV channel to its consumer.
func ChannelKey(channelID string) []byte { return typed.Key(prefixChannel, []byte(channelID)) }

// ClientKey returns the key mapping a consumer's client to the consumer.
func ClientKey(clientID string) []byte { return typed.Key(prefixClient, []byte(clientID)) }
