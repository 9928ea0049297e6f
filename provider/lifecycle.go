package provider

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"strconv"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cmttypes "github.com/cometbft/cometbft/types"
	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"
	connectiontypes "github.com/cosmos/ibc-go/v10/modules/core/03-connection/types"
	commitmenttypes "github.com/cosmos/ibc-go/v10/modules/core/23-commitment/types"
	ibctm "github.com/cosmos/ibc-go/v10/modules/light-clients/07-tendermint"

	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/provider/registry"
	"github.com/abci-ics/ics/provider/vsc"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/state/typed"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/event"
)

// sentinelRoot is the commitment root of the provider's first consensus
// state of a consumer: the consumer has no state the provider could know
// of before its first header, so nothing can be proven at that height.
var sentinelRoot = func() []byte { h := sha256.Sum256([]byte("sentinel_root")); return h[:] }()

// ConsumerGenesis returns the genesis of a launched consumer.
func (*Keeper) ConsumerGenesis(s state.Store, consumerID string) (ccv.ConsumerGenesis, bool) {
	return typed.Get[ccv.ConsumerGenesis](kv(s), GenesisKey(consumerID))
}

// Validate checks a consumer addition proposal statelessly.
func (p *ConsumerAdditionProposal) Validate() error {
	if p.SpawnTime <= 0 {
		return fmt.Errorf("%w: spawn time must be set", ErrInvalidProposal)
	}
	if err := p.msg(make([]byte, address.Len)).ValidateBasic(); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidProposal, err)
	}
	return nil
}

// msg is the MsgCreateConsumer the proposal carries, from owner.
func (p *ConsumerAdditionProposal) msg(owner []byte) *registry.MsgCreateConsumer {
	return &registry.MsgCreateConsumer{Submitter: owner, ChainId: p.ChainId, Metadata: p.Metadata,
		InitializationParameters: &registry.ConsumerInitializationParameters{SpawnTime: p.SpawnTime, InitialHeight: p.InitialHeight, Params: p.Params,
			Changeover: p.Changeover, ConnectionId: p.ConnectionId},
		PowerShapingParameters: &p.PowerShaping, InfractionParameters: p.InfractionParameters}
}

// Validate checks a consumer removal proposal statelessly.
func (p *ConsumerRemovalProposal) Validate() error {
	if err := registry.CheckConsumerID(p.ConsumerId); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidProposal, err)
	}
	if p.StopTime <= 0 {
		return fmt.Errorf("%w: stop time must be set", ErrInvalidProposal)
	}
	return nil
}

// CheckAddition decodes and checks the content of an addition proposal
// (the gov ContentCheck).
func CheckAddition(content []byte) error {
	var p ConsumerAdditionProposal
	if err := p.Unmarshal(content); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidProposal, err)
	}
	return p.Validate()
}

// CheckRemoval decodes and checks the content of a removal proposal.
func CheckRemoval(content []byte) error {
	var p ConsumerRemovalProposal
	if err := p.Unmarshal(content); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidProposal, err)
	}
	return p.Validate()
}

// ExecuteAddition creates, owned by governance (Keeper.Authority), the
// consumer of a passed addition proposal (the gov Handler). It returns
// ErrConsumerExists for a chain id in use (the provider's own included).
func (k *Keeper) ExecuteAddition(s state.Store, height int64, now time.Time, content []byte) ([]abci.Event, error) {
	var p ConsumerAdditionProposal
	if err := p.Unmarshal(content); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidProposal, err)
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return k.Registry().HandleCreateConsumer(s, height, now, k.Authority, p.msg(k.Authority))
}

