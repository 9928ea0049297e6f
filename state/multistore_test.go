package state

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	stateproof "github.com/abci-ics/ics/state/proof"

	dbm "github.com/cosmos/cosmos-db"
)

func TestOpenValidation(t *testing.T) {
	cases := []struct {
		name  string
		names []string
		opts  Options
	}{
		{"no names", nil, Options{}},
		{"empty name", []string{"a", ""}, Options{}},
		{"duplicate", []string{"a", "b", "a"}, Options{}},
		{"slash", []string{"a/b"}, Options{}},
		{"negative keep", []string{"a"}, Options{KeepRecent: -1}},
		{"keep one", []string{"a"}, Options{KeepRecent: 1}},
		{"negative interval", []string{"a"}, Options{KeepRecent: 2, PruneInterval: -1}},
	}
	for _, tc := range cases {
		if m, err := Open(dbm.NewMemDB(), tc.names, tc.opts); err == nil {
			_ = m.Close()
			t.Errorf("%s: Open succeeded", tc.name)
		}
	}
	m, _ := openMem(t, Options{})
	if got := m.Names(); !slices.Equal(got, []string{"auth", "bank", "gov", "ibc", "provider", "staking"}) {
		t.Fatalf("Names() = %v", got)
	}
	if lc := m.LastCommit(); lc.Version != 0 || lc.Hash != nil {
		t.Fatalf("LastCommit before first commit = %+v", lc)
	}
}

// TestWorkingSeesPendingWrites checks reads and iterators of the working
// state before and after the first commit, with and without iavl fast
// storage.
func TestWorkingSeesPendingWrites(t *testing.T) {
	for _, fast := range []bool{false, true} {
		t.Run(map[bool]string{false: "nofast", true: "fast"}[fast], func(t *testing.T) {
			m, _ := openMem(t, Options{fastStorage: fast})
			kv := m.Working().KV("bank")
			for _, key := range []string{"a", "c", "e", "g"} {
				kv.Set([]byte(key), []byte("1"+key))
			}
			kv.Delete([]byte("c"))
			if got := collect(t, kv.Iterator(nil, nil)); !slices.Equal(got, []string{"a=1a", "e=1e", "g=1g"}) {
				t.Fatalf("before first commit: %v", got)
			}
			mustCommit(t, m)

			kv.Set([]byte("b"), []byte("2b"))  // new
			kv.Set([]byte("e"), []byte("2e"))  // update
			kv.Delete([]byte("g"))             // delete committed key
			kv.Set([]byte("c"), []byte{})      // re-create with an empty value
			kv.Set([]byte("h"), []byte("tmp")) // set then delete, uncommitted
			kv.Delete([]byte("h"))
			want := []string{"a=1a", "b=2b", "c=", "e=2e"}
			if got := collect(t, kv.Iterator(nil, nil)); !slices.Equal(got, want) {
				t.Fatalf("pending: %v, want %v", got, want)
			}
			if got := collect(t, kv.ReverseIterator([]byte("b"), []byte("e"))); !slices.Equal(got, []string{"c=", "b=2b"}) {
				t.Fatalf("pending reverse range: %v", got)
			}
			if v := kv.Get([]byte("c")); v == nil || len(v) != 0 {
				t.Fatalf("empty value reads as %v", v)
			}
			if kv.Has([]byte("g")) || kv.Get([]byte("g")) != nil || !kv.Has([]byte("b")) {
				t.Fatal("Has/Get disagree with pending writes")
			}
			// A Cache over the working state merges with its iterators.
			c := NewCache(m.Working())
			c.KV("bank").Delete([]byte("a"))
			c.KV("bank").Set([]byte("d"), []byte("3d"))
			if got := collect(t, c.KV("bank").Iterator(nil, nil)); !slices.Equal(got, []string{"b=2b", "c=", "d=3d", "e=2e"}) {
				t.Fatalf("cache over working: %v", got)
			}
			c.Write()
			mustCommit(t, m)
			v, err := m.View(0)
			if err != nil {
				t.Fatal(err)
			}
			if got := collect(t, v.KV("bank").Iterator(nil, nil)); !slices.Equal(got, []string{"b=2b", "c=", "d=3d", "e=2e"}) {
				t.Fatalf("committed: %v", got)
			}
		})
	}
}

