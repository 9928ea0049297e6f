package interchain

import (
	"bytes"
	"fmt"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	gogoproto "github.com/cosmos/gogoproto/proto"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"

	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/ibc/channel"
	"github.com/abci-ics/ics/ibc/transfer"
	"github.com/abci-ics/ics/provider"
	"github.com/abci-ics/ics/provider/registry"
	"github.com/abci-ics/ics/provider/rewards"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/types/coin"
)

// ProviderConfig is what a provider chain gives the layer.
type ProviderConfig struct {
	// ChainID is the chain's id, as in its CometBFT genesis.
	ChainID string
	// Prefix is the chain's bech32 account prefix.
	Prefix string
	// Staking and Unbonding are the chain's staking as the provider sees
	// it: the bonded validators and their punishment, and holds on
	// unbonding entries.
	Staking   provider.Staking
	Unbonding provider.Unbonding
	// FeePoolAddr is the address, in bech32 with Prefix, consumers send the
	// provider's share of their fees to: the consumer-rewards pool
	// (rewards.PoolAddress) for rewards to be credited to the
	// consumers' pools and distributed (SPEC 8).
	FeePoolAddr string
	// Rewards pays the consumers' rewards out of the pool account; nil
	// leaves them there.
	Rewards rewards.Payer
	// Bank enables ICS-20 transfers; nil leaves them out.
	Bank Bank
	// Authority is the account of the chain's governance: consumers it owns
	// may be top-N, and the consumer proposals it executes act as it.
	Authority []byte
	// Entries, when set, lets the holds query describe held entries.
	Entries UnbondingEntries
	// Logger may be nil.
	Logger Logger
}

// Provider is the layer of a provider chain: IBC and the provider side of
// CCV, which lends the chain's validators to consumer chains.
type Provider struct {
	*IBC
	Keeper *provider.Keeper

	entries UnbondingEntries
}

// ProviderStores are the stores a provider's layer reads and writes.
var ProviderStores = []string{channel.StoreName, provider.StoreName}

// NewProvider builds a provider's layer, binds the CCV provider port and
// routes the provider's messages (consumer creation, update and removal,
// opt-in and opt-out, consumer commission, reward denominations, key
// assignment, consumer double votes and light-client attacks). With a
// bank, transfers received by the consumer-rewards pool are credited to
// the pool of the consumer whose connection they came over, or go to the
// community pool (see rewards.Keeper.Credit).
func NewProvider(cfg ProviderConfig) *Provider {
	l := newIBC(cfg.ChainID, cfg.Prefix, cfg.Bank)
	k := &provider.Keeper{
		Staking: cfg.Staking, Unbonding: cfg.Unbonding,
		Clients: clients{l.Clients}, Channels: channels{l.Channels, l.Packets, l.Connections},
		ChainID: cfg.ChainID, Prefix: cfg.Prefix, FeePoolAddr: cfg.FeePoolAddr, Authority: cfg.Authority,
		Payer: cfg.Rewards,
	}
	if cfg.Logger != nil {
		k.Logger = cfg.Logger
	}
	l.Channels.BindPort(ccv.ProviderPortID, k)
	reg := k.Registry()
	route(l, func(s state.Store, b Block, signer []byte, m *registry.MsgCreateConsumer) ([]abci.Event, error) {
		return reg.HandleCreateConsumer(s, b.Height, b.Time, signer, m)
	})
	route(l, func(s state.Store, b Block, signer []byte, m *registry.MsgUpdateConsumer) ([]abci.Event, error) {
		return reg.HandleUpdateConsumer(s, b.Height, b.Time, signer, m)
	})
	route(l, func(s state.Store, b Block, signer []byte, m *registry.MsgRemoveConsumer) ([]abci.Event, error) {
		return k.HandleRemoveConsumer(s, b.Height, b.Time, signer, m)
	})
	route(l, func(s state.Store, b Block, signer []byte, m *registry.MsgOptIn) ([]abci.Event, error) {
		return reg.HandleOptIn(s, b.Height, b.Time, signer, m)
	})
	route(l, func(s state.Store, b Block, signer []byte, m *registry.MsgOptOut) ([]abci.Event, error) {
		return reg.HandleOptOut(s, b.Height, b.Time, signer, m)
	})
	route(l, func(s state.Store, b Block, signer []byte, m *registry.MsgSetConsumerCommissionRate) ([]abci.Event, error) {
		return reg.HandleSetConsumerCommissionRate(s, b.Height, b.Time, signer, m)
	})
	route(l, func(s state.Store, b Block, signer []byte, m *registry.MsgChangeRewardDenoms) ([]abci.Event, error) {
		return k.Rewards().HandleChangeRewardDenoms(s, b.Height, b.Time, signer, m)
	})
	route(l, func(s state.Store, b Block, signer []byte, m *provider.MsgAssignConsumerKey) ([]abci.Event, error) {
		return k.HandleAssignConsumerKey(s, b.Height, b.Time, signer, m)
	})
	route(l, func(s state.Store, b Block, signer []byte, m *provider.MsgSubmitConsumerDoubleVoting) ([]abci.Event, error) {
		return k.HandleSubmitConsumerDoubleVoting(s, b.Height, b.Time, signer, m)
	})
	route(l, func(s state.Store, b Block, signer []byte, m *provider.MsgSubmitConsumerMisbehaviour) ([]abci.Event, error) {
		return k.HandleSubmitConsumerMisbehaviour(s, b.Height, b.Time, signer, m)
	})
	p := &Provider{IBC: l, Keeper: k, entries: cfg.Entries}
	if l.Transfer != nil {
		l.Transfer.AfterRecv = p.creditRewards
	}
	return p
}

