package consumerapp

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
	"github.com/abci-ics/ics/consumer"
	"github.com/abci-ics/ics/ibc/channel"
	"github.com/abci-ics/ics/interchain"
	"github.com/abci-ics/ics/state"
)

// Stores are the stores of a consumer chain's state, in the order they
// have always had.
var Stores = []string{auth.StoreName, bank.StoreName, consumer.StoreName, channel.StoreName}

// Factory assembles consumer chains.
type Factory struct {
	// Logger may be nil.
	Logger interchain.Logger
}

var _ abci.Factory = Factory{}

// Stores implements abci.Factory.
func (Factory) Stores() []string { return Stores }

// Open assembles the consumer chain whose committed state is s.
func (f Factory) Open(s state.Store, _ []string) (abci.Chain, error) {
	acc, err := app.OpenAccounts(s)
	if err != nil {
		return nil, err
	}
	return newChain(acc, f.Logger), nil
}

// InitChain assembles the chain from its genesis, which carries the
// consumer genesis the provider computed, and writes it into s. It returns
// the initial validator set the provider chose.
func (f Factory) InitChain(s state.Store, chainID string, appState []byte, height int64, now time.Time) (abci.Chain, []abcitypes.ValidatorUpdate, error) {
	g, err := app.ParseGenesisFor(appState, app.RoleConsumer)
	if err != nil {
		return nil, nil, err
	}
	c := newChain(app.NewAccounts(chainID, g.Auth.Params.Bech32Prefix), f.Logger)
	if err := c.Accounts.InitGenesis(s, g); err != nil {
		return nil, nil, err
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
	ICS *interchain.Consumer

	routes app.Routes
}

var _ abci.Chain = (*Chain)(nil)

func newChain(acc *app.Accounts, log interchain.Logger) *Chain {
	c := &Chain{Accounts: acc, routes: app.Routes{}}
	c.ICS = interchain.NewConsumer(interchain.ConsumerConfig{
		ChainID: acc.ChainID(), Prefix: acc.Prefix, Bank: acc.Bank, Logger: log,
		Balances: acc.Bank.Balances, FeeCollector: app.FeeCollectorAddress(),
	})
	return c
}

// Handles implements abci.Chain: the consumer's messages are the
// interchain layer's.
func (c *Chain) Handles(typeURL string) bool { return c.ICS.Handles(typeURL) }

// HandleMsg implements abci.Chain.
func (c *Chain) HandleMsg(s state.Store, b abci.Block, signer []byte, m abci.Msg) ([]abcitypes.Event, error) {
	return c.ICS.HandleMsg(s, app.LayerBlock(b), signer, m.TypeURL, m.Value)
}

// BeginBlock runs the consumer's downtime detection.
func (c *Chain) BeginBlock(s state.Store, b abci.Block) ([]abcitypes.Event, error) {
	return c.ICS.BeginBlock(s, app.LayerBlock(b))
}

// EndBlock applies the validator-set changes from the provider and returns
// them for CometBFT.
func (c *Chain) EndBlock(s state.Store, b abci.Block) ([]abcitypes.ValidatorUpdate, []abcitypes.Event, error) {
	return c.ICS.EndBlock(s, app.LayerBlock(b))
}

// Query answers the accounts' and the interchain layer's paths.
func (c *Chain) Query(s state.Store, path string, now time.Time) ([]byte, error) {
	bz, err := c.Accounts.Query(s, path)
	if !errors.Is(err, abci.ErrUnknownQuery) {
		return bz, err
	}
	bz, err = c.ICS.Query(s, path, now)
	if errors.Is(err, interchain.ErrUnknownQuery) {
		return nil, fmt.Errorf("%w: %q", abci.ErrUnknownQuery, path)
	}
	return bz, err
}

// New opens a consumer chain's application over db (see abci.New), with
// icsd's name and code table.
func New(db dbm.DB, opts abci.Options) (*abci.App, error) {
	return app.Open(db, opts, Factory{Logger: opts.Logger})
}