// TestWorkingIterateWhileWriting checks that a working-state iterator is a
// snapshot that survives writes to the same store.
func TestWorkingIterateWhileWriting(t *testing.T) {
	m, _ := openMem(t, Options{})
	kv := m.Working().KV("gov")
	for i := range 50 {
		kv.Set(k("k%03d", i), []byte("v"))
	}
	mustCommit(t, m)
	for i := 50; i < 100; i++ {
		kv.Set(k("k%03d", i), []byte("v"))
	}
	n := 0
	it := kv.Iterator(nil, nil)
	for ; it.Valid(); it.Next() {
		if want := string(k("k%03d", n)); string(it.Key()) != want {
			t.Fatalf("key %d = %s, want %s", n, it.Key(), want)
		}
		kv.Delete(it.Key())
		kv.Set(append(k("z"), it.Key()...), []byte("new"))
		n++
	}
	if err := it.Close(); err != nil {
		t.Fatal(err)
	}
	if n != 100 {
		t.Fatalf("visited %d keys", n)
	}
	if got := collect(t, kv.Iterator(nil, k("z"))); len(got) != 0 {
		t.Fatalf("left over: %v", got)
	}
}

func TestKVContract(t *testing.T) {
	m, _ := openMem(t, Options{})
	w := m.Working()
	kv := w.KV("auth")
	mustPanic(t, "unknown store", func() { w.KV("nope") })
	mustPanic(t, "nil key", func() { kv.Set(nil, []byte("v")) })
	mustPanic(t, "empty key", func() { kv.Set([]byte{}, []byte("v")) })
	mustPanic(t, "nil value", func() { kv.Set([]byte("k"), nil) })
	mustPanic(t, "delete empty", func() { kv.Delete([]byte{}) })
	if kv.Get(nil) != nil || kv.Has([]byte{}) {
		t.Fatal("empty key reported present")
	}
	// The store copies keys and values on Set.
	key, val := []byte("key"), []byte("val")
	kv.Set(key, val)
	key[0], val[0] = 'X', 'X'
	if string(kv.Get([]byte("key"))) != "val" {
		t.Fatal("Set did not copy")
	}
	mustCommit(t, m)
	v, err := m.View(0)
	if err != nil {
		t.Fatal(err)
	}
	mustPanic(t, "view Set", func() { v.KV("auth").Set([]byte("a"), []byte("b")) })
	mustPanic(t, "view Delete", func() { v.KV("auth").Delete([]byte("a")) })
	mustPanic(t, "view unknown store", func() { v.KV("nope") })
	it := v.KV("auth").Iterator([]byte("z"), nil)
	mustPanic(t, "invalid iterator Key", func() { it.Key() })
	_ = it.Close()
}

// applyBlock writes a deterministic pseudo-random block through a Cache
// (so the map order of the application's writes does not matter).
func applyBlock(s Store, seed uint64, n int) {
	rng := rand.New(rand.NewPCG(seed, 7))
	c := NewCache(s)
	for range n {
		kv := c.KV(testNames[rng.IntN(len(testNames))])
		key := k("key%04d", rng.IntN(500))
		if rng.IntN(5) == 0 {
			kv.Delete(key)
		} else {
			kv.Set(key, k("val%d", rng.Uint64()))
		}
	}
	c.Write()
}

