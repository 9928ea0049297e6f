package provider

import (
	"crypto/sha256"
	"fmt"
	"strconv"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cmttypes "github.com/cometbft/cometbft/types"
	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"
	commitmenttypes "github.com/cosmos/ibc-go/v10/modules/core/23-commitment/types"
	ibctm "github.com/cosmos/ibc-go/v10/modules/light-clients/07-tendermint"

	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/provider/vsc"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/state/typed"
	"github.com/abci-ics/ics/types/event"
)

// MaxChainIDLen bounds the chain id of a consumer.
const MaxChainIDLen = 50

// sentinelRoot is the commitment root of the provider's first consensus
// state of a consumer: the consumer has no state the provider could know
// of before its first header, so nothing can be proven at that height.
var sentinelRoot = func() []byte { h := sha256.Sum256([]byte("sentinel_root")); return h[:] }()

// Consumer returns the record of the consumer chainID.
func (*Keeper) Consumer(s state.Store, chainID string) (Consumer, bool) {
	return typed.Get[Consumer](kv(s), ConsumerKey(chainID))
}

// Consumers returns every consumer, by chain id length then chain id.
func (*Keeper) Consumers(s state.Store) []Consumer {
	return typed.All[Consumer](kv(s), []byte{prefixConsumer})
}

func setConsumer(s state.Store, c Consumer) { typed.Set(kv(s), ConsumerKey(c.ChainId), &c) }

// ConsumerGenesis returns the genesis of a launched consumer.
func (*Keeper) ConsumerGenesis(s state.Store, chainID string) (ccv.ConsumerGenesis, bool) {
	return typed.Get[ccv.ConsumerGenesis](kv(s), GenesisKey(chainID))
}

func checkChainID(id string) error {
	if id == "" || len(id) > MaxChainIDLen {
		return fmt.Errorf("%w: chain id must be 1 to %d bytes", ErrInvalidProposal, MaxChainIDLen)
	}
	for _, r := range id {
		if r <= ' ' || r > '~' || r == '/' {
			return fmt.Errorf("%w: chain id %q has a character outside printable ASCII or '/'", ErrInvalidProposal, id)
		}
	}
	return nil
}

// Validate checks a consumer addition proposal statelessly.
func (p *ConsumerAdditionProposal) Validate() error {
	if err := checkChainID(p.ChainId); err != nil {
		return err
	}
	if p.InitialHeight == 0 {
		return fmt.Errorf("%w: initial height must be positive", ErrInvalidProposal)
	}
	if p.SpawnTime <= 0 {
		return fmt.Errorf("%w: spawn time must be set", ErrInvalidProposal)
	}
	if err := p.Params.Validate(); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidProposal, err)
	}
	return nil
}

// Validate checks a consumer removal proposal statelessly.
func (p *ConsumerRemovalProposal) Validate() error {
	if err := checkChainID(p.ChainId); err != nil {
		return err
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

// ExecuteAddition registers the consumer of a passed addition proposal
// (the gov Handler). It returns ErrConsumerExists for a chain id in use
// (the provider's own included).
func (k *Keeper) ExecuteAddition(s state.Store, height int64, now time.Time, content []byte) error {
	var p ConsumerAdditionProposal
	if err := p.Unmarshal(content); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidProposal, err)
	}
	if err := p.Validate(); err != nil {
		return err
	}
	if _, ok := k.Consumer(s, p.ChainId); ok || p.ChainId == k.ChainID {
		return fmt.Errorf("%w: %s", ErrConsumerExists, p.ChainId)
	}
	setConsumer(s, Consumer{ChainId: p.ChainId, Phase: PHASE_REGISTERED, Proposal: p})
	k.log().Info("consumer registered", "chain_id", p.ChainId, "spawn_time", unixNano(p.SpawnTime))
	return nil
}

// ExecuteRemoval schedules the stop of the consumer of a passed removal
// proposal. It returns ErrConsumerNotFound for an unknown chain.
func (k *Keeper) ExecuteRemoval(s state.Store, height int64, now time.Time, content []byte) error {
	var p ConsumerRemovalProposal
	if err := p.Unmarshal(content); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidProposal, err)
	}
	if err := p.Validate(); err != nil {
		return err
	}
	c, ok := k.Consumer(s, p.ChainId)
	if !ok || c.Phase == PHASE_STOPPING {
		return fmt.Errorf("%w: %s", ErrConsumerNotFound, p.ChainId)
	}
	c.StopTime = p.StopTime
	setConsumer(s, c)
	return nil
}

