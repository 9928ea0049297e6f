package main_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	rpcclient "github.com/cometbft/cometbft/rpc/client"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"

	"github.com/abci-ics/ics/app"
	"github.com/abci-ics/ics/app/pos"
	"github.com/abci-ics/ics/client"
	"github.com/abci-ics/ics/testnet/process"
	"github.com/abci-ics/ics/testnet/valnet"
	"github.com/abci-ics/ics/types/address"
)

type cluster struct {
	t     *testing.T
	bin   string
	dir   string
	base  int
	procs []*process.Process
}

func (c *cluster) rpc(i int) string { return fmt.Sprintf("tcp://127.0.0.1:%d", c.base+10*i+1) }

func (c *cluster) client(i int) *rpchttp.HTTP {
	cl, err := rpchttp.New(c.rpc(i), "/websocket")
	if err != nil {
		c.t.Fatal(err)
	}
	return cl
}

func (c *cluster) start(i int) {
	c.t.Helper()
	p, err := process.StartNode(c.bin, valnet.NodeHome(c.dir, i), "--log_level", "error")
	if err != nil {
		c.t.Fatal(err)
	}
	c.procs[i] = p
}

func (c *cluster) height(i int) int64 {
	st, err := c.client(i).Status(context.Background())
	if err != nil {
		return 0
	}
	return st.SyncInfo.LatestBlockHeight
}

func (c *cluster) waitHeight(i int, h int64) int64 {
	c.t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		if got := c.height(i); got >= h {
			return got
		}
		time.Sleep(100 * time.Millisecond)
	}
	c.t.Fatalf("node%d did not reach height %d", i, h)
	return 0
}

