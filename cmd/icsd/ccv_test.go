package main_test

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"

	"github.com/abci-ics/ics/app/pos"
	"github.com/abci-ics/ics/ccv/icsgenesis"
	"github.com/abci-ics/ics/chain/staking"
	"github.com/abci-ics/ics/client"
	"github.com/abci-ics/ics/interchain"
	"github.com/abci-ics/ics/nodehome"
	"github.com/abci-ics/ics/relayer/linkfile"
	"github.com/abci-ics/ics/testnet"
	"github.com/abci-ics/ics/testnet/ccvopts"
	"github.com/abci-ics/ics/testnet/process"
	"github.com/abci-ics/ics/testnet/valnet"
	"github.com/abci-ics/ics/types/address"
)

// ccvNet wraps a running CCV testnet for assertions.
type ccvNet struct {
	t   *testing.T
	net *testnet.CCVTestnet
	out *lockedBuffer
}

func (n *ccvNet) query(rpc, path string, out any) error {
	c, err := client.NewClient(rpc)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return c.QueryJSON(ctx, path, out)
}

func (n *ccvNet) mustQuery(rpc, path string, out any) {
	n.t.Helper()
	if err := n.query(rpc, path, out); err != nil {
		n.t.Fatal(err)
	}
}

func (n *ccvNet) rpc(addr string) *rpchttp.HTTP {
	c, err := rpchttp.New(addr, "/websocket")
	if err != nil {
		n.t.Fatal(err)
	}
	return c
}

// expectedSet is the provider's bonded, unjailed validators opted in to c
// (on a top-N consumer, the top N are) mapped through the consumer keys
// assigned on c: consumer key (hex) -> power.
func (n *ccvNet) expectedSet(c *testnet.ConsumerChain) map[string]int64 {
	n.t.Helper()
	prov := n.net.LiveProviderRPC()
	var vals []pos.ValidatorJSON
	n.mustQuery(prov, pos.PathValidators, &vals)
	var keys []interchain.KeyAssignmentJSON
	n.mustQuery(prov, interchain.PathKeyAssignments+c.ConsumerID, &keys)
	assigned := map[string]string{}
	for _, k := range keys {
		assigned[k.ProviderAddress] = k.ConsumerKey
	}
	var detail interchain.ConsumerDetailJSON
	n.mustQuery(prov, interchain.PathConsumer+c.ConsumerID, &detail)
	out := map[string]int64{}
	for _, v := range vals {
		if v.Status != staking.BOND_STATUS_BONDED.String() || v.Jailed {
			continue
		}
		consAddr, err := hex.DecodeString(v.ConsAddress)
		if err != nil {
			n.t.Fatalf("cons address %q: %v", v.ConsAddress, err)
		}
		valcons := address.Encode("icsvalcons", consAddr)
		if !slices.Contains(detail.OptedIn, valcons) {
			continue
		}
		key := hex.EncodeToString(v.PubKey)
		if a, ok := assigned[valcons]; ok {
			key = a
		}
		out[key] = v.Power
	}
	return out
}

// ccvSet is a consumer's CCV validator set: consumer key (hex) -> power.
func (n *ccvNet) ccvSet(c *testnet.ConsumerChain) map[string]int64 {
	n.t.Helper()
	var vals []interchain.ConsumerValidatorJSON
	n.mustQuery(c.LiveRPC(), interchain.PathConsumerValidator, &vals)
	out := map[string]int64{}
	for _, v := range vals {
		out[v.ConsumerKey] = v.Power
	}
	return out
}

// cometSet is the consumer's CometBFT validator set at its latest height,
// and that height.
func (n *ccvNet) cometSet(c *testnet.ConsumerChain) (map[string]int64, int64) {
	n.t.Helper()
	res, err := n.rpc(c.LiveRPC()).Validators(context.Background(), nil, nil, nil)
	if err != nil {
		n.t.Fatal(err)
	}
	out := map[string]int64{}
	for _, v := range res.Validators {
		out[hex.EncodeToString(v.PubKey.Bytes())] = v.VotingPower
	}
	return out, res.BlockHeight
}