// ExecuteRemoval schedules the stop of the consumer of a passed removal
// proposal. It returns ErrConsumerNotFound for an unknown or stopped one.
func (k *Keeper) ExecuteRemoval(s state.Store, height int64, now time.Time, content []byte) ([]abci.Event, error) {
	var p ConsumerRemovalProposal
	if err := p.Unmarshal(content); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidProposal, err)
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	c, ok := k.Consumer(s, p.ConsumerId)
	if !ok || !c.Live() {
		return nil, fmt.Errorf("%w: %s", ErrConsumerNotFound, p.ConsumerId)
	}
	c.StopTime = p.StopTime
	registry.Set(s, c)
	return []abci.Event{event.New("consumer_removal_scheduled", "consumer_id", c.ConsumerId, "chain_id", c.ChainId,
		"stop_time", time.Unix(0, c.StopTime).UTC().Format(time.RFC3339Nano))}, nil
}

// HandleRemoveConsumer removes a consumer for its owner: one not launched
// is deleted at once, a launched one stops now (its state goes at the end
// of the block). Errors: ErrNotOwner, ErrConsumerNotFound.
func (k *Keeper) HandleRemoveConsumer(s state.Store, height int64, now time.Time, signer []byte, m *registry.MsgRemoveConsumer) ([]abci.Event, error) {
	if err := m.ValidateBasic(); err != nil {
		return nil, err
	}
	if !bytes.Equal(signer, m.Owner) {
		return nil, fmt.Errorf("%w: signer is not the message's owner", ErrNotOwner)
	}
	c, err := registry.Owned(s, m.ConsumerId, signer)
	if err != nil {
		return nil, err
	}
	if !c.Launched() {
		c.StopReason = "removed before launch"
		k.deleteConsumer(s, c)
		return []abci.Event{event.New("consumer_stopped", "consumer_id", c.ConsumerId, "chain_id", c.ChainId, "reason", c.StopReason)}, nil
	}
	k.stop(s, c.ConsumerId, "removed by its owner")
	return []abci.Event{event.New("remove_consumer", "consumer_id", c.ConsumerId, "chain_id", c.ChainId)}, nil
}