// creditRewards accounts for a transfer received by the consumer-rewards
// pool: to the pool of the consumer whose connection the channel is on,
// or to the community pool (see rewards.Keeper.Credit).
func (p *Provider) creditRewards(s state.Store, height int64, packet channeltypes.Packet, data transfer.FungibleTokenPacketData, receiver []byte, credited coin.Coin) []abci.Event {
	if !bytes.Equal(receiver, rewards.PoolAddress()) {
		return nil
	}
	return p.Keeper.Rewards().Credit(s, height, p.consumerOfChannel(s, packet.DestinationPort, packet.DestinationChannel), data.Memo, credited)
}

// consumerOfChannel returns the launched consumer whose CCV channel is on
// the connection of the channel (portID, channelID), "" when none is.
func (p *Provider) consumerOfChannel(s state.Store, portID, channelID string) string {
	end, ok := p.Channels.Channel(s, portID, channelID)
	if !ok || len(end.ConnectionHops) != 1 {
		return ""
	}
	for _, c := range p.Keeper.Consumers(s) {
		if !c.Launched() || c.ChannelId == "" {
			continue
		}
		if ccvEnd, ok := p.Channels.Channel(s, ccv.ProviderPortID, c.ChannelId); ok && len(ccvEnd.ConnectionHops) == 1 &&
			ccvEnd.ConnectionHops[0] == end.ConnectionHops[0] {
			return c.ConsumerId
		}
	}
	return ""
}

// Stores returns the names of the stores the layer uses; the chain mounts
// them in its multistore.
func (p *Provider) Stores() []string { return ProviderStores }

// InitGenesis writes the provider's genesis g and, when the chain has
// ICS-20, the transfer genesis tg (nil for the defaults). Errors wrap
// ErrInvalidGenesis.
func (p *Provider) InitGenesis(s state.Store, g *provider.GenesisState, tg *transfer.GenesisState, now time.Time) error {
	if err := initTransfer(p.IBC, s, tg); err != nil {
		return err
	}
	if err := p.Keeper.InitGenesis(s, g, now); err != nil {
		return fmt.Errorf("%w: provider: %w", ErrInvalidGenesis, err)
	}
	return nil
}