func sameSet(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func (n *ccvNet) status(c *testnet.ConsumerChain) interchain.ConsumerStatusJSON {
	n.t.Helper()
	var s interchain.ConsumerStatusJSON
	n.mustQuery(c.LiveRPC(), interchain.PathConsumerStatus, &s)
	return s
}

func (n *ccvNet) waitFor(what string, timeout time.Duration, cond func() bool) time.Duration {
	n.t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > timeout {
			n.t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(300 * time.Millisecond)
	}
	return time.Since(start)
}

func (n *ccvNet) validator(i int) pos.ValidatorJSON {
	n.t.Helper()
	k, err := client.LoadKey(valnet.NodeHome(n.net.Opts.Dir, i), "validator")
	if err != nil {
		n.t.Fatal(err)
	}
	var v pos.ValidatorJSON
	n.mustQuery(n.net.LiveProviderRPC(), pos.PathValidator+address.Encode("ics", k.Address()), &v)
	return v
}

// consumerKeyOf returns validator i's key on consumer c (hex), which it
// runs a node on.
func (n *ccvNet) consumerKeyOf(c *testnet.ConsumerChain, i int) string {
	n.t.Helper()
	node := c.Node(i)
	if node == nil {
		n.t.Fatalf("validator %d runs no node on %s", i, c.ChainID)
	}
	pk, err := nodehome.ParseConsensusKey(node.Home + "/config/priv_validator_key.json")
	if err != nil {
		n.t.Fatal(err)
	}
	return hex.EncodeToString(pk)
}

// startTwin starts a second node with validator i's key on consumer c,
// listening on port (P2P) and port+1 (RPC): the validator double-signs.
func (n *ccvNet) startTwin(c *testnet.ConsumerChain, i, port int) *process.Process {
	n.t.Helper()
	src := filepath.Join(c.Node(i).Home, "config")
	home := filepath.Join(c.Dir, fmt.Sprintf("node%d-twin", i))
	dst := filepath.Join(home, "config")
	if err := os.MkdirAll(filepath.Join(home, "data"), 0o755); err != nil {
		n.t.Fatal(err)
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		n.t.Fatal(err)
	}
	for _, f := range []string{"config.toml", "genesis.json", "app.toml"} {
		bz, err := os.ReadFile(filepath.Join(src, f))
		if err != nil {
			n.t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, f), bz, 0o644); err != nil {
			n.t.Fatal(err)
		}
	}
	pv := privval.LoadFilePVEmptyState(filepath.Join(src, "priv_validator_key.json"), "")
	privval.NewFilePV(pv.Key.PrivKey, filepath.Join(dst, "priv_validator_key.json"), filepath.Join(home, "data", "priv_validator_state.json")).Save()
	if _, err := p2p.LoadOrGenNodeKey(filepath.Join(dst, "node_key.json")); err != nil {
		n.t.Fatal(err)
	}
	p, err := process.StartNode(n.net.Opts.Bin, home, "--p2p.laddr", fmt.Sprintf("tcp://127.0.0.1:%d", port),
		"--rpc.laddr", fmt.Sprintf("tcp://127.0.0.1:%d", port+1), "--log_level", "error")
	if err != nil {
		n.t.Fatal(err)
	}
	return p
}

// pendingCommitments counts the packets sent and not yet acknowledged on
// both ends of every CCV channel.
func (n *ccvNet) pendingCommitments() int {
	n.t.Helper()
	total := 0
	for _, c := range n.net.Consumers {
		bz, err := os.ReadFile(c.LinkFile)
		if err != nil {
			n.t.Fatal(err)
		}
		var lf linkfile.File
		if err := json.Unmarshal(bz, &lf); err != nil {
			n.t.Fatal(err)
		}
		var a, b []uint64
		n.mustQuery(c.LiveRPC(), interchain.PathIBCCommitments+lf.A.Port+"/"+lf.A.Channel, &a)
		n.mustQuery(n.net.LiveProviderRPC(), interchain.PathIBCCommitments+lf.B.Port+"/"+lf.B.Channel, &b)
		total += len(a) + len(b)
	}
	return total
}

