package changeovernet

import (
	"encoding/json"
	"fmt"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/abci-ics/ics/app"
	"github.com/abci-ics/ics/chain/staking"
	"github.com/abci-ics/ics/client"
	"github.com/abci-ics/ics/nodehome"
	"github.com/abci-ics/ics/testnet/valnet"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/coin"
	"github.com/abci-ics/ics/types/fraction"
)

// providerNet is what the changeover reads of the testnet's provider homes.
type providerNet struct {
	chainID  string
	homes    []string // DIR/node<i>
	rpc      []string // tcp://127.0.0.1:port, in validator order
	basePort int      // node 0's P2P port
	// voting is the provider's governance voting period, timeoutCommit
	// its nodes' timeout_commit.
	voting        time.Duration
	timeoutCommit time.Duration
	// keys are the validators' consensus keys (priv_validator_key.json).
	keys []privval.FilePVKey
}

// loadProvider reads the provider homes under dir.
func loadProvider(dir string) (*providerNet, error) {
	net, err := valnet.Load(dir)
	if err != nil {
		return nil, fmt.Errorf("no provider homes under %s: start a CCV testnet there first (icsd testnet start --dir %s --consumers N)", dir, dir)
	}
	p := &providerNet{homes: net.Homes}
	for i, home := range net.Homes {
		cfg, err := nodehome.LoadConfig(home, nil)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			u, err := url.Parse(cfg.P2P.ListenAddress)
			if err != nil {
				return nil, fmt.Errorf("%s: p2p address: %w", home, err)
			}
			if p.basePort, err = strconv.Atoi(u.Port()); err != nil {
				return nil, fmt.Errorf("%s: p2p address %q: %w", home, cfg.P2P.ListenAddress, err)
			}
			p.timeoutCommit = cfg.Consensus.TimeoutCommit
			doc, err := cmttypes.GenesisDocFromFile(cfg.GenesisFile())
			if err != nil {
				return nil, err
			}
			g, err := app.ParseGenesis(doc.AppState)
			if err != nil {
				return nil, err
			}
			p.chainID, p.voting = doc.ChainID, time.Duration(g.Gov.Params.VotingPeriod)
		}
		p.rpc = append(p.rpc, cfg.RPC.ListenAddress)
		pv := privval.LoadFilePVEmptyState(cfg.PrivValidatorKeyFile(), "")
		p.keys = append(p.keys, pv.Key)
	}
	return p, nil
}

// standaloneBase is the first port of the standalone chain: past the
// slots of the testnet's ten chains (the provider and up to nine
// consumers, testnet/ccvopts), so that it is clear of every one.
func (p *providerNet) standaloneBase() (int, error) {
	stride := 10 * max(len(p.homes), 10)
	base := p.basePort + 10*stride
	if base+10*len(p.homes) > 65535 {
		return 0, fmt.Errorf("no loopback ports left past %d for the standalone chain", p.basePort)
	}
	return base, nil
}

// NodeHome is validator i's node home on the standalone chain.
func (c *Changeover) NodeHome(i int) string { return valnet.NodeHome(c.Dir(), i) }

// RPC is the RPC address of validator i's node on the standalone chain.
func (c *Changeover) RPC(i int) string { return fmt.Sprintf("tcp://127.0.0.1:%d", c.base+10*i+1) }

// RelayerHome is the home whose keyring holds the relayer key, funded on
// both chains.
func (c *Changeover) RelayerHome() string { return filepath.Join(c.Dir(), "relayer") }

// RelayerKey is the name of the relayer's key.
const RelayerKey = "relayer"

// bond is what standalone validator i bonds: validator 0 twice as much as
// each other one (as on the provider, so that any other one can stop
// without halting the chain), and less than on the provider, so that the
// change of set shows in the powers.
func bond(i, n int) uint64 {
	if i == 0 && n > 1 {
		return 20_000_000
	}
	return 10_000_000
}