func TestDeterministicHashes(t *testing.T) {
	a, _ := openMem(t, Options{})
	b, _ := openMem(t, Options{fastStorage: true, serialSave: true})
	for block := uint64(1); block <= 20; block++ {
		applyBlock(a.Working(), block, 300)
		applyBlock(b.Working(), block, 300)
		if wa, wb := a.WorkingHash(), b.WorkingHash(); !bytes.Equal(wa, wb) {
			t.Fatalf("block %d: working hashes differ", block)
		}
		wh := a.WorkingHash()
		ca, cb := mustCommit(t, a), mustCommit(t, b)
		if ca.Version != int64(block) || ca.Version != cb.Version || !bytes.Equal(ca.Hash, cb.Hash) {
			t.Fatalf("block %d: commits differ: %+v vs %+v", block, ca, cb)
		}
		if !bytes.Equal(wh, ca.Hash) {
			t.Fatalf("block %d: WorkingHash %X != commit hash %X", block, wh, ca.Hash)
		}
		if lc := a.LastCommit(); lc.Version != ca.Version || !bytes.Equal(lc.Hash, ca.Hash) {
			t.Fatalf("LastCommit = %+v, want %+v", lc, ca)
		}
	}

	// The same final writes in a different order through a Cache give the
	// same hash; an empty block gives the same app hash as before.
	c1, c2 := NewCache(a.Working()), NewCache(b.Working())
	for i := range 100 {
		c1.KV("bank").Set(k("x%03d", i), []byte("v"))
		c2.KV("bank").Set(k("x%03d", 99-i), []byte("v"))
	}
	c1.KV("auth").Delete(k("key0001"))
	c2.KV("auth").Delete(k("key0001"))
	c1.Write()
	c2.Write()
	if !bytes.Equal(a.WorkingHash(), b.WorkingHash()) {
		t.Fatal("write order through a Cache changed the hash")
	}
	ca, cb := mustCommit(t, a), mustCommit(t, b)
	if !bytes.Equal(ca.Hash, cb.Hash) {
		t.Fatal("commit hashes differ")
	}
	empty := mustCommit(t, a)
	if !bytes.Equal(empty.Hash, ca.Hash) || empty.Version != ca.Version+1 {
		t.Fatalf("empty block: %+v after %+v", empty, ca)
	}
}

