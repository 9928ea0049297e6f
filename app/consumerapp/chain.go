package consumerapp

import (
	"errors"
	"fmt"
	"slices"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	dbm "github.com/cosmos/cosmos-db"

	"github.com/abci-ics/ics/abci"
	"github.com/abci-ics/ics/app"
	"github.com/abci-ics/ics/app/pos"
	"github.com/abci-ics/ics/app/providerapp"
	"github.com/abci-ics/ics/chain/auth"
	"github.com/abci-ics/ics/chain/bank"
	"github.com/abci-ics/ics/chain/staking"
	"github.com/abci-ics/ics/consumer"
	"github.com/abci-ics/ics/grpcquery"
	"github.com/abci-ics/ics/ibc/channel"
	"github.com/abci-ics/ics/interchain"
	"github.com/abci-ics/ics/interchain/ibcgo"
	"github.com/abci-ics/ics/provider"
	"github.com/abci-ics/ics/state"
)

// Stores are the stores of a consumer chain's state, in the order they
// have always had.
var Stores = []string{auth.StoreName, bank.StoreName, consumer.StoreName, channel.StoreName}

// OwnStakingStores are the stores of a consumer chain with its own proof
// of stake.
var OwnStakingStores = slices.Concat([]string{auth.StoreName, bank.StoreName}, pos.Stores, []string{consumer.StoreName, channel.StoreName})

// Factory assembles consumer chains.
type Factory struct {
	// Logger may be nil.
	Logger interchain.Logger
	// OwnStaking makes a new chain a consumer with its own proof of stake,
	// dormant (see app/pos): its stores are OwnStakingStores and its
	// genesis must have the staking module (app.Genesis.OwnStaking). Open
	// assembles the own proof of stake when the state's stores include
	// staking's; the multistore is opened with Stores, so a node gives
	// the OwnStaking of its genesis (nodehome does).
	OwnStaking bool
}

var _ abci.Factory = Factory{}

// Stores implements abci.Factory.
func (f Factory) Stores() []string {
	if f.OwnStaking {
		return OwnStakingStores
	}
	return Stores
}

// Open assembles the consumer chain whose committed state is s, which has
// the stores named.
func (f Factory) Open(s state.Store, stores []string) (abci.Chain, error) {
	if slices.Contains(stores, provider.StoreName) {
		// A consumer that turned sovereign is a provider with no consumers.
		return providerapp.Factory{Logger: f.Logger}.Open(s, stores)
	}
	acc, err := app.OpenAccounts(s)
	if err != nil {
		return nil, err
	}
	return newChain(acc, f.Logger, slices.Contains(stores, staking.StoreName)), nil
}

// InitChain assembles the chain from its genesis, which carries the
// consumer genesis the provider computed, and writes it into s. It returns
// the initial validator set the provider chose.
func (f Factory) InitChain(s state.Store, chainID string, appState []byte, height int64, now time.Time) (abci.Chain, []abcitypes.ValidatorUpdate, error) {
	g, err := app.ParseGenesisFor(appState, app.RoleConsumer)
	if err != nil {
		return nil, nil, err
	}
	if g.OwnStaking() != f.OwnStaking {
		return nil, nil, fmt.Errorf("%w: own staking in the genesis is %t, in the chain %t", abci.ErrInvalidGenesis, g.OwnStaking(), f.OwnStaking)
	}
	c := newChain(app.NewAccounts(chainID, g.Auth.Params.Bech32Prefix), f.Logger, f.OwnStaking)
	if err := c.Accounts.InitGenesis(s, g); err != nil {
		return nil, nil, err
	}
	if c.PoS != nil {
		// Staking's initial set is not CometBFT's: the provider's is.
		if _, err := c.PoS.InitGenesis(s, g, height, now); err != nil {
			return nil, nil, err
		}
	}
	updates, err := c.ICS.InitGenesis(s, g.Consumer, &g.Transfer, height, now)
	if err != nil {
		return nil, nil, err
	}
	return c, updates, nil
}

// Chain is an assembled consumer chain.
type Chain struct {
	*app.Accounts
	// PoS is the chain's own proof of stake, dormant while it is a
	// consumer; nil on a consumer without.
	PoS *pos.PoS
	ICS *interchain.Consumer

	routes app.Routes
	log    interchain.Logger
	grpc   *grpcquery.Router
}

var _ abci.Chain = (*Chain)(nil)

