package consumernet

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/cometbft/cometbft/p2p"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/abci-ics/ics/app"
	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/client"
	"github.com/abci-ics/ics/nodehome"
	"github.com/abci-ics/ics/testnet/valnet"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/coin"
)

// LoadNodes records as the chain's nodes the homes under its directory
// that hold a genesis, and returns how many it found.
func (c *Chain) LoadNodes() int {
	n := 0
	for i := range c.Net.Validators {
		home := valnet.NodeHome(c.Dir, i)
		if _, err := os.Stat(nodehome.Config(home).GenesisFile()); err == nil && c.Node(i) == nil {
			c.addNode(&Node{Validator: i, Home: home})
			n++
		}
	}
	return n
}

// WriteHomes writes the icsd node homes of the chain, one for each
// provider validator in vals (those in consumer genesis cg), and records
// them as its nodes: one genesis for all (cg, with the keys of funded and
// then every provider validator's operator key funded), each node's
// operator key, consensus key (PrivValidator) and node key, and peers on
// loopback. The accounts are funded in the fee denomination (c.Fee).
//
// The genesis carries the chain's own staking, distribution and gov
// (app.DefaultOwnStakingConsumerGenesis), dormant while it is a consumer,
// so that it may turn sovereign: bonded in the fee denomination, with the
// network's VotingPeriod and a deposit of 1000 of that denomination.
func (c *Chain) WriteHomes(vals []int, cg *ccv.ConsumerGenesis, funded ...client.Key) error {
	g := app.DefaultOwnStakingConsumerGenesis()
	g.Consumer = cg
	if c.Fee.Denom != "" {
		g.Auth.Params.MinFee = c.Fee
		g.Staking.Params.BondDenom = c.Fee.Denom
	}
	g.Gov.Params.MinDeposit = coin.Coin{Denom: g.Staking.Params.BondDenom, Amount: 1000}
	if c.Net.VotingPeriod > 0 {
		g.Gov.Params.VotingPeriod = int64(c.Net.VotingPeriod)
		g.Gov.Params.MaxDepositPeriod = int64(c.Net.VotingPeriod)
	}
	prefix, denom := g.Auth.Params.Bech32Prefix, g.Auth.Params.MinFee.Denom
	fund := func(k client.Key) {
		nodehome.AddBalance(g, address.Encode(prefix, k.Address()), k.Priv.PubKey().Bytes(), []coin.Coin{{Denom: denom, Amount: 1_000_000_000_000}})
	}
	for _, k := range funded {
		fund(k)
	}
	for i := range c.Net.Validators {
		op, err := client.LoadKey(valnet.NodeHome(c.Net.ProviderDir, i), "validator")
		if err != nil {
			return err
		}
		fund(op)
	}
	type nodeInfo struct {
		cfg *cmtcfg.Config
		id  p2p.ID
		val int
	}
	var nodes []nodeInfo
	for _, i := range vals {
		cfg, id, err := c.prepareHome(i)
		if err != nil {
			return err
		}
		nodes = append(nodes, nodeInfo{cfg: cfg, id: id, val: i})
	}
	appState, err := g.MarshalJSON()
	if err != nil {
		return err
	}
	if _, err := app.ParseGenesis(appState); err != nil {
		return err
	}
	doc := cmttypes.GenesisDoc{ChainID: c.ChainID, GenesisTime: time.Now().UTC().Round(0), InitialHeight: 1,
		ConsensusParams: cmttypes.DefaultConsensusParams(), AppState: json.RawMessage(appState)}
	if err := doc.ValidateAndComplete(); err != nil {
		return err
	}
	for _, n := range nodes {
		var peers []string
		for _, m := range nodes {
			if m.val != n.val {
				peers = append(peers, fmt.Sprintf("%s@127.0.0.1:%d", m.id, c.P2PPort(m.val)))
			}
		}
		n.cfg.P2P.PersistentPeers = strings.Join(peers, ",")
		cmtcfg.WriteConfigFile(filepath.Join(n.cfg.RootDir, "config", "config.toml"), n.cfg)
		if err := doc.SaveAs(n.cfg.GenesisFile()); err != nil {
			return err
		}
		c.addNode(&Node{Validator: n.val, Home: n.cfg.RootDir})
	}
	return nil
}

// tuneCatchUp shortens a consumer node's P2P flush throttle and consensus
// gossip pause (CometBFT's defaults are 100 ms each). A node that joins a
// running consumer (Join) leaves block sync some blocks behind and
// catches up through consensus, one block per round trip with its peers:
// with the defaults that is about as fast as the testnet's blocks come,
// and the node would not catch up.
func tuneCatchUp(cfg *cmtcfg.Config) {
	cfg.P2P.FlushThrottleTimeout = 10 * time.Millisecond
	cfg.Consensus.PeerGossipSleepDuration = 20 * time.Millisecond
}

// prepareHome writes validator i's icsd home on the chain but for its
// genesis and config.toml, which it returns with loopback ports set: the
// operator key, the consensus key (PrivValidator), the node key and the
// consumer role.
func (c *Chain) prepareHome(i int) (*cmtcfg.Config, p2p.ID, error) {
	home := valnet.NodeHome(c.Dir, i)
	op, err := client.LoadKey(valnet.NodeHome(c.Net.ProviderDir, i), "validator")
	if err != nil {
		return nil, "", err
	}
	if _, err := client.LoadKey(home, "validator"); err != nil {
		if _, err := client.SaveKey(home, op); err != nil {
			return nil, "", err
		}
	}
	cfg := cmtcfg.DefaultConfig()
	cfg.SetRoot(home)
	cfg.Moniker = fmt.Sprintf("%s-node%d", c.ChainID, i)
	port := c.P2PPort(i)
	cfg.P2P.ListenAddress = fmt.Sprintf("tcp://127.0.0.1:%d", port)
	cfg.RPC.ListenAddress = fmt.Sprintf("tcp://127.0.0.1:%d", port+1)
	cfg.P2P.AddrBookStrict = false
	cfg.P2P.AllowDuplicateIP = true
	cfg.Instrumentation.Prometheus = false
	if c.Net.TimeoutCommit > 0 {
		cfg.Consensus.TimeoutCommit = c.Net.TimeoutCommit
	}
	tuneCatchUp(cfg)
	cmtcfg.EnsureRoot(home)
	if _, err := c.PrivValidator(i); err != nil {
		return nil, "", err
	}
	nk, err := p2p.LoadOrGenNodeKey(cfg.NodeKeyFile())
	if err != nil {
		return nil, "", err
	}
	if err := nodehome.WriteRole(home, app.RoleConsumer); err != nil {
		return nil, "", err
	}
	return cfg, nk.ID(), nil
}
