package valnet

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
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

// Options configure `icsd testnet init`.
type Options struct {
	Dir        string
	ChainID    string
	Validators int
	// BasePort is the first of the loopback ports: node i listens for P2P
	// on BasePort+10*i and for RPC on BasePort+10*i+1.
	BasePort      int
	TimeoutCommit time.Duration
	// Balance is what each validator's account holds at genesis, and
	// SelfDelegation how much of it is bonded; SelfDelegations, when set,
	// gives each validator its own.
	Balance         uint64
	SelfDelegation  uint64
	SelfDelegations []uint64
	// Tune adjusts the genesis before it is written (short periods for
	// tests, for example).
	Tune func(g *app.Genesis) `json:"-"`
}

// NodeHome returns the home of node i of a testnet in dir.
func NodeHome(dir string, i int) string { return filepath.Join(dir, fmt.Sprintf("node%d", i)) }

// Init writes one home per validator under opts.Dir, sharing one
// genesis, with loopback ports that do not collide and every node a
// persistent peer of every other. Each home's keyring holds its validator's
// operator key, named "validator".
func Init(opts Options) error {
	if opts.Validators < 1 || opts.Validators > 100 {
		return fmt.Errorf("--validators must be 1 to 100, got %d", opts.Validators)
	}
	if opts.BasePort < 1024 || opts.BasePort+10*opts.Validators > 65535 {
		return fmt.Errorf("--base-port %d leaves no room for %d nodes", opts.BasePort, opts.Validators)
	}
	if opts.ChainID == "" || len(opts.ChainID) > cmttypes.MaxChainIDLen {
		return fmt.Errorf("invalid --chain-id %q", opts.ChainID)
	}
	bonds := opts.SelfDelegations
	if bonds == nil {
		for range opts.Validators {
			bonds = append(bonds, opts.SelfDelegation)
		}
	}
	if len(bonds) != opts.Validators {
		return fmt.Errorf("%d self-delegations for %d validators", len(bonds), opts.Validators)
	}
	for _, b := range bonds {
		if b == 0 || b > opts.Balance {
			return fmt.Errorf("self-delegation %d must be positive and at most the balance %d", b, opts.Balance)
		}
	}
	if _, err := os.Stat(NodeHome(opts.Dir, 0)); err == nil {
		return fmt.Errorf("%s already exists: choose another --dir or remove it", NodeHome(opts.Dir, 0))
	}
	g := app.DefaultGenesis()
	prefix := g.Auth.Params.Bech32Prefix
	denom := g.Staking.Params.BondDenom
	type nodeInfo struct {
		cfg  *cmtcfg.Config
		id   p2p.ID
		port int
	}
	nodes := make([]nodeInfo, opts.Validators)
	for i := range nodes {
		home := NodeHome(opts.Dir, i)
		cfg := cmtcfg.DefaultConfig()
		cfg.SetRoot(home)
		cfg.Moniker = fmt.Sprintf("node%d", i)
		port := opts.BasePort + 10*i
		cfg.P2P.ListenAddress = fmt.Sprintf("tcp://127.0.0.1:%d", port)
		cfg.RPC.ListenAddress = fmt.Sprintf("tcp://127.0.0.1:%d", port+1)
		cfg.P2P.AddrBookStrict = false
		cfg.P2P.AllowDuplicateIP = true
		cfg.Instrumentation.Prometheus = false
		if opts.TimeoutCommit > 0 {
			cfg.Consensus.TimeoutCommit = opts.TimeoutCommit
		}
		cmtcfg.EnsureRoot(home)
		pv := privval.LoadOrGenFilePV(cfg.PrivValidatorKeyFile(), cfg.PrivValidatorStateFile())
		nk, err := p2p.LoadOrGenNodeKey(cfg.NodeKeyFile())
		if err != nil {
			return err
		}
		key, err := client.AddKey(home, "validator")
		if err != nil {
			return err
		}
		pub, err := pv.GetPubKey()
		if err != nil {
			return err
		}
		op := address.Encode(prefix, key.Address())
		g.Auth.Accounts = append(g.Auth.Accounts, auth.GenesisAccount{Address: op, PubKey: key.Priv.PubKey().Bytes()})
		g.Bank.Balances = append(g.Bank.Balances, bank.GenesisBalance{Address: op, Coins: []coin.Coin{{Denom: denom, Amount: opts.Balance}}})
		g.Staking.Validators = append(g.Staking.Validators, staking.GenesisValidator{
			Operator: op, PubKey: pub.Bytes(), Moniker: cfg.Moniker,
			CommissionRate:    fraction.New(1, 10),
			CommissionMaxRate: fraction.New(1, 5),
			SelfDelegation:    bonds[i],
			MinSelfDelegation: 1,
		})
		nodes[i] = nodeInfo{cfg: cfg, id: nk.ID(), port: port}
	}
	if opts.Tune != nil {
		opts.Tune(g)
	}
	appState, err := g.MarshalJSON()
	if err != nil {
		return err
	}
	doc := cmttypes.GenesisDoc{
		ChainID:         opts.ChainID,
		GenesisTime:     time.Now().UTC().Round(0),
		InitialHeight:   1,
		ConsensusParams: cmttypes.DefaultConsensusParams(),
		AppState:        json.RawMessage(appState),
	}
	if err := doc.ValidateAndComplete(); err != nil {
		return err
	}
	for i, n := range nodes {
		var peers []string
		for j, m := range nodes {
			if j != i {
				peers = append(peers, fmt.Sprintf("%s@127.0.0.1:%d", m.id, m.port))
			}
		}
		n.cfg.P2P.PersistentPeers = strings.Join(peers, ",")
		cmtcfg.WriteConfigFile(filepath.Join(n.cfg.RootDir, "config", "config.toml"), n.cfg)
		if err := doc.SaveAs(n.cfg.GenesisFile()); err != nil {
			return err
		}
	}
	return nil
}