// launch computes an initialized consumer's first validator set (top-N
// validators opted in, power shaping applied), creates the provider's
// client of it (or, for a changeover naming a connection, takes that
// connection's client) and stores its genesis. A consumer whose set would
// be empty, or whose connection cannot be reused, is not launched: it goes
// back to registered, with an event.
func (k *Keeper) launch(s state.Store, p Params, c registry.Consumer, b Block, cands []Validator) ([]abci.Event, error) {
	sets := k.VSC()
	set := sets.NextSet(s, c.ConsumerId, k.Registry().Choose(s, c, cands))
	if len(set) == 0 {
		return k.notLaunched(s, c, "no validator opted in (after power shaping)"), nil
	}
	updates := make([]*cmttypes.Validator, 0, len(set))
	initial := make([]ccv.InitialValidator, 0, len(set))
	for _, v := range set {
		pk, err := vsc.PubKey(v.ConsumerKey)
		if err != nil {
			return nil, err
		}
		updates = append(updates, cmttypes.NewValidator(pk, v.Power))
		initial = append(initial, ccv.InitialValidator{PubKey: v.ConsumerKey, Power: v.Power})
	}
	valset := cmttypes.NewValidatorSet(updates)
	unbonding := k.Unbonding.UnbondingPeriod(s)
	cp := c.Init.Params

	// The provider's client of the consumer: trusted at the consumer's
	// initial height, with the first validator set as next validators. A
	// changeover consumer (SPEC 9) is a running chain whose own set signs
	// up to its initial height + 1, and whose set is the first one from
	// the height after: its client is trusted at the initial height + 1,
	// whose next validators are the first set, so that the relayer
	// updates it with the headers that set signs.
	rev := clienttypes.ParseChainID(c.ChainId)
	trusted := c.Init.InitialHeight
	if c.Init.Changeover {
		trusted++
	}
	consumerHeight := clienttypes.NewHeight(rev, trusted)
	cs := newClientState(c.ChainId, consumerHeight, time.Duration(p.TrustingPeriodFraction.MulFloor(uint64(cp.UnbondingPeriod))), cp.UnbondingPeriod, p.MaxClockDrift)
	cons := ibctm.NewConsensusState(b.Time, commitmenttypes.NewMerkleRoot(sentinelRoot), valset.Hash())
	var clientID, consumerConn string
	if c.Init.ConnectionId != "" {
		// A changeover on a connection the chains have: its client
		// follows the standalone's set up to its initial height + 1,
		// whose header names the first set as next validators.
		var reason string
		if clientID, consumerConn, reason = k.reusable(s, c, b.Time); reason != "" {
			return k.notLaunched(s, c, reason), nil
		}
	} else {
		var err error
		if clientID, err = k.Clients.CreateClient(s, b.Height, b.Time, cs, cons); err != nil {
			return nil, fmt.Errorf("create client of consumer %s: %w", c.ChainId, err)
		}
	}

	// The consumer's client of the provider: trusted at this block's header.
	providerHeight := clienttypes.NewHeight(clienttypes.ParseChainID(k.ChainID), uint64(b.Height))
	pcs := newClientState(k.ChainID, providerHeight, time.Duration(p.TrustingPeriodFraction.MulFloor(uint64(unbonding))), unbonding, p.MaxClockDrift)
	pcons := ibctm.NewConsensusState(b.Time, commitmenttypes.NewMerkleRoot(b.AppHash), b.NextValidatorsHash)
	g := ccv.ConsumerGenesis{
		ProviderClientState: mustMarshal(pcs), ProviderConsensusState: mustMarshal(pcons),
		InitialValidators: initial, Params: cp, ConsumerId: c.ConsumerId,
	}
	if c.Init.Changeover {
		g.Changeover = &ccv.Changeover{ChainId: c.ChainId, Height: c.Init.InitialHeight, ConnectionId: consumerConn}
	}
	if err := g.Validate(); err != nil {
		return nil, fmt.Errorf("genesis of consumer %s: %w", c.ChainId, err)
	}
	typed.Set(kv(s), GenesisKey(c.ConsumerId), &g)
	kv(s).Set(ClientKey(clientID), []byte(c.ConsumerId))
	sets.StoreSet(s, c.ConsumerId, nil, set, b.Time)

	c.Phase = registry.PHASE_LAUNCHED
	c.ClientId = clientID
	c.LaunchHeight = b.Height
	c.LaunchTime = b.Time.UnixNano()
	registry.Set(s, c)
	k.log().Info("consumer launched", "consumer_id", c.ConsumerId, "chain_id", c.ChainId, "client_id", clientID, "validators", len(set))
	if consumerConn != "" {
		return []abci.Event{event.New("consumer_client_reused", "consumer_id", c.ConsumerId, "chain_id", c.ChainId, "client_id", clientID,
			"connection_id", c.Init.ConnectionId, "counterparty_connection_id", consumerConn)}, nil
	}
	return []abci.Event{event.New("consumer_client_created", "consumer_id", c.ConsumerId, "chain_id", c.ChainId, "client_id", clientID,
		"initial_height", consumerHeight.String(), "trusting_period", cs.TrustingPeriod.String(),
		"unbonding_period", cs.UnbondingPeriod.String(),
		"initialization_timeout", strconv.FormatInt(b.Time.Add(p.InitTimeoutPeriod).UnixNano(), 10))}, nil
}

// notLaunched puts a consumer that cannot launch back to registered.
func (k *Keeper) notLaunched(s state.Store, c registry.Consumer, reason string) []abci.Event {
	c.Phase = registry.PHASE_REGISTERED
	registry.Set(s, c)
	k.log().Error("consumer not launched", "consumer_id", c.ConsumerId, "chain_id", c.ChainId, "reason", reason)
	return []abci.Event{event.New("consumer_not_launched", "consumer_id", c.ConsumerId, "chain_id", c.ChainId,
		"reason", reason+": back to registered")}
}