// TestCCVTestnet runs `icsd testnet start --validators 3 --consumers 2`
// through the same code: a provider whose validators all run a node on
// consumer-1 (top-N 100, fresh keys assigned), while only validators 0 and
// 1 opted in to consumer-2 (opt-in, created by an ordinary account,
// provider keys) and run a node there; one relayer per consumer. Each
// consumer is validated by the provider's set (consumer-2's opted-in part)
// mapped through the assigned keys; a delegation reaches both consumers'
// CometBFT sets within an epoch plus relay time, although one relayer is
// killed with -9 and restarted meanwhile. Validator 2 runs nothing for
// consumer-2 and is never jailed while consumer-2 commits without it;
// then it opts in (CCVTestnet.OptIn), its node starts and it joins
// consumer-2's CometBFT set with its provider power. A validator that
// double-signs on a consumer is reported by the relayer and tombstoned on
// the provider; a validator whose consumer node stops is jailed on the
// provider; each leaves both consumers; and in the end no packet is left
// unacknowledged.
func TestCCVTestnet(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a provider, two consumers and their relayers")
	}
	began := time.Now()
	bin := buildBinary(t)
	o := ccvopts.Default()
	o.Dir, o.Bin, o.BasePort = t.TempDir(), bin, freeBase(t, 30)
	o.TimeoutCommit = 300 * time.Millisecond
	o.VotingPeriod = 4 * time.Second
	o.ConsumerUnbondingPeriod = 2 * time.Minute
	o.DowntimeJail = 10 * time.Minute
	o.NodeArgs = []string{"--log_level", "error"}
	out := &lockedBuffer{}
	o.Out = out
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
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
			for j := 1; j <= o.Consumers; j++ {
				c := ccvopts.ConsumerChainID(j)
				if bz, err := os.ReadFile(o.Dir + "/" + c + "/relayer.log"); err == nil {
					t.Logf("%s relayer log (tail):\n%s", c, tail(string(bz), 3000))
				}
			}
		}
	}()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("testnet running after %s", time.Since(began).Round(time.Second))
	go net.Watch(ctx, out, 500*time.Millisecond, 20)
	c1, c2 := net.Consumers[0], net.Consumers[1]

	// consumer-1 (top-N 100) is validated by every provider validator with
	// the keys assigned on it; consumer-2 (opt-in) by validators 0 and 1
	// with their provider keys, and validator 2 runs nothing for it.
	if c1.Kind.IsOptIn() || !c2.Kind.IsOptIn() {
		t.Fatalf("kinds %v %v", c1.Kind, c2.Kind)
	}
	if v := c1.Validators(); !slices.Equal(v, []int{0, 1, 2}) {
		t.Fatalf("consumer-1 validated by %v", v)
	}
	n.checkOptInConsumer(c2, []int{0, 1}, 2)
	for _, c := range net.Consumers {
		want := n.expectedSet(c)
		if len(want) != len(c.Validators()) {
			t.Fatalf("%s: expected set %v for validators %v", c.ChainID, want, c.Validators())
		}
		if got := n.ccvSet(c); !sameSet(got, want) {
			t.Fatalf("%s: CCV set %v, want %v", c.ChainID, got, want)
		}
		got, h := n.cometSet(c)
		if !sameSet(got, want) {
			t.Fatalf("%s: CometBFT set %v at %d, want %v", c.ChainID, got, h, want)
		}
		h-- // the set of the next height may be known before its block
		commit, err := n.rpc(c.LiveRPC()).Commit(context.Background(), &h)
		if err != nil {
			t.Fatal(err)
		}
		signed := 0
		for _, s := range commit.Commit.Signatures {
			if s.BlockIDFlag == 2 { // commit
				signed++
			}
		}
		if signed < 2 {
			t.Fatalf("%s: block %d signed by %d validators", c.ChainID, h, signed)
		}
	}
	// The CLI answers the consumer genesis that the homes were written from.
	cg, err := nodehome.ReadConsumerGenesis([]byte(run(t, bin, "query", "provider", "consumer-genesis", c1.ConsumerID, "--node", net.ProviderRPC(0), "-o", "json")))
	if err != nil || len(cg.InitialValidators) != 3 || cg.Params.SignedBlocksWindow != o.SignedBlocksWindow {
		t.Fatalf("consumer genesis from the CLI: %v %+v", err, cg)
	}
	// In the reference's form it reads back as the same genesis, or, when
	// that form cannot carry it (a downtime window other than the
	// default), the CLI says why.
	icsArgs := []string{"query", "provider", "consumer-genesis", c1.ConsumerID, "--node", net.ProviderRPC(0), "--format", "ics"}
	if _, convErr := icsgenesis.ToICS(cg); convErr != nil {
		if out := fail(t, bin, icsArgs...); !strings.Contains(out, convErr.Error()) {
			t.Fatalf("--format ics: %s, want %v", out, convErr)
		}
	} else if back, f, err := icsgenesis.Read([]byte(run(t, bin, icsArgs...))); err != nil || f != icsgenesis.FormatICS || !reflect.DeepEqual(back, cg) {
		t.Fatalf("--format ics read back as %q %v", f, err)
	}
	for i := 0; i < 3; i++ {
		v := n.validator(i)
		if k := n.consumerKeyOf(c1, i); k == hex.EncodeToString(v.PubKey) {
			t.Fatalf("validator %d runs consumer-1 with its provider key", i)
		}
		if i < 2 {
			if k := n.consumerKeyOf(c2, i); k != hex.EncodeToString(v.PubKey) {
				t.Fatalf("validator %d runs consumer-2 with key %s, not its provider key", i, k)
			}
		}
	}

	// Delegation while consumer-2's relayer is down: consumer-1 applies it
	// within an epoch plus relay time; consumer-2 once its relayer is back.
	vscBefore := n.status(c2).HighestVSCID
	c2.Relayer.Kill()
	v0 := n.validator(0)
	txHeight(t, run(t, bin, "tx", "staking", "delegate", "validator", v0.Operator, "50000000000stake",
		"--home", valnet.NodeHome(o.Dir, 1), "--node", net.ProviderRPC(0), "-o", "json"))
	want := n.expectedSet(c1)
	if p := want[n.consumerKeyOf(c1, 0)]; p != 250_000 {
		t.Fatalf("validator 0's power after the delegation: %d", p)
	}
	took := n.waitFor("consumer-1's CometBFT set after the delegation", 40*time.Second, func() bool {
		got, _ := n.cometSet(c1)
		return sameSet(got, want)
	})
	t.Logf("delegation reached consumer-1's CometBFT set in %s", took.Round(100*time.Millisecond))
	time.Sleep(2 * time.Second)
	if err := net.StartRelayer(ctx, c2); err != nil {
		t.Fatal(err)
	}
	want2 := n.expectedSet(c2)
	if len(want2) != 2 || want2[n.consumerKeyOf(c2, 0)] != 250_000 {
		t.Fatalf("consumer-2's expected set after the delegation: %v", want2)
	}
	n.waitFor("consumer-2's CometBFT set after its relayer restarted", 40*time.Second, func() bool {
		got, _ := n.cometSet(c2)
		return sameSet(got, want2)
	})
	if after := n.status(c2).HighestVSCID; after <= vscBefore {
		t.Fatalf("consumer-2's VSC id %d after the restart, %d before", after, vscBefore)
	}

	// Partial set security: validator 2, outside consumer-2, is not
	// punished while consumer-2 commits more than two downtime windows
	// without it; then it opts in, runs a node and joins consumer-2's
	// CometBFT set with its provider power.
	n.commitsWithout(c2, 2, 2*o.SignedBlocksWindow)
	joined := time.Now()
	if err := net.OptIn(ctx, c2.Index, 2); err != nil {
		t.Fatal(err)
	}
	t.Logf("validator 2 joined consumer-2 %s after its opt-in began", time.Since(joined).Round(100*time.Millisecond))
	n.checkJoined(c2, 2)

	// Double voting: a second node with validator 2's key joins consumer-2;
	// CometBFT commits the duplicate votes, the relayer reports them, and
	// the provider tombstones validator 2, which leaves both consumers.
	twin := n.startTwin(c2, 2, o.BasePort+290)
	defer twin.Kill()
	took = n.waitFor("validator 2 tombstoned for double voting on consumer-2", 90*time.Second, func() bool { return n.validator(2).Tombstoned })
	t.Logf("validator 2 tombstoned %s after its twin started", took.Round(100*time.Millisecond))
	twin.Kill()
	if log, err := os.ReadFile(filepath.Join(c2.Dir, "relayer.log")); err != nil || !strings.Contains(string(log), "reported to testnet-1: punished") {
		t.Fatalf("the relayer did not report the double vote: %v\n%s", err, log)
	}
	if v := n.validator(2); !v.Jailed || v.Tokens != 95_000_000_000 {
		t.Fatalf("validator 2 after double voting: jailed %v, tokens %d (want 5%% slashed)", v.Jailed, v.Tokens)
	}
	for _, c := range net.Consumers {
		gone := n.consumerKeyOf(c, 2)
		n.waitFor(c.ChainID+" without validator 2", 40*time.Second, func() bool {
			got, _ := n.cometSet(c)
			_, in := got[gone]
			return !in && len(got) == 2
		})
	}

	// Downtime: validator 1's node on consumer-1 stops (it holds less than
	// a third of the power left); consumer-1 reports it and the provider
	// jails it; it leaves both consumers.
	c1.Node(1).Process.Stop(10 * time.Second)
	took = n.waitFor("validator 1 jailed on the provider", 90*time.Second, func() bool { return n.validator(1).Jailed })
	t.Logf("validator 1 jailed %s after its consumer-1 node stopped", took.Round(100*time.Millisecond))
	if v := n.validator(1); v.Tombstoned || n.validator(0).Jailed {
		t.Fatalf("downtime punished more than validator 1's liveness: %+v", v)
	}
	for _, c := range net.Consumers {
		gone := n.consumerKeyOf(c, 1)
		n.waitFor(c.ChainID+" without validator 1", 40*time.Second, func() bool {
			got, _ := n.cometSet(c)
			_, in := got[gone]
			return !in && len(got) == 1
		})
	}

	// Nothing is left behind: every packet sent on the CCV channels is
	// acknowledged, on both sides.
	n.waitFor("no packet commitment left", 60*time.Second, func() bool { return n.pendingCommitments() == 0 })
	for _, c := range net.Consumers {
		if s := n.status(c); s.Stopped || s.PendingPackets != 0 {
			t.Fatalf("%s status %+v", c.ChainID, s)
		}
	}
	if !strings.Contains(out.String(), "VSC") {
		t.Fatalf("no VSC reported:\n%s", out.String())
	}
	t.Logf("done in %s", time.Since(began).Round(time.Second))
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}
