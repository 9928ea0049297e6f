package changeover_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/abci-ics/ics/app/changeover"
	"github.com/abci-ics/ics/app/ibctest"
	"github.com/abci-ics/ics/ccv"
)

// TestCheck: a changeover genesis is accepted for the chain it names
// only; a new chain's genesis, or one without validators, is refused.
func TestCheck(t *testing.T) {
	clock := &ibctest.Clock{Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	prov := ibctest.NewProvider(t, clock, "provider-1", 2, 2, nil)
	ibctest.ProposeConsumer(prov, "sa-1", ibctest.ConsumerParams())
	prov.NextBlock()
	g := ibctest.ConsumerGenesis(prov, "sa-1")
	if err := changeover.Check(g, "sa-1"); err == nil || !strings.Contains(err.Error(), "not a changeover genesis") {
		t.Fatalf("a new chain's genesis: %v", err)
	}
	g.Changeover = &ccv.Changeover{ChainId: "sa-1", Height: 10}
	if err := changeover.Check(g, "sa-1"); err != nil {
		t.Fatal(err)
	}
	if err := changeover.Check(g, "sb-1"); !errors.Is(err, ccv.ErrInvalidGenesis) || !strings.Contains(err.Error(), `for chain "sa-1", this chain is "sb-1"`) {
		t.Fatalf("another chain: %v", err)
	}
	g.InitialValidators = nil
	if err := changeover.Check(g, "sa-1"); !errors.Is(err, ccv.ErrInvalidGenesis) {
		t.Fatalf("no validators: %v", err)
	}
	g.Changeover.Height = 0
	if err := g.Validate(); err == nil {
		t.Fatal("a changeover at height 0 validated")
	}
}
