package main_test

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/abci-ics/ics/abci"
	"github.com/abci-ics/ics/app/consumerapp"
	"github.com/abci-ics/ics/app/pos"
	"github.com/abci-ics/ics/chain/staking"
	"github.com/abci-ics/ics/client"
	"github.com/abci-ics/ics/cmd/icsd/cmd/query"
	"github.com/abci-ics/ics/consumer/sovereign"
	"github.com/abci-ics/ics/ibc/transfer"
	"github.com/abci-ics/ics/interchain"
	"github.com/abci-ics/ics/relayer/linkfile"
	"github.com/abci-ics/ics/testnet/ccvopts"
	"github.com/abci-ics/ics/testnet/sovnet"
	"github.com/abci-ics/ics/testnet/valnet"
	"github.com/abci-ics/ics/types/address"
)

// TestSovereignTestnet runs a provider of two validators (validator 0
// bonding three times as much, so that validator 1 alone can stop) with
// two consumers that carry their own staking, and turns the first
// sovereign through its own governance with the code of `icsd testnet
// sovereign`: both validators create own validators with their consumer
// keys, propose the transition at H and vote yes. Validator 1's consumer
// node is killed with -9 three blocks before H and restarted after H+3: it
// catches up through the transition and its app ends at the app hash the
// others' headers carry, at every height compared across H. Blocks from
// H+2 on are signed by the own staking's set; the chain goes on; the
// provider stops the consumer once the relayer brought it the closing;
// `icsd query role` says standalone with the transition at H; and an
// `icsd tx ibc-transfer transfer` of the consumer's coin to the provider
// over the transfer channel arrives. Then a second consumer turns
// sovereign by `icsd testnet sovereign --via provider` (a removal
// proposal on the provider), and the provider, left with no consumers,
// is standalone.
func TestSovereignTestnet(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a provider, a consumer and its relayer")
	}
	began := time.Now()
	bin := buildBinary(t)
	out := &lockedBuffer{}
	o := e2eOptions(t, bin, 30, 2, []ccvopts.ConsumerKind{ccvopts.TopN(100), ccvopts.TopN(100)}, out)
	o.SelfDelegations = []uint64{300_000_000_000, 100_000_000_000}
	n, ctx := startCCV(t, o, out, 5*time.Minute, "consumer-1/relayer.log", "consumer-1/node1/node.log")
	net := n.net
	go net.Watch(ctx, out, 500*time.Millisecond, 20)
	c := net.Consumers[0]
	rpc0, rpc1 := c.RPC(0), c.RPC(1)

	var st abci.StoresJSON
	n.mustQuery(rpc0, abci.PathStores, &st)
	if !slices.Contains(st.Stores, staking.StoreName) || !slices.Contains(st.Stores, "consumer") {
		t.Fatalf("the consumer has no own staking: stores %v", st.Stores)
	}

	tr, err := sovnet.Load(sovnet.Options{Dir: o.Dir, ChainID: c.ChainID, Out: out})
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Check(ctx); err != nil {
		t.Fatal(err)
	}
	if err := tr.CreateValidators(ctx); err != nil {
		t.Fatal(err)
	}
	h, err := tr.Propose(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("sovereign transition planned at height %d after %s", h, time.Since(began).Round(time.Second))
	var plan consumerapp.SovereignTransitionJSON
	if err := json.Unmarshal([]byte(run(t, bin, "query", "consumer", "sovereign-transition", "--node", rpc0, "-o", "json")), &plan); err != nil ||
		!plan.Planned || plan.Height != h || plan.Reason != sovereign.ReasonGovernance {
		t.Fatalf("query consumer sovereign-transition: %+v %v", plan, err)
	}

	// Validator 1's node dies three blocks before the transition.
	node1 := c.Node(1)
	n.waitFor("three blocks before the transition", time.Minute, func() bool { return n.height(rpc0) >= h-3 })
	if got := n.height(rpc0); got >= h {
		t.Fatalf("at height %d already, the transition is at %d", got, h)
	}
	node1.Process.Kill()
	t.Logf("validator 1's consumer node killed at height %d", n.height(rpc0))

	res, err := tr.Follow(ctx, h)
	if err != nil {
		t.Fatal(err)
	}
	if err := net.StartConsumerNode(c, 1); err != nil {
		t.Fatal(err)
	}
	t.Logf("validator 1's consumer node restarted at height %d", n.height(rpc0))

	// It catches up through the transition; its app ends at the app hash
	// node 0's headers carry, and both nodes hold the same headers.
	top := h + 8
	n.waitFor("the restarted node past the transition", time.Minute, func() bool { return n.appHeight(rpc1) >= top && n.height(rpc0) > top })
	for hh := h - 4; hh <= top; hh++ {
		h0, h1 := n.header(rpc0, hh), n.header(rpc1, hh)
		if !slices.Equal(h0.AppHash, h1.AppHash) || h0.Hash().String() != h1.Hash().String() {
			t.Fatalf("height %d: node 0 app hash %X, node 1 %X", hh, h0.AppHash, h1.AppHash)
		}
	}
	info, err := n.rpc(rpc1).ABCIInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n.waitFor("node 0 past node 1's app", time.Minute, func() bool { return n.height(rpc0) > info.Response.LastBlockHeight })
	if next := n.header(rpc0, info.Response.LastBlockHeight+1); !slices.Equal(next.AppHash, info.Response.LastBlockAppHash) {
		t.Fatalf("node 1's app at height %d: app hash %X, node 0's next header %X", info.Response.LastBlockHeight, info.Response.LastBlockAppHash, next.AppHash)
	}

	// The own staking's set signs; it is both validators', validator 0
	// holding most.
	if len(res.Own) != 2 {
		t.Fatalf("own staking's set %v", res.Own)
	}
	for _, rpc := range []string{rpc0, rpc1} {
		set, at := n.cometSetAt(rpc, top)
		if !sameSet(set, res.Own) {
			t.Fatalf("%s height %d signed by %v, want the own staking's %v", rpc, at, set, res.Own)
		}
	}
	var vals []pos.ValidatorJSON
	n.mustQuery(rpc1, pos.PathValidators, &vals)
	for _, v := range vals {
		if p, ok := res.Own[hex.EncodeToString(v.PubKey)]; !ok || p != v.Power {
			t.Fatalf("own validator %s power %d, set %v", v.Moniker, v.Power, res.Own)
		}
	}
	n.waitFor("the sovereign chain going on", time.Minute, func() bool { return n.height(rpc1) >= top+10 })

	// The provider stopped the consumer; the chain tells its role.
	var list []interchain.ConsumerJSON
	n.mustQuery(net.ProviderRPC(0), interchain.PathConsumers, &list)
	if k := slices.IndexFunc(list, func(k interchain.ConsumerJSON) bool { return k.ChainID == c.ChainID }); k < 0 || list[k].Phase != "stopped" && list[k].Phase != "deleted" {
		t.Fatalf("provider's consumers %+v", list)
	}
	role := run(t, bin, "query", "role", "--node", rpc1)
	if !strings.Contains(role, "standalone") || !strings.Contains(role, "consumer -> sovereign at height "+strconv.FormatInt(h, 10)) {
		t.Fatalf("query role:\n%s", role)
	}

	// ICS-20 keeps working over the transfer channel.
	lf, err := linkfile.Read(c.LinkFile)
	if err != nil || lf.Transfer == nil {
		t.Fatalf("link file without a transfer channel: %v %+v", err, lf)
	}
	key, err := client.LoadKey(valnet.NodeHome(o.Dir, 0), "validator")
	if err != nil {
		t.Fatal(err)
	}
	receiver := address.Encode("ics", key.Address())
	voucher := transfer.VoucherDenom(transfer.PortID, lf.Transfer.B, ccvopts.FeeDenom(1))
	before := n.balance(net.ProviderRPC(0), receiver, voucher)
	txHeight(t, run(t, bin, "tx", "ibc-transfer", "transfer", "validator", lf.Transfer.A, receiver, "1234"+ccvopts.FeeDenom(1),
		"--home", c.Node(0).Home, "--node", rpc0, "-o", "json"))
	n.waitFor("the transfer on the provider", time.Minute, func() bool { return n.balance(net.ProviderRPC(0), receiver, voucher) == before+1234 })
	n.waitFor("the testnet's report", 10*time.Second, func() bool {
		return strings.Contains(out.String(), fmt.Sprintf("%s is sovereign since height %d", c.ChainID, h))
	})

	// consumer-2 turns sovereign by `icsd testnet sovereign --via
	// provider`: the provider stops it, and it turns sovereign by itself.
	// The provider is then left standalone.
	c2 := net.Consumers[1]
	said := run(t, bin, "testnet", "sovereign", c2.ChainID, "--via", "provider", "--dir", o.Dir)
	if !strings.Contains(said, c2.ChainID+" is sovereign since height") || !strings.Contains(said, "signed by its own staking's set") {
		t.Fatalf("icsd testnet sovereign --via provider:\n%s", said)
	}
	var r2 query.RoleJSON
	if err := json.Unmarshal([]byte(run(t, bin, "query", "role", "--node", c2.RPC(0), "-o", "json")), &r2); err != nil ||
		r2.Role != query.RoleStandalone || len(r2.Transitions) != 1 || r2.Transitions[0].Name != query.TransitionSovereign {
		t.Fatalf("query role of %s: %+v %v", c2.ChainID, r2, err)
	}
	if role := run(t, bin, "query", "role", "--node", net.ProviderRPC(0)); !strings.Contains(role, "standalone") {
		t.Fatalf("query role of the provider:\n%s", role)
	}
	t.Logf("done after %s", time.Since(began).Round(time.Second))
}

