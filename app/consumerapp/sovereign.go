package consumerapp

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"

	"github.com/abci-ics/ics/abci"
	"github.com/abci-ics/ics/app"
	"github.com/abci-ics/ics/app/providerapp"
	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/chain/auth"
	"github.com/abci-ics/ics/chain/gov"
	"github.com/abci-ics/ics/chain/staking"
	"github.com/abci-ics/ics/consumer"
	"github.com/abci-ics/ics/consumer/sovereign"
	"github.com/abci-ics/ics/provider"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/coin"
	"github.com/abci-ics/ics/types/event"
	"github.com/abci-ics/ics/types/fraction"
)

// A consumer with its own proof of stake turns sovereign (SPEC 9) at the
// height its plan gives (consumer/sovereign): planned by its governance
// (MsgScheduleSovereignTransition as a proposal's content), or for the
// next block when the provider stopped it. The transition, first in that
// block, makes it what a standalone chain is, a provider with no
// consumers (app/providerapp):
//
//   - stores: the provider's is added, the consumer's retired;
//   - the CCV channel is closed (the provider stops the consumer when the
//     relayer brings it the closing) and the packets still queued for the
//     provider are dropped, with an event;
//   - what waits in the provider-reward account goes to the community
//     pool;
//   - every validator of the last CCV set bonds the plan's self-bond,
//     minted, to a validator of the chain's staking: to the one with its
//     consensus key when there is one (with what was delegated to it
//     before), else to a new one operated by the account of its consensus
//     key;
//   - the block's validator updates give the chain's staking set its
//     powers and remove the CCV members it does not have
//     (sovereign.Handover): they take effect two blocks later, so every
//     height has a full set.
//
// The IBC store stays: the client of the provider, its connection and the
// transfer channel keep working.

// sovereignStores are the stores the transition adds and retires.
var sovereignStores = state.StoreUpgrade{Added: []string{provider.StoreName}, Removed: []string{consumer.StoreName}}

// Validators created by the transition take this commission (at most
// maxCommission): they may change it as any validator does.
var (
	sovereignCommission    = fraction.New(5, 100)
	sovereignMaxCommission = fraction.New(20, 100)
)

// EventSovereign is the event of the transition: the validators that
// bonded and the number of packets dropped.
const EventSovereign = "sovereign_transition"

// TransitionAt implements abci.Transitioner: a consumer with its own proof
// of stake turns sovereign at its plan's height.
func (c *Chain) TransitionAt(s state.Store, b abci.Block) (abci.Transition, bool) {
	if c.PoS == nil {
		return abci.Transition{}, false
	}
	plan, ok := sovereign.Due(s, b.Height)
	if !ok {
		return abci.Transition{}, false
	}
	// What the consumer store tells is read before it is retired.
	k := c.ICS.Keeper
	set := k.ValidatorSet(s)
	channel, _ := k.ProviderChannel(s)
	dropped := len(k.PendingPackets(s))
	return abci.Transition{Name: "sovereign", Stores: sovereignStores, Apply: func(s state.Store, b abci.Block) (abci.Chain, []abcitypes.Event, error) {
		return c.turnSovereign(s, b, plan, set, channel, dropped)
	}}, true
}

// turnSovereign is the transition's migration (see above); it returns the
// chain that runs from this block on.
func (c *Chain) turnSovereign(s state.Store, b abci.Block, plan sovereign.SovereignTransition, set []consumer.CrossChainValidator, channel string, dropped int) (abci.Chain, []abcitypes.Event, error) {
	var events []abcitypes.Event
	if end, ok := c.ICS.Channels.Channel(s, ccv.ConsumerPortID, channel); ok && end.State != channeltypes.CLOSED {
		evs, err := c.ICS.Channels.ChanCloseInit(s, b.Time, ccv.ConsumerPortID, channel)
		if err != nil {
			// The client of the provider expired: nobody can be told;
			// the channel closes all the same.
			c.ICS.Channels.SetClosed(s, ccv.ConsumerPortID, channel)
			evs = []abcitypes.Event{event.New("channel_close_init", "port_id", ccv.ConsumerPortID, "channel_id", channel, "error", err.Error())}
		}
		events = append(events, evs...)
	}
	if left := c.Bank.Balances(s, consumer.ToProviderAddress()); len(left) > 0 {
		if err := c.PoS.Dist.FundCommunityPool(s, consumer.ToProviderAddress(), left); err != nil {
			return nil, nil, fmt.Errorf("move the provider's rewards to the community pool: %w", err)
		}
	}
	next, err := providerapp.Factory{Logger: c.log}.Open(s, nil)
	if err != nil {
		return nil, nil, err
	}
	pc := next.(*providerapp.Chain)
	if err := pc.ICS.Keeper.InitGenesis(s, provider.DefaultGenesis(), b.Time); err != nil {
		return nil, nil, fmt.Errorf("provider genesis: %w", err)
	}
	ccvSet := make([]abcitypes.ValidatorUpdate, len(set))
	for i, v := range set {
		ccvSet[i] = abcitypes.Ed25519ValidatorUpdate(v.PubKey, v.Power)
		if err := bondSelf(s, pc, b, v.PubKey, plan.SelfBond); err != nil {
			return nil, nil, fmt.Errorf("validator %X: %w", v.Address, err)
		}
	}
	events = append(events, event.New(EventSovereign, "height", strconv.FormatInt(b.Height, 10), "reason", plan.Reason,
		"validators", strconv.Itoa(len(set)), "self_bond", strconv.FormatUint(plan.SelfBond, 10), "packets_dropped", strconv.Itoa(dropped)))
	return &handover{Chain: pc, height: b.Height, ccv: ccvSet}, events, nil
}

