package provider

import (
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"
	connectiontypes "github.com/cosmos/ibc-go/v10/modules/core/03-connection/types"
	ibctm "github.com/cosmos/ibc-go/v10/modules/light-clients/07-tendermint"

	"github.com/abci-ics/ics/provider/registry"
	"github.com/abci-ics/ics/provider/rewards"
	"github.com/abci-ics/ics/provider/vsc"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/types/fraction"
)

// StoreName is the multistore store the provider owns.
const StoreName = "provider"

// Validator is what the provider sees of one of its validators.
type Validator = vsc.Validator

// Staking is what the provider needs of the chain's proof of stake.
//
// BondedValidators returns the validators of the chain's current bonded
// set with positive power, in a deterministic order. Candidates returns
// every validator that could validate a consumer: positive power, not
// jailed or tombstoned, Bonded set for those in the chain's own active set
// (the others are what allow_inactive_vals admits), in a deterministic
// order. Jail, Slash and
// Tombstone act on the validator with consensus address consAddr as
// chain/staking's methods of the same names do.
type Staking interface {
	BondedValidators(s state.Store) []Validator
	Candidates(s state.Store) []Validator
	ValidatorByConsAddr(s state.Store, consAddr []byte) (Validator, bool)
	ValidatorByOperator(s state.Store, operator []byte) (Validator, bool)
	Jail(s state.Store, consAddr []byte, until time.Time) error
	Slash(s state.Store, consAddr []byte, infractionHeight, power int64, frac fraction.Fraction, height int64) (uint64, error)
	Tombstone(s state.Store, consAddr []byte) error
}

// Unbonding is what the provider needs of the chain's unbonding queue
// (see vsc.Unbonding).
type Unbonding = vsc.Unbonding

// Clients is what the provider needs of the light clients: it creates the
// client of each consumer, and checks headers of consumers against them.
// TrackedChain returns the chain id a client tracks and whether it is
// active (neither frozen nor expired); "" for an unknown client.
type Clients interface {
	CreateClient(s state.Store, height int64, now time.Time, cs *ibctm.ClientState, cons *ibctm.ConsensusState) (string, error)
	VerifyHeader(s state.Store, clientID string, now time.Time, h *ibctm.Header) error
	TrackedChain(s state.Store, clientID string, now time.Time) (chainID string, active bool)
}

// Channels is what the provider needs of the channel layer. SendPacket is
// ibc/packet's and ChanCloseInit ibc/channel's: SendPacket returns the
// packet's sequence and its send_packet event, which the provider returns
// with its own; Connection returns a connection end.
type Channels interface {
	SendPacket(s state.Store, height int64, now time.Time, sourcePort, sourceChannel string, timeoutHeight clienttypes.Height, timeoutTimestamp uint64, data []byte) (uint64, []abci.Event, error)
	ChanCloseInit(s state.Store, now time.Time, portID, channelID string) ([]abci.Event, error)
	Connection(s state.Store, connectionID string) (connectiontypes.ConnectionEnd, bool)
	ChannelOpen(s state.Store, portID, channelID string) bool
}

// Logger is what the provider logs through.
type Logger interface {
	Debug(msg string, keyvals ...any)
	Info(msg string, keyvals ...any)
	Error(msg string, keyvals ...any)
}

type nopLogger struct{}

func (nopLogger) Debug(string, ...any) {}
func (nopLogger) Info(string, ...any)  {}
func (nopLogger) Error(string, ...any) {}

// Keeper is the provider's CCV logic. It holds no state of its own: every
// method takes the store it works on, and the block's height and time where
// they matter.
//
// ChainID is the provider's chain id; FeePoolAddr is the bech32 address
// consumers send rewards to; Prefix is the provider's bech32 prefix (slash
// acknowledgements name consensus addresses with Prefix+"valcons");
// Authority is the account of the chain's governance: consumers it owns may
// be top-N, and the proposals it executes act as it.
type Keeper struct {
	Staking   Staking
	Unbonding Unbonding
	Clients   Clients
	Channels  Channels
	Logger    Logger
	// Payer pays consumers' rewards out of the consumer-rewards pool
	// (package provider/rewards); nil leaves them in the pool account.
	Payer rewards.Payer

	ChainID     string
	FeePoolAddr string
	Prefix      string
	Authority   []byte
}

// Consumer returns the record of the consumer consumerID.
func (*Keeper) Consumer(s state.Store, consumerID string) (registry.Consumer, bool) {
	return registry.Get(s, consumerID)
}

// Consumers returns every consumer, deleted ones included, in creation
// order.
func (*Keeper) Consumers(s state.Store) []registry.Consumer { return registry.All(s) }

// ConsumerByChainID returns the live (not stopped or deleted) consumer
// with chain id chainID.
func (*Keeper) ConsumerByChainID(s state.Store, chainID string) (registry.Consumer, bool) {
	return registry.ByChainID(s, chainID)
}

// Registry returns the keeper of the consumers' records, opt-ins and
// commissions (package provider/registry), over this keeper's staking and
// key assignment; a consumer created without infraction parameters gets
// the provider's (DefaultInfractionParameters).
func (k *Keeper) Registry() *registry.Keeper {
	return &registry.Keeper{Staking: k.Staking, Keys: k.VSC(), ChainID: k.ChainID, Prefix: k.Prefix, Authority: k.Authority,
		Defaults: func(s state.Store) registry.InfractionParameters { return DefaultInfractionParameters(k.Params(s)) }}
}

// Rewards returns the keeper of the consumers' reward pools (package
// provider/rewards), over this keeper's payer and authority.
func (k *Keeper) Rewards() *rewards.Keeper {
	return &rewards.Keeper{Payer: k.Payer, Authority: k.Authority, Logger: k.log()}
}

func (k *Keeper) log() Logger {
	if k.Logger == nil {
		return nopLogger{}
	}
	return k.Logger
}

func kv(s state.Store) state.KVStore { return s.KV(StoreName) }

func mustMarshal(m interface{ Marshal() ([]byte, error) }) []byte {
	bz, err := m.Marshal()
	if err != nil {
		panic("provider: marshal a record: " + err.Error())
	}
	return bz
}

func unixNano(ns int64) time.Time { return time.Unix(0, ns).UTC() }
