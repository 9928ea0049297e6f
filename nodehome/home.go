package cmd

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/spf13/cobra"

	"github.com/abci-ics/ics/abci"
	"github.com/abci-ics/ics/chain/auth"
	"github.com/abci-ics/ics/chain/bank"
	"github.com/abci-ics/ics/chain/staking"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/coin"
	"github.com/abci-ics/ics/types/fraction"
)

// prefixFor returns --prefix, else the prefix in HOME's genesis, else the
// default.
func prefixFor(cmd *cobra.Command) string {
	if p, _ := cmd.Flags().GetString("prefix"); p != "" {
		return p
	}
	if g, err := readAppGenesis(home(cmd)); err == nil {
		return g.Auth.Params.Bech32Prefix
	}
	return auth.DefaultParams().Bech32Prefix
}

func nodeConfig(home string) *cmtcfg.Config {
	cfg := cmtcfg.DefaultConfig()
	cfg.SetRoot(home)
	return cfg
}

func readAppGenesis(home string) (*abci.Genesis, error) {
	doc, err := cmttypes.GenesisDocFromFile(nodeConfig(home).GenesisFile())
	if err != nil {
		return nil, err
	}
	return abci.ParseGenesis(doc.AppState)
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
	Role abci.Role
}

// InitHome writes a CometBFT home with a single-validator genesis (a
// provider) or a genesis waiting for its consumer part (a consumer), a key
// in the keyring that holds opts.Amount, and the role in
// HOME/config/app.toml. It refuses to overwrite an existing genesis.
func InitHome(opts InitOptions) (Key, error) {
	role, err := ParseRole(string(opts.Role))
	if err != nil {
		return Key{}, err
	}
	if opts.ChainID == "" {
		return Key{}, errors.New("--chain-id is required")
	}
	if len(opts.ChainID) > cmttypes.MaxChainIDLen {
		return Key{}, fmt.Errorf("--chain-id longer than %d characters", cmttypes.MaxChainIDLen)
	}
	if err := address.ValidatePrefix(opts.Prefix); err != nil {
		return Key{}, err
	}
	if err := coin.ValidateCoins(opts.Amount); err != nil {
		return Key{}, fmt.Errorf("--amount: %w", err)
	}
	cfg := nodeConfig(opts.Home)
	if _, err := os.Stat(cfg.GenesisFile()); err == nil {
		return Key{}, fmt.Errorf("%s already exists: choose another --home", cfg.GenesisFile())
	}
	cfg.Moniker = opts.Moniker
	if opts.TimeoutCommit > 0 {
		cfg.Consensus.TimeoutCommit = opts.TimeoutCommit
	}
	cmtcfg.EnsureRoot(opts.Home)
	cmtcfg.WriteConfigFile(filepath.Join(opts.Home, "config", "config.toml"), cfg)
	pv := privval.LoadOrGenFilePV(cfg.PrivValidatorKeyFile(), cfg.PrivValidatorStateFile())
	if _, err := p2p.LoadOrGenNodeKey(cfg.NodeKeyFile()); err != nil {
		return Key{}, err
	}
	key, err := LoadKey(opts.Home, opts.KeyName)
	if err != nil {
		if key, err = AddKey(opts.Home, opts.KeyName); err != nil {
			return Key{}, err
		}
	}
	g := abci.DefaultGenesis()
	if role == abci.RoleConsumer {
		g = abci.DefaultConsumerGenesis()
	}
	g.Auth.Params.Bech32Prefix = opts.Prefix
	addr := address.Encode(opts.Prefix, key.Address())
	g.Auth.Accounts = []auth.GenesisAccount{{Address: addr, PubKey: key.Priv.PubKey().Bytes()}}
	g.Bank.Balances = []bank.GenesisBalance{{Address: addr, Coins: opts.Amount}}
	if role == abci.RoleConsumer {
		// The validators come from the provider, with the consumer genesis.
		if err := WriteRole(opts.Home, role); err != nil {
			return Key{}, err
		}
		return key, saveGenesis(cfg.GenesisFile(), opts.ChainID, g)
	}
	pub, err := pv.GetPubKey()
	if err != nil {
		return Key{}, err
	}
	// The node's validator key bonds a tenth of the key's bond denomination.
	var bonded uint64
	for _, c := range opts.Amount {
		if c.Denom == g.Staking.Params.BondDenom {
			bonded = c.Amount / 10
		}
	}
	if bonded < g.Staking.Params.PowerReduction {
		return Key{}, fmt.Errorf("--amount must hold at least %d%s to bond a validator", 10*g.Staking.Params.PowerReduction, g.Staking.Params.BondDenom)
	}
	g.Staking.Validators = []staking.GenesisValidator{{
		Operator: addr, PubKey: pub.Bytes(), Moniker: opts.Moniker,
		CommissionRate: fraction.New(1, 10), CommissionMaxRate: fraction.New(1, 5),
		SelfDelegation: bonded, MinSelfDelegation: 1,
	}}
	if err := WriteRole(opts.Home, role); err != nil {
		return Key{}, err
	}
	return key, saveGenesis(cfg.GenesisFile(), opts.ChainID, g)
}

