package main_test

import (
	"context"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/abci-ics/ics/relayer/linkfile"
	"github.com/abci-ics/ics/testnet"
	"github.com/abci-ics/ics/testnet/ccvopts"
	"github.com/abci-ics/ics/testnet/valnet"
)

// buildKVConsumer compiles examples/kvconsumer into the test's temp dir.
func buildKVConsumer(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "kvconsumer")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/abci-ics/ics/examples/kvconsumer").CombinedOutput()
	if err != nil {
		t.Fatalf("go build kvconsumer: %v\n%s", err, out)
	}
	return bin
}

// TestKVConsumer runs a chain that is not icsd as a consumer: an icsd
// provider with two validators launches examples/kvconsumer by governance
// as a top-N 60 consumer, which only validator 0 (75% of the power) must
// validate: it runs the one kvconsumer node, signing with its provider
// key; the CCV channel opens through `icsd relay link-ccv
// --consumer-relay-tx` and `icsd relay start`, which send kvconsumer
// unsigned RelayTx transactions. A delegation on the provider reaches
// kvconsumer's CometBFT set. Validator 1 then opts in (CCVTestnet.OptIn):
// its kvconsumer node, written with kvconsumer's own init and the genesis
// file of validator 0's node, catches up and it joins kvconsumer's set.
// kvconsumer's own JSON transactions are committed and readable; and when
// validator 1's kvconsumer node stops, kvconsumer reports the downtime in
// a slash packet and the provider jails validator 1, which leaves
// kvconsumer's set while kvconsumer keeps committing.
func TestKVConsumer(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a provider, a kvconsumer chain and a relayer")
	}
	began := time.Now()
	o := ccvopts.Default()
	o.Dir, o.Bin, o.KVConsumerBin, o.BasePort = t.TempDir(), buildBinary(t), buildKVConsumer(t), freeBase(t, 30)
	o.Validators, o.Consumers, o.AssignKeys, o.KVConsumers = 2, 1, nil, []int{1}
	o.Kinds = []ccvopts.ConsumerKind{ccvopts.TopN(60)}
	// Validator 0 bonds three times what validator 1 does (75% of the
	// power, 80% after the delegation below), so that the consumer stays
	// live on validator 0's node alone when validator 1's node stops: it
	// needs more than 2/3 of the power signing.
	o.SelfDelegations = []uint64{300_000_000_000, 100_000_000_000}
	o.TimeoutCommit = 300 * time.Millisecond
	o.VotingPeriod = 4 * time.Second
	o.ConsumerUnbondingPeriod = 2 * time.Minute
	o.DowntimeJail = 10 * time.Minute
	o.NodeArgs = []string{"--log_level", "error"}
	out := &lockedBuffer{}
	o.Out = out
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	net, err := testnet.StartCCVTestnet(ctx, o)
	n := &ccvNet{t: t, net: net, out: out}
	defer func() {
		cancel()
		if net != nil {
			net.Stop()
		}
		if t.Failed() {
			t.Logf("testnet output:\n%s", out.String())
			dir := filepath.Join(o.Dir, ccvopts.ConsumerChainID(1))
			for _, f := range []string{"relayer.log", "node0/node.log", "node1/node.log"} {
				if bz, err := os.ReadFile(filepath.Join(dir, f)); err == nil {
					t.Logf("%s (tail):\n%s", f, tail(string(bz), 3000))
				}
			}
		}
	}()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("testnet running after %s", time.Since(began).Round(time.Second))
	go net.Watch(ctx, out, 500*time.Millisecond, 20)
	c := net.Consumers[0]

	// The consumer nodes run kvconsumer, not icsd, and the saved link
	// sends RelayTx transactions to the consumer end only.
	if v := c.Validators(); !slices.Equal(v, []int{0}) {
		t.Fatalf("kvconsumer validated by %v", v)
	}
	for _, node := range c.Nodes() {
		i := node.Validator
		info, err := n.rpc(c.RPC(i)).ABCIInfo(ctx)
		if err != nil || info.Response.Data != "kvconsumer" {
			t.Fatalf("consumer node %d's application: %v %+v", i, err, info)
		}
	}
	lf, err := linkfile.Read(c.LinkFile)
	if err != nil {
		t.Fatal(err)
	}
	if !lf.A.RelayTx || lf.B.RelayTx || lf.A.ChainID != c.ChainID || lf.A.Channel == "" || lf.B.Channel == "" {
		t.Fatalf("link %+v", lf)
	}
	if s := n.status(c); s.ProviderChannelID != lf.A.Channel {
		t.Fatalf("consumer status %+v, link channel %s", s, lf.A.Channel)
	}

	// kvconsumer is validated by validator 0, in the top 60%, with its
	// provider key.
	want := n.expectedSet(c)
	if len(want) != 1 {
		t.Fatalf("expected set %v", want)
	}
	if k := n.consumerKeyOf(c, 0); k != hex.EncodeToString(n.validator(0).PubKey) || want[k] != n.validator(0).Power {
		t.Fatalf("validator 0 runs kvconsumer with key %s, not its provider key, or is not in the set %v", k, want)
	}
	if got := n.ccvSet(c); !sameSet(got, want) {
		t.Fatalf("CCV set %v, want %v", got, want)
	}
	if got, h := n.cometSet(c); !sameSet(got, want) {
		t.Fatalf("CometBFT set %v at %d, want %v", got, h, want)
	}

	// A delegation on the provider reaches kvconsumer's CometBFT set.
	v0 := n.validator(0)
	txHeight(t, run(t, o.Bin, "tx", "staking", "delegate", "validator", v0.Operator, "100000000000stake",
		"--home", valnet.NodeHome(o.Dir, 1), "--node", net.ProviderRPC(0), "-o", "json"))
	want = n.expectedSet(c)
	if p := want[n.consumerKeyOf(c, 0)]; p != 400_000 {
		t.Fatalf("validator 0's power after the delegation: %d", p)
	}
	took := n.waitFor("kvconsumer's CometBFT set after the delegation", 2*time.Minute, func() bool {
		got, _ := n.cometSet(c)
		return sameSet(got, want)
	})
	t.Logf("delegation reached kvconsumer's CometBFT set in %s", took.Round(100*time.Millisecond))

	// Validator 1 opts in; its kvconsumer node starts, catches up, and it
	// joins kvconsumer's set with its provider key and power.
	if err := net.OptIn(ctx, c.Index, 1); err != nil {
		t.Fatal(err)
	}
	if info, err := n.rpc(c.RPC(1)).ABCIInfo(ctx); err != nil || info.Response.Data != "kvconsumer" {
		t.Fatalf("consumer node 1's application: %v %+v", err, info)
	}
	n.checkJoined(c, 1)

	// kvconsumer's own transactions: a JSON write sent to node 1 is
	// committed and read back from node 0; a malformed one is refused.
	n.kvWrite(c, 1, "hello", "world")
	res, err := n.rpc(c.RPC(0)).BroadcastTxSync(ctx, []byte(`{"key":"a","other":1}`))
	if err != nil || res.Code == 0 {
		t.Fatalf("malformed transaction: %v %+v", err, res)
	}

	// Downtime: validator 1's kvconsumer node stops (20% of the power);
	// kvconsumer reports it through a slash packet and the provider jails
	// validator 1, which then leaves kvconsumer's set.
	c.Node(1).Process.Stop(10 * time.Second)
	took = n.waitFor("validator 1 jailed on the provider", 3*time.Minute, func() bool { return n.validator(1).Jailed })
	t.Logf("validator 1 jailed %s after its kvconsumer node stopped", took.Round(100*time.Millisecond))
	if v := n.validator(1); v.Tombstoned || n.validator(0).Jailed {
		t.Fatalf("downtime punished more than validator 1's liveness: %+v", v)
	}
	gone := n.consumerKeyOf(c, 1)
	n.waitFor("kvconsumer without validator 1", 2*time.Minute, func() bool {
		got, _ := n.cometSet(c)
		_, in := got[gone]
		return !in && len(got) == 1
	})

	// kvconsumer still commits its own transactions on validator 0's node.
	n.kvWrite(c, 0, "after", "downtime")
	t.Logf("done in %s", time.Since(began).Round(time.Second))
}

// kvWrite commits {"key": key, "value": value} through validator i's node
// on kvconsumer c and reads it back with the /kv/KEY query from node 0
// (which the test never stops).
func (n *ccvNet) kvWrite(c *testnet.ConsumerChain, i int, key, value string) {
	n.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err := n.rpc(c.RPC(i)).BroadcastTxCommit(ctx, []byte(`{"key":"`+key+`","value":"`+value+`"}`))
	if err != nil || res.CheckTx.Code != 0 || res.TxResult.Code != 0 || res.Height == 0 {
		n.t.Fatalf("kv write %s=%s: %v %+v", key, value, err, res)
	}
	n.waitFor("kv "+key+" readable", time.Minute, func() bool {
		q, err := n.rpc(c.RPC(0)).ABCIQuery(ctx, "/kv/"+key, nil)
		return err == nil && q.Response.Code == 0 && string(q.Response.Value) == value && q.Response.Height >= res.Height
	})
}