// bondSelf bonds amount, minted, for the holder of consensus key pub: to
// the validator with that key, else to the validator the account of the
// key operates (it created one with another key), else to a new one
// operated by that account, with at least staking's minimum
// self-delegation (governance may have raised it after the plan).
func bondSelf(s state.Store, pc *providerapp.Chain, b abci.Block, pub []byte, amount uint64) error {
	p := pc.Staking.Params(s)
	operator := address.FromPubKey(pub)
	v, ok := pc.Staking.ValidatorByConsAddr(s, staking.ConsAddress(pub))
	if !ok {
		v, ok = pc.Staking.Validator(s, operator)
	}
	if ok {
		operator = v.Operator
	} else {
		amount = max(amount, p.MinSelfDelegation)
	}
	if err := pc.Bank.Mint(s, operator, []coin.Coin{{Denom: p.BondDenom, Amount: amount}}); err != nil {
		return err
	}
	if ok {
		if _, found := pc.Staking.Delegation(s, operator, operator); found {
			if err := pc.Dist.BeforeDelegationSharesModified(s, operator, operator); err != nil {
				return err
			}
		}
		if _, err := pc.Staking.Delegate(s, b.Height, b.Time, operator, &staking.MsgDelegate{Delegator: operator, Validator: operator, Amount: amount}); err != nil {
			return err
		}
	} else {
		m := &staking.MsgCreateValidator{Operator: operator, PubKey: bytes.Clone(pub), Moniker: "ccv-" + hex.EncodeToString(pub[:4]),
			CommissionRate: sovereignCommission, CommissionMaxRate: sovereignMaxCommission, SelfDelegation: amount}
		if _, err := pc.Staking.CreateValidator(s, b.Height, b.Time, operator, m); err != nil {
			return err
		}
	}
	pc.Dist.AfterDelegationModified(s, operator, operator)
	return nil
}

// handover is the sovereign chain in the block of its transition: its
// EndBlock returns the whole set its staking chose, with the CCV members
// it does not have removed (sovereign.Handover), instead of staking's
// changes against a set CometBFT never had. In later blocks (until the
// node reopens it as a plain provider chain) it is the chain itself.
type handover struct {
	*providerapp.Chain
	height int64
	ccv    []abcitypes.ValidatorUpdate
}

func (h *handover) EndBlock(s state.Store, b abci.Block) ([]abcitypes.ValidatorUpdate, []abcitypes.Event, error) {
	updates, events, err := h.Chain.EndBlock(s, b)
	if err != nil || b.Height != h.height {
		return updates, events, err
	}
	updates, err = sovereign.Handover(h.ccv, h.Staking.LastValidatorSet(s))
	if err != nil {
		return nil, nil, err
	}
	return updates, events, nil
}

// PathSovereignTransition is the query of the planned transition
// (SovereignTransitionJSON).
const PathSovereignTransition = "/consumer/sovereign-transition"

// SovereignTransitionJSON answers PathSovereignTransition: whether a
// transition is planned, and the plan.
type SovereignTransitionJSON struct {
	Planned  bool   `json:"planned"`
	Height   int64  `json:"height,string"`
	SelfBond uint64 `json:"self_bond,string"`
	Reason   string `json:"reason,omitempty"`
}

func querySovereign(s state.Store) ([]byte, error) {
	p, ok := sovereign.Planned(s)
	return app.JSON(SovereignTransitionJSON{Planned: ok, Height: p.Height, SelfBond: p.SelfBond, Reason: p.Reason})
}

// planOnStop plans the transition for the next block when the provider
// stopped the consumer (its CCV channel closed or timed out) and nothing
// is planned: each validator of the last CCV set then bonds one unit of
// power.
func (c *Chain) planOnStop(s state.Store, b abci.Block) ([]abcitypes.Event, error) {
	if c.PoS == nil || !c.ICS.Keeper.Stopped(s) {
		return nil, nil
	}
	if _, ok := sovereign.Planned(s); ok {
		return nil, nil
	}
	return sovereign.Schedule(s, b.Height, sovereign.SovereignTransition{Height: b.Height + 1,
		SelfBond: c.PoS.Staking.Params(s).PowerReduction, Reason: sovereign.ReasonStopped})
}

// routeSovereign lets governance plan the transition: a proposal whose
// content is a MsgScheduleSovereignTransition from the gov module account.
func (c *Chain) routeSovereign() {
	decode := func(content []byte) (*sovereign.MsgScheduleSovereignTransition, error) {
		m := &sovereign.MsgScheduleSovereignTransition{}
		if err := m.Unmarshal(content); err != nil {
			return nil, fmt.Errorf("%w: %v", sovereign.ErrInvalidTransition, err)
		}
		return m, m.ValidateBasic()
	}
	c.PoS.Gov.RegisterHandler(auth.TypeURL(&sovereign.MsgScheduleSovereignTransition{}),
		func(content []byte) error { _, err := decode(content); return err },
		func(s state.Store, height int64, _ time.Time, content []byte) ([]abcitypes.Event, error) {
			m, err := decode(content)
			if err != nil {
				return nil, err
			}
			if min := c.PoS.Staking.Params(s).MinSelfDelegation; m.SelfBond < min {
				return nil, fmt.Errorf("%w: self-bond %d below staking's minimum self-delegation %d", sovereign.ErrInvalidTransition, m.SelfBond, min)
			}
			return sovereign.HandleSchedule(s, height, gov.ModuleAddress(), gov.ModuleAddress(), m)
		})
}