// reusable returns the client of the connection a changeover consumer
// names, and the connection's end on the consumer; reason says why it
// cannot be used: the connection is not open, its client is not an active
// client of the consumer's chain, or it tracks another consumer already.
func (k *Keeper) reusable(s state.Store, c registry.Consumer, now time.Time) (clientID, counterparty, reason string) {
	conn, ok := k.Channels.Connection(s, c.Init.ConnectionId)
	if !ok || conn.State != connectiontypes.OPEN {
		return "", "", fmt.Sprintf("connection %s to reuse is not open", c.Init.ConnectionId)
	}
	if chain, active := k.Clients.TrackedChain(s, conn.ClientId, now); chain != c.ChainId || !active {
		return "", "", fmt.Sprintf("connection %s is on client %s of chain %q (active: %t), not an active client of %s",
			c.Init.ConnectionId, conn.ClientId, chain, active, c.ChainId)
	}
	if other := kv(s).Get(ClientKey(conn.ClientId)); other != nil {
		return "", "", fmt.Sprintf("client %s tracks consumer %s already", conn.ClientId, other)
	}
	return conn.ClientId, conn.Counterparty.ConnectionId, ""
}

// newClientState returns a 07-tendermint client state with the SDK's proof
// specs and trust level 1/3.
func newClientState(chainID string, latest clienttypes.Height, trusting, unbonding, drift time.Duration) *ibctm.ClientState {
	return ibctm.NewClientState(chainID, ibctm.DefaultTrustLevel, time.Duration(trusting), unbonding, drift, latest,
		commitmenttypes.GetSDKSpecs(), []string{"upgrade", "upgradedIBCState"})
}

// stop marks a consumer as stopped for reason; its state goes at the end
// of the block.
func (k *Keeper) stop(s state.Store, consumerID, reason string) {
	c, ok := k.Consumer(s, consumerID)
	if !ok || !c.Live() {
		return
	}
	c.Phase = registry.PHASE_STOPPED
	c.StopReason = reason
	registry.Set(s, c)
	k.log().Info("consumer stopped", "consumer_id", consumerID, "chain_id", c.ChainId, "reason", reason)
}

// finishStop releases a stopped consumer's holds, closes its channel if it
// is open and deletes all its state.
func (k *Keeper) finishStop(s state.Store, c registry.Consumer, now time.Time) []abci.Event {
	var events []abci.Event
	k.VSC().ReleaseHolds(s, c.ConsumerId, ^uint64(0))
	if c.ChannelId != "" {
		if k.Channels.ChannelOpen(s, ccv.ProviderPortID, c.ChannelId) {
			if evs, err := k.Channels.ChanCloseInit(s, now, ccv.ProviderPortID, c.ChannelId); err != nil {
				k.log().Error("close CCV channel", "consumer_id", c.ConsumerId, "channel_id", c.ChannelId, "err", err)
			} else {
				events = append(events, evs...)
			}
		}
	}
	k.deleteConsumer(s, c)
	return append(events, event.New("consumer_stopped", "consumer_id", c.ConsumerId, "chain_id", c.ChainId, "reason", c.StopReason))
}

// deleteConsumer empties its reward pool into the community pool and
// deletes all of a consumer's state (genesis, opt-ins, reward denominations,
// commissions, its client and channel mappings, and every key of package
// vsc) and keeps its record, in phase deleted, to name it.
func (k *Keeper) deleteConsumer(s state.Store, c registry.Consumer) {
	k.Rewards().Drain(s, c.ConsumerId)
	st := kv(s)
	for _, p := range consumerPrefixes {
		typed.DeletePrefix(st, typed.Key(p, vsc.IDPart(c.ConsumerId)))
	}
	if c.ChannelId != "" {
		st.Delete(ChannelKey(c.ChannelId))
	}
	if c.ClientId != "" {
		st.Delete(ClientKey(c.ClientId))
	}
	k.VSC().DeleteConsumer(s, c.ConsumerId)
	registry.Set(s, registry.Consumer{ConsumerId: c.ConsumerId, ChainId: c.ChainId, Phase: registry.PHASE_DELETED, Owner: c.Owner,
		Metadata: c.Metadata, ClientId: c.ClientId, ChannelId: c.ChannelId, LaunchHeight: c.LaunchHeight,
		LaunchTime: c.LaunchTime, StopReason: c.StopReason})
}
