package main_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	nodecmd "github.com/abci-ics/ics/cmd/icsd/cmd/node"
	"github.com/abci-ics/ics/testnet/ccvopts"
	"github.com/abci-ics/ics/testnet/valnet"
)

// TestRelayerFailover: a CCV testnet of four provider validators of equal
// power and one consumer, whose relayer was given every node of both chains. The first
// node of each chain is killed with -9, and the relayer started again: it
// runs for the rest of the test without them. A delegation on the
// provider still reaches the consumer's CometBFT set (a VSC packet
// relayed, through the provider's second node and the consumer's), its
// acknowledgement comes back (no packet is left unacknowledged on either
// end), and the relayer's log shows it moved past the dead nodes.
func TestRelayerFailover(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a provider, a consumer and its relayer")
	}
	began := time.Now()
	bin := buildBinary(t)
	out := &lockedBuffer{}
	o := e2eOptions(t, bin, 20, 4, []ccvopts.ConsumerKind{ccvopts.TopN(100)}, out)
	o.SelfDelegations = []uint64{100_000_000_000, 100_000_000_000, 100_000_000_000, 100_000_000_000} // any three sign
	n, ctx := startCCV(t, o, out, 5*time.Minute, "consumer-1/relayer.log")
	net := n.net
	c := net.Consumers[0]

	c.Relayer.Kill()
	net.Provider[0].Kill()
	c.Node(0).Process.Kill()
	if err := net.StartRelayer(ctx, c); err != nil {
		t.Fatal(err)
	}
	t.Logf("node 0 of both chains killed, relayer restarted")

	v1 := n.validator(1)
	txHeight(t, run(t, bin, "tx", "staking", "delegate", "validator", v1.Operator, "40000000000stake",
		"--home", valnet.NodeHome(o.Dir, 1), "--node", net.ProviderRPC(1), "-o", "json"))
	key1 := n.consumerKeyOf(c, 1)
	want := n.expectedSet(c)
	if want[key1] <= v1.Power {
		t.Fatalf("validator 1's power %d after the delegation, %d before", want[key1], v1.Power)
	}
	// Validator 0, whose nodes are down, may be jailed for downtime
	// meanwhile: the set to reach is the provider's when it is checked.
	took := n.waitFor("the delegation on the consumer", 90*time.Second, func() bool {
		got, _ := n.cometSet(c)
		return got[key1] == want[key1] && sameSet(got, n.expectedSet(c))
	})
	n.waitFor("every packet acknowledged", time.Minute, func() bool { return n.pendingCommitments() == 0 })
	bz, err := os.ReadFile(filepath.Join(o.Dir, "consumer-1", "relayer.log"))
	if err != nil {
		t.Fatal(err)
	}
	for _, dead := range []string{net.ProviderRPC(0), c.RPC(0)} {
		if !strings.Contains(string(bz), "node "+dead+" failed, using ") {
			t.Errorf("the relayer log shows no move from %s", dead)
		}
	}
	t.Logf("delegation on the consumer after %s, every packet acknowledged; %s", took.Round(time.Second), time.Since(began).Round(time.Second))

	// icsd status on both roles, from the nodes still running.
	var ps, cs nodecmd.StatusJSON
	for _, q := range []struct {
		rpc string
		out *nodecmd.StatusJSON
	}{{net.ProviderRPC(1), &ps}, {c.RPC(1), &cs}} {
		if err := json.Unmarshal([]byte(run(t, bin, "status", "--node", q.rpc, "-o", "json")), q.out); err != nil {
			t.Fatal(err)
		}
	}
	if ps.ChainID != o.ChainID || ps.Role.Role != "provider" || ps.Validator == nil || ps.Peers < 2 || ps.CatchingUp ||
		len(ps.Consumers) != 1 || ps.Consumers[0].Phase != "running" || ps.Consumers[0].LastVSCSent == 0 {
		t.Fatalf("provider status %+v", ps)
	}
	if cs.ChainID != c.ChainID || cs.Role.Role != "consumer" || cs.Consumer == nil || cs.Consumer.ProviderChannelID == "" ||
		cs.Consumer.HighestVSCID == 0 || cs.Validator == nil {
		t.Fatalf("consumer status %+v: link %+v", cs, cs.Consumer)
	}
	text := run(t, bin, "status", "--node", net.ProviderRPC(1))
	if !strings.Contains(text, "provider of 1 consumers") || !strings.Contains(text, "VSC sent") {
		t.Fatalf("status text:\n%s", text)
	}
}
