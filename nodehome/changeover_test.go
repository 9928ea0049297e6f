package nodehome_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/abci-ics/ics/app"
	"github.com/abci-ics/ics/app/ibctest"
	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/nodehome"
	"github.com/abci-ics/ics/types/coin"
)

// TestChangeoverImport: on a provider home (a standalone chain), the
// import of a changeover genesis for its chain id writes the node's plan,
// which ChangeoverPlan reads; a genesis for another chain id, with no
// initial validators, for a height the node signed, or for a new chain is
// refused and nothing is written. A consumer home refuses a changeover
// genesis.
func TestChangeoverImport(t *testing.T) {
	clock := &ibctest.Clock{Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	prov := ibctest.NewProvider(t, clock, "provider-1", 2, 2, nil)
	ibctest.ProposeConsumer(prov, "sa-1", ibctest.ConsumerParams())
	prov.NextBlock()
	newChain := ibctest.ConsumerGenesis(prov, "sa-1")
	cg := *newChain
	cg.Changeover = &ccv.Changeover{ChainId: "sa-1", Height: 100}

	home := func(role app.Role) string {
		h := t.TempDir()
		if _, err := nodehome.Init(nodehome.InitOptions{Home: h, ChainID: "sa-1", Moniker: "n", KeyName: "k", Prefix: "ics",
			Amount: []coin.Coin{{Denom: "stake", Amount: 1_000_000_000}}, Role: role}); err != nil {
			t.Fatal(err)
		}
		return h
	}
	refused := func(h string, g *ccv.ConsumerGenesis, want string) {
		t.Helper()
		err := nodehome.ImportConsumerGenesis(h, g)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("import: %v, want %q", err, want)
		}
		if _, err := os.Stat(nodehome.ChangeoverFile(h)); err == nil {
			t.Fatal("a refused import wrote the plan")
		}
	}

	h := home(app.RoleProvider)
	if _, ok, err := nodehome.ChangeoverPlan(h)(); ok || err != nil {
		t.Fatalf("plan before the import: %t, %v", ok, err)
	}
	other := cg
	other.Changeover = &ccv.Changeover{ChainId: "other-1", Height: 100}
	refused(h, &other, `the changeover genesis is for chain "other-1", this chain is "sa-1"`)
	empty := cg
	empty.InitialValidators = nil
	refused(h, &empty, "0 initial validators")
	refused(h, newChain, "for a new chain")
	state := `{"height": "100", "round": 0, "step": 3}`
	if err := os.WriteFile(nodehome.Config(h).PrivValidatorStateFile(), []byte(state), 0o644); err != nil {
		t.Fatal(err)
	}
	refused(h, &cg, "the changeover height 100 has passed")
	if err := os.WriteFile(nodehome.Config(h).PrivValidatorStateFile(), []byte(`{"height": "99", "round": 0, "step": 0}`), 0o644); err != nil {
		t.Fatal(err)
	}

	if err := nodehome.ImportConsumerGenesis(h, &cg); err != nil {
		t.Fatal(err)
	}
	plan := nodehome.ChangeoverPlan(h)
	got, ok, err := plan()
	if err != nil || !ok || got.Changeover.ChainId != "sa-1" || got.Changeover.Height != 100 || len(got.InitialValidators) != 2 {
		t.Fatalf("plan after the import: %+v, %t, %v", got, ok, err)
	}
	if g, err := nodehome.ReadAppGenesis(h); err != nil || g.Role() != app.RoleProvider {
		t.Fatalf("the standalone's genesis after the import: %v", err)
	}
	// A plan that no longer reads is an error, not the absence of a plan.
	if err := os.WriteFile(nodehome.ChangeoverFile(h), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := plan(); err == nil {
		t.Fatal("a broken plan file read")
	}

	refused(home(app.RoleConsumer), &cg, "is a consumer home")
}

// TestChangeoverMatchProvider: a changeover genesis whose validator set is
// not the one the provider holds for the consumer is refused.
func TestChangeoverMatchProvider(t *testing.T) {
	clock := &ibctest.Clock{Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	prov := ibctest.NewProvider(t, clock, "provider-1", 2, 2, nil)
	ibctest.ProposeConsumer(prov, "sa-1", ibctest.ConsumerParams())
	prov.NextBlock()
	want := ibctest.ConsumerGenesis(prov, "sa-1")
	got := ibctest.ConsumerGenesis(prov, "sa-1")
	if err := nodehome.MatchProvider(got, want); err != nil {
		t.Fatal(err)
	}
	got.InitialValidators[1].Power++
	if err := nodehome.MatchProvider(got, want); err == nil || !strings.Contains(err.Error(), "initial validator 1") {
		t.Fatalf("another power: %v", err)
	}
	got = ibctest.ConsumerGenesis(prov, "sa-1")
	got.InitialValidators = got.InitialValidators[:1]
	if err := nodehome.MatchProvider(got, want); err == nil {
		t.Fatal("a smaller set matched")
	}
	got = ibctest.ConsumerGenesis(prov, "sa-1")
	got.Changeover = &ccv.Changeover{ChainId: "sa-1", Height: 7}
	if err := nodehome.MatchProvider(got, want); err == nil {
		t.Fatal("a changeover matched a new chain's genesis")
	}
}