// EndBlock runs after the chain's staking has chosen the block's validator
// set: it launches and stops consumers, sends validator-set changes at
// epoch boundaries and returns its events. See provider.Keeper.EndBlock.
func (p *Provider) EndBlock(s state.Store, b Block) ([]abci.Event, error) {
	return p.Keeper.EndBlock(s, provider.Block{Height: b.Height, Time: b.Time, AppHash: b.AppHash, NextValidatorsHash: b.NextValidatorsHash})
}

// AfterUnbondingInitiated is called by the chain with the id of every
// unbonding operation its staking reports having started, right after the
// staking call that stored its entry: the consumers that run the entry's
// validator hold it until they have matured the current change.
func (p *Provider) AfterUnbondingInitiated(s state.Store, id uint64) error {
	return p.Keeper.AfterUnbondingInitiated(s, id)
}

// IsKeyReserved reports whether a consensus public key is in use as a
// consumer key: the chain's staking refuses it for a new validator.
func (p *Provider) IsKeyReserved(s state.Store, pubKey []byte) bool {
	return p.Keeper.IsKeyReserved(s, pubKey)
}

// Proposal is a governance proposal content the provider executes: the
// chain's governance checks its content when it is submitted and executes
// it when it passes.
type Proposal struct {
	TypeURL string
	Check   func(content []byte) error
	Execute func(s state.Store, height int64, now time.Time, content []byte) ([]abci.Event, error)
}

// Proposals returns the provider's proposal contents: consumer addition
// and consumer removal, and the messages a proposal may carry (consumer
// creation, update and removal, reward denominations), executed with
// governance as the signer: their submitter or owner must be
// ProviderConfig.Authority.
func (p *Provider) Proposals() []Proposal {
	k := p.Keeper
	return []Proposal{
		{TypeURL(&provider.ConsumerAdditionProposal{}), provider.CheckAddition, k.ExecuteAddition},
		{TypeURL(&provider.ConsumerRemovalProposal{}), provider.CheckRemoval, k.ExecuteRemoval},
		msgProposal(k, func(m *registry.MsgCreateConsumer) []byte { return m.Submitter }, k.Registry().HandleCreateConsumer),
		msgProposal(k, func(m *registry.MsgUpdateConsumer) []byte { return m.Owner }, k.Registry().HandleUpdateConsumer),
		msgProposal(k, func(m *registry.MsgRemoveConsumer) []byte { return m.Owner }, k.HandleRemoveConsumer),
		msgProposal(k, func(m *registry.MsgChangeRewardDenoms) []byte { return m.Owner }, k.Rewards().HandleChangeRewardDenoms),
	}
}

// msgProposal makes a proposal content of a provider message: checked by
// its ValidateBasic and that signer(m) is the authority, executed by
// handle with the authority as the signer.
func msgProposal[T any, PT interface {
	*T
	gogoproto.Message
	Unmarshal([]byte) error
	ValidateBasic() error
}](k *provider.Keeper, signer func(PT) []byte, handle func(state.Store, int64, time.Time, []byte, PT) ([]abci.Event, error)) Proposal {
	decode := func(content []byte) (PT, error) {
		m := PT(new(T))
		if err := m.Unmarshal(content); err != nil {
			return nil, fmt.Errorf("%w: %v", provider.ErrInvalidProposal, err)
		}
		if err := m.ValidateBasic(); err != nil {
			return nil, fmt.Errorf("%w: %w", provider.ErrInvalidProposal, err)
		}
		if !bytes.Equal(signer(m), k.Authority) {
			return nil, fmt.Errorf("%w: the message must be signed by governance", provider.ErrInvalidProposal)
		}
		return m, nil
	}
	return Proposal{
		TypeURL: TypeURL(PT(new(T))),
		Check:   func(content []byte) error { _, err := decode(content); return err },
		Execute: func(s state.Store, height int64, now time.Time, content []byte) ([]abci.Event, error) {
			m, err := decode(content)
			if err != nil {
				return nil, err
			}
			return handle(s, height, now, k.Authority, m)
		},
	}
}
