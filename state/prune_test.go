package state

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	dbm "github.com/cosmos/cosmos-db"
	"github.com/cosmos/iavl"

	"github.com/abci-ics/ics/state/internal/prune"
	"github.com/abci-ics/ics/state/internal/record"
)

// onDisk reports whether version v of store name's tree is in m's
// database, read through a tree of its own (the working tree caches its
// first version).
func onDisk(m *MultiStore, name string, v int64) bool {
	t := iavl.NewMutableTree(record.TreeDB(m.db, name), 100, true, iavl.NewNopLogger())
	defer t.Close()
	return t.VersionExists(v)
}

// pruneBlock writes block v: every store gets "v" = v and a rotating key
// set or deleted, except that "gov" and "ibc" change only every third
// block, so their trees have versions that reuse the previous root.
func pruneBlock(s Store, v int64) {
	rng := rand.New(rand.NewPCG(uint64(v), 11))
	for _, name := range testNames {
		if (name == "gov" || name == "ibc") && v%3 != 0 {
			continue
		}
		kv := s.KV(name)
		kv.Set([]byte("v"), k("%d", v))
		for range 20 {
			key := k("key%03d", rng.IntN(60))
			if rng.IntN(4) == 0 {
				kv.Delete(key)
			} else {
				kv.Set(key, k("%s@%d", key, v))
			}
		}
	}
}

// sameView checks that version v of got serves exactly what version v of
// want does, with the same app hash.
func sameView(t *testing.T, got, want *MultiStore, v int64) {
	t.Helper()
	gv, err := got.View(v)
	if err != nil {
		t.Fatalf("View(%d): %v", v, err)
	}
	wv, err := want.View(v)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(gv.Hash(), wv.Hash()) {
		t.Fatalf("View(%d): hash %X, want %X", v, gv.Hash(), wv.Hash())
	}
	if g, w := dump(t, gv, testNames), dump(t, wv, testNames); !slices.Equal(g, w) {
		t.Fatalf("View(%d) reads %v, want %v", v, g, w)
	}
}

// refChain commits blocks 1..n to a multistore that keeps every version.
func refStore(t *testing.T, n int64) *MultiStore {
	ref, _ := openMem(t, Options{})
	for v := int64(1); v <= n; v++ {
		pruneBlock(ref.Working(), v)
		mustCommit(t, ref)
	}
	return ref
}