func TestReopen(t *testing.T) {
	dir := t.TempDir()
	db, err := dbm.NewGoLevelDB("state", dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Open(db, testNames, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for block := uint64(1); block <= 5; block++ {
		applyBlock(m.Working(), block, 200)
		mustCommit(t, m)
	}
	want := m.LastCommit()
	wantData := dump(t, m.Working(), testNames)
	// Uncommitted writes are lost on Close.
	m.Working().KV("ibc").Set([]byte("uncommitted"), []byte("x"))
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db, err = dbm.NewGoLevelDB("state", dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	m, err = Open(db, testNames, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if got := m.LastCommit(); got.Version != want.Version || !bytes.Equal(got.Hash, want.Hash) {
		t.Fatalf("LastCommit after reopen = %+v, want %+v", got, want)
	}
	if got := dump(t, m.Working(), testNames); !slices.Equal(got, wantData) {
		t.Fatal("data differs after reopen")
	}
	if !bytes.Equal(m.WorkingHash(), want.Hash) {
		t.Fatal("WorkingHash after reopen differs from the last commit")
	}
	for v := int64(1); v <= want.Version; v++ {
		if _, err := m.View(v); err != nil {
			t.Fatalf("View(%d) after reopen: %v", v, err)
		}
	}
	// Opening with a different set of stores is detected.
	if m2, err := Open(db, testNames[:3], Options{}); !errors.Is(err, ErrCorrupt) {
		if m2 != nil {
			_ = m2.Close()
		}
		t.Fatalf("Open with fewer stores: %v", err)
	}
}

func TestDiscard(t *testing.T) {
	for _, committed := range []bool{false, true} {
		m, _ := openMem(t, Options{})
		if committed {
			applyBlock(m.Working(), 1, 100)
			mustCommit(t, m)
		}
		before := dump(t, m.Working(), testNames)
		hash := m.WorkingHash()
		applyBlock(m.Working(), 2, 100)
		m.Discard()
		if got := dump(t, m.Working(), testNames); !slices.Equal(got, before) {
			t.Fatalf("committed=%v: Discard did not restore the data", committed)
		}
		if !bytes.Equal(m.WorkingHash(), hash) {
			t.Fatalf("committed=%v: Discard did not restore the hash", committed)
		}
	}
}

// TestCrashDuringCommit simulates a crash after some trees saved a new
// version but before the commit record was written.
func TestCrashDuringCommit(t *testing.T) {
	cases := []struct {
		name      string
		committed int   // blocks committed before the crash
		saved     []int // indices (in sorted name order) of trees saved by the crashed commit
	}{
		{"first commit, one tree", 0, []int{2}},
		{"first commit, all trees", 0, []int{0, 1, 2, 3, 4, 5}},
		{"later commit, one tree", 3, []int{0}},
		{"later commit, some trees", 3, []int{1, 4, 5}},
		{"later commit, all trees", 3, []int{0, 1, 2, 3, 4, 5}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			db := dbm.NewMemDB()
			m, err := Open(db, testNames, Options{})
			if err != nil {
				t.Fatal(err)
			}
			for block := range tc.committed {
				applyBlock(m.Working(), uint64(block+1), 200)
				mustCommit(t, m)
			}
			want := m.LastCommit()
			wantData := dump(t, m.Working(), testNames)
			applyBlock(m.Working(), 99, 200)
			for _, i := range tc.saved {
				if _, _, err := m.live[i].tree.SaveVersion(); err != nil {
					t.Fatal(err)
				}
			}
			_ = m.Close() // crash: the record is never written

			m, err = Open(db, testNames, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			if got := m.LastCommit(); got.Version != want.Version || !bytes.Equal(got.Hash, want.Hash) {
				t.Fatalf("LastCommit = %+v, want %+v", got, want)
			}
			if got := dump(t, m.Working(), testNames); !slices.Equal(got, wantData) {
				t.Fatal("data not rolled back")
			}
			if want.Version > 0 && !bytes.Equal(m.WorkingHash(), want.Hash) {
				t.Fatal("hash not rolled back")
			}
			// Replaying the block now gives the same result as a
			// multistore that never crashed.
			ref, _ := openMem(t, Options{})
			for block := range tc.committed {
				applyBlock(ref.Working(), uint64(block+1), 200)
				mustCommit(t, ref)
			}
			applyBlock(ref.Working(), 99, 200)
			applyBlock(m.Working(), 99, 200)
			got, exp := mustCommit(t, m), mustCommit(t, ref)
			if got.Version != exp.Version || !bytes.Equal(got.Hash, exp.Hash) {
				t.Fatalf("after replay %+v, want %+v", got, exp)
			}
		})
	}
}

func TestViews(t *testing.T) {
	m, _ := openMem(t, Options{})
	if _, err := m.View(0); !errors.Is(err, ErrVersionNotFound) {
		t.Fatalf("View before any commit: %v", err)
	}
	var hashes []CommitInfo
	for v := 1; v <= 5; v++ {
		m.Working().KV("staking").Set([]byte("height"), k("%d", v))
		if v == 3 {
			m.Working().KV("staking").Delete([]byte("height"))
		}
		hashes = append(hashes, mustCommit(t, m))
	}
	m.Working().KV("staking").Set([]byte("height"), []byte("uncommitted"))
	for v := int64(1); v <= 5; v++ {
		view, err := m.View(v)
		if err != nil {
			t.Fatal(err)
		}
		want := k("%d", v)
		if v == 3 {
			want = nil
		}
		if got := view.KV("staking").Get([]byte("height")); !bytes.Equal(got, want) {
			t.Errorf("View(%d) height = %s, want %s", v, got, want)
		}
		if view.Version() != v || !bytes.Equal(view.Hash(), hashes[v-1].Hash) {
			t.Errorf("View(%d): version %d hash %X, want %X", v, view.Version(), view.Hash(), hashes[v-1].Hash)
		}
	}
	latest, err := m.View(0)
	if err != nil || latest.Version() != 5 {
		t.Fatalf("View(0) = %v, %v", latest, err)
	}
	for _, v := range []int64{-1, 6, 100} {
		if _, err := m.View(v); !errors.Is(err, ErrVersionNotFound) {
			t.Errorf("View(%d): %v", v, err)
		}
	}
}

func TestPruning(t *testing.T) {
	db := dbm.NewMemDB()
	m, err := Open(db, testNames, Options{KeepRecent: 3})
	if err != nil {
		t.Fatal(err)
	}
	for v := 1; v <= 10; v++ {
		m.Working().KV("bank").Set([]byte("v"), k("%d", v))
		mustCommit(t, m)
	}
	check := func(m *MultiStore) {
		t.Helper()
		for v := int64(1); v <= 10; v++ {
			view, err := m.View(v)
			switch {
			case v <= 7:
				if !errors.Is(err, ErrVersionPruned) {
					t.Errorf("View(%d): %v, want ErrVersionPruned", v, err)
				}
			case err != nil:
				t.Errorf("View(%d): %v", v, err)
			case string(view.KV("bank").Get([]byte("v"))) != string(k("%d", v)):
				t.Errorf("View(%d) reads %s", v, view.KV("bank").Get([]byte("v")))
			}
		}
	}
	check(m)
	if err := m.WaitPrune(); err != nil {
		t.Fatal(err)
	}
	_ = m.Close()
	m, err = Open(db, testNames, Options{KeepRecent: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	check(m)
}

func TestSetInitialVersion(t *testing.T) {
	db := dbm.NewMemDB()
	m, err := Open(db, testNames, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.SetInitialVersion(0); err == nil {
		t.Fatal("SetInitialVersion(0) accepted")
	}
	if err := m.SetInitialVersion(100); err != nil {
		t.Fatal(err)
	}
	m.Working().KV("auth").Set([]byte("a"), []byte("b"))
	if err := m.SetInitialVersion(50); err == nil {
		t.Fatal("SetInitialVersion after writes accepted")
	}
	info := mustCommit(t, m)
	if info.Version != 100 {
		t.Fatalf("first version %d, want 100", info.Version)
	}
	if err := m.SetInitialVersion(200); err == nil {
		t.Fatal("SetInitialVersion after commit accepted")
	}
	mustCommit(t, m)
	if _, err := m.View(99); !errors.Is(err, ErrVersionNotFound) {
		t.Fatalf("View(99): %v", err)
	}
	_ = m.Close()
	m, err = Open(db, testNames, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if lc := m.LastCommit(); lc.Version != 101 {
		t.Fatalf("LastCommit after reopen: %+v", lc)
	}
	v, err := m.View(100)
	if err != nil || string(v.KV("auth").Get([]byte("a"))) != "b" {
		t.Fatalf("View(100): %v", err)
	}
	if _, err := m.View(99); !errors.Is(err, ErrVersionNotFound) {
		t.Fatalf("View(99) after reopen: %v", err)
	}
}

// TestConcurrentViews reads views and builds proofs while blocks are being
// executed and committed (run with -race).
func TestConcurrentViews(t *testing.T) {
	m, _ := openMem(t, Options{KeepRecent: 50})
	applyBlock(m.Working(), 1, 300)
	mustCommit(t, m)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for g := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				v, err := m.View(0)
				if err != nil {
					errs <- err
					return
				}
				key := k("key%04d", (i*7+g)%500)
				val, proofs, err := v.Prove("bank", key)
				if err != nil {
					errs <- err
					return
				}
				if val != nil {
					err = stateproof.VerifyMembership(v.Hash(), "bank", key, val, proofs)
				} else {
					err = stateproof.VerifyNonMembership(v.Hash(), "bank", key, proofs)
				}
				if err != nil {
					errs <- err
					return
				}
				_ = collect(t, v.KV("auth").Iterator(nil, nil))
			}
		}()
	}
	for block := uint64(2); block <= 30; block++ {
		applyBlock(m.Working(), block, 300)
		_ = m.WorkingHash()
		mustCommit(t, m)
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func TestCommitAfterClose(t *testing.T) {
	m, _ := openMem(t, Options{})
	_ = m.Close()
	if _, err := m.Commit(); !errors.Is(err, ErrClosed) {
		t.Fatalf("Commit after Close: %v", err)
	}
	if _, err := m.View(0); !errors.Is(err, ErrClosed) {
		t.Fatalf("View after Close: %v", err)
	}
}

func TestViewPrunedWhileInUse(t *testing.T) {
	m, _ := openMem(t, Options{KeepRecent: 2})
	for i := range 100 {
		m.Working().KV("bank").Set(k("k%03d", i), []byte("v1"))
	}
	mustCommit(t, m)
	old, err := m.View(1)
	if err != nil {
		t.Fatal(err)
	}
	for v := 2; v <= 3; v++ {
		for i := range 100 {
			m.Working().KV("bank").Set(k("k%03d", i), k("v%d", v))
		}
		mustCommit(t, m)
	}
	if err := m.WaitPrune(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		r := recover()
		err, _ := r.(error)
		if !errors.Is(err, ErrVersionPruned) {
			t.Fatalf("read of a pruned view: recovered %v, want ErrVersionPruned", r)
		}
	}()
	old.KV("bank").Get(k("k050"))
	t.Fatal("read of a pruned view did not panic")
}
