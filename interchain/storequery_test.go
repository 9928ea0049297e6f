package interchain

import (
	"errors"
	"testing"

	dbm "github.com/cosmos/cosmos-db"

	"github.com/abci-ics/ics/state"
	stateproof "github.com/abci-ics/ics/state/proof"
)

// TestQueryStore reads a key of a store the chain lets be read, with and
// without its proof (which verifies against the view's app hash), and
// refuses other paths, other stores and an empty key.
func TestQueryStore(t *testing.T) {
	ms, err := state.Open(dbm.NewMemDB(), []string{"ibc", "own"}, state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ms.Working().KV("ibc").Set([]byte("k"), []byte("v"))
	ms.Working().KV("own").Set([]byte("secret"), []byte("x"))
	if _, err := ms.Commit(); err != nil {
		t.Fatal(err)
	}
	v, err := ms.View(0)
	if err != nil {
		t.Fatal(err)
	}
	stores := []string{"ibc"}
	if res, err := QueryStore(v, stores, "/store/ibc/key", []byte("k"), false); err != nil || string(res.Value) != "v" || res.ProofOps != nil {
		t.Fatalf("read: %v %+v", err, res)
	}
	res, err := QueryStore(v, stores, "/store/ibc/key", []byte("k"), true)
	if err != nil || string(res.Value) != "v" {
		t.Fatalf("proven read: %v %+v", err, res)
	}
	store, key, proofs, err := stateproof.FromOps(res.ProofOps)
	if err != nil || store != "ibc" || string(key) != "k" {
		t.Fatalf("proof ops: %v %s %s", err, store, key)
	}
	if err := stateproof.VerifyMembership(v.Hash(), "ibc", []byte("k"), []byte("v"), proofs); err != nil {
		t.Fatalf("proof: %v", err)
	}
	for _, c := range []struct {
		path string
		key  string
		want error
	}{
		{"/store/own/key", "secret", ErrUnknownQuery},
		{"/store/ibc", "k", ErrUnknownQuery},
		{"/store/nope/key", "k", ErrUnknownQuery},
		{"/kv/k", "k", ErrUnknownQuery},
		{"/store/ibc/key", "", ErrInvalidQuery},
	} {
		if _, err := QueryStore(v, stores, c.path, []byte(c.key), false); !errors.Is(err, c.want) {
			t.Errorf("%s %q: %v, want %v", c.path, c.key, err, c.want)
		}
	}
}