// newChain wires the modules of a consumer whose accounts are acc, with
// its own proof of stake when ownStaking. The consumer's share of the fees
// then stays in the fee collector, which distribution pays out to the
// chain's own stakers at the start of the next block.
func newChain(acc *app.Accounts, log interchain.Logger, ownStaking bool) *Chain {
	c := &Chain{Accounts: acc, routes: app.Routes{}, log: log}
	acc.Route(c.routes)
	if ownStaking {
		c.PoS = pos.New(acc)
		c.PoS.Dormant = true
		c.PoS.Route(c.routes)
		c.routeSovereign()
	}
	c.ICS = interchain.NewConsumer(interchain.ConsumerConfig{
		ChainID: acc.ChainID(), Prefix: acc.Prefix, Bank: acc.Bank, Logger: log,
		Balances: acc.Bank.Balances, FeeCollector: app.FeeCollectorAddress(),
	})
	c.ICS.Keeper.KeepInFeeCollector = ownStaking
	app.RouteIBCGo(c.routes, ibcgo.Routes(c.ICS, acc.Prefix))
	c.grpc = c.newRouter()
	return c
}

// Handles implements abci.Chain: the consumer's messages are its own proof
// of stake's, when it has one, and the interchain layer's.
func (c *Chain) Handles(typeURL string) bool {
	_, ok := c.routes[typeURL]
	return ok || c.ICS.Handles(typeURL)
}

// HandleMsg implements abci.Chain.
func (c *Chain) HandleMsg(s state.Store, b abci.Block, signer []byte, m abci.Msg) ([]abcitypes.Event, error) {
	if h, ok := c.routes[m.TypeURL]; ok {
		return h(s, b, signer, m.Value)
	}
	return c.ICS.HandleMsg(s, app.LayerBlock(b), signer, m.TypeURL, m.Value)
}

// BeginBlock runs the consumer's downtime detection, then its own
// distribution when it has one: the fee collector holds the consumer's
// share of the previous block's fees, the provider's having been split off
// at that block's end.
func (c *Chain) BeginBlock(s state.Store, b abci.Block) ([]abcitypes.Event, error) {
	evs, err := c.ICS.BeginBlock(s, app.LayerBlock(b))
	if err != nil || c.PoS == nil {
		return evs, err
	}
	more, err := c.PoS.BeginBlock(s, b)
	if err != nil {
		return nil, err
	}
	return append(evs, more...), nil
}

// EndBlock runs the chain's own governance and staking when it has them,
// whose validator updates CometBFT never sees, then applies the
// validator-set changes from the provider and returns them for CometBFT.
func (c *Chain) EndBlock(s state.Store, b abci.Block) ([]abcitypes.ValidatorUpdate, []abcitypes.Event, error) {
	var events []abcitypes.Event
	if c.PoS != nil {
		_, evs, _, err := c.PoS.EndBlock(s, b)
		if err != nil {
			return nil, nil, err
		}
		events = evs
	}
	updates, evs, err := c.ICS.EndBlock(s, app.LayerBlock(b))
	if err != nil {
		return nil, nil, err
	}
	events = append(events, evs...)
	evs, err = c.planOnStop(s, b)
	if err != nil {
		return nil, nil, err
	}
	return updates, append(events, evs...), nil
}

// Query answers the accounts', the own proof of stake's and the
// interchain layer's paths.
func (c *Chain) Query(s state.Store, path string, now time.Time) ([]byte, error) {
	bz, err := c.Accounts.Query(s, path)
	if !errors.Is(err, abci.ErrUnknownQuery) {
		return bz, err
	}
	if c.PoS != nil {
		if path == PathSovereignTransition {
			return querySovereign(s)
		}
		if bz, ok, err := c.PoS.Query(s, path); ok {
			return bz, err
		}
	}
	bz, err = c.ICS.Query(s, path, now)
	if errors.Is(err, interchain.ErrUnknownQuery) {
		return nil, fmt.Errorf("%w: %q", abci.ErrUnknownQuery, path)
	}
	return bz, err
}

// New opens a consumer chain's application over db (see abci.New), with
// icsd's name and code table; a new chain has its own proof of stake when
// ownStaking.
func New(db dbm.DB, opts abci.Options, ownStaking bool) (*abci.App, error) {
	return app.Open(db, opts, Factory{Logger: opts.Logger, OwnStaking: ownStaking})
}
