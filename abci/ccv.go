package abci

import (
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"
	ibctm "github.com/cosmos/ibc-go/v10/modules/light-clients/07-tendermint"

	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/chain/auth"
	"github.com/abci-ics/ics/chain/staking"
	"github.com/abci-ics/ics/consumer"
	"github.com/abci-ics/ics/ibc/channel"
	"github.com/abci-ics/ics/ibc/client"
	"github.com/abci-ics/ics/provider"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/fraction"
)

// Role is what a chain is in Interchain Security.
type Role string

// The two roles.
const (
	// RoleProvider: a proof-of-stake chain with governance that launches
	// consumer chains and lends them its validators.
	RoleProvider Role = "provider"
	// RoleConsumer: a chain whose validator set is whatever its provider
	// sends; it has no staking, distribution or governance of its own.
	RoleConsumer Role = "consumer"
)

// This file wires the CCV packages: the adapters through which provider
// sees staking, the clients and the channels, and those through which the
// consumer sees the IBC layer.

// providerStaking shows the provider the chain's staking.
type providerStaking struct{ k *staking.Keeper }

func (p providerStaking) view(reduction uint64, v staking.Validator) provider.Validator {
	return provider.Validator{
		ConsAddr: v.ConsAddress(), PubKey: v.PubKey, Power: v.ConsensusPower(reduction),
		Bonded: v.Status == staking.BOND_STATUS_BONDED, Jailed: v.Jailed, Tombstoned: v.Tombstoned,
	}
}

func (p providerStaking) BondedValidators(s state.Store) []provider.Validator {
	vs := p.k.BondedValidators(s)
	reduction := p.k.Params(s).PowerReduction
	out := make([]provider.Validator, 0, len(vs))
	for _, v := range vs {
		out = append(out, p.view(reduction, v))
	}
	return out
}

func (p providerStaking) ValidatorByConsAddr(s state.Store, consAddr []byte) (provider.Validator, bool) {
	v, ok := p.k.ValidatorByConsAddr(s, consAddr)
	if !ok {
		return provider.Validator{}, false
	}
	return p.view(p.k.Params(s).PowerReduction, v), true
}

func (p providerStaking) ValidatorByOperator(s state.Store, operator []byte) (provider.Validator, bool) {
	v, ok := p.k.Validator(s, operator)
	if !ok {
		return provider.Validator{}, false
	}
	return p.view(p.k.Params(s).PowerReduction, v), true
}

func (p providerStaking) Jail(s state.Store, consAddr []byte, until time.Time) error {
	return p.k.Jail(s, consAddr, until)
}

func (p providerStaking) Slash(s state.Store, consAddr []byte, infractionHeight, power int64, frac fraction.Fraction, height int64) (uint64, error) {
	return p.k.Slash(s, consAddr, infractionHeight, power, frac, height)
}

func (p providerStaking) Tombstone(s state.Store, consAddr []byte) error {
	return p.k.Tombstone(s, consAddr)
}

// providerUnbonding shows the provider the unbonding queue.
type providerUnbonding struct{ k *staking.Keeper }

func (p providerUnbonding) UnbondingPeriod(s state.Store) time.Duration {
	return p.k.Params(s).UnbondingPeriod
}

func (p providerUnbonding) EntryValidator(s state.Store, id uint64) ([]byte, bool) {
	e, ok := p.k.UnbondingEntry(s, id)
	if !ok {
		return nil, false
	}
	v, ok := p.k.Validator(s, e.Validator)
	if !ok {
		return nil, false
	}
	return v.ConsAddress(), true
}

func (p providerUnbonding) PutOnHold(s state.Store, id uint64, holder string) error {
	return p.k.PutOnHold(s, id, holder)
}

func (p providerUnbonding) ReleaseHold(s state.Store, id uint64, holder string) error {
	return p.k.ReleaseHold(s, id, holder)
}

// ccvClients shows the CCV packages the light clients.
type ccvClients struct{ k client.Keeper }

func (c ccvClients) CreateClient(s state.Store, height int64, now time.Time, cs *ibctm.ClientState, cons *ibctm.ConsensusState) (string, error) {
	return c.k.CreateClient(s, height, now, cs, cons)
}

func (c ccvClients) VerifyHeader(s state.Store, clientID string, now time.Time, h *ibctm.Header) error {
	_, _, err := c.k.VerifyHeader(s, clientID, now, h)
	return err
}