// height returns the latest height of the node at rpc, 0 when it does not
// answer.
func (n *ccvNet) height(rpc string) int64 {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	st, err := n.rpc(rpc).Status(ctx)
	if err != nil {
		return 0
	}
	return st.SyncInfo.LatestBlockHeight
}

// appHeight returns the last height the app of the node at rpc
// committed, 0 when it does not answer.
func (n *ccvNet) appHeight(rpc string) int64 {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	info, err := n.rpc(rpc).ABCIInfo(ctx)
	if err != nil {
		return 0
	}
	return info.Response.LastBlockHeight
}

// header returns the header of height h on the node at rpc.
func (n *ccvNet) header(rpc string, h int64) *cmttypes.Header {
	n.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	res, err := n.rpc(rpc).Header(ctx, &h)
	if err != nil {
		n.t.Fatalf("header %d at %s: %v", h, rpc, err)
	}
	return res.Header
}

// cometSetAt returns CometBFT's validator set at height h on the node at
// rpc: hex key -> power.
func (n *ccvNet) cometSetAt(rpc string, h int64) (map[string]int64, int64) {
	n.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	res, err := n.rpc(rpc).Validators(ctx, &h, nil, nil)
	if err != nil {
		n.t.Fatal(err)
	}
	out := map[string]int64{}
	for _, v := range res.Validators {
		out[hex.EncodeToString(v.PubKey.Bytes())] = v.VotingPower
	}
	return out, res.BlockHeight
}
