package main_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/cometbft/cometbft/p2p"
	rpcclient "github.com/cometbft/cometbft/rpc/client"

	"github.com/abci-ics/ics/app"
	"github.com/abci-ics/ics/nodehome"
	"github.com/abci-ics/ics/testnet/process"
	"github.com/abci-ics/ics/testnet/valnet"
)

// TestStateSync: three provider validators take a snapshot every 10
// heights; a new non-validator node joins by CometBFT state sync from two
// of them. It restores the newest snapshot (its block store starts after
// it, and its log says so), catches up with the network, computes the
// validators' app hashes for the blocks it executes itself, and answers a
// query at one of those heights as they do.
func TestStateSync(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a network")
	}
	c := &cluster{t: t, bin: buildBinary(t), dir: t.TempDir(), procs: make([]*process.Process, 4)}
	c.base = freeBase(t, 4)
	err := valnet.Init(valnet.Options{Dir: c.dir, ChainID: "sync-1", Validators: 3, BasePort: c.base, TimeoutCommit: 200 * time.Millisecond,
		Balance: 1_000_000_000_000, SelfDelegation: 100_000_000_000})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		ac := nodehome.DefaultAppConfig(app.RoleProvider)
		ac.Snapshots = nodehome.Snapshots{Interval: 10, KeepRecent: 2}
		if err := nodehome.WriteAppConfig(valnet.NodeHome(c.dir, i), ac); err != nil {
			t.Fatal(err)
		}
		c.start(i)
	}
	defer func() {
		for _, p := range c.procs {
			if p != nil {
				p.Stop(5 * time.Second)
			}
		}
	}()

	// A transfer, so the state the snapshot carries is not the genesis.
	c.waitHeight(0, 3)
	c.icsd(0, 0, "tx", "bank", "send", "validator", c.operator(1), "777stake")

	// Wait for the snapshot of height 20 on nodes 0 and 1.
	deadline := time.Now().Add(60 * time.Second)
	for !snapshotOn(c, 0, 20) || !snapshotOn(c, 1, 20) {
		if time.Now().After(deadline) {
			t.Fatal("no snapshot of height 20")
		}
		time.Sleep(200 * time.Millisecond)
	}
	c.waitHeight(0, 23)
	trustHeight := int64(15)
	blk, err := c.client(0).Block(context.Background(), &trustHeight)
	if err != nil {
		t.Fatal(err)
	}

	// The new node: its own keys, the network's genesis, state sync on.
	home := valnet.NodeHome(c.dir, 3)
	run(t, c.bin, "init", "--home", home, "--chain-id", "sync-1")
	genesis, err := os.ReadFile(filepath.Join(valnet.NodeHome(c.dir, 0), "config", "genesis.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, "config", "genesis.json"), genesis, 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := nodehome.LoadConfig(home, nil)
	if err != nil {
		t.Fatal(err)
	}
	var peers []string
	for i := range 2 {
		key, err := p2p.LoadNodeKey(filepath.Join(valnet.NodeHome(c.dir, i), "config", "node_key.json"))
		if err != nil {
			t.Fatal(err)
		}
		peers = append(peers, fmt.Sprintf("%s@127.0.0.1:%d", key.ID(), c.base+10*i))
	}
	cfg.P2P.ListenAddress = fmt.Sprintf("tcp://127.0.0.1:%d", c.base+30)
	cfg.RPC.ListenAddress = c.rpc(3)
	cfg.P2P.PersistentPeers = strings.Join(peers, ",")
	cfg.P2P.AddrBookStrict, cfg.P2P.AllowDuplicateIP = false, true
	cfg.Instrumentation.Prometheus = false
	cfg.Consensus.TimeoutCommit = 200 * time.Millisecond
	cfg.StateSync.Enable = true
	cfg.StateSync.RPCServers = []string{strings.TrimPrefix(c.rpc(0), "tcp://"), strings.TrimPrefix(c.rpc(1), "tcp://")}
	cfg.StateSync.TrustHeight = trustHeight
	cfg.StateSync.TrustHash = blk.BlockID.Hash.String()
	cfg.StateSync.TrustPeriod = time.Hour
	cfg.StateSync.DiscoveryTime = 5 * time.Second
	cfg.StateSync.ChunkRequestTimeout = 5 * time.Second
	cmtcfg.WriteConfigFile(filepath.Join(home, "config", "config.toml"), cfg)
	p, err := process.StartNode(c.bin, home, "--log_level", "statesync:info,app:info,*:error")
	if err != nil {
		t.Fatal(err)
	}
	c.procs[3] = p

	// It restores a snapshot and catches up.
	tip := c.height(0)
	top := c.waitHeight(3, tip+5)
	st, err := c.client(3).Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	log, _ := os.ReadFile(p.Log)
	if st.SyncInfo.EarliestBlockHeight <= 1 || !strings.Contains(string(log), "state restored from a snapshot") {
		t.Fatalf("node3 did not state sync (earliest block %d):\n%s", st.SyncInfo.EarliestBlockHeight, log)
	}
	restored := st.SyncInfo.EarliestBlockHeight - 1
	if restored%10 != 0 || restored < 20 {
		t.Fatalf("node3's blocks start at %d, after no snapshot height", st.SyncInfo.EarliestBlockHeight)
	}
	t.Logf("node3 restored height %d, then executed up to %d", restored, top)

	// It executed the blocks after the snapshot to the validators' app
	// hashes.
	for h := restored + 1; h <= top; h++ {
		mine, err := c.client(3).BlockResults(context.Background(), &h)
		if err != nil {
			t.Fatalf("node3 block results %d: %v", h, err)
		}
		theirs, err := c.client(0).BlockResults(context.Background(), &h)
		if err != nil {
			t.Fatalf("node0 block results %d: %v", h, err)
		}
		if len(mine.AppHash) == 0 || !bytes.Equal(mine.AppHash, theirs.AppHash) {
			t.Fatalf("height %d: node3 app hash %X, node0 %X", h, mine.AppHash, theirs.AppHash)
		}
	}
	// And answers a query at a height it executed as a validator does.
	path := app.PathBalances + c.operator(1)
	q := top - 1
	var answers [][]byte
	for _, i := range []int{3, 2} {
		res, err := c.client(i).ABCIQueryWithOptions(context.Background(), path, nil, rpcclient.ABCIQueryOptions{Height: q})
		if err != nil || res.Response.Code != 0 {
			t.Fatalf("node%d query at %d: %v %s", i, q, err, res.Response.Log)
		}
		answers = append(answers, res.Response.Value)
	}
	if !bytes.Equal(answers[0], answers[1]) || !strings.Contains(string(answers[0]), "stake") {
		t.Fatalf("balances at %d: node3 %s, node2 %s", q, answers[0], answers[1])
	}
}

// snapshotOn reports whether node i has written its snapshot of height.
func snapshotOn(c *cluster, i int, height int64) bool {
	_, err := os.Stat(filepath.Join(valnet.NodeHome(c.dir, i), "data", "snapshots", fmt.Sprint(height), "meta.json"))
	return err == nil
}
