package consumer

import (
	"bytes"
	"fmt"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/crypto/ed25519"
	cmttypes "github.com/cometbft/cometbft/types"
	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"
	connectiontypes "github.com/cosmos/ibc-go/v10/modules/core/03-connection/types"
	ibctm "github.com/cosmos/ibc-go/v10/modules/light-clients/07-tendermint"

	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/ibc/channel"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/state/typed"
	"github.com/abci-ics/ics/types/address"
)

// MaxPendingPackets bounds the consumer -> provider queue. A packet that
// does not fit is not queued and nothing is lost: a matured VSC keeps its
// maturity record and a downtime is detected again, both retried the next
// block.
const MaxPendingPackets = 10_000

// Channels is what the consumer needs from the IBC channel layer; the
// application adapts ibc/channel's and ibc/packet's Keepers to it.
//
// SendPacket sends data on the open channel (sourcePort, sourceChannel)
// and returns its sequence and send_packet event, as
// ibc/packet.Keeper.SendPacket: it writes only to s, and nothing on error. ChanCloseInit closes a channel end
// (ibc/channel.Keeper.ChanCloseInit). Connection returns a connection
// end, and false when the connection is unknown.
type Channels interface {
	SendPacket(s state.Store, height int64, now time.Time, sourcePort, sourceChannel string, timeoutHeight clienttypes.Height, timeoutTimestamp uint64, data []byte) (uint64, []abci.Event, error)
	ChanCloseInit(s state.Store, now time.Time, portID, channelID string) ([]abci.Event, error)
	Connection(s state.Store, connectionID string) (connectiontypes.ConnectionEnd, bool)
}

// Clients creates the consumer's light client of the provider at genesis
// (ibc/client.Keeper.CreateClient has this signature). TrackedChain
// returns the chain id a client tracks and whether it is active (neither
// frozen nor expired); "" for an unknown client.
type Clients interface {
	CreateClient(s state.Store, height int64, now time.Time, cs *ibctm.ClientState, cons *ibctm.ConsensusState) (string, error)
	TrackedChain(s state.Store, clientID string, now time.Time) (chainID string, active bool)
}

// Logger is the logging the keeper does; keys are lower_snake.
type Logger interface {
	Debug(msg string, keyvals ...any)
	Info(msg string, keyvals ...any)
	Error(msg string, keyvals ...any)
}

type nopLogger struct{}

func (nopLogger) Debug(string, ...any) {}
func (nopLogger) Info(string, ...any)  {}
func (nopLogger) Error(string, ...any) {}

// Keeper runs the consumer side of CCV. It holds no state: every method
// takes the store it works on, and everything goes under StoreName.
// Prefix is the chain's bech32 prefix; events name consensus addresses
// under Prefix+"valcons". Logger may be nil.
//
// Rewards, FeeCollector (the account the chain's fees are paid to) and
// ChainID (named in the reward transfers' memo) enable the rewards; with
// Rewards nil the consumer neither splits fees nor sends rewards.
// KeepInFeeCollector is for a chain with its own distribution, which pays
// out the fee collector's balance at the next block: the consumer's share
// of the fees then stays there (ConsumerRedistributionAddress is not used).
type Keeper struct {
	Channels           Channels
	Clients            Clients
	Prefix             string
	Logger             Logger
	Rewards            Rewards
	FeeCollector       []byte
	ChainID            string
	KeepInFeeCollector bool
}

var _ channel.App = Keeper{}

func kv(s state.Store) state.KVStore { return s.KV(StoreName) }

func (k Keeper) log() Logger {
	if k.Logger == nil {
		return nopLogger{}
	}
	return k.Logger
}

// consBech is the bech32 form of a consensus address, for events.
func (k Keeper) consBech(addr []byte) string {
	if len(addr) != address.Len {
		return fmt.Sprintf("%X", addr)
	}
	return address.Encode(k.Prefix+"valcons", addr)
}

func getString(s state.Store, k byte) (string, bool) {
	bz := kv(s).Get([]byte{k})
	return string(bz), bz != nil
}

func setString(s state.Store, k byte, v string) { kv(s).Set([]byte{k}, []byte(v)) }

