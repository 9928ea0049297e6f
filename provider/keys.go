package provider

import (
	"github.com/abci-ics/ics/provider/vsc"
	"github.com/abci-ics/ics/state/typed"
)

// Key prefixes of the provider store. They are frozen: a test checks them.
//
// Keys of one consumer all start with a prefix byte, then the length of
// its chain id (one byte) and the chain id, so that deleting a consumer is
// deleting those ranges. Package provider/vsc owns the prefixes of the validator sets, key
// assignment, VSC queues and holds (0x02, 0x04, 0x20-0x23, 0x30-0x32,
// 0x40, 0x50: vsc.Prefixes) in the same store.
const (
	keyParams      byte = 0x01 // -> Params
	keySlashMeter  byte = 0x03 // -> SlashMeter
	prefixConsumer byte = 0x10 // | chain -> Consumer
	prefixChannel  byte = 0x11 // | channel id -> chain id
	prefixClient   byte = 0x12 // | client id -> chain id
	prefixGenesis  byte = 0x13 // | chain -> ccv.ConsumerGenesis
)

// ConsumerKey returns the key of a consumer's record.
func ConsumerKey(chainID string) []byte { return typed.Key(prefixConsumer, vsc.ChainPart(chainID)) }

// GenesisKey returns the key of a launched consumer's genesis.
func GenesisKey(chainID string) []byte { return typed.Key(prefixGenesis, vsc.ChainPart(chainID)) }

// ChannelKey returns the key mapping a CCV channel to its consumer.
func ChannelKey(channelID string) []byte { return typed.Key(prefixChannel, []byte(channelID)) }

// ClientKey returns the key mapping a consumer's client to the consumer.
func ClientKey(clientID string) []byte { return typed.Key(prefixClient, []byte(clientID)) }
