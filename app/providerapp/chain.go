package providerapp

import (
	"errors"
	"fmt"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	dbm "github.com/cosmos/cosmos-db"

	"github.com/abci-ics/ics/abci"
	"github.com/abci-ics/ics/app"
	"github.com/abci-ics/ics/app/pos"
	"github.com/abci-ics/ics/chain/auth"
	"github.com/abci-ics/ics/chain/bank"
	"github.com/abci-ics/ics/chain/distribution"
	"github.com/abci-ics/ics/chain/gov"
	"github.com/abci-ics/ics/chain/staking"
	"github.com/abci-ics/ics/grpcquery"
	"github.com/abci-ics/ics/ibc/channel"
	"github.com/abci-ics/ics/interchain"
	"github.com/abci-ics/ics/interchain/ibcgo"
	"github.com/abci-ics/ics/provider"
	"github.com/abci-ics/ics/provider/rewards"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/types/address"
)

// Stores are the stores of a provider chain's state, in the order they
// have always had.
var Stores = []string{auth.StoreName, bank.StoreName, staking.StoreName, distribution.StoreName, gov.StoreName, provider.StoreName, channel.StoreName}

// Factory assembles provider chains.
type Factory struct {
	// Logger may be nil.
	Logger interchain.Logger
}

var _ abci.Factory = Factory{}

// Stores implements abci.Factory.
func (Factory) Stores() []string { return Stores }

// Open assembles the provider chain whose committed state is s.
func (f Factory) Open(s state.Store, _ []string) (abci.Chain, error) {
	acc, err := app.OpenAccounts(s)
	if err != nil {
		return nil, err
	}
	return newChain(acc, f.Logger), nil
}

// InitChain assembles the chain from its genesis and writes it into s.
func (f Factory) InitChain(s state.Store, chainID string, appState []byte, height int64, now time.Time) (abci.Chain, []abcitypes.ValidatorUpdate, error) {
	g, err := app.ParseGenesisFor(appState, app.RoleProvider)
	if err != nil {
		return nil, nil, err
	}
	acc := app.NewAccounts(chainID, g.Auth.Params.Bech32Prefix)
	c := newChain(acc, f.Logger)
	updates, err := c.initGenesis(s, g, height, now)
	if err != nil {
		return nil, nil, err
	}
	return c, updates, nil
}

// Chain is an assembled provider chain: accounts, proof of stake and the
// interchain layer. Its modules are exported for tests and tools that read
// state through them.
type Chain struct {
	*app.Accounts
	*pos.PoS
	ICS *interchain.Provider

	routes app.Routes
	grpc   *grpcquery.Router
}

var _ abci.Chain = (*Chain)(nil)

// newChain wires the modules of a chain whose accounts are acc: the
// provider reserves the consensus keys assigned on consumers, holds the
// unbonding entries staking starts, and adds its proposals and the
// "provider" parameter space to governance.
func newChain(acc *app.Accounts, log interchain.Logger) *Chain {
	prefix := acc.Prefix
	c := &Chain{Accounts: acc, PoS: pos.New(acc), routes: app.Routes{}}
	c.ICS = interchain.NewProvider(interchain.ProviderConfig{
		ChainID: acc.ChainID(), Prefix: prefix,
		Staking: providerStaking{c.Staking}, Unbonding: providerUnbonding{c.Staking}, Entries: unbondingEntries{c.Staking},
		FeePoolAddr: address.Encode(prefix, rewards.PoolAddress()), Authority: gov.ModuleAddress(),
		Rewards: consumerRewards{c.Staking, c.Dist}, Bank: acc.Bank, Logger: log,
	})
	c.Staking.Keys = c.ICS
	c.OnUnbonding = c.unbondingsInitiated
	for _, p := range c.ICS.Proposals() {
		c.Gov.RegisterHandler(p.TypeURL, p.Check, p.Execute)
	}
	acc.Route(c.routes)
	c.PoS.Route(c.routes)
	app.RouteIBCGo(c.routes, ibcgo.ProviderRoutes(c.ICS, prefix))
	c.Gov.RegisterParamSpace("provider", pos.ParamSpace(c.ICS.Keeper.Params, c.ICS.Keeper.SetParams))
	c.grpc = c.newRouter()
	return c
}

