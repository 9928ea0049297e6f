package main_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/abci-ics/ics/client"
	"github.com/abci-ics/ics/testnet/ccvopts"
	"github.com/abci-ics/ics/testnet/valnet"
	"github.com/abci-ics/ics/types/address"
)

// chaosDuration is how long TestChaos kills processes: ICSD_CHAOS_DURATION
// (make chaos runs a long one), else a minute.
func chaosDuration(t *testing.T) time.Duration {
	if s := os.Getenv("ICSD_CHAOS_DURATION"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			t.Fatalf("ICSD_CHAOS_DURATION %q: %v", s, err)
		}
		return d
	}
	return time.Minute
}

// chaosTally counts what TestChaos did.
type chaosTally struct {
	providerKills, consumerKills, relayerKills, delegations, failedTxs int
}

func (c chaosTally) String() string {
	return fmt.Sprintf("%d provider node kills, %d consumer node kills, %d relayer kills, %d delegations (%d transactions refused while nodes were down)",
		c.providerKills, c.consumerKills, c.relayerKills, c.delegations, c.failedTxs)
}

// TestChaos runs a provider of four validators of equal power and two
// consumers (top N 100) and, for chaosDuration, kills with -9 at random a
// provider node, a consumer node or a relayer (each chain keeps three of
// its four validators up, so it never halts) and restarts it a few seconds
// later, while validators delegate on the provider. Then everything runs
// again, and: every chain advances; every node of each chain has the app
// hash the chain's next header holds (no replica disagrees); no node log
// has a consensus failure or an app hash mismatch; every packet sent on
// the CCV channels was acknowledged (none lost; a duplicate would have
// stopped the consumer, which is still running); and each consumer's
// CometBFT set is the provider's bonded powers. The seed is
// ICSD_CHAOS_SEED, or the clock's (logged).
func TestChaos(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a provider, two consumers and relayers, and kills them")
	}
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("ICSD_CHAOS_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("ICSD_CHAOS_SEED %q: %v", s, err)
		}
	}
	rng := rand.New(rand.NewPCG(seed, 7))
	duration := chaosDuration(t)
	t.Logf("seed %d, %s of chaos", seed, duration)

	bin := buildBinary(t)
	out := &lockedBuffer{}
	o := e2eOptions(t, bin, 30, 4, []ccvopts.ConsumerKind{ccvopts.TopN(100), ccvopts.TopN(100)}, out)
	o.SelfDelegations = []uint64{100_000_000_000, 100_000_000_000, 100_000_000_000, 100_000_000_000}
	n, ctx := startCCV(t, o, out, duration+8*time.Minute, "consumer-1/relayer.log", "consumer-2/relayer.log")
	net := n.net
	start := map[string]int64{o.ChainID: n.height(net.ProviderRPC(0))}
	for _, c := range net.Consumers {
		start[c.ChainID] = n.height(c.RPC(0))
	}

	// A downed process comes back at its time; at most one node per chain
	// is down at once.
	type downed struct {
		chain   string // chain id, or the consumer's id + "/relayer"
		restart func() error
		at      time.Time
	}
	var down []downed
	isDown := func(chain string) bool {
		for _, d := range down {
			if d.chain == chain {
				return true
			}
		}
		return false
	}
	restartDue := func(all bool) {
		var keep []downed
		for _, d := range down {
			if !all && time.Now().Before(d.at) {
				keep = append(keep, d)
				continue
			}
			if err := d.restart(); err != nil {
				t.Fatalf("restart %s: %v", d.chain, err)
			}
		}
		down = keep
	}
	later := func() time.Time { return time.Now().Add(time.Duration(2000+rng.IntN(4000)) * time.Millisecond) }
	provDown := -1 // the provider node that is down, if any
	liveProvider := func() int {
		for {
			if i := rng.IntN(o.Validators); i != provDown {
				return i
			}
		}
	}

	var tally chaosTally
	end := time.Now().Add(duration)
	for time.Now().Before(end) {
		restartDue(false)
		switch k := rng.IntN(10); {
		case k < 3 && !isDown(o.ChainID):
			i := rng.IntN(o.Validators)
			net.Provider[i].Kill()
			provDown = i
			down = append(down, downed{o.ChainID, func() error { provDown = -1; return net.StartProviderNode(i) }, later()})
			tally.providerKills++
		case k < 6:
			c := net.Consumers[rng.IntN(len(net.Consumers))]
			if isDown(c.ChainID) {
				continue
			}
			i := rng.IntN(o.Validators)
			c.Node(i).Process.Kill()
			down = append(down, downed{c.ChainID, func() error { return net.StartConsumerNode(c, i) }, later()})
			tally.consumerKills++
		case k < 8:
			c := net.Consumers[rng.IntN(len(net.Consumers))]
			if isDown(c.ChainID + "/relayer") {
				continue
			}
			c.Relayer.Kill()
			down = append(down, downed{c.ChainID + "/relayer", func() error { return net.StartRelayer(ctx, c) }, later()})
			tally.relayerKills++
		default:
			i := liveProvider()
			k, err := client.LoadKey(valnet.NodeHome(o.Dir, i), "validator")
			if err != nil {
				t.Fatal(err)
			}
			err = runErr(bin, "tx", "staking", "delegate", "validator", address.Encode("ics", k.Address()), strconv.Itoa(1+rng.IntN(5))+"000000000stake",
				"--home", valnet.NodeHome(o.Dir, i), "--node", net.ProviderRPC(i), "--timeout", "20s")
			if err != nil {
				tally.failedTxs++
			} else {
				tally.delegations++
			}
		}
		time.Sleep(time.Duration(500+rng.IntN(1500)) * time.Millisecond)
	}
	restartDue(true)
	t.Logf("chaos over: %s", tally)
	rpcs := map[string][]string{o.ChainID: net.ProviderRPCs()}
	for _, c := range net.Consumers {
		rpcs[c.ChainID] = c.RPCs()
	}
	for _, addrs := range rpcs { // every node answers again
		for _, rpc := range addrs {
			waitAt(t, rpc, 1)
		}
	}

	// Settle: the consumers follow the provider's powers, every packet is
	// acknowledged.
	took := n.waitFor("the consumers on the provider's powers, every packet acknowledged", 3*time.Minute, func() bool {
		for _, c := range net.Consumers {
			got, _ := n.cometSet(c)
			if !sameSet(got, n.expectedSet(c)) {
				return false
			}
		}
		return n.pendingCommitments() == 0
	})
	for _, c := range net.Consumers {
		if st := n.status(c); st.Stopped || st.ProviderChannelID == "" {
			t.Fatalf("%s: CCV link %+v", c.ChainID, st)
		}
	}

	// Every chain advanced, and every node agrees with its chain.
	logs := []string{}
	for i := range o.Validators {
		logs = append(logs, filepath.Join(valnet.NodeHome(o.Dir, i), "node.log"))
	}
	for _, c := range net.Consumers {
		for _, nd := range c.Nodes() {
			logs = append(logs, filepath.Join(nd.Home, "node.log"))
		}
	}
	for chain, addrs := range rpcs {
		for _, rpc := range addrs {
			info, err := n.rpc(rpc).ABCIInfo(ctx)
			if err != nil {
				t.Fatalf("%s %s: %v", chain, rpc, err)
			}
			last := info.Response.LastBlockHeight
			if last <= start[chain]+10 {
				t.Fatalf("%s %s at height %d, %d before the chaos", chain, rpc, last, start[chain])
			}
			next := last + 1
			waitAt(t, rpc, next)
			b, err := n.rpc(rpc).Block(ctx, &next)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(b.Block.AppHash, info.Response.LastBlockAppHash) {
				t.Fatalf("%s %s: app hash %X at %d, the chain's %X", chain, rpc, info.Response.LastBlockAppHash, last, b.Block.AppHash)
			}
		}
	}
	for _, f := range logs {
		bz, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		// A process that panics prints "panic: " at the start of a line; a
		// panic CometBFT recovers from (a peer's bad message) is logged
		// inside one line, with the peer dropped, and is not a failure.
		for _, bad := range []*regexp.Regexp{regexp.MustCompile(`CONSENSUS FAILURE`), regexp.MustCompile(`wrong Block\.Header\.AppHash`),
			regexp.MustCompile(`(?m)^panic: `)} {
			if loc := bad.FindIndex(bz); loc != nil {
				from, to := max(0, loc[0]-3000), min(len(bz), loc[0]+6000)
				t.Fatalf("%s: %q:\n%s", f, bad, bz[from:to])
			}
		}
	}
	t.Logf("settled in %s; %s; every node of %d chains agrees", took.Round(time.Second), tally, len(rpcs))
}

// runErr runs icsd with args and returns its error, with its output.
func runErr(bin string, args ...string) error {
	out, err := exec.Command(bin, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %w", strings.TrimSpace(string(out)), err)
	}
	return nil
}
