package ibctest_test

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cometbft/cometbft/crypto/ed25519"

	"github.com/abci-ics/ics/app"
	. "github.com/abci-ics/ics/app/ibctest"
	"github.com/abci-ics/ics/app/pos"
	"github.com/abci-ics/ics/chain/bank"
	"github.com/abci-ics/ics/chain/staking"
	"github.com/abci-ics/ics/interchain"
	"github.com/abci-ics/ics/provider"
	"github.com/abci-ics/ics/types/coin"
)

var updateGolden = flag.Bool("update", false, "rewrite testdata/golden_apphash.txt from the current code")

const goldenFile = "testdata/golden_apphash.txt"

// goldenRecorder collects "chain height hash" lines at chosen points of a
// run, each group under a "# label" comment.
type goldenRecorder struct {
	lines []string
}

// mark records the app hash of the last committed block of each chain.
func (r *goldenRecorder) mark(label string, chains ...*Chain) {
	r.lines = append(r.lines, "# "+label)
	for _, c := range chains {
		hash := c.Log[c.Height-1].AppHash
		r.lines = append(r.lines, fmt.Sprintf("%s %d %X", c.ID, c.Height, hash))
	}
}

// goldenUntil steps n until cond holds and fails the test, naming what it
// waited for, if it does not within max steps.
func goldenUntil(t *testing.T, n *Net, max int, what string, cond func() bool) {
	t.Helper()
	if !n.Run(max, cond) {
		t.Fatalf("golden run: %s did not happen within %d steps", what, max)
	}
}

func goldenJailed(c *Chain, key ed25519.PrivKey) bool {
	var vals []pos.ValidatorJSON
	c.QueryJSON(pos.PathValidators, &vals)
	for _, v := range vals {
		if bytes.Equal(v.PubKey, key.PubKey().Bytes()) {
			return v.Jailed
		}
	}
	c.T.Fatalf("golden run: no validator with key %X", key.PubKey().Bytes())
	return false
}

func goldenConsumerPower(c *Chain, key []byte) (int64, bool) {
	var vals []interchain.ConsumerValidatorJSON
	c.QueryJSON(interchain.PathConsumerValidator, &vals)
	for _, v := range vals {
		if v.ConsumerKey == hex.EncodeToString(key) {
			return v.Power, true
		}
	}
	return 0, false
}

func goldenHolds(c *Chain) int {
	var hs []interchain.HoldJSON
	c.QueryJSON(interchain.PathHolds, &hs)
	return len(hs)
}