// launch computes a registered consumer's first validator set, creates
// the provider's client of it and stores its genesis. A consumer whose set
// would be empty is not launched and is deleted.
func (k *Keeper) launch(s state.Store, p Params, c Consumer, b Block) ([]abci.Event, error) {
	sets := k.VSC()
	set := sets.NextSet(s, c.ChainId, k.Staking.BondedValidators(s))
	if len(set) == 0 {
		k.deleteConsumer(s, c.ChainId)
		k.log().Error("consumer not launched: empty validator set", "chain_id", c.ChainId)
		return []abci.Event{event.New("consumer_not_launched", "chain_id", c.ChainId, "reason", "empty validator set")}, nil
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
	cp := c.Proposal.Params

	// The provider's client of the consumer: trusted at the consumer's
	// initial height, with the first validator set as next validators.
	rev := clienttypes.ParseChainID(c.ChainId)
	consumerHeight := clienttypes.NewHeight(rev, c.Proposal.InitialHeight)
	cs := newClientState(c.ChainId, consumerHeight, time.Duration(p.TrustingPeriodFraction.MulFloor(uint64(cp.UnbondingPeriod))), cp.UnbondingPeriod, p.MaxClockDrift)
	cons := ibctm.NewConsensusState(b.Time, commitmenttypes.NewMerkleRoot(sentinelRoot), valset.Hash())
	clientID, err := k.Clients.CreateClient(s, b.Height, b.Time, cs, cons)
	if err != nil {
		return nil, fmt.Errorf("create client of consumer %s: %w", c.ChainId, err)
	}

	// The consumer's client of the provider: trusted at this block's header.
	providerHeight := clienttypes.NewHeight(clienttypes.ParseChainID(k.ChainID), uint64(b.Height))
	pcs := newClientState(k.ChainID, providerHeight, time.Duration(p.TrustingPeriodFraction.MulFloor(uint64(unbonding))), unbonding, p.MaxClockDrift)
	pcons := ibctm.NewConsensusState(b.Time, commitmenttypes.NewMerkleRoot(b.AppHash), b.NextValidatorsHash)
	g := ccv.ConsumerGenesis{
		ProviderClientState: mustMarshal(pcs), ProviderConsensusState: mustMarshal(pcons),
		InitialValidators: initial, Params: cp,
	}
	if err := g.Validate(); err != nil {
		return nil, fmt.Errorf("genesis of consumer %s: %w", c.ChainId, err)
	}
	typed.Set(kv(s), GenesisKey(c.ChainId), &g)
	kv(s).Set(ClientKey(clientID), []byte(c.ChainId))
	sets.StoreSet(s, c.ChainId, nil, set, b.Time)

	c.Phase = PHASE_LAUNCHED
	c.ClientId = clientID
	c.LaunchHeight = b.Height
	c.LaunchTime = b.Time.UnixNano()
	setConsumer(s, c)
	k.log().Info("consumer launched", "chain_id", c.ChainId, "client_id", clientID, "validators", len(set))
	return []abci.Event{event.New("consumer_client_created", "chain_id", c.ChainId, "client_id", clientID,
		"initial_height", consumerHeight.String(), "trusting_period", cs.TrustingPeriod.String(),
		"unbonding_period", cs.UnbondingPeriod.String(),
		"initialization_timeout", strconv.FormatInt(b.Time.Add(p.InitTimeoutPeriod).UnixNano(), 10))}, nil
}

// newClientState returns a 07-tendermint client state with the SDK's proof
// specs and trust level 1/3.
func newClientState(chainID string, latest clienttypes.Height, trusting, unbonding, drift time.Duration) *ibctm.ClientState {
	return ibctm.NewClientState(chainID, ibctm.DefaultTrustLevel, time.Duration(trusting), unbonding, drift, latest,
		commitmenttypes.GetSDKSpecs(), []string{"upgrade", "upgradedIBCState"})
}

// stop marks a consumer as stopping for reason; its state goes at the end
// of the block.
func (k *Keeper) stop(s state.Store, chainID, reason string) {
	c, ok := k.Consumer(s, chainID)
	if !ok || c.Phase == PHASE_STOPPING {
		return
	}
	c.Phase = PHASE_STOPPING
	c.StopReason = reason
	setConsumer(s, c)
	k.log().Info("consumer stopping", "chain_id", chainID, "reason", reason)
}

// finishStop releases a stopping consumer's holds, closes its channel if it
// is open and deletes all its state.
func (k *Keeper) finishStop(s state.Store, c Consumer, now time.Time) []abci.Event {
	var events []abci.Event
	k.VSC().ReleaseHolds(s, c.ChainId, ^uint64(0))
	if c.ChannelId != "" {
		if k.Channels.ChannelOpen(s, ccv.ProviderPortID, c.ChannelId) {
			if evs, err := k.Channels.ChanCloseInit(s, now, ccv.ProviderPortID, c.ChannelId); err != nil {
				k.log().Error("close CCV channel", "chain_id", c.ChainId, "channel_id", c.ChannelId, "err", err)
			} else {
				events = append(events, evs...)
			}
		}
		kv(s).Delete(ChannelKey(c.ChannelId))
	}
	if c.ClientId != "" {
		kv(s).Delete(ClientKey(c.ClientId))
	}
	k.deleteConsumer(s, c.ChainId)
	return append(events, event.New("consumer_stopped", "chain_id", c.ChainId, "reason", c.StopReason))
}

// deleteConsumer deletes the consumer's record and genesis, and every key
// of package vsc under its prefixes and its reserved keys.
func (k *Keeper) deleteConsumer(s state.Store, chainID string) {
	kv(s).Delete(ConsumerKey(chainID))
	kv(s).Delete(GenesisKey(chainID))
	k.VSC().DeleteConsumer(s, chainID)
}
