package main_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cometbft/cometbft/crypto/ed25519"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/chain/staking"
	"github.com/abci-ics/ics/client"
	"github.com/abci-ics/ics/interchain"
	"github.com/abci-ics/ics/nodehome"
	"github.com/abci-ics/ics/testnet"
	"github.com/abci-ics/ics/testnet/valnet"
	"github.com/abci-ics/ics/types/address"
)

// Partial set security in the CCV testnet (TestCCVTestnet): an opt-in
// consumer has nodes for the validators opted in to it only, and a
// validator that opts in later starts its node and joins its set.

// consAddrOf returns provider validator i's consensus address, bech32.
func (n *ccvNet) consAddrOf(i int) string {
	n.t.Helper()
	bz, err := hex.DecodeString(n.validator(i).ConsAddress)
	if err != nil {
		n.t.Fatal(err)
	}
	return address.Encode("icsvalcons", bz)
}

// checkOptInConsumer checks that opt-in consumer c, created by the owner
// account (not governance, not a validator), has exactly vals opted in and
// in its consumer genesis, one node each, and that validator outside has
// neither a home nor a process for it.
func (n *ccvNet) checkOptInConsumer(c *testnet.ConsumerChain, vals []int, outside int) {
	n.t.Helper()
	if got := c.Validators(); !slices.Equal(got, vals) {
		n.t.Fatalf("%s validated by %v, want %v", c.ChainID, got, vals)
	}
	home := valnet.NodeHome(c.Dir, outside)
	if _, err := os.Stat(home); !os.IsNotExist(err) {
		n.t.Fatalf("validator %d has a home on %s: %v", outside, c.ChainID, err)
	}
	for _, p := range n.net.Processes() {
		if p.Home == home || strings.HasPrefix(p.Home, home+"/") {
			n.t.Fatalf("validator %d runs %s for %s", outside, p.Name, c.ChainID)
		}
	}
	if c.Node(outside) != nil {
		n.t.Fatalf("validator %d has a node on %s", outside, c.ChainID)
	}

	var d interchain.ConsumerDetailJSON
	n.mustQuery(n.net.ProviderRPC(0), interchain.PathConsumer+c.ConsumerID, &d)
	owner, err := client.LoadKey(n.net.OwnerHome(), testnet.OwnerKey)
	if err != nil {
		n.t.Fatal(err)
	}
	if d.TopN != 0 || d.ChainID != c.ChainID || d.Owner != address.Encode("ics", owner.Address()) {
		n.t.Fatalf("%s on the provider: %+v", c.ChainID, d.ConsumerJSON)
	}
	for i := 0; i < n.net.Opts.Validators; i++ {
		if d.Owner == n.validator(i).Operator {
			n.t.Fatalf("%s is owned by validator %d", c.ChainID, i)
		}
	}
	var opted []string
	for _, i := range vals {
		opted = append(opted, n.consAddrOf(i))
	}
	slices.Sort(opted)
	got := slices.Clone(d.OptedIn)
	slices.Sort(got)
	if !slices.Equal(got, opted) {
		n.t.Fatalf("opted in to %s: %v, want %v", c.ChainID, got, opted)
	}
	var vcs []interchain.ValidatorConsumerJSON
	n.mustQuery(n.net.ProviderRPC(0), interchain.PathValidatorConsumer+n.consAddrOf(outside), &vcs)
	for _, vc := range vcs {
		if vc.ConsumerID == c.ConsumerID {
			n.t.Fatalf("validator %d is opted in to or validates %s: %+v", outside, c.ChainID, vc)
		}
	}

	// Every node runs the same genesis, whose validators are vals'
	// provider keys.
	var genesis []byte
	for _, node := range c.Nodes() {
		bz, err := os.ReadFile(nodehome.Config(node.Home).GenesisFile())
		if err != nil {
			n.t.Fatal(err)
		}
		if genesis != nil && !bytes.Equal(bz, genesis) {
			n.t.Fatalf("%s's nodes run different genesis files", c.ChainID)
		}
		genesis = bz
	}
	cg, err := nodehome.ReadConsumerGenesis([]byte(run(n.t, n.net.Opts.Bin, "query", "provider", "consumer-genesis", c.ConsumerID, "--node", n.net.ProviderRPC(0), "-o", "json")))
	if err != nil || len(cg.InitialValidators) != len(vals) {
		n.t.Fatalf("%s's consumer genesis: %v %+v", c.ChainID, err, cg)
	}
	for _, i := range vals {
		if !slices.ContainsFunc(cg.InitialValidators, func(v ccv.InitialValidator) bool { return bytes.Equal(v.PubKey, n.validator(i).PubKey) }) {
			n.t.Fatalf("validator %d's provider key is not in %s's consumer genesis", i, c.ChainID)
		}
	}
}

// commitsWithout waits until consumer c has committed blocks more blocks,
// while checking that provider validator i stays bonded and unjailed, out
// of c's CometBFT set, and that c's blocks are signed by its set alone.
func (n *ccvNet) commitsWithout(c *testnet.ConsumerChain, i int, blocks int64) {
	n.t.Helper()
	key := hex.EncodeToString(n.validator(i).PubKey)
	_, start := n.cometSet(c)
	n.waitFor(c.ChainID+" committing without validator "+fmt.Sprint(i), 2*time.Minute, func() bool {
		if v := n.validator(i); v.Jailed || v.Status != staking.BOND_STATUS_BONDED.String() {
			n.t.Fatalf("validator %d, outside %s: %+v", i, c.ChainID, v)
		}
		set, h := n.cometSet(c)
		if _, in := set[key]; in || len(set) != len(c.Validators()) {
			n.t.Fatalf("%s's CometBFT set at %d: %v", c.ChainID, h, set)
		}
		return h >= start+blocks
	})
	_, h := n.cometSet(c)
	h--
	commit, err := n.rpc(c.LiveRPC()).Commit(context.Background(), &h)
	if err != nil {
		n.t.Fatal(err)
	}
	if len(commit.Commit.Signatures) != len(c.Validators()) {
		n.t.Fatalf("%s: block %d has %d signature slots for validators %v", c.ChainID, h, len(commit.Commit.Signatures), c.Validators())
	}
	if strings.Contains(n.out.String(), "jailed") {
		n.t.Fatalf("a validator was jailed:\n%s", n.out.String())
	}
}

