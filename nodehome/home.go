package nodehome

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/abci-ics/ics/app"
	"github.com/abci-ics/ics/chain/auth"
	"github.com/abci-ics/ics/chain/bank"
	"github.com/abci-ics/ics/chain/staking"
	"github.com/abci-ics/ics/client"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/coin"
	"github.com/abci-ics/ics/types/fraction"
)

// Config returns the default CometBFT configuration rooted at home: the
// paths of its files, without reading config.toml.
func Config(home string) *cmtcfg.Config {
	cfg := cmtcfg.DefaultConfig()
	cfg.SetRoot(home)
	return cfg
}

// ReadAppGenesis reads the application part of home's genesis.
func ReadAppGenesis(home string) (*app.Genesis, error) {
	doc, err := cmttypes.GenesisDocFromFile(Config(home).GenesisFile())
	if err != nil {
		return nil, err
	}
	return app.ParseGenesis(doc.AppState)
}

// InitOptions configure a new node home.
type InitOptions struct {
	Home    string
	ChainID string
	Moniker string
	KeyName string
	Amount  []coin.Coin
	Prefix  string
	// TimeoutCommit is CometBFT's pause after each block.
	TimeoutCommit time.Duration
	// Role is the chain's role; empty means provider. A consumer home's
	// genesis has no validators and an empty consumer part until the
	// consumer genesis is imported (icsd genesis import-consumer).
	Role app.Role
	// OwnStaking makes a consumer home's genesis carry the consumer's own
	// staking, distribution and gov, with default parameters and no
	// validators (app.DefaultOwnStakingConsumerGenesis). A provider home
	// always has them; OwnStaking is refused there.
	OwnStaking bool
}

// Init writes a CometBFT home with a single-validator genesis (a
// provider) or a genesis waiting for its consumer part (a consumer), a key
// in the keyring that holds opts.Amount, and HOME/config/app.toml with the
// role and the default settings (DefaultAppConfig). It refuses to overwrite an existing genesis.
func Init(opts InitOptions) (client.Key, error) {
	role, err := ParseRole(string(opts.Role))
	if err != nil {
		return client.Key{}, err
	}
	if opts.ChainID == "" {
		return client.Key{}, errors.New("--chain-id is required")
	}
	if opts.OwnStaking && role != app.RoleConsumer {
		return client.Key{}, errors.New("own staking is for consumer homes: a provider always has its staking")
	}
	if len(opts.ChainID) > cmttypes.MaxChainIDLen {
		return client.Key{}, fmt.Errorf("--chain-id longer than %d characters", cmttypes.MaxChainIDLen)
	}
	if err := address.ValidatePrefix(opts.Prefix); err != nil {
		return client.Key{}, err
	}
	if err := coin.ValidateCoins(opts.Amount); err != nil {
		return client.Key{}, fmt.Errorf("--amount: %w", err)
	}
	cfg := Config(opts.Home)
	if _, err := os.Stat(cfg.GenesisFile()); err == nil {
		return client.Key{}, fmt.Errorf("%s already exists: choose another --home", cfg.GenesisFile())
	}
	cfg.Moniker = opts.Moniker
	if opts.TimeoutCommit > 0 {
		cfg.Consensus.TimeoutCommit = opts.TimeoutCommit
	}
	cmtcfg.EnsureRoot(opts.Home)
	cmtcfg.WriteConfigFile(filepath.Join(opts.Home, "config", "config.toml"), cfg)
	pv := privval.LoadOrGenFilePV(cfg.PrivValidatorKeyFile(), cfg.PrivValidatorStateFile())
	if _, err := p2p.LoadOrGenNodeKey(cfg.NodeKeyFile()); err != nil {
		return client.Key{}, err
	}
	key, err := client.LoadKey(opts.Home, opts.KeyName)
	if err != nil {
		if key, err = client.AddKey(opts.Home, opts.KeyName); err != nil {
			return client.Key{}, err
		}
	}
	g := app.DefaultGenesis()
	switch {
	case role == app.RoleConsumer && opts.OwnStaking:
		g = app.DefaultOwnStakingConsumerGenesis()
	case role == app.RoleConsumer:
		g = app.DefaultConsumerGenesis()
	}
	g.Auth.Params.Bech32Prefix = opts.Prefix
	addr := address.Encode(opts.Prefix, key.Address())
	g.Auth.Accounts = []auth.GenesisAccount{{Address: addr, PubKey: key.Priv.PubKey().Bytes()}}
	g.Bank.Balances = []bank.GenesisBalance{{Address: addr, Coins: opts.Amount}}
	if role == app.RoleConsumer {
		// The validators come from the provider, with the consumer genesis.
		if err := WriteAppConfig(opts.Home, DefaultAppConfig(role)); err != nil {
			return client.Key{}, err
		}
		return key, saveGenesis(cfg.GenesisFile(), opts.ChainID, g)
	}
	pub, err := pv.GetPubKey()
	if err != nil {
		return client.Key{}, err
	}
	// The node's validator key bonds a tenth of the key's bond denomination.
	var bonded uint64
	for _, c := range opts.Amount {
		if c.Denom == g.Staking.Params.BondDenom {
			bonded = c.Amount / 10
		}
	}
	if bonded < g.Staking.Params.PowerReduction {
		return client.Key{}, fmt.Errorf("--amount must hold at least %d%s to bond a validator", 10*g.Staking.Params.PowerReduction, g.Staking.Params.BondDenom)
	}
	g.Staking.Validators = []staking.GenesisValidator{{
		Operator: addr, PubKey: pub.Bytes(), Moniker: opts.Moniker,
		CommissionRate: fraction.New(1, 10), CommissionMaxRate: fraction.New(1, 5),
		SelfDelegation: bonded, MinSelfDelegation: 1,
	}}
	if err := WriteAppConfig(opts.Home, DefaultAppConfig(role)); err != nil {
		return client.Key{}, err
	}
	return key, saveGenesis(cfg.GenesisFile(), opts.ChainID, g)
}

// saveGenesis writes a genesis file for chainID with app state g, starting
// now at height 1, with no validators in the file: the application returns
// them from InitChain.
func saveGenesis(file, chainID string, g *app.Genesis) error {
	appState, err := g.MarshalJSON()
	if err != nil {
		return err
	}
	doc := cmttypes.GenesisDoc{
		ChainID:         chainID,
		GenesisTime:     time.Now().UTC().Round(0),
		InitialHeight:   1,
		ConsensusParams: cmttypes.DefaultConsensusParams(),
		AppState:        json.RawMessage(appState),
	}
	if err := doc.ValidateAndComplete(); err != nil {
		return err
	}
	return doc.SaveAs(file)
}
