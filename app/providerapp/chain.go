package providerapp

import (
	"errors"
	"fmt"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	dbm "github.com/cosmos/cosmos-db"

	"github.com/abci-ics/ics/abci"
	"github.com/abci-ics/ics/app"
	"github.com/abci-ics/ics/chain/auth"
	"github.com/abci-ics/ics/chain/bank"
	"github.com/abci-ics/ics/chain/distribution"
	"github.com/abci-ics/ics/chain/gov"
	"github.com/abci-ics/ics/chain/slashing"
	"github.com/abci-ics/ics/chain/staking"
	"github.com/abci-ics/ics/ibc/channel"
	"github.com/abci-ics/ics/interchain"
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

// Chain is an assembled provider chain. Its modules are exported for tests
// and tools that read state through them.
type Chain struct {
	*app.Accounts
	Staking  *staking.Keeper
	Slashing slashing.Keeper
	Dist     distribution.Keeper
	Gov      *gov.Keeper
	ICS      *interchain.Provider

	routes app.Routes
}

var _ abci.Chain = (*Chain)(nil)

// newChain wires the modules of a chain whose accounts are acc.
func newChain(acc *app.Accounts, log interchain.Logger) *Chain {
	prefix := acc.Prefix
	c := &Chain{Accounts: acc, routes: app.Routes{}}
	c.Staking = &staking.Keeper{Bank: acc.Bank, Prefix: prefix}
	c.Slashing = slashing.Keeper{Staking: c.Staking, Prefix: prefix}
	c.Dist = distribution.Keeper{Bank: acc.Bank, Staking: distStaking{c.Staking}, Prefix: prefix}
	c.Gov = &gov.Keeper{Bank: acc.Bank, Staking: govStaking{c.Staking}, Prefix: prefix}
	c.ICS = interchain.NewProvider(interchain.ProviderConfig{
		ChainID: acc.ChainID(), Prefix: prefix,
		Staking: providerStaking{c.Staking}, Unbonding: providerUnbonding{c.Staking}, Entries: unbondingEntries{c.Staking},
		FeePoolAddr: address.Encode(prefix, rewards.PoolAddress()), Authority: gov.ModuleAddress(),
		Rewards: consumerRewards{c.Staking, c.Dist}, Bank: acc.Bank, Logger: log,
	})
	c.Staking.Keys = c.ICS
	for _, p := range c.ICS.Proposals() {
		c.Gov.RegisterHandler(p.TypeURL, p.Check, p.Execute)
	}
	c.route()
	c.Gov.RegisterParamSpace("auth", paramSpace(acc.Auth.Params, acc.Auth.SetParams))
	c.Gov.RegisterParamSpace("staking", paramSpace(c.Staking.Params, c.Staking.SetParams))
	c.Gov.RegisterParamSpace("gov", c.Gov.SetParamJSON)
	c.Gov.RegisterParamSpace("distribution", c.Dist.SetParamJSON)
	c.Gov.RegisterParamSpace("provider", paramSpace(c.ICS.Keeper.Params, c.ICS.Keeper.SetParams))
	return c
}

// initGenesis writes every module's genesis, in dependency order, and
// returns the initial validator set.
func (c *Chain) initGenesis(s state.Store, g *app.Genesis, height int64, now time.Time) ([]abcitypes.ValidatorUpdate, error) {
	if err := c.Accounts.InitGenesis(s, g); err != nil {
		return nil, err
	}
	updates, err := c.Staking.InitGenesis(s, &g.Staking, height, now)
	if err != nil {
		return nil, fmt.Errorf("%w: staking: %w", abci.ErrInvalidGenesis, err)
	}
	if err := c.Dist.InitGenesis(s, &g.Distribution); err != nil {
		return nil, fmt.Errorf("%w: distribution: %w", abci.ErrInvalidGenesis, err)
	}
	for _, v := range c.Staking.Validators(s) {
		for _, d := range c.Staking.DelegationsTo(s, v.Operator) {
			c.Dist.AfterDelegationModified(s, d.Delegator, d.Validator)
		}
	}
	if err := c.Gov.InitGenesis(s, &g.Gov); err != nil {
		return nil, fmt.Errorf("%w: gov: %w", abci.ErrInvalidGenesis, err)
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

// BeginBlock runs distribution (fees and inflation of the previous block)
// and slashing (downtime and double signs).
func (c *Chain) BeginBlock(s state.Store, b abci.Block) ([]abcitypes.Event, error) {
	evs, err := c.Dist.BeginBlock(s, b.Height, b.Time)
	if err != nil {
		return nil, err
	}
	more, err := c.Slashing.BeginBlock(s, b.Height, b.Time, b.LastCommit, b.Misbehavior)
	if err != nil {
		return nil, err
	}
	return append(evs, more...), nil
}

// EndBlock runs governance, then staking, which chooses the block's
// validator set (the unbonding entries of validators leaving it go to the
// provider at once, under the vsc id of the block), then the provider on
// that set.
func (c *Chain) EndBlock(s state.Store, b abci.Block) ([]abcitypes.ValidatorUpdate, []abcitypes.Event, error) {
	events, err := c.Gov.EndBlock(s, b.Height, b.Time)
	if err != nil {
		return nil, nil, err
	}
	updates, r, err := c.Staking.EndBlock(s, b.Height, b.Time)
	if err != nil {
		return nil, nil, err
	}
	if err := c.unbondingsInitiated(s, r.Unbondings); err != nil {
		return nil, nil, err
	}
	events = append(events, r.Events...)
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
	if bz, ok, err := c.queryModules(s, c.Prefix, path); ok {
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