// ConsAddress returns the consensus address of an ed25519 public key: the
// first 20 bytes of its SHA-256.
func ConsAddress(pubKey []byte) []byte { return ed25519.PubKey(pubKey).Address() }

// Params returns the consumer parameters; false before InitGenesis.
func (Keeper) Params(s state.Store) (ccv.ConsumerParams, bool) {
	return typed.Get[ccv.ConsumerParams](kv(s), []byte{keyParams})
}

// ProviderClientID returns the id of the light client of the provider.
func (Keeper) ProviderClientID(s state.Store) (string, bool) {
	return getString(s, keyProviderClient)
}

// ProviderChannel returns the id of the established CCV channel.
func (Keeper) ProviderChannel(s state.Store) (string, bool) {
	return getString(s, keyProviderChannel)
}

// ProviderFeePoolAddr returns the provider's reward pool address, learnt
// in the handshake.
func (Keeper) ProviderFeePoolAddr(s state.Store) (string, bool) {
	return getString(s, keyFeePoolAddr)
}

// Stopped reports whether the CCV channel was closed or timed out. A
// stopped consumer sends nothing and keeps its last validator set.
func (Keeper) Stopped(s state.Store) bool { return kv(s).Has([]byte{keyStopped}) }

// HighestVSCID returns the highest vscId received; 0 and false before the
// first VSC packet (the genesis set counts as vscId 0).
func (Keeper) HighestVSCID(s state.Store) (uint64, bool) {
	return typed.GetU64(kv(s), []byte{keyHighestVSCID})
}

// HeightToVSCID returns the vscId in force at height: the one recorded
// for the greatest height not above it (0 at the genesis height). Records
// older than the last matured VSC are pruned, so false comes back for a
// height before every kept record.
func (Keeper) HeightToVSCID(s state.Store, height int64) (uint64, bool) {
	if height < 0 {
		return 0, false
	}
	p := []byte{prefixHeightVSCID}
	it := kv(s).ReverseIterator(p, HeightVSCIDKey(uint64(height)+1))
	defer it.Close()
	if !it.Valid() {
		return 0, false
	}
	return typed.DecodeU64(it.Key(), it.Value()), true
}

// Outstanding reports whether a downtime slash of consAddr was sent (or
// queued) and not yet acknowledged in a VSC packet's slash_acks.
func (Keeper) Outstanding(s state.Store, consAddr []byte) bool {
	return kv(s).Has(OutstandingKey(consAddr))
}

// Validator returns the cross-chain validator with consensus address
// consAddr.
func (Keeper) Validator(s state.Store, consAddr []byte) (CrossChainValidator, bool) {
	return typed.Get[CrossChainValidator](kv(s), ValidatorKey(consAddr))
}

// ValidatorSet returns the current cross-chain validator set, sorted by
// consensus address.
func (Keeper) ValidatorSet(s state.Store) []CrossChainValidator {
	return typed.All[CrossChainValidator](kv(s), []byte{prefixValidator})
}

// PendingChanges returns the validator updates received and not yet
// returned to CometBFT, sorted by public key.
func (Keeper) PendingChanges(s state.Store) []ccv.ValidatorUpdate {
	var out []ccv.ValidatorUpdate
	p := []byte{prefixPendingChanges}
	it := kv(s).Iterator(p, state.PrefixEnd(p))
	defer it.Close()
	for ; it.Valid(); it.Next() {
		out = append(out, ccv.ValidatorUpdate{
			PubKey: bytes.Clone(it.Key()[1:]),
			Power:  int64(typed.DecodeU64(it.Key(), it.Value())),
		})
	}
	return out
}

// PendingPackets returns the consumer -> provider queue, head first.
func (Keeper) PendingPackets(s state.Store) []PendingPacket {
	return typed.All[PendingPacket](kv(s), []byte{prefixPendingPacket})
}

// SigningInfo returns the downtime window state of a cross-chain
// validator.
func (Keeper) SigningInfo(s state.Store, consAddr []byte) (SigningInfo, bool) {
	return typed.Get[SigningInfo](kv(s), SigningInfoKey(consAddr))
}

