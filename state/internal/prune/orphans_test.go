package prune

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/abci-ics/ics/state/internal/nodecache"
	dbm "github.com/cosmos/cosmos-db"
	"github.com/cosmos/iavl"
	idb "github.com/cosmos/iavl/db"
)

// TestDecodeChildren decodes every node of a saved iavl tree: the leaves
// are the tree's keys, every node but the root is the child of exactly one
// inner node, and no truncation of a node decodes.
func TestDecodeChildren(t *testing.T) {
	db := idb.NewWrapper(dbm.NewMemDB())
	tree := iavl.NewMutableTree(db, 100, true, iavl.NewNopLogger())
	for i := range 50 {
		if _, err := tree.Set(fmt.Appendf(nil, "key%02d", i), []byte("value")); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := tree.SaveVersion(); err != nil {
		t.Fatal(err)
	}
	it, err := db.Iterator([]byte("s"), []byte("t"))
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	parents := map[nodeKey]int{}
	nodes := map[nodeKey]bool{}
	leaves := 0
	for ; it.Valid(); it.Next() {
		k, ok := nodeKeyOf(it.Key())
		if !ok {
			t.Fatalf("key %X is not a node key", it.Key())
		}
		c, err := decodeChildren(it.Value())
		if err != nil {
			t.Fatalf("node %v: %v", k, err)
		}
		nodes[k] = true
		if c == (children{}) {
			leaves++
			continue
		}
		parents[c.left]++
		parents[c.right]++
		for n := range len(it.Value()) {
			if _, err := decodeChildren(it.Value()[:n]); err == nil {
				t.Fatalf("node %v decodes from its first %d bytes", k, n)
			}
		}
	}
	if leaves != 50 {
		t.Fatalf("%d leaves, want 50", leaves)
	}
	for k := range nodes {
		if want := map[bool]int{true: 0, false: 1}[k == nodeKey{1, 1}]; parents[k] != want {
			t.Fatalf("node %v is the child of %d nodes, want %d", k, parents[k], want)
		}
	}
	if len(parents) != len(nodes)-1 {
		t.Fatalf("%d children for %d nodes", len(parents), len(nodes))
	}
	for _, v := range [][]byte{nil, {}, append([]byte{'s'}, bytes.Repeat([]byte{1}, 12)...), {0x01}} {
		if _, err := decodeChildren(v); err == nil {
			t.Fatalf("%X decodes as a node", v)
		}
	}
}

func FuzzDecodeChildren(f *testing.F) {
	f.Add([]byte{0x02, 0x04, 0x01, 'k', 0x01, 'h', 0x00, 0x02, 0x02, 0x02, 0x04})
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := decodeChildren(b)
		if err == nil && c != (children{}) && (c.left.version <= 0 || c.right.version <= 0) {
			t.Fatalf("%X: children %v", b, c)
		}
	})
}

// TestOrphansLeaveTheCache: after each save, the working tree's node cache
// holds exactly the nodes of the saved version, and the tree reads every
// key as before.
func TestOrphansLeaveTheCache(t *testing.T) {
	tree, tr := NewTree(idb.NewWrapper(dbm.NewMemDB()), 100_000, true)
	cache, err := nodecache.For(tree)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for v := int64(1); v <= 6; v++ {
		for i := range 40 {
			k := fmt.Sprintf("key%03d", (int(v)*37+i*11)%300)
			want[k] = fmt.Sprint(v, i)
			if _, err := tree.Set([]byte(k), []byte(want[k])); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, err := tree.SaveVersion(); err != nil {
			t.Fatal(err)
		}
		out, err := tr.Orphans(v)
		if err != nil {
			t.Fatal(err)
		}
		if v > 1 && len(out) == 0 {
			t.Fatalf("version %d orphaned nothing", v)
		}
		if n := cache.Evict(out); n != 0 {
			t.Fatalf("version %d: %d orphans still cached", v, n)
		}
		if got, want := cache.Len(), 2*int(tree.Size())-1; got != want {
			t.Fatalf("version %d: %d nodes cached, the tree has %d", v, got, want)
		}
	}
	for k, v := range want {
		if got, err := tree.Get([]byte(k)); err != nil || string(got) != v {
			t.Fatalf("%s: %q, %v; want %q", k, got, err, v)
		}
	}
}