// TestPruneInBackground checks what the background pruning deletes: after
// WaitPrune every tree has lost exactly the versions up to the last
// target, the kept versions read as without pruning, the app hashes are
// those of a multistore that keeps everything, and pruning resumes on the
// first commit after a reopen.
func TestPruneInBackground(t *testing.T) {
	const n = 22
	ref := refStore(t, n+1)
	db := dbm.NewMemDB()
	opts := Options{KeepRecent: 3, PruneInterval: 4}
	m, err := Open(db, testNames, opts)
	if err != nil {
		t.Fatal(err)
	}
	for v := int64(1); v <= n; v++ {
		pruneBlock(m.Working(), v)
		if got := mustCommit(t, m); !bytes.Equal(got.Hash, mustView(t, ref, v).Hash()) {
			t.Fatalf("version %d: app hash differs from the unpruned one", v)
		}
	}
	if err := m.WaitPrune(); err != nil {
		t.Fatal(err)
	}
	// The last target was set at version 20: up to 17.
	check := func(m *MultiStore, pruned int64, last int64) {
		t.Helper()
		for v := int64(1); v <= last; v++ {
			for _, name := range testNames {
				if got := onDisk(m, name, v); got != (v > pruned) {
					t.Fatalf("store %s: version %d on disk %v, pruned up to %d", name, v, got, pruned)
				}
			}
			if _, err := m.View(v); v <= pruned && !errors.Is(err, ErrVersionPruned) {
				t.Fatalf("View(%d): %v, want ErrVersionPruned", v, err)
			}
			if v > pruned {
				sameView(t, m, ref, v)
			}
		}
	}
	check(m, 17, n)
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	m, err = Open(db, testNames, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	check(m, 17, n)
	pruneBlock(m.Working(), n+1) // not a multiple of 4, but the first commit
	if got := mustCommit(t, m); !bytes.Equal(got.Hash, mustView(t, ref, n+1).Hash()) {
		t.Fatal("app hash after reopen differs from the unpruned one")
	}
	if err := m.WaitPrune(); err != nil {
		t.Fatal(err)
	}
	check(m, n+1-3, n+1)
}

func mustView(t *testing.T, m *MultiStore, v int64) *View {
	t.Helper()
	view, err := m.View(v)
	if err != nil {
		t.Fatal(err)
	}
	return view
}

// copyDB returns a copy of db as it is now; an iterator over a memdb holds
// its lock, so the copy is what a crash at this instant would leave.
func copyDB(t *testing.T, db dbm.DB) dbm.DB {
	out := dbm.NewMemDB()
	it, err := db.Iterator(nil, nil)
	if err != nil {
		t.Error(err)
		return out
	}
	defer it.Close()
	for ; it.Valid(); it.Next() {
		if err := out.Set(bytes.Clone(it.Key()), bytes.Clone(it.Value())); err != nil {
			t.Error(err)
		}
	}
	return out
}

// TestPruneCrash takes the database as a crash would leave it after every
// step of the background pruning (between two versions of a tree, and
// between two trees), while blocks keep being committed, and reopens each:
// it opens, serves every version it did not mark pruned as a multistore
// that keeps everything does, commits the next block with the same app
// hash, and pruning resumes and completes.
func TestPruneCrash(t *testing.T) {
	const n, keep = 14, 2
	ref := refStore(t, n+1)
	db := dbm.NewMemDB()
	var mu sync.Mutex
	var crashes []dbm.DB
	opts := Options{KeepRecent: keep, afterPruneStep: func(string, int64) {
		c := copyDB(t, db)
		mu.Lock()
		crashes = append(crashes, c)
		mu.Unlock()
	}}
	m, err := Open(db, testNames, opts)
	if err != nil {
		t.Fatal(err)
	}
	for v := int64(1); v <= n; v++ {
		pruneBlock(m.Working(), v)
		mustCommit(t, m)
	}
	if err := m.WaitPrune(); err != nil {
		t.Fatal(err)
	}
	_ = m.Close()
	if len(crashes) < len(testNames)*(n-keep) {
		t.Fatalf("%d pruning steps, want at least %d", len(crashes), len(testNames)*(n-keep))
	}
	for i, c := range crashes {
		m, err := Open(c, testNames, Options{KeepRecent: keep})
		if err != nil {
			t.Fatalf("crash %d: Open: %v", i, err)
		}
		last := m.LastCommit().Version
		for v := last - keep + 1; v <= last; v++ {
			sameView(t, m, ref, v)
		}
		for v := int64(1); v <= last; v++ {
			if _, err := m.View(v); err == nil {
				sameView(t, m, ref, v)
			} else if !errors.Is(err, ErrVersionPruned) {
				t.Fatalf("crash %d: View(%d): %v", i, v, err)
			}
		}
		pruneBlock(m.Working(), last+1)
		if got := mustCommit(t, m); !bytes.Equal(got.Hash, mustView(t, ref, last+1).Hash()) {
			t.Fatalf("crash %d: the next commit's app hash differs", i)
		}
		if err := m.WaitPrune(); err != nil {
			t.Fatal(err)
		}
		for _, name := range testNames {
			if onDisk(m, name, last+1-keep) || !onDisk(m, name, last+2-keep) {
				t.Fatalf("crash %d: store %s not pruned up to %d after resuming", i, name, last+1-keep)
			}
		}
		_ = m.Close()
	}
}

// TestPruneCloseStopsEarly closes a multistore in the middle of a long
// prune: Close returns after the step it is on, and the reopened database
// serves every kept version and finishes pruning after the next commit.
func TestPruneCloseStopsEarly(t *testing.T) {
	const n = 40
	ref := refStore(t, n+1)
	db := dbm.NewMemDB()
	m, err := Open(db, testNames, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for v := int64(1); v <= n; v++ {
		pruneBlock(m.Working(), v)
		mustCommit(t, m)
	}
	_ = m.Close()
	var steps atomic.Int64
	started := make(chan struct{})
	m, err = Open(db, testNames, Options{KeepRecent: 2, afterPruneStep: func(string, int64) {
		if steps.Add(1) == 1 {
			close(started)
		}
		time.Sleep(time.Millisecond)
	}})
	if err != nil {
		t.Fatal(err)
	}
	pruneBlock(m.Working(), n+1)
	mustCommit(t, m) // prunes 1..39 of six trees: 234 steps
	<-started
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if s := steps.Load(); s >= 6*(n-1) {
		t.Fatalf("Close waited for all %d steps", s)
	}
	m, err = Open(db, testNames, Options{KeepRecent: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	for v := int64(n); v <= n+1; v++ {
		sameView(t, m, ref, v)
	}
	if m.earliest <= 1 {
		t.Fatalf("earliest %d after a partial prune", m.earliest)
	}
	if onDisk(m, testNames[len(testNames)-1], 1) != true {
		t.Fatal("the last tree was pruned before Close")
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	m, err = Open(db, testNames, Options{KeepRecent: 2})
	if err != nil {
		t.Fatal(err)
	}
	pruneBlock(m.Working(), n+2)
	mustCommit(t, m)
	if err := m.WaitPrune(); err != nil {
		t.Fatal(err)
	}
	for _, name := range testNames {
		if onDisk(m, name, n) || !onDisk(m, name, n+1) {
			t.Fatalf("store %s not pruned up to %d", name, n)
		}
	}
	_ = m.Close()
}

// TestPruneConcurrentViews reads recent and old versions while blocks are
// committed and pruned in the background (run with -race): every read
// either returns what the version holds or fails with ErrVersionPruned.
func TestPruneConcurrentViews(t *testing.T) {
	m, _ := openMem(t, Options{KeepRecent: 2, PruneInterval: 1})
	pruneBlock(m.Working(), 1)
	mustCommit(t, m)
	stop := make(chan struct{})
	errs := make(chan error, 3)
	var wg sync.WaitGroup
	var served, refused atomic.Int64
	for g := range 3 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(g), 3))
			for {
				select {
				case <-stop:
					return
				default:
				}
				v := m.LastCommit().Version - int64(rng.IntN(4))
				if err := readView(m, max(v, 1)); errors.Is(err, ErrVersionPruned) {
					refused.Add(1)
				} else if err != nil {
					errs <- err
					return
				} else {
					served.Add(1)
				}
			}
		})
	}
	for v := int64(2); v <= 60; v++ {
		pruneBlock(m.Working(), v)
		mustCommit(t, m)
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if err := m.WaitPrune(); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d views served, %d refused as pruned", served.Load(), refused.Load())
}

// readView reads version v of m through a View: "v" of every live store
// must be v or, for gov and ibc, the last multiple of 3. A read that
// panics with ErrVersionPruned comes back as that error.
func readView(m *MultiStore, v int64) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(error); ok && errors.Is(e, ErrVersionPruned) {
				err = e
				return
			}
			panic(r)
		}
	}()
	view, err := m.View(v)
	if err != nil {
		return err
	}
	for _, name := range testNames {
		want := v
		if name == "gov" || name == "ibc" {
			want = v - v%3
		}
		got := view.KV(name).Get([]byte("v"))
		if want == 0 && got == nil {
			continue
		}
		if string(got) != fmt.Sprint(want) {
			return fmt.Errorf("View(%d) store %s: v = %q, want %d", v, name, got, want)
		}
		it := view.KV(name).Iterator(nil, nil)
		for ; it.Valid(); it.Next() {
			if key := it.Key(); bytes.HasPrefix(key, []byte("key")) && !bytes.HasPrefix(it.Value(), key) {
				return fmt.Errorf("View(%d) store %s: %s = %s", v, name, key, it.Value())
			}
		}
		if err := it.Close(); err != nil {
			return err
		}
	}
	return nil
}

