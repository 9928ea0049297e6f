package query

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/abci-ics/ics/abci"
	"github.com/abci-ics/ics/interchain"
)

// TestChainRole checks the role `query role` tells from /app/stores and,
// for a provider, its consumers: a consumer, a provider with live
// consumers, a standalone chain (none live), and a consumer turned
// sovereign with its transition; and that a provider whose consumers
// cannot be read, or a chain of neither role, is an error.
func TestChainRole(t *testing.T) {
	base := []string{"auth", "bank", "ibc", "transfer"}
	stores := func(extra ...string) []string { return append(slices.Clone(base), extra...) }
	list := func(cs ...interchain.ConsumerJSON) func() ([]interchain.ConsumerJSON, error) {
		return func() ([]interchain.ConsumerJSON, error) { return cs, nil }
	}
	unasked := func() ([]interchain.ConsumerJSON, error) { t.Fatal("consumers read"); return nil, nil }
	sovereign := []abci.UpgradeJSON{{Height: 42, Added: []string{"provider"}, Retired: []string{"consumer"}}}
	for _, tc := range []struct {
		name      string
		st        abci.StoresJSON
		consumers func() ([]interchain.ConsumerJSON, error)
		role      string
		live      []string
		text      []string
	}{
		{"consumer", abci.StoresJSON{Stores: stores("consumer")}, unasked, RoleConsumer, nil, []string{"consumer\n"}},
		{"provider", abci.StoresJSON{Stores: stores("provider", "staking")},
			list(interchain.ConsumerJSON{ChainID: "consumer-1", Phase: "running"}, interchain.ConsumerJSON{ChainID: "consumer-2", Phase: "stopped"},
				interchain.ConsumerJSON{ChainID: "consumer-3", Phase: "launched"}),
			RoleProvider, []string{"consumer-1", "consumer-3"}, []string{"provider of 2 consumers: consumer-1, consumer-3"}},
		{"standalone", abci.StoresJSON{Stores: stores("provider", "staking")}, list(interchain.ConsumerJSON{ChainID: "c", Phase: "deleted"}),
			RoleStandalone, nil, []string{"standalone"}},
		{"sovereign", abci.StoresJSON{Stores: stores("provider", "staking"), Upgrades: sovereign}, list(), RoleStandalone, nil,
			[]string{"standalone", "consumer -> sovereign at height 42 (stores added: provider; retired: consumer)"}},
	} {
		r, err := ChainRole(tc.st, tc.consumers)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if r.Role != tc.role || !slices.Equal(r.Consumers, tc.live) || len(r.Transitions) != len(tc.st.Upgrades) {
			t.Fatalf("%s: %+v, want role %s with consumers %v", tc.name, r, tc.role, tc.live)
		}
		var buf bytes.Buffer
		PrintRole(&buf, r)
		for _, want := range tc.text {
			if !strings.Contains(buf.String(), want) {
				t.Errorf("%s: no %q in\n%s", tc.name, want, buf.String())
			}
		}
	}
	r, _ := ChainRole(abci.StoresJSON{Stores: stores("provider"), Upgrades: sovereign}, list())
	if tr := r.Transitions[0]; tr.Height != 42 || tr.Name != TransitionSovereign {
		t.Fatalf("transition %+v", tr)
	}
	if _, err := ChainRole(abci.StoresJSON{Stores: stores("provider")}, func() ([]interchain.ConsumerJSON, error) { return nil, errors.New("down") }); err == nil || !strings.Contains(err.Error(), "down") {
		t.Fatalf("unreadable consumers: %v", err)
	}
	if _, err := ChainRole(abci.StoresJSON{Stores: base}, unasked); err == nil {
		t.Fatal("a chain of neither role has a role")
	}
}