// initGenesis writes every module's genesis, in dependency order, and
// returns the initial validator set.
func (c *Chain) initGenesis(s state.Store, g *app.Genesis, height int64, now time.Time) ([]abcitypes.ValidatorUpdate, error) {
	if err := c.Accounts.InitGenesis(s, g); err != nil {
		return nil, err
	}
	updates, err := c.PoS.InitGenesis(s, g, height, now)
	if err != nil {
		return nil, err
	}
	if err := c.ICS.InitGenesis(s, &g.Provider, &g.Transfer, now); err != nil {
		return nil, err
	}
	return updates, nil
}

// Handles implements abci.Chain.
func (c *Chain) Handles(typeURL string) bool {
	_, ok := c.routes[typeURL]
	return ok || c.ICS.Handles(typeURL)
}

// HandleMsg implements abci.Chain: the chain's own modules' messages, then
// the interchain layer's.
func (c *Chain) HandleMsg(s state.Store, b abci.Block, signer []byte, m abci.Msg) ([]abcitypes.Event, error) {
	if h, ok := c.routes[m.TypeURL]; ok {
		return h(s, b, signer, m.Value)
	}
	return c.ICS.HandleMsg(s, app.LayerBlock(b), signer, m.TypeURL, m.Value)
}

// BeginBlock runs proof of stake's: distribution (fees and inflation of
// the previous block) and slashing (downtime and double signs).
func (c *Chain) BeginBlock(s state.Store, b abci.Block) ([]abcitypes.Event, error) {
	return c.PoS.BeginBlock(s, b)
}

// EndBlock runs governance, then staking, which chooses the block's
// validator set (the unbonding entries of validators leaving it go to the
// provider at once, under the vsc id of the block), then the provider on
// that set.
func (c *Chain) EndBlock(s state.Store, b abci.Block) ([]abcitypes.ValidatorUpdate, []abcitypes.Event, error) {
	updates, events, started, err := c.PoS.EndBlock(s, b)
	if err != nil {
		return nil, nil, err
	}
	if err := c.unbondingsInitiated(s, started); err != nil {
		return nil, nil, err
	}
	evs, err := c.ICS.EndBlock(s, app.LayerBlock(b))
	if err != nil {
		return nil, nil, err
	}
	return updates, append(events, evs...), nil
}

// unbondingsInitiated passes the ids of the unbonding entries a staking
// call started to the interchain layer, in order, on the same store: the
// consumers that run an entry's validator hold it until they have matured
// the current validator-set change. An error fails the message or the
// block that made the call.
func (c *Chain) unbondingsInitiated(s state.Store, ids []uint64) error {
	for _, id := range ids {
		if err := c.ICS.AfterUnbondingInitiated(s, id); err != nil {
			return fmt.Errorf("after unbonding %d initiated: %w", id, err)
		}
	}
	return nil
}

// Query answers the accounts', the chain modules' and the interchain
// layer's paths.
func (c *Chain) Query(s state.Store, path string, now time.Time) ([]byte, error) {
	bz, err := c.Accounts.Query(s, path)
	if !errors.Is(err, abci.ErrUnknownQuery) {
		return bz, err
	}
	if bz, ok, err := c.PoS.Query(s, path); ok {
		return bz, err
	}
	bz, err = c.ICS.Query(s, path, now)
	if errors.Is(err, interchain.ErrUnknownQuery) {
		return nil, fmt.Errorf("%w: %q", abci.ErrUnknownQuery, path)
	}
	return bz, err
}

// New opens a provider chain's application over db (see abci.New), with
// icsd's name and code table.
func New(db dbm.DB, opts abci.Options) (*abci.App, error) {
	return app.Open(db, opts, Factory{Logger: opts.Logger})
}