// checkJoined checks that validator i, having opted in to consumer c
// while it ran, runs a node there, is in c's CometBFT and CCV sets with
// its provider power, signs c's blocks (its vote is in a block's
// canonical commit), and that the provider counts it in c's set.
func (n *ccvNet) checkJoined(c *testnet.ConsumerChain, i int) {
	n.t.Helper()
	node := c.Node(i)
	if node == nil || node.Process == nil || node.Process.Exited() || node.Home != valnet.NodeHome(c.Dir, i) {
		n.t.Fatalf("validator %d's node on %s: %+v", i, c.ChainID, node)
	}
	v := n.validator(i)
	key := n.consumerKeyOf(c, i)
	if !c.AssignedKeys && key != hex.EncodeToString(v.PubKey) {
		n.t.Fatalf("validator %d runs %s with key %s, not its provider key", i, c.ChainID, key)
	}
	want := n.expectedSet(c)
	if want[key] != v.Power || len(want) != len(c.Validators()) {
		n.t.Fatalf("%s's expected set %v: validator %d with power %d", c.ChainID, want, i, v.Power)
	}
	n.waitFor(c.ChainID+"'s CometBFT and CCV sets with validator "+fmt.Sprint(i), time.Minute, func() bool {
		got, _ := n.cometSet(c)
		return sameSet(got, want) && sameSet(n.ccvSet(c), want)
	})
	var vcs []interchain.ValidatorConsumerJSON
	n.mustQuery(n.net.ProviderRPC(0), interchain.PathValidatorConsumer+n.consAddrOf(i), &vcs)
	if !slices.ContainsFunc(vcs, func(vc interchain.ValidatorConsumerJSON) bool {
		return vc.ConsumerID == c.ConsumerID && vc.OptedIn && vc.InSet && vc.Power == v.Power && vc.ConsumerKey == key
	}) {
		n.t.Fatalf("validator %d's consumers on the provider: %+v", i, vcs)
	}
	pub, err := hex.DecodeString(key)
	if err != nil {
		n.t.Fatal(err)
	}
	addr := ed25519.PubKey(pub).Address()
	n.waitFor(c.ChainID+" block signed by validator "+fmt.Sprint(i), time.Minute, func() bool {
		// The canonical commit of the height before the latest, which the
		// latest block holds: the latest one's is only the votes its node
		// had when it committed.
		_, h := n.cometSet(c)
		h -= 2
		commit, err := n.rpc(c.LiveRPC()).Commit(context.Background(), &h)
		if err != nil || !commit.CanonicalCommit {
			return false
		}
		for _, s := range commit.Commit.Signatures {
			if s.BlockIDFlag != cmttypes.BlockIDFlagAbsent && bytes.Equal(s.ValidatorAddress, addr) {
				return true
			}
		}
		return false
	})
	if v := n.validator(i); v.Jailed {
		n.t.Fatalf("validator %d jailed after joining %s: %+v", i, c.ChainID, v)
	}
}

// TestTestnetConsumerKinds checks the --consumer-kinds flag of `icsd
// testnet start`: its help, and the clear errors of bad lists, given
// before anything is written.
func TestTestnetConsumerKinds(t *testing.T) {
	bin := buildBinary(t)
	help := run(t, bin, "testnet", "start", "--help")
	for _, want := range []string{"--consumer-kinds", "top-n:100,opt-in:0+1", "opt-in:I+J+...", "MsgCreateConsumer"} {
		if !strings.Contains(help, want) {
			t.Errorf("help lacks %q:\n%s", want, help)
		}
	}
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--consumer-kinds", "top-n:100,opt-in:0+3"}, "--consumer-kinds: consumer-2 (opt-in:0+3): there is no validator 3 (validators are 0 to 2)"},
		{[]string{"--consumer-kinds", "top-n:0"}, `--consumer-kinds: consumer kind 1 "top-n:0": N must be 50 to 100`},
		{[]string{"--consumer-kinds", "top-n:100,opt-in:"}, "no validator opts in"},
		{[]string{"--consumer-kinds", "opt-in:1+1"}, "validator 1 listed twice"},
		{[]string{"--consumer-kinds", "top-n:100,everyone"}, `consumer kind 2 "everyone": no colon`},
		{[]string{"--consumers", "1", "--consumer-kinds", "top-n:100,opt-in:0"}, "--consumer-kinds gives 2 kinds for --consumers 1"},
		{[]string{"--validators", "1"}, "consumer-2 (opt-in:0+1): there is no validator 1"},
	} {
		args := append([]string{"testnet", "start", "--dir", dir, "--consumers", "2", "--validators", "3"}, tc.args...)
		if out := fail(t, bin, args...); !strings.Contains(out, tc.want) {
			t.Errorf("icsd %s: %s, want %q", strings.Join(args, " "), out, tc.want)
		}
	}
	if entries, err := os.ReadDir(dir); err != nil || len(entries) != 0 {
		t.Fatalf("bad flags wrote %v (%v)", entries, err)
	}
}