// saveGenesis writes a genesis file for chainID with app state g, starting
// now at height 1, with no validators in the file: the application returns
// them from InitChain.
func saveGenesis(file, chainID string, g *abci.Genesis) error {
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

func initCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "init",
		Short: "Write a node home: config, keys, a funded account and a genesis (provider: one validator bonding a tenth of the stake; consumer: waiting for the consumer genesis)",
		Long: `init writes a node home. With --role provider (the default) the genesis has one
validator, this node, bonding a tenth of the funded key's stake. With --role consumer
the genesis has the consumer modules and no validators: fetch the consumer genesis
from the provider once the consumer is launched, import it, then start:

  icsd query provider consumer-genesis CHAIN_ID -o json --node PROVIDER_RPC > cg.json
  icsd genesis import-consumer cg.json --home HOME

The role is saved in HOME/config/app.toml and used by every later start.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f := cmd.Flags()
			chainID, _ := f.GetString("chain-id")
			moniker, _ := f.GetString("moniker")
			keyName, _ := f.GetString("key")
			amount, _ := f.GetString("amount")
			prefix, _ := f.GetString("prefix")
			tc, _ := f.GetDuration("timeout-commit")
			roleName, _ := f.GetString("role")
			role, err := ParseRole(roleName)
			if err != nil {
				return fmt.Errorf("--role: %w", err)
			}
			coins, err := coin.ParseCoins(amount)
			if err != nil {
				return fmt.Errorf("--amount: %w", err)
			}
			key, err := InitHome(InitOptions{Home: home(cmd), ChainID: chainID, Moniker: moniker, KeyName: keyName, Amount: coins, Prefix: prefix, TimeoutCommit: tc, Role: role})
			if err != nil {
				return err
			}
			out := map[string]string{"home": home(cmd), "chain_id": chainID, "role": string(role), "key": key.Name, "address": address.Encode(prefix, key.Address())}
			return printOut(cmd, out, func(w io.Writer) {
				fmt.Fprintf(w, "initialized %s home %s for chain %s; key %q (%s) holds %s\n", role, home(cmd), chainID, key.Name, out["address"], amount)
				if role == abci.RoleConsumer {
					fmt.Fprintf(w, "next: icsd genesis import-consumer FILE --home %s (FILE from icsd query provider consumer-genesis %s -o json)\n", home(cmd), chainID)
				}
			})
		},
	}
	c.Flags().String("chain-id", "", "chain id (required)")
	c.Flags().String("role", string(abci.RoleProvider), "provider or consumer")
	c.Flags().String("moniker", "node0", "node name")
	c.Flags().String("key", "validator", "name of the funded key to create in the keyring")
	c.Flags().String("amount", "1000000000000stake", "coins of the funded key")
	c.Flags().String("prefix", auth.DefaultParams().Bech32Prefix, "bech32 prefix of addresses")
	c.Flags().Duration("timeout-commit", time.Second, "CometBFT timeout_commit")
	addOutputFlag(c)
	return c
}