// icsd runs the binary against node i with the keyring of node k.
func (c *cluster) icsd(k, i int, args ...string) string {
	c.t.Helper()
	args = append(args, "--home", valnet.NodeHome(c.dir, k), "--node", c.rpc(i))
	out, err := exec.Command(c.bin, args...).CombinedOutput()
	if err != nil {
		c.t.Fatalf("icsd %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func (c *cluster) query(path string, height int64, out any) {
	c.t.Helper()
	res, err := c.client(0).ABCIQueryWithOptions(context.Background(), path, nil, rpcclient.ABCIQueryOptions{Height: height})
	if err != nil || res.Response.Code != 0 {
		c.t.Fatalf("query %s at %d: %v %s", path, height, err, res.Response.Log)
	}
	if err := json.Unmarshal(res.Response.Value, out); err != nil {
		c.t.Fatal(err)
	}
}

func (c *cluster) operator(i int) string {
	k, err := client.LoadKey(valnet.NodeHome(c.dir, i), "validator")
	if err != nil {
		c.t.Fatal(err)
	}
	return address.Encode("ics", k.Address())
}

func (c *cluster) validator(i int) pos.ValidatorJSON {
	var v pos.ValidatorJSON
	c.query(pos.PathValidator+c.operator(i), 0, &v)
	return v
}

// cometPower returns node i's validator power in CometBFT's set at height h
// (0 if absent).
func (c *cluster) cometPower(i int, h int64) int64 {
	c.t.Helper()
	v := c.validator(i)
	res, err := c.client(0).Validators(context.Background(), &h, nil, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	for _, val := range res.Validators {
		if val.Address.String() == v.ConsAddress {
			return val.VotingPower
		}
	}
	return 0
}

func (c *cluster) stake(i int, height int64) uint64 {
	var coins []app.CoinJSON
	c.query(app.PathBalances+c.operator(i), height, &coins)
	for _, co := range coins {
		if co.Denom == "stake" {
			return co.Amount
		}
	}
	return 0
}

func txHeight(t *testing.T, out string) int64 {
	var res client.TxResult
	if err := json.Unmarshal([]byte(out), &res); err != nil || res.Code != 0 {
		t.Fatalf("tx result %q: %v", out, err)
	}
	return res.Height
}

func blockTime(t *testing.T, c *rpchttp.HTTP, h int64) time.Time {
	b, err := c.Block(context.Background(), &h)
	if err != nil {
		t.Fatal(err)
	}
	return b.Block.Time
}

// TestTestnet runs four validator processes on loopback: delegation
// changes CometBFT's set within two blocks, an undelegation completes
// exactly at the end of the unbonding period, a stopped validator is jailed
// once and comes back after unjail, and a killed node catches up.
func TestTestnet(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a network")
	}
	c := &cluster{t: t, bin: buildBinary(t), dir: t.TempDir(), procs: make([]*process.Process, 4)}
	c.base = freeBase(t, 4)
	err := valnet.Init(valnet.Options{
		Dir: c.dir, ChainID: "net-1", Validators: 4, BasePort: c.base, TimeoutCommit: 300 * time.Millisecond,
		Balance: 1_000_000_000_000, SelfDelegation: 100_000_000_000,
		Tune: func(g *app.Genesis) {
			g.Staking.Params.UnbondingPeriod = 12 * time.Second
			g.Staking.Params.SignedBlocksWindow = 10
			g.Staking.Params.DowntimeJailDuration = 4 * time.Second
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := range c.procs {
		c.start(i)
	}
	defer func() {
		for _, p := range c.procs {
			if p != nil {
				p.Stop(5 * time.Second)
			}
		}
	}()
	c.waitHeight(0, 3)
	for i := 0; i < 4; i++ {
		if p := c.cometPower(i, c.height(0)); p != 100_000 {
			t.Fatalf("node%d power %d at start", i, p)
		}
	}

	// Delegation: node0's account delegates to node1.
	h := txHeight(t, c.icsd(0, 0, "tx", "staking", "delegate", "validator", c.operator(1), "50000000000stake", "-o", "json"))
	c.waitHeight(0, h+2)
	if p := c.cometPower(1, h+1); p != 100_000 {
		t.Fatalf("power changed too early: %d at %d", p, h+1)
	}
	if p := c.cometPower(1, h+2); p != 150_000 {
		t.Fatalf("node1 power %d at height %d, want 150000", p, h+2)
	}

	// Undelegation completes at the first block at or after its completion time.
	h = txHeight(t, c.icsd(0, 0, "tx", "staking", "undelegate", "validator", c.operator(1), "10000000000stake", "-o", "json"))
	var entries []pos.UnbondingJSON
	c.query(pos.PathUnbonding+"/"+c.operator(0), h, &entries)
	if len(entries) != 1 || entries[0].Balance != 10_000_000_000 {
		t.Fatalf("unbonding entries %+v", entries)
	}
	done, err := time.Parse(time.RFC3339Nano, entries[0].CompletionTime)
	if err != nil {
		t.Fatal(err)
	}
	before := c.stake(0, h)
	var paid int64
	for paid == 0 {
		time.Sleep(300 * time.Millisecond)
		// The block store's height can run one block ahead of the
		// application's last commit: query the heights below it.
		top := c.height(0) - 1
		for hh := h + 1; hh <= top && paid == 0; hh++ {
			if got := c.stake(0, hh); got != before {
				if got != before+10_000_000_000 {
					t.Fatalf("balance at %d: %d, want %d", hh, got, before+10_000_000_000)
				}
				paid = hh
			}
		}
		if time.Since(done) > 30*time.Second {
			t.Fatal("undelegation never completed")
		}
	}
	if bt := blockTime(t, c.client(0), paid); bt.Before(done) {
		t.Fatalf("paid at height %d (time %s), before completion %s", paid, bt, done)
	}
	if bt := blockTime(t, c.client(0), paid-1); !bt.Before(done) {
		t.Fatalf("not paid at height %d (time %s), after completion %s", paid-1, bt, done)
	}

	// Downtime: stop node3 for longer than the window.
	c.procs[3].Stop(5 * time.Second)
	deadline := time.Now().Add(60 * time.Second)
	for !c.validator(3).Jailed {
		if time.Now().After(deadline) {
			t.Fatal("node3 never jailed")
		}
		time.Sleep(300 * time.Millisecond)
	}
	jailedAt := c.height(0)
	c.waitHeight(0, jailedAt+3)
	if p := c.cometPower(3, c.height(0)); p != 0 {
		t.Fatalf("jailed validator still in the set with power %d", p)
	}
	v := c.validator(3)
	const slashed = 100_000_000_000 - 10_000_000 // one downtime slash of 0.0001
	if v.Tokens != slashed {
		t.Fatalf("node3 tokens %d after one downtime, want %d", v.Tokens, slashed)
	}
	c.start(3)
	until, _ := time.Parse(time.RFC3339Nano, v.JailedUntil)
	time.Sleep(time.Until(until) + 500*time.Millisecond)
	h = txHeight(t, c.icsd(3, 0, "tx", "staking", "unjail", "validator", "-o", "json"))
	c.waitHeight(0, h+2)
	if p := c.cometPower(3, h+2); p != slashed/1_000_000 {
		t.Fatalf("node3 power %d after unjail", p)
	}
	if c.validator(3).Tokens != slashed {
		t.Fatal("node3 slashed again")
	}

	// kill -9 and restart: the node catches up with the same app hash.
	c.procs[2].Kill()
	top := c.waitHeight(0, c.height(0)+3)
	c.start(2)
	c.waitHeight(2, top)
	a, err := c.client(0).Commit(context.Background(), &top)
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.client(2).Commit(context.Background(), &top)
	if err != nil {
		t.Fatal(err)
	}
	if a.AppHash.String() != b.AppHash.String() {
		t.Fatalf("app hash at %d: %s vs %s", top, a.AppHash, b.AppHash)
	}
}