// TestPruneRecordsAsIavl runs one workload on two multistores, one pruning
// with the orphans recorded at each save, one with iavl's own pruning, and
// checks after every commit that pruning left the same database, record
// keys aside. The workload has versions that change nothing in a store
// (their root is the previous one's, which pruning moves), a store emptied
// and refilled, versions saved without records (before version 10, as by
// an older release), whose pruning falls back to iavl's, and a reopen,
// after which the records are made from an empty index. It also checks
// that the records were used: each pruned version's record is gone, the
// newest versions' are there.
func TestPruneRecordsAsIavl(t *testing.T) {
	const n, keep = 40, 3
	block := func(s Store, v int64) {
		pruneBlock(s, v)
		kv := s.KV("provider")
		switch {
		case v == 15: // emptied
			var keys [][]byte
			it := kv.Iterator(nil, nil)
			for ; it.Valid(); it.Next() {
				keys = append(keys, bytes.Clone(it.Key()))
			}
			it.Close()
			for _, key := range keys {
				kv.Delete(key)
			}
		case v == 16 || v == 17: // stays empty
			for i := range 60 {
				kv.Delete(k("key%03d", i))
			}
			kv.Delete([]byte("v"))
		}
	}
	open := func(db dbm.DB, iavlPruning bool) *MultiStore {
		m, err := Open(db, testNames, Options{KeepRecent: keep, PruneInterval: 2, iavlPruning: iavlPruning})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	recDB, iavlDB := dbm.NewMemDB(), dbm.NewMemDB()
	rec, ref := open(recDB, true), open(iavlDB, true)
	defer func() { _, _ = rec.Close(), ref.Close() }()
	for v := int64(1); v <= n; v++ {
		if v == 10 || v == 25 {
			_, _ = rec.Close(), ref.Close()
			rec, ref = open(recDB, false), open(iavlDB, true)
		}
		block(rec.Working(), v)
		block(ref.Working(), v)
		got, want := mustCommit(t, rec), mustCommit(t, ref)
		if !bytes.Equal(got.Hash, want.Hash) {
			t.Fatalf("version %d: app hash %X, want %X", v, got.Hash, want.Hash)
		}
		if err := errors.Join(rec.WaitPrune(), ref.WaitPrune()); err != nil {
			t.Fatal(err)
		}
		g, w := rawDump(t, recDB), rawDump(t, iavlDB)
		if len(g) != len(w) {
			t.Fatalf("version %d: %d keys, iavl's pruning leaves %d", v, len(g), len(w))
		}
		for i := range g {
			if g[i] != w[i] {
				t.Fatalf("version %d: key %d is %q, iavl's pruning leaves %q", v, i, g[i], w[i])
			}
		}
		pruned := rec.earliest - 1
		for _, name := range testNames {
			if has(t, recDB, record.TreeKey(name, prune.RecordKey(pruned+1))) {
				t.Fatalf("version %d: store %s keeps the record of version %d, whose previous version is pruned", v, name, pruned+1)
			}
			if v > 10 && !has(t, recDB, record.TreeKey(name, prune.RecordKey(v))) {
				t.Fatalf("version %d: store %s has no record of its orphans", v, name)
			}
		}
	}
	if rec.earliest < n-keep {
		t.Fatalf("pruned up to %d, want %d", rec.earliest-1, n-keep)
	}
}

// rawDump returns every key and value of db but the records of orphans,
// as "key=value" strings in key order.
func rawDump(t *testing.T, db dbm.DB) []string {
	t.Helper()
	it, err := db.Iterator(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	var out []string
	for ; it.Valid(); it.Next() {
		key := it.Key()
		if i := bytes.IndexByte(key[min(len(key), 4):], '/'); bytes.HasPrefix(key, []byte("s/k:")) && i >= 0 && key[4+i+1] == 'x' {
			continue
		}
		out = append(out, fmt.Sprintf("%X=%X", key, it.Value()))
	}
	return out
}

func has(t *testing.T, db dbm.DB, key []byte) bool {
	t.Helper()
	ok, err := db.Has(key)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}
