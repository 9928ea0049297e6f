package nodecache

import (
	"encoding/binary"
	"fmt"
	"testing"

	dbm "github.com/cosmos/cosmos-db"
	"github.com/cosmos/iavl"
	idb "github.com/cosmos/iavl/db"
)

// TestEvict: on the iavl release in go.mod, For reaches a tree's node
// cache, Evict drops exactly the nodes named, and the tree reads them
// back from its database.
func TestEvict(t *testing.T) {
	tree := iavl.NewMutableTree(idb.NewWrapper(dbm.NewMemDB()), 1000, true, iavl.NewNopLogger())
	for i := range 20 {
		if _, err := tree.Set(fmt.Appendf(nil, "k%02d", i), []byte("v")); err != nil {
			t.Fatal(err)
		}
	}
	hash, _, err := tree.SaveVersion()
	if err != nil {
		t.Fatal(err)
	}
	e, err := For(tree)
	if err != nil {
		t.Fatal(err)
	}
	if n := e.Len(); n != 39 {
		t.Fatalf("%d nodes cached after saving 20 keys, want 39", n)
	}
	var keys []byte
	for nonce := uint32(2); nonce <= 11; nonce++ { // not the root (1, 1), which the tree holds
		keys = binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint64(keys, 1), nonce)
	}
	keys = binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint64(keys, 7), 1) // never saved
	keys = append(keys, 1, 2, 3)                                                    // a short tail is ignored
	if n := e.Evict(keys); n != 10 {
		t.Fatalf("evicted %d, want 10", n)
	}
	if n := e.Len(); n != 29 {
		t.Fatalf("%d nodes cached after evicting 10, want 29", n)
	}
	for i := range 20 {
		if v, err := tree.Get(fmt.Appendf(nil, "k%02d", i)); err != nil || string(v) != "v" {
			t.Fatalf("k%02d: %q, %v", i, v, err)
		}
	}
	if e.Len() != 39 {
		t.Fatalf("%d nodes cached after reading every key, want 39", e.Len())
	}
	if got := tree.WorkingHash(); string(got) != string(hash) {
		t.Fatalf("hash %X, want %X", got, hash)
	}
}
