package changeover

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"

	"github.com/abci-ics/ics/abci"
	"github.com/abci-ics/ics/app/consumerapp"
	"github.com/abci-ics/ics/app/providerapp"
	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/consumer"
	"github.com/abci-ics/ics/consumer/sovereign"
	"github.com/abci-ics/ics/interchain"
	"github.com/abci-ics/ics/provider"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/types/event"
)

// Stores are the stores the transition adds and retires.
var Stores = state.StoreUpgrade{Added: []string{consumer.StoreName}, Removed: []string{provider.StoreName}}

// ErrHasConsumers fails the changeover of a chain that is the provider of
// consumers: it cannot become a consumer while it provides for others.
var ErrHasConsumers = errors.New("the chain has consumers of its own")

// EventChangeover is the event of the transition: the consumer id, the
// initial set's size and the number of standalone validators that left.
const EventChangeover = "changeover"

// A Plan returns the changeover genesis the node was given; false when it
// has none. It is called at every block, so it should be cheap.
type Plan func() (*ccv.ConsumerGenesis, bool, error)

// Factory assembles standalone chains that change over by Plan.
type Factory struct {
	// Logger may be nil.
	Logger interchain.Logger
	// Plan may be nil: the chain never changes over.
	Plan Plan
}

var _ abci.Factory = Factory{}

// Stores implements abci.Factory: a new chain is a provider.
func (Factory) Stores() []string { return providerapp.Stores }

// Open implements abci.Factory: a chain whose stores include the
// consumer's changed over and is a consumer with its own proof of stake;
// any other is the standalone chain.
func (f Factory) Open(s state.Store, stores []string) (abci.Chain, error) {
	if slices.Contains(stores, consumer.StoreName) {
		return consumerapp.Factory{Logger: f.Logger, OwnStaking: true}.Open(s, stores)
	}
	c, err := providerapp.Factory{Logger: f.Logger}.Open(s, stores)
	if err != nil {
		return nil, err
	}
	return f.wrap(c), nil
}

// InitChain implements abci.Factory: the chain starts as a provider.
func (f Factory) InitChain(s state.Store, chainID string, appState []byte, height int64, now time.Time) (abci.Chain, []abcitypes.ValidatorUpdate, error) {
	c, updates, err := providerapp.Factory{Logger: f.Logger}.InitChain(s, chainID, appState, height, now)
	if err != nil {
		return nil, nil, err
	}
	return f.wrap(c), updates, nil
}

func (f Factory) wrap(c abci.Chain) abci.Chain {
	if f.Plan == nil {
		return c
	}
	return &Chain{Chain: c.(*providerapp.Chain), plan: f.Plan, log: f.Logger}
}

// Chain is a standalone chain with a changeover plan.
type Chain struct {
	*providerapp.Chain
	plan Plan
	log  interchain.Logger
}

// TransitionAt implements abci.Transitioner: the changeover is due at the
// plan's height. A plan that cannot be read, or that does not fit the
// chain, fails the block: the node stops with the error rather than go on
// without the transition the other nodes make.
func (c *Chain) TransitionAt(s state.Store, b abci.Block) (abci.Transition, bool) {
	g, ok, err := c.plan()
	switch {
	case err != nil:
		return failing(fmt.Errorf("read the changeover plan: %w", err)), true
	case !ok || g.Changeover == nil || g.Changeover.Height != uint64(b.Height):
		return abci.Transition{}, false
	}
	// What the provider store tells is read before it is retired.
	consumers := len(c.ICS.Keeper.Consumers(s))
	old := c.Staking.LastValidatorSet(s)
	return abci.Transition{Name: "changeover", Stores: Stores, Apply: func(s state.Store, b abci.Block) (abci.Chain, []abcitypes.Event, error) {
		return c.changeOver(s, b, g, consumers, old)
	}}, true
}

// failing is a transition that fails its block with err.
func failing(err error) abci.Transition {
	return abci.Transition{Name: "changeover", Apply: func(state.Store, abci.Block) (abci.Chain, []abcitypes.Event, error) {
		return nil, nil, err
	}}
}

// Check returns an error unless g is a changeover genesis for chain
// chainID: a valid consumer genesis whose Changeover names chainID. Its
// errors wrap ccv.ErrInvalidGenesis.
func Check(g *ccv.ConsumerGenesis, chainID string) error {
	if g.Changeover == nil {
		return fmt.Errorf("%w: not a changeover genesis (the provider launched consumer %q as a new chain)", ccv.ErrInvalidGenesis, g.ConsumerId)
	}
	if g.Changeover.ChainId != chainID {
		return fmt.Errorf("%w: the changeover genesis is for chain %q, this chain is %q", ccv.ErrInvalidGenesis, g.Changeover.ChainId, chainID)
	}
	return g.Validate()
}

// changeOver is the transition's migration (see the package doc); old is
// the standalone's CometBFT set. It returns the chain that runs from this
// block on.
func (c *Chain) changeOver(s state.Store, b abci.Block, g *ccv.ConsumerGenesis, consumers int, old []abcitypes.ValidatorUpdate) (abci.Chain, []abcitypes.Event, error) {
	if err := Check(g, c.ChainID()); err != nil {
		return nil, nil, err
	}
	if consumers > 0 {
		return nil, nil, fmt.Errorf("%w: the chain is the provider of %d consumers, only a chain without consumers changes over", ErrHasConsumers, consumers)
	}
	next, err := consumerapp.Factory{Logger: c.log, OwnStaking: true}.Open(s, consumerapp.OwnStakingStores)
	if err != nil {
		return nil, nil, err
	}
	cc := next.(*consumerapp.Chain)
	// The keeper's genesis only: the transfer state the chain has stays.
	initial, err := cc.ICS.Keeper.InitGenesis(s, g, b.Height, b.Time)
	if err != nil {
		return nil, nil, fmt.Errorf("consumer genesis: %w", err)
	}
	updates, err := sovereign.Handover(old, initial)
	if err != nil {
		return nil, nil, err
	}
	ev := event.New(EventChangeover, "height", strconv.FormatInt(b.Height, 10), "consumer_id", g.ConsumerId,
		"validators", strconv.Itoa(len(initial)), "validators_left", strconv.Itoa(len(updates)-len(initial)))
	return &handover{Chain: cc, height: b.Height, updates: updates}, []abcitypes.Event{ev}, nil
}

// handover is the consumer in the block of its changeover: its EndBlock
// returns the initial set with the standalone's validators removed
// instead of the consumer's own updates (none: its CCV channel is not
// open). In later blocks (until the node reopens it as a consumer chain)
// it is the chain itself.
type handover struct {
	*consumerapp.Chain
	height  int64
	updates []abcitypes.ValidatorUpdate
}

func (h *handover) EndBlock(s state.Store, b abci.Block) ([]abcitypes.ValidatorUpdate, []abcitypes.Event, error) {
	updates, events, err := h.Chain.EndBlock(s, b)
	if err != nil || b.Height != h.height {
		return updates, events, err
	}
	return h.updates, events, nil
}
