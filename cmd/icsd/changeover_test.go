package main_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"

	"github.com/abci-ics/ics/client"
	"github.com/abci-ics/ics/interchain"
	"github.com/abci-ics/ics/testnet/ccvopts"
	"github.com/abci-ics/ics/testnet/changeovernet"
)

// TestChangeoverTestnet runs `icsd testnet changeover`'s steps beside a
// CCV testnet of three provider validators and one consumer: a standalone
// chain run by the provider validators (node i with validator i's
// consensus key) becomes a consumer of the provider at height H. Node 2
// is killed with -9 three blocks before H, after it imported the plan,
// and started again once H+2 is committed: it catches up across the
// changeover with the app hashes of the others. Block H carries the
// changeover event and block H+2 is signed by the provider's set (Follow
// checks both). The chains were linked by a transfer channel before
// (Link) and the consumer was created on its connection: the relayer
// opens the CCV channel on that connection and finds the transfer channel
// on it (StartRelayer checks both), and a delegation on the provider
// reaches the chain's CometBFT set (Delegate).
func TestChangeoverTestnet(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a provider, a consumer, a standalone chain and relayers")
	}
	began := time.Now()
	bin := buildBinary(t)
	out := &lockedBuffer{}
	o := e2eOptions(t, bin, 104, 3, []ccvopts.ConsumerKind{ccvopts.TopN(100)}, out)
	_, ctx := startCCV(t, o, out, 6*time.Minute, "standalone/relayer.log", "standalone/node2/node.log", "standalone/node0/node.log")
	var ch *changeovernet.Changeover
	t.Cleanup(func() {
		if ch != nil {
			ch.Stop()
		}
		if testing.Verbose() && !t.Failed() {
			t.Logf("output:\n%s", out.String())
		}
	})

	co := changeovernet.Default()
	co.Dir, co.Bin, co.Out, co.NodeArgs = o.Dir, bin, out, o.NodeArgs
	co.Lead = 10 * time.Second
	var err error
	if ch, err = changeovernet.Load(co); err != nil {
		t.Fatal(err)
	}
	if err := ch.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := ch.Link(ctx); err != nil {
		t.Fatal(err)
	}
	h, err := ch.Propose(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := ch.Import(ctx); err != nil {
		t.Fatal(err)
	}
	if got := heightAt(t, ch.RPC(2)); got >= h-3 {
		t.Fatalf("node 2 at height %d after the import, changeover at %d: no time to stop it before", got, h)
	}
	waitAt(t, ch.RPC(0), h-3)
	ch.KillNode(2)
	t.Logf("node 2 killed at height %d, changeover at %d", heightAt(t, ch.RPC(0)), h)
	if err := ch.Follow(ctx); err != nil {
		t.Fatal(err)
	}
	waitAt(t, ch.RPC(0), h+3)
	if err := ch.StartNode(2); err != nil {
		t.Fatal(err)
	}
	if err := ch.StartRelayer(ctx); err != nil {
		t.Fatal(err)
	}
	if err := ch.Delegate(ctx); err != nil {
		t.Fatal(err)
	}
	var k []interchain.ConsumerJSON
	if err := queryAt(ch.ProviderRPC(0), interchain.PathConsumers, &k); err != nil {
		t.Fatal(err)
	}
	for _, c := range k {
		if c.ChainID == co.ChainID && (c.ChannelID == "" || c.ConsumerID != ch.ConsumerID) {
			t.Fatalf("the provider's consumer %+v: no CCV channel", c)
		}
	}

	// Node 2 caught up across H, with the others' app hashes: each block's
	// header (which node 2 checked against its own state when it applied
	// the block before) and its own latest app hash.
	top := waitAt(t, ch.RPC(2), h+8)
	n0, n2 := rpcOf(t, ch.RPC(0)), rpcOf(t, ch.RPC(2))
	for hh := h - 3; hh <= top; hh++ {
		b0, err0 := n0.Block(ctx, &hh)
		b2, err2 := n2.Block(ctx, &hh)
		if err0 != nil || err2 != nil {
			t.Fatalf("block %d: %v %v", hh, err0, err2)
		}
		if !bytes.Equal(b0.Block.AppHash, b2.Block.AppHash) {
			t.Fatalf("app hash of block %d: node 0 %X, node 2 %X", hh-1, b0.Block.AppHash, b2.Block.AppHash)
		}
	}
	info, err := n2.ABCIInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	last := info.Response.LastBlockHeight
	waitAt(t, ch.RPC(0), last+1)
	next := last + 1
	b0, err := n0.Block(ctx, &next)
	if err != nil {
		t.Fatal(err)
	}
	if last <= h || !bytes.Equal(b0.Block.AppHash, info.Response.LastBlockAppHash) {
		t.Fatalf("node 2 at height %d with app hash %X, node 0's %X", last, info.Response.LastBlockAppHash, b0.Block.AppHash)
	}
	var st interchain.ConsumerStatusJSON
	if err := queryAt(ch.RPC(2), interchain.PathConsumerStatus, &st); err != nil || st.ProviderClientID == "" {
		t.Fatalf("node 2 is not a consumer: %+v %v", st, err)
	}
	t.Logf("changeover at %d; node 2 restarted at %d, caught up to %d with the same app hashes; %s", h, h+3, last, time.Since(began).Round(time.Second))
}

// queryAt runs a JSON query against the node at rpc.
func queryAt(rpc, path string, out any) error {
	c, err := client.NewClient(rpc)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return c.QueryJSON(ctx, path, out)
}

// heightAt is the latest height of the node at rpc.
func heightAt(t *testing.T, rpc string) int64 {
	t.Helper()
	st, err := rpcOf(t, rpc).Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st.SyncInfo.LatestBlockHeight
}

// waitAt waits until the node at rpc has committed height h, and returns
// its height.
func waitAt(t *testing.T, rpc string, h int64) int64 {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		if st, err := rpcOf(t, rpc).Status(context.Background()); err == nil && st.SyncInfo.LatestBlockHeight >= h {
			return st.SyncInfo.LatestBlockHeight
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not reach height %d", rpc, h)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func rpcOf(t *testing.T, addr string) *rpchttp.HTTP {
	t.Helper()
	c, err := rpchttp.New(addr, "/websocket")
	if err != nil {
		t.Fatal(err)
	}
	return c
}