// TestGoldenAppHashes runs a fixed provider genesis and a fixed sequence of
// blocks (fixed keys, fixed clock) through a provider and a consumer, and
// compares their app hashes at chosen points with testdata. Any change of
// the state either chain writes, of the order of its writes' effects, or of
// the number of blocks a step of the protocol takes changes a line. Run
// with -update to rewrite the file when a change is intended.
func TestGoldenAppHashes(t *testing.T) {
	rec := &goldenRecorder{}
	clock := &Clock{Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	prov := NewProvider(t, clock, "provider-1", 4, 6, func(g *app.Genesis) {
		g.Staking.Params.UnbondingPeriod = 15 * time.Minute
	})
	rec.mark("provider genesis", prov)

	// Transfers both ways between accounts 4 and 5.
	prov.MustSucceed(prov.NextBlock(
		prov.Tx(4, &bank.MsgSend{From: prov.Address(4), To: prov.Address(5), Amount: []coin.Coin{{Denom: "stake", Amount: 1_000}}}),
		prov.Tx(5, &bank.MsgSend{From: prov.Address(5), To: prov.Address(4), Amount: []coin.Coin{{Denom: "stake", Amount: 250}}}),
	))
	rec.mark("transfers", prov)

	prov.MustSucceed(prov.NextBlock(prov.Tx(4, &staking.MsgDelegate{Delegator: prov.Address(4), Validator: prov.Address(1), Amount: 5_000_000})))
	rec.mark("delegation to validator 1", prov)

	// Governance passes consumer-1's addition; the provider launches it and
	// the consumer starts from the genesis the provider computed.
	cons := LaunchConsumer(prov, "consumer-1", ConsumerParams(), 2)
	rec.mark("consumer addition passed and consumer launched", prov, cons)

	path := LinkCCV(cons, prov)
	n := &Net{Provider: prov, Consumers: []*Chain{cons}, Paths: []*Path{path}}
	n.Step()
	var list []interchain.ConsumerJSON
	prov.QueryJSON(interchain.PathConsumers, &list)
	if len(list) != 1 || list[0].Phase != "running" {
		t.Fatalf("golden run: consumers after linking: %+v", list)
	}
	rec.mark("CCV channel open", prov, cons)

	// An undelegation from validator 1 is held by the consumer; its VSC
	// reaches the consumer and the maturity coming back releases the hold.
	prov.MustSucceed(prov.NextBlock(prov.Tx(4, &staking.MsgUndelegate{Delegator: prov.Address(4), Validator: prov.Address(1), Amount: 2_000_000})))
	if goldenHolds(prov) != 1 {
		t.Fatalf("golden run: %d holds after the undelegation, want 1", goldenHolds(prov))
	}
	rec.mark("undelegation held", prov, cons)
	val1 := prov.ValidatorKeys[1].PubKey().Bytes()
	before, _ := goldenConsumerPower(cons, val1)
	goldenUntil(t, n, 60, "the VSC of the undelegation reaching the consumer", func() bool {
		p, _ := goldenConsumerPower(cons, val1)
		return p != before
	})
	rec.mark("VSC applied on the consumer", prov, cons)
	goldenUntil(t, n, 400, "the maturity releasing the hold", func() bool { return goldenHolds(prov) == 0 })
	rec.mark("VSC matured, hold released", prov, cons)

	// Validator 3 goes down on the consumer: a downtime slash packet jails
	// it on the provider and the next VSC removes it from the consumer.
	down := prov.ValidatorKeys[3]
	cons.Absent[string(down.PubKey().Address())] = true
	goldenUntil(t, n, 300, "validator 3 jailed for downtime", func() bool { return goldenJailed(prov, down) })
	rec.mark("downtime slash packet handled", prov, cons)
	goldenUntil(t, n, 30, "validator 3 leaving the consumer set", func() bool {
		_, ok := goldenConsumerPower(cons, down.PubKey().Bytes())
		return !ok
	})
	cons.Absent[string(down.PubKey().Address())] = false
	rec.mark("jailed validator removed from the consumer", prov, cons)

	// Validator 0 assigns a consumer key, which replaces its provider key
	// on the consumer at the next epoch.
	newKey := ed25519.GenPrivKeyFromSecret([]byte("golden: consumer key of validator 0"))
	cons.AddSigner(newKey)
	prov.MustSucceed(prov.NextBlock(prov.Tx(0, &provider.MsgAssignConsumerKey{Operator: prov.Address(0), ConsumerId: ConsumerID(prov, cons.ID), ConsumerKey: newKey.PubKey().Bytes()})))
	rec.mark("consumer key assigned", prov, cons)
	goldenUntil(t, n, 30, "the assigned key reaching the consumer", func() bool {
		_, ok := goldenConsumerPower(cons, newKey.PubKey().Bytes())
		return ok
	})
	n.Step()
	n.Step()
	rec.mark("assigned key in force on the consumer", prov, cons)

	compareGolden(t, rec.lines)
}

// compareGolden compares lines with the golden file, or rewrites it with
// -update. It reports the first line that differs, with its label.
func compareGolden(t *testing.T, lines []string) {
	t.Helper()
	got := strings.Join(lines, "\n") + "\n"
	if *updateGolden {
		if err := os.MkdirAll(filepath.Dir(goldenFile), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(goldenFile, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	bz, err := os.ReadFile(goldenFile)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	var want []string
	sc := bufio.NewScanner(bytes.NewReader(bz))
	for sc.Scan() {
		want = append(want, sc.Text())
	}
	label := ""
	for i := 0; i < max(len(want), len(lines)); i++ {
		var w, g string
		if i < len(want) {
			w = want[i]
		}
		if i < len(lines) {
			g = lines[i]
		}
		if strings.HasPrefix(w, "#") {
			label = w
		}
		if w != g {
			t.Fatalf("app hashes differ from %s at line %d (%s):\n got  %q\n want %q\nan unintended state change? If it is intended, rerun with -update",
				goldenFile, i+1, label, g, w)
		}
	}
}