func setValidator(s state.Store, v CrossChainValidator) {
	typed.Set(kv(s), ValidatorKey(v.Address), &v)
}

// InitGenesis starts the consumer from g at the chain's first height: it
// creates the light client of the provider (or, for a changeover naming a
// connection, takes that connection's client), stores the parameters and the
// initial validator set, and records that vscId 0 is in force from
// height. It returns the initial set as validator updates sorted by
// public key. Errors: ErrAlreadyInitialized, errors wrapping
// ccv.ErrInvalidGenesis, and the client layer's.
func (k Keeper) InitGenesis(s state.Store, g *ccv.ConsumerGenesis, height int64, now time.Time) ([]abci.ValidatorUpdate, error) {
	if _, ok := k.ProviderClientID(s); ok {
		return nil, ErrAlreadyInitialized
	}
	if g == nil {
		return nil, fmt.Errorf("%w: nil", ccv.ErrInvalidGenesis)
	}
	if err := g.Validate(); err != nil {
		return nil, err
	}
	if height < 0 {
		return nil, fmt.Errorf("%w: negative genesis height %d", ccv.ErrInvalidGenesis, height)
	}
	var total int64
	for _, v := range g.InitialValidators {
		if v.Power > cmttypes.MaxTotalVotingPower-total {
			return nil, fmt.Errorf("%w: total power above %d", ccv.ErrInvalidGenesis, cmttypes.MaxTotalVotingPower)
		}
		total += v.Power
	}
	cs, cons, err := g.Decode()
	if err != nil {
		return nil, err
	}
	if a := g.Params.ConsumerRedistributionAddress; a != "" {
		if _, err := address.Decode(k.Prefix, a); err != nil {
			return nil, fmt.Errorf("%w: consumer_redistribution_address: %w", ccv.ErrInvalidGenesis, err)
		}
	}
	clientID, err := k.providerClient(s, g, cs, cons, height, now)
	if err != nil {
		return nil, err
	}
	setString(s, keyProviderClient, clientID)
	typed.Set(kv(s), []byte{keyParams}, &g.Params)
	if g.ConsumerId != "" {
		setString(s, keyConsumerID, g.ConsumerId)
	}
	us := make([]ccv.ValidatorUpdate, 0, len(g.InitialValidators))
	for _, v := range g.InitialValidators {
		pk := bytes.Clone(v.PubKey)
		setValidator(s, CrossChainValidator{Address: ConsAddress(pk), PubKey: pk, Power: v.Power})
		us = append(us, ccv.ValidatorUpdate{PubKey: pk, Power: v.Power})
	}
	kv(s).Set(HeightVSCIDKey(uint64(height)), typed.U64(0))
	sortUpdates(us)
	k.log().Info("consumer initialized", "provider_client", clientID, "validators", len(us), "height", height)
	return ccv.ABCIValidatorUpdates(us), nil
}

// providerClient returns the consumer's client of the provider: a new one
// from g's states or, for a changeover naming the chain's end of a
// connection, that connection's client, which must be open on an active
// client of the provider's chain.
func (k Keeper) providerClient(s state.Store, g *ccv.ConsumerGenesis, cs *ibctm.ClientState, cons *ibctm.ConsensusState, height int64, now time.Time) (string, error) {
	if g.Changeover == nil || g.Changeover.ConnectionId == "" {
		id, err := k.Clients.CreateClient(s, height, now, cs, cons)
		if err != nil {
			return "", fmt.Errorf("create provider client: %w", err)
		}
		return id, nil
	}
	id := g.Changeover.ConnectionId
	conn, ok := k.Channels.Connection(s, id)
	if !ok || conn.State != connectiontypes.OPEN {
		return "", fmt.Errorf("%w: connection %s to reuse is not open", ccv.ErrInvalidGenesis, id)
	}
	if chain, active := k.Clients.TrackedChain(s, conn.ClientId, now); chain != cs.ChainId || !active {
		return "", fmt.Errorf("%w: connection %s is on client %s of chain %q (active: %t), not an active client of %s",
			ccv.ErrInvalidGenesis, id, conn.ClientId, chain, active, cs.ChainId)
	}
	return conn.ClientId, nil
}
