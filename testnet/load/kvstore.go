package load

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/cometbft/cometbft/abci/example/kvstore"
	cmtcfg "github.com/cometbft/cometbft/config"
	cmtlog "github.com/cometbft/cometbft/libs/log"
	"github.com/cometbft/cometbft/node"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	"github.com/cometbft/cometbft/proxy"
	cmttypes "github.com/cometbft/cometbft/types"
)

// KVStoreNode is CometBFT's kvstore example application running as a
// single-validator node in this process, on loopback.
type KVStoreNode struct {
	RPC  string // tcp://127.0.0.1:port
	node *node.Node
	app  *kvstore.Application
}

// freePort returns a loopback port nobody listens on now.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// StartKVStore writes a single-validator home in dir with CometBFT's
// default configuration (as `icsd testnet init` writes it) and
// timeoutCommit, starts the kvstore application over goleveldb on it, and
// returns once the node has committed its first block.
func StartKVStore(ctx context.Context, dir string, timeoutCommit time.Duration) (*KVStoreNode, error) {
	cfg := cmtcfg.DefaultConfig()
	cfg.SetRoot(dir)
	cmtcfg.EnsureRoot(dir)
	cfg.Moniker = "kvstore"
	p2pPort, err := freePort()
	if err != nil {
		return nil, err
	}
	rpcPort, err := freePort()
	if err != nil {
		return nil, err
	}
	cfg.P2P.ListenAddress = fmt.Sprintf("tcp://127.0.0.1:%d", p2pPort)
	cfg.RPC.ListenAddress = fmt.Sprintf("tcp://127.0.0.1:%d", rpcPort)
	cfg.P2P.AddrBookStrict = false
	cfg.P2P.PexReactor = false // no peers; and no address book saved after Stop
	cfg.Instrumentation.Prometheus = false
	if timeoutCommit > 0 {
		cfg.Consensus.TimeoutCommit = timeoutCommit
	}
	pv := privval.LoadOrGenFilePV(cfg.PrivValidatorKeyFile(), cfg.PrivValidatorStateFile())
	nodeKey, err := p2p.LoadOrGenNodeKey(cfg.NodeKeyFile())
	if err != nil {
		return nil, err
	}
	pub, err := pv.GetPubKey()
	if err != nil {
		return nil, err
	}
	doc := cmttypes.GenesisDoc{
		ChainID:         "kvstore-load",
		GenesisTime:     time.Now().UTC().Round(0),
		InitialHeight:   1,
		ConsensusParams: cmttypes.DefaultConsensusParams(),
		Validators:      []cmttypes.GenesisValidator{{Address: pub.Address(), PubKey: pub, Power: 10, Name: "kvstore"}},
	}
	if err := doc.ValidateAndComplete(); err != nil {
		return nil, err
	}
	if err := doc.SaveAs(cfg.GenesisFile()); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(dir, "app"), 0o755); err != nil {
		return nil, err
	}
	app := kvstore.NewPersistentApplication(filepath.Join(dir, "app"))
	n, err := node.NewNode(cfg, pv, nodeKey, proxy.NewLocalClientCreator(app),
		node.DefaultGenesisDocProviderFunc(cfg), cmtcfg.DefaultDBProvider,
		node.DefaultMetricsProvider(cfg.Instrumentation), cmtlog.NewNopLogger())
	if err != nil {
		app.Close()
		return nil, fmt.Errorf("kvstore node: %w", err)
	}
	if err := n.Start(); err != nil {
		app.Close()
		return nil, fmt.Errorf("start kvstore node: %w", err)
	}
	k := &KVStoreNode{RPC: cfg.RPC.ListenAddress, node: n, app: app}
	c, err := newRPC(k.RPC)
	if err != nil {
		k.Stop()
		return nil, err
	}
	for {
		st, err := c.Status(ctx)
		if err == nil && st.SyncInfo.LatestBlockHeight >= 1 {
			return k, nil
		}
		select {
		case <-ctx.Done():
			k.Stop()
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Stop stops the node and closes the application.
func (k *KVStoreNode) Stop() {
	if k.node.IsRunning() {
		_ = k.node.Stop()
	}
	k.node.Wait()
	_ = k.app.Close()
}

// kvWrites is the kvstore generator: unique key=value transactions, with
// no limit on those in flight.
type kvWrites struct {
	prefix string
	seq    atomic.Uint64
}

func (g *kvWrites) reserve(ctx context.Context, _ int) (int, bool) { return -1, ctx.Err() == nil }

func (g *kvWrites) build(_, _ int) ([]byte, uint64) {
	n := g.seq.Add(1)
	return fmt.Appendf(nil, "%s%010d=v%016x", g.prefix, n, n*0x9e3779b97f4a7c15), 0
}

func (g *kvWrites) unreserve(int, int)                      {}
func (g *kvWrites) rejected(int, int, uint64, bool, string) {}
func (g *kvWrites) settled(int, uint32)                     {}

// RunKVStore starts a kvstore node in a temporary directory with
// timeoutCommit, sends it key=value transactions at o.Rate for o.Duration
// (o.Nodes is ignored), and stops it.
func RunKVStore(ctx context.Context, o Options, timeoutCommit time.Duration) (*Result, error) {
	o.Nodes = []string{"kvstore"}
	if err := o.Validate(); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "icsd-load-kvstore-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	k, err := StartKVStore(ctx, dir, timeoutCommit)
	if err != nil {
		return nil, err
	}
	defer k.Stop()
	o.logf("kvstore node running at %s (timeout_commit %s)", k.RPC, timeoutCommit)
	o.Nodes = []string{k.RPC}
	watch, err := newWatcher(ctx, k.RPC)
	if err != nil {
		return nil, err
	}
	wctx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	go watch.run(wctx)
	gen := &kvWrites{prefix: fmt.Sprintf("k%x-", time.Now().UnixNano()&0xffffff)}
	return run(ctx, o, o.Conns, gen, watch, Result{Name: "kvstore", Workload: "kvstore key=value writes"})
}
