package consumernet

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/cometbft/cometbft/p2p"

	"github.com/abci-ics/ics/client"
	"github.com/abci-ics/ics/nodehome"
	"github.com/abci-ics/ics/testnet/process"
	"github.com/abci-ics/ics/testnet/valnet"
)

// Join runs a node for validator i on the chain while the chain runs: it
// writes validator i's home with the genesis file the chain's nodes run
// (and a fresh consumer key when the chain uses assigned keys) and the
// running nodes as persistent peers, starts the node, records it, and
// waits until it has left block sync and is at most one block behind the
// node at peerRPC. It returns the node and its height then. The chain
// must have nodes already.
func (c *Chain) Join(ctx context.Context, i int, peerRPC string) (*Node, int64, error) {
	home, err := c.writeJoiningHome(ctx, i, c.Nodes())
	if err != nil {
		return nil, 0, fmt.Errorf("%s: validator %d's home: %w", c.ChainID, i, err)
	}
	n := &Node{Validator: i, Home: home}
	p, err := c.start(n)
	if err != nil {
		return nil, 0, err
	}
	n.Process = p
	c.addNode(n)
	h, err := waitCaughtUp(ctx, p, c.RPC(i), peerRPC, 3*time.Minute)
	if err != nil {
		return n, 0, fmt.Errorf("%s: validator %d's new node: %w", c.ChainID, i, err)
	}
	return n, h, nil
}

// writeJoiningHome writes validator i's home on the chain, which runs
// nodes: the genesis file copied from the first one's home, the others as
// persistent peers.
func (c *Chain) writeJoiningHome(ctx context.Context, i int, nodes []*Node) (string, error) {
	var peers []string
	for _, n := range nodes {
		nk, err := p2p.LoadNodeKey(nodehome.Config(n.Home).NodeKeyFile())
		if err != nil {
			return "", err
		}
		peers = append(peers, fmt.Sprintf("%s@127.0.0.1:%d", nk.ID(), c.P2PPort(n.Validator)))
	}
	genesis, err := os.ReadFile(nodehome.Config(nodes[0].Home).GenesisFile())
	if err != nil {
		return "", err
	}
	home := valnet.NodeHome(c.Dir, i)
	if c.KV {
		if _, err := c.prepareKVHome(i); err != nil {
			return "", err
		}
		if err := c.kvInit(ctx, i, peers); err != nil {
			return "", err
		}
	} else {
		cfg, _, err := c.prepareHome(i)
		if err != nil {
			return "", err
		}
		cfg.P2P.PersistentPeers = strings.Join(peers, ",")
		cmtcfg.WriteConfigFile(filepath.Join(cfg.RootDir, "config", "config.toml"), cfg)
	}
	if err := os.WriteFile(nodehome.Config(home).GenesisFile(), genesis, 0o644); err != nil {
		return "", err
	}
	return home, nil
}

// waitCaughtUp waits until the node p, at rpc, has left block sync and is at
// most one block behind the node at peerRPC, and returns its height. A
// node leaves block sync some blocks behind (its view of its peers'
// heights can be seconds old) and then catches up through consensus,
// block by block: a validator whose node is behind signs nothing.
func waitCaughtUp(ctx context.Context, p *process.Process, rpc, peerRPC string, timeout time.Duration) (int64, error) {
	c, err := client.NewClient(rpc)
	if err != nil {
		return 0, err
	}
	peer, err := client.NewClient(peerRPC)
	if err != nil {
		return 0, err
	}
	deadline := time.Now().Add(timeout)
	var behind int64 = -1
	for {
		qctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		ps, perr := peer.RPC().Status(qctx)
		st, err := c.RPC().Status(qctx)
		cancel()
		if err == nil && perr == nil {
			behind = ps.SyncInfo.LatestBlockHeight - st.SyncInfo.LatestBlockHeight
			if !st.SyncInfo.CatchingUp && behind <= 1 {
				return st.SyncInfo.LatestBlockHeight, nil
			}
		}
		if p.Exited() {
			return 0, fmt.Errorf("%s exited (%s)", rpc, p.ExitReport())
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("%s has not caught up with %s after %s (%d blocks behind; see %s)", rpc, peerRPC, timeout, behind, p.Log)
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(300 * time.Millisecond):
		}
	}
}