// writeHomes writes the standalone chain's node homes, one per provider
// validator: one genesis (the provider validators' operator accounts
// funded and bonded with their provider consensus keys, the relayer key
// funded, short unbonding and voting periods), each node's operator and
// consensus keys copied from the provider home, a fresh node key, a fresh
// signing state and peers on loopback. The homes keep the default role,
// provider: a standalone chain until its changeover.
func (c *Changeover) writeHomes(relayer client.Key) error {
	n := len(c.prov.homes)
	g := app.DefaultGenesis()
	g.Staking.Params.UnbondingPeriod = c.Opts.UnbondingPeriod
	g.Gov.Params.VotingPeriod = int64(c.Opts.VotingPeriod)
	g.Gov.Params.MaxDepositPeriod = int64(c.Opts.VotingPeriod)
	prefix, denom := g.Auth.Params.Bech32Prefix, g.Staking.Params.BondDenom
	fund := func(k client.Key) string {
		addr := address.Encode(prefix, k.Address())
		nodehome.AddBalance(g, addr, k.Priv.PubKey().Bytes(), []coin.Coin{{Denom: denom, Amount: 1_000_000_000_000}})
		return addr
	}
	fund(relayer)
	type nodeInfo struct {
		cfg *cmtcfg.Config
		id  p2p.ID
	}
	nodes := make([]nodeInfo, n)
	for i, ph := range c.prov.homes {
		op, err := client.LoadKey(ph, "validator")
		if err != nil {
			return err
		}
		home := c.NodeHome(i)
		cfg := cmtcfg.DefaultConfig()
		cfg.SetRoot(home)
		cfg.Moniker = fmt.Sprintf("%s-node%d", c.Opts.ChainID, i)
		port := c.base + 10*i
		cfg.P2P.ListenAddress = fmt.Sprintf("tcp://127.0.0.1:%d", port)
		cfg.RPC.ListenAddress = fmt.Sprintf("tcp://127.0.0.1:%d", port+1)
		cfg.P2P.AddrBookStrict = false
		cfg.P2P.AllowDuplicateIP = true
		cfg.Instrumentation.Prometheus = false
		if c.prov.timeoutCommit > 0 {
			cfg.Consensus.TimeoutCommit = c.prov.timeoutCommit
		}
		// A node stopped for a while catches up through consensus one
		// block per round trip: shorter pauses than CometBFT's 100 ms.
		cfg.P2P.FlushThrottleTimeout = 10 * time.Millisecond
		cfg.Consensus.PeerGossipSleepDuration = 20 * time.Millisecond
		cmtcfg.EnsureRoot(home)
		key := c.prov.keys[i]
		privval.NewFilePV(key.PrivKey, cfg.PrivValidatorKeyFile(), cfg.PrivValidatorStateFile()).Save()
		nk, err := p2p.LoadOrGenNodeKey(cfg.NodeKeyFile())
		if err != nil {
			return err
		}
		if _, err := client.SaveKey(home, op); err != nil {
			return err
		}
		g.Staking.Validators = append(g.Staking.Validators, staking.GenesisValidator{
			Operator: fund(op), PubKey: key.PubKey.Bytes(), Moniker: cfg.Moniker,
			CommissionRate: fraction.New(1, 10), CommissionMaxRate: fraction.New(1, 5),
			SelfDelegation: bond(i, n), MinSelfDelegation: 1,
		})
		nodes[i] = nodeInfo{cfg: cfg, id: nk.ID()}
	}
	appState, err := g.MarshalJSON()
	if err != nil {
		return err
	}
	doc := cmttypes.GenesisDoc{ChainID: c.Opts.ChainID, GenesisTime: time.Now().UTC().Round(0), InitialHeight: 1,
		ConsensusParams: cmttypes.DefaultConsensusParams(), AppState: json.RawMessage(appState)}
	if err := doc.ValidateAndComplete(); err != nil {
		return err
	}
	for i, nd := range nodes {
		var peers []string
		for j, m := range nodes {
			if j != i {
				peers = append(peers, fmt.Sprintf("%s@127.0.0.1:%d", m.id, c.base+10*j))
			}
		}
		nd.cfg.P2P.PersistentPeers = strings.Join(peers, ",")
		cmtcfg.WriteConfigFile(filepath.Join(nd.cfg.RootDir, "config", "config.toml"), nd.cfg)
		if err := doc.SaveAs(nd.cfg.GenesisFile()); err != nil {
			return err
		}
	}
	return nil
}
