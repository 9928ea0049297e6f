package sovnet

import (
	"errors"
	"os"
	"testing"

	"github.com/abci-ics/ics/abci"
)

// TestSovereignSince checks that only the store upgrade of a sovereign
// transition (the provider's store added, the consumer's retired) tells
// when a chain turned sovereign.
func TestSovereignSince(t *testing.T) {
	for _, tc := range []struct {
		name string
		ups  []abci.UpgradeJSON
		h    int64
		ok   bool
	}{
		{"none", nil, 0, false},
		{"sovereign", []abci.UpgradeJSON{{Height: 9, Added: []string{"provider"}, Retired: []string{"consumer"}}}, 9, true},
		{"changeover", []abci.UpgradeJSON{{Height: 4, Added: []string{"consumer"}, Retired: []string{}}}, 0, false},
		{"added only", []abci.UpgradeJSON{{Height: 4, Added: []string{"provider"}, Retired: []string{}}}, 0, false},
		{"after a changeover", []abci.UpgradeJSON{{Height: 4, Added: []string{"consumer"}}, {Height: 30, Added: []string{"provider"}, Retired: []string{"consumer"}}}, 30, true},
	} {
		if h, ok := SovereignSince(abci.StoresJSON{Upgrades: tc.ups}); h != tc.h || ok != tc.ok {
			t.Errorf("%s: %d %v, want %d %v", tc.name, h, ok, tc.h, tc.ok)
		}
	}
}

// TestLoadNeedsHomes checks that Load fails, naming the consumer, on a
// directory without a testnet or without the consumer's nodes.
func TestLoadNeedsHomes(t *testing.T) {
	dir := t.TempDir()
	if _, err := Load(Options{Dir: dir, ChainID: "consumer-1"}); err == nil {
		t.Fatal("loaded an empty directory")
	}
	if err := os.MkdirAll(dir+"/node0/config", 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(Options{Dir: dir, ChainID: "consumer-1"}); err == nil || errors.Is(err, ErrNoOwnStaking) {
		t.Fatalf("a directory without provider homes: %v", err)
	}
}

// TestProposalID checks that a transaction must carry exactly one
// proposal id.
func TestProposalID(t *testing.T) {
	if id, err := proposalID([]string{"7"}); err != nil || id != 7 {
		t.Fatalf("%d %v", id, err)
	}
	for _, ids := range [][]string{nil, {"1", "2"}, {"x"}} {
		if _, err := proposalID(ids); err == nil {
			t.Errorf("ids %v accepted", ids)
		}
	}
}