// ccvChannels shows the CCV packages the channels.
type ccvChannels struct{ k *channel.Keeper }

func (c ccvChannels) SendPacket(s state.Store, height int64, now time.Time, port, ch string, timeoutHeight clienttypes.Height, timeoutTimestamp uint64, data []byte) (uint64, []abcitypes.Event, error) {
	return c.k.SendPacket(s, height, now, port, ch, timeoutHeight, timeoutTimestamp, data)
}

func (c ccvChannels) ChanCloseInit(s state.Store, now time.Time, port, ch string) ([]abcitypes.Event, error) {
	return c.k.ChanCloseInit(s, now, port, ch)
}

func (c ccvChannels) ConnectionClient(s state.Store, connectionID string) (string, bool) {
	conn, ok := c.k.Connection(s, connectionID)
	return conn.ClientId, ok
}

func (c ccvChannels) ChannelOpen(s state.Store, port, ch string) bool {
	end, ok := c.k.Channel(s, port, ch)
	return ok && end.State == channeltypes.OPEN
}

// wireProvider builds the provider keeper, makes it staking's hook and key
// registry, binds the provider port and registers its proposals, messages
// and parameters.
func (a *App) wireProvider() {
	a.provider = &provider.Keeper{
		Staking: providerStaking{a.staking}, Unbonding: providerUnbonding{a.staking},
		Clients: ccvClients{a.clients}, Channels: ccvChannels{a.channels}, Logger: a.log,
		FeePoolAddr: "",
	}
	a.staking.Hooks = a.provider
	a.staking.Keys = a.provider
	a.channels.BindPort(ccv.ProviderPortID, a.provider)
	a.gov.RegisterHandler(auth.TypeURL(&provider.ConsumerAdditionProposal{}), provider.CheckAddition, a.provider.ExecuteAddition)
	a.gov.RegisterHandler(auth.TypeURL(&provider.ConsumerRemovalProposal{}), provider.CheckRemoval, a.provider.ExecuteRemoval)
	a.gov.RegisterParamSpace("provider", paramSpace(a.provider.Params, a.provider.SetParams))

	// The provider's end block runs after staking's, on the set it chose.
	stakingEnd := a.valset
	a.valset = func(s state.Store, b Block) ([]abcitypes.ValidatorUpdate, []abcitypes.Event, error) {
		updates, events, err := stakingEnd(s, b)
		if err != nil {
			return nil, nil, err
		}
		evs, err := a.provider.EndBlock(s, provider.Block{Height: b.Height, Time: b.Time, AppHash: b.AppHash, NextValidatorsHash: b.NextValidatorsHash})
		if err != nil {
			return nil, nil, err
		}
		return updates, append(events, evs...), nil
	}
	handle(a, func(s state.Store, b Block, signer []byte, m *provider.MsgAssignConsumerKey) ([]abcitypes.Event, error) {
		return a.provider.HandleAssignConsumerKey(s, b.Height, b.Time, signer, m)
	})
	handle(a, func(s state.Store, b Block, signer []byte, m *provider.MsgSubmitConsumerDoubleVoting) ([]abcitypes.Event, error) {
		return a.provider.HandleSubmitConsumerDoubleVoting(s, b.Height, b.Time, signer, m)
	})
	handle(a, func(s state.Store, b Block, signer []byte, m *provider.MsgSubmitConsumerMisbehaviour) ([]abcitypes.Event, error) {
		return a.provider.HandleSubmitConsumerMisbehaviour(s, b.Height, b.Time, signer, m)
	})
}

// wireConsumer builds the consumer keeper, binds the consumer port and
// makes the consumer's changes the chain's validator updates.
func (a *App) wireConsumer() {
	a.consumer = &consumer.Keeper{Clients: ccvClients{a.clients}, Channels: ccvChannels{a.channels}, Logger: a.log}
	a.channels.BindPort(ccv.ConsumerPortID, a.consumer)
	a.AddBeginBlocker(func(s state.Store, b Block) ([]abcitypes.Event, error) {
		return a.consumer.BeginBlock(s, b.Height, b.Time, b.LastCommit)
	})
	a.valset = func(s state.Store, b Block) ([]abcitypes.ValidatorUpdate, []abcitypes.Event, error) {
		return a.consumer.EndBlock(s, b.Height, b.Time)
	}
}

// feePoolAddr is the address consumers send the provider's share of their
// fees to: the fee collector.
func feePoolAddr(prefix string) string { return address.Encode(prefix, FeeCollectorAddress()) }
