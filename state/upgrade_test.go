package state

import (
	"bytes"
	"errors"
	"slices"
	"testing"

	dbm "github.com/cosmos/cosmos-db"
	"github.com/cosmos/iavl"
	idb "github.com/cosmos/iavl/db"

	stateproof "github.com/abci-ics/ics/state/proof"
)

// refChain computes app hashes without MultiStore: one plain IAVL tree
// per store, each saved at every version where its store is live, and
// proof.AppHash over the live names.
type refChain struct {
	trees map[string]*iavl.MutableTree
	live  []string
}

func newRefChain(names ...string) *refChain {
	r := &refChain{trees: map[string]*iavl.MutableTree{}}
	for _, n := range names {
		r.add(n, 0)
	}
	return r
}

func (r *refChain) add(name string, initial int64) {
	t := iavl.NewMutableTree(idb.NewWrapper(dbm.NewMemDB()), 0, true, iavl.NewNopLogger())
	if initial > 0 {
		t.SetInitialVersion(uint64(initial))
	}
	r.trees[name] = t
	r.live = append(r.live, name)
	slices.Sort(r.live)
}

func (r *refChain) remove(name string) {
	r.live = slices.DeleteFunc(r.live, func(n string) bool { return n == name })
}

func (r *refChain) commit(t *testing.T) []byte {
	t.Helper()
	roots := make([][]byte, len(r.live))
	for i, n := range r.live {
		h, _, err := r.trees[n].SaveVersion()
		if err != nil {
			t.Fatal(err)
		}
		roots[i] = h
	}
	return stateproof.AppHash(r.live, roots)
}

// put writes key=value into store name of both the multistore's working
// state and the reference.
func put(m *MultiStore, r *refChain, name, key, value string) {
	m.Working().KV(name).Set([]byte(key), []byte(value))
	if _, err := r.trees[name].Set([]byte(key), []byte(value)); err != nil {
		panic(err)
	}
}

func commitMatches(t *testing.T, m *MultiStore, r *refChain) CommitInfo {
	t.Helper()
	info := mustCommit(t, m)
	if want := r.commit(t); !bytes.Equal(info.Hash, want) {
		t.Fatalf("version %d: app hash %X, reference %X", info.Version, info.Hash, want)
	}
	return info
}

var genesis = []string{"bank", "auth", "gov"}

// upgradeFixture commits versions 1 and 2, then version 3 with an upgrade
// that adds "mint" and "zeta" and retires "gov", then version 4.
func upgradeFixture(t *testing.T, db dbm.DB, opts Options) (*MultiStore, *refChain, []CommitInfo) {
	t.Helper()
	m, err := Open(db, genesis, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close() })
	r := newRefChain(genesis...)
	infos := []CommitInfo{{}}
	for v := 1; v <= 2; v++ {
		for _, n := range genesis {
			put(m, r, n, "height", string(k("%d", v)))
			put(m, r, n, string(k("k%d", v)), n)
		}
		infos = append(infos, commitMatches(t, m, r))
	}
	put(m, r, "gov", "late", "write before the upgrade")
	if err := m.Upgrade(StoreUpgrade{Added: []string{"zeta", "mint"}, Removed: []string{"gov"}}); err != nil {
		t.Fatal(err)
	}
	r.add("mint", 3)
	r.add("zeta", 3)
	r.remove("gov")
	if !slices.Equal(m.Names(), []string{"auth", "bank", "gov"}) {
		t.Fatalf("Names() with a pending upgrade = %v", m.Names())
	}
	mustPanic(t, "working KV of a removed store", func() { m.Working().KV("gov") })
	put(m, r, "mint", "supply", "100")
	put(m, r, "bank", "height", "3")
	infos = append(infos, commitMatches(t, m, r))
	put(m, r, "mint", "supply", "200")
	put(m, r, "zeta", "z", "1")
	infos = append(infos, commitMatches(t, m, r))
	return m, r, infos
}

func TestUpgradeHashesAndReopen(t *testing.T) {
	t.Run("memdb", func(t *testing.T) {
		db := dbm.NewMemDB()
		testUpgradeHashesAndReopen(t, db, func() dbm.DB { return db })
	})
	t.Run("goleveldb", func(t *testing.T) {
		dir := t.TempDir()
		db, err := dbm.NewGoLevelDB("state", dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		testUpgradeHashesAndReopen(t, db, func() dbm.DB {
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			if db, err = dbm.NewGoLevelDB("state", dir, nil); err != nil {
				t.Fatal(err)
			}
			return db
		})
		_ = db.Close()
	})
}

// testUpgradeHashesAndReopen checks the hashes, names, upgrades and Views
// of upgradeFixture, then again after closing the multistore and the
// database (reopen returns the reopened database).
func testUpgradeHashesAndReopen(t *testing.T, db dbm.DB, reopen func() dbm.DB) {
	m, r, infos := upgradeFixture(t, db, Options{})
	wantNames := []string{"auth", "bank", "mint", "zeta"}
	wantUps := []RecordedUpgrade{{3, StoreUpgrade{Added: []string{"mint", "zeta"}, Removed: []string{"gov"}}}}
	check := func(m *MultiStore) {
		t.Helper()
		if got := m.Names(); !slices.Equal(got, wantNames) {
			t.Fatalf("Names() = %v, want %v", got, wantNames)
		}
		if got := m.Upgrades(); len(got) != 1 || got[0].Version != 3 || !slices.Equal(got[0].Added, wantUps[0].Added) || !slices.Equal(got[0].Removed, wantUps[0].Removed) {
			t.Fatalf("Upgrades() = %+v, want %+v", got, wantUps)
		}
		if got := m.LastCommit(); got.Version != 4 || !bytes.Equal(got.Hash, infos[4].Hash) {
			t.Fatalf("LastCommit() = %+v, want %+v", got, infos[4])
		}
		for v := int64(1); v <= 4; v++ {
			view, err := m.View(v)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(view.Hash(), infos[v].Hash) {
				t.Fatalf("View(%d).Hash() = %X, committed %X", v, view.Hash(), infos[v].Hash)
			}
		}
	}
	check(m)
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	m, err := Open(reopen(), genesis, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	check(m)
	if !bytes.Equal(m.WorkingHash(), infos[4].Hash) {
		t.Fatal("working hash after reopen differs from the last commit")
	}
	put(m, r, "zeta", "z", "2")
	commitMatches(t, m, r)
	// A second upgrade after the reopen; "gov" can never come back.
	if err := m.Upgrade(StoreUpgrade{Added: []string{"gov"}}); !errors.Is(err, ErrInvalidUpgrade) {
		t.Fatalf("re-adding a retired store: %v", err)
	}
	if err := m.Upgrade(StoreUpgrade{Removed: []string{"zeta"}, Added: []string{"a0"}}); err != nil {
		t.Fatal(err)
	}
	r.remove("zeta")
	r.add("a0", 6)
	put(m, r, "a0", "x", "y")
	commitMatches(t, m, r)
	if got := m.Names(); !slices.Equal(got, []string{"a0", "auth", "bank", "mint"}) {
		t.Fatalf("Names() = %v", got)
	}
	if got := m.Upgrades(); len(got) != 2 || got[1].Version != 6 {
		t.Fatalf("Upgrades() = %+v", got)
	}
}

func TestUpgradeViewsAndProofs(t *testing.T) {
	m, _, infos := upgradeFixture(t, dbm.NewMemDB(), Options{})
	type want struct {
		store, key, value string // value "" means not live: empty KV, Prove fails
	}
	cases := map[int64][]want{
		2: {{"gov", "height", "2"}, {"bank", "height", "2"}, {"mint", "supply", ""}, {"zeta", "z", ""}},
		3: {{"gov", "height", ""}, {"bank", "height", "3"}, {"mint", "supply", "100"}},
		4: {{"gov", "late", ""}, {"mint", "supply", "200"}, {"zeta", "z", "1"}},
	}
	for v, wants := range cases {
		view, err := m.View(v)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range wants {
			kv := view.KV(w.store)
			value, proofs, err := view.Prove(w.store, []byte(w.key))
			if w.value == "" {
				if kv.Get([]byte(w.key)) != nil || kv.Has([]byte(w.key)) || len(collect(t, kv.Iterator(nil, nil))) != 0 || len(collect(t, kv.ReverseIterator(nil, nil))) != 0 {
					t.Fatalf("version %d: store %q not live, but its View KV is not empty", v, w.store)
				}
				mustPanic(t, "Set on an empty View KV", func() { kv.Set([]byte("a"), []byte("b")) })
				if !errors.Is(err, ErrUnknownStore) {
					t.Fatalf("version %d: Prove in store %q not live: %v", v, w.store, err)
				}
				continue
			}
			if got := kv.Get([]byte(w.key)); string(got) != w.value {
				t.Fatalf("version %d: %s/%s = %q, want %q", v, w.store, w.key, got, w.value)
			}
			if err != nil || string(value) != w.value {
				t.Fatalf("version %d: Prove(%s, %s) = %q, %v", v, w.store, w.key, value, err)
			}
			if err := stateproof.VerifyMembership(infos[v].Hash, w.store, []byte(w.key), value, proofs); err != nil {
				t.Fatalf("version %d: proof of %s/%s does not verify against the committed hash: %v", v, w.store, w.key, err)
			}
			if _, _, err := view.Prove(w.store, []byte("absent")); err != nil {
				t.Fatalf("version %d: non-membership proof in %s: %v", v, w.store, err)
			}
		}
		mustPanic(t, "View KV of a store never known", func() { view.KV("nope") })
		if _, _, err := view.Prove("nope", []byte("k")); !errors.Is(err, ErrUnknownStore) {
			t.Fatalf("Prove in an unknown store: %v", err)
		}
	}
}

// TestUpgradeRejected breaks one rule at a time; each refused upgrade must
// leave the multistore as it was: same names, same working hash, and the
// next commit equal to that of a twin that never tried it.
func TestUpgradeRejected(t *testing.T) {
	cases := []struct {
		name  string
		first *StoreUpgrade // a valid upgrade made just before, in the same block
		bad   StoreUpgrade
	}{
		{"empty", nil, StoreUpgrade{}},
		{"empty name", nil, StoreUpgrade{Added: []string{""}}},
		{"slash", nil, StoreUpgrade{Added: []string{"a/b"}}},
		{"add live", nil, StoreUpgrade{Added: []string{"auth"}}},
		{"add twice", nil, StoreUpgrade{Added: []string{"x", "x"}}},
		{"remove twice", nil, StoreUpgrade{Removed: []string{"auth", "auth"}}},
		{"remove unknown", nil, StoreUpgrade{Removed: []string{"x"}}},
		{"remove retired", nil, StoreUpgrade{Removed: []string{"gov"}}},
		{"add and remove", nil, StoreUpgrade{Added: []string{"x"}, Removed: []string{"x"}}},
		{"add retired", nil, StoreUpgrade{Added: []string{"gov"}}},
		{"remove all", nil, StoreUpgrade{Removed: []string{"auth", "bank", "mint", "zeta"}}},
		{"remove all, adding a bad one", nil, StoreUpgrade{Added: []string{"gov"}, Removed: []string{"auth", "bank", "mint", "zeta"}}},
		{"second upgrade", &StoreUpgrade{Added: []string{"x"}}, StoreUpgrade{Added: []string{"y"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, r, _ := upgradeFixture(t, dbm.NewMemDB(), Options{})
			put(m, r, "auth", "block", "5")
			if tc.first != nil {
				if err := m.Upgrade(*tc.first); err != nil {
					t.Fatal(err)
				}
				r.add("x", 5)
			}
			names, hash := m.Names(), m.WorkingHash()
			if err := m.Upgrade(tc.bad); !errors.Is(err, ErrInvalidUpgrade) {
				t.Fatalf("Upgrade(%+v) = %v, want ErrInvalidUpgrade", tc.bad, err)
			}
			if !slices.Equal(m.Names(), names) || !bytes.Equal(m.WorkingHash(), hash) {
				t.Fatal("a refused upgrade changed the multistore")
			}
			put(m, r, "bank", "after", "1")
			commitMatches(t, m, r)
			if got, want := len(m.Upgrades()), map[bool]int{true: 1, false: 2}[tc.first == nil]; got != want {
				t.Fatalf("%d upgrades recorded, want %d", got, want)
			}
		})
	}
	t.Run("before the first commit", func(t *testing.T) {
		m, _ := openMem(t, Options{})
		if err := m.Upgrade(StoreUpgrade{Added: []string{"x"}}); !errors.Is(err, ErrInvalidUpgrade) {
			t.Fatalf("Upgrade before the first commit: %v", err)
		}
		if info := mustCommit(t, m); info.Version != 1 || !slices.Equal(m.Names(), slices.Sorted(slices.Values(testNames))) {
			t.Fatal("refused upgrade changed the stores")
		}
	})
}

func TestUpgradeDiscard(t *testing.T) {
	m, r, infos := upgradeFixture(t, dbm.NewMemDB(), Options{})
	if err := m.Upgrade(StoreUpgrade{Added: []string{"x"}, Removed: []string{"zeta"}}); err != nil {
		t.Fatal(err)
	}
	m.Working().KV("x").Set([]byte("a"), []byte("1"))
	if bytes.Equal(m.WorkingHash(), infos[4].Hash) {
		t.Fatal("working hash ignores the pending upgrade")
	}
	m.Discard()
	mustPanic(t, "working KV of a discarded added store", func() { m.Working().KV("x") })
	if m.Working().KV("zeta").Get([]byte("z")) == nil || !bytes.Equal(m.WorkingHash(), infos[4].Hash) {
		t.Fatal("Discard did not restore the working state")
	}
	// The upgrade can be made again, and the new store starts empty.
	if err := m.Upgrade(StoreUpgrade{Added: []string{"x"}}); err != nil {
		t.Fatal(err)
	}
	if m.Working().KV("x").Has([]byte("a")) {
		t.Fatal("a discarded write to an added store survived")
	}
	r.add("x", 5)
	put(m, r, "x", "b", "2")
	commitMatches(t, m, r)
}

// TestCrashDuringUpgradeCommit simulates a crash in the Commit of an
// upgrade: some trees, the added store's among them, are saved but the
// record is not written. Reopening leaves no trace of the added store, and
// replaying the block gives the hash of a chain that never crashed.
func TestCrashDuringUpgradeCommit(t *testing.T) {
	for _, saved := range [][]string{{"mint"}, {"auth", "bank", "mint"}, {"bank"}} {
		t.Run(saved[0]+"...", func(t *testing.T) {
			db := dbm.NewMemDB()
			m, err := Open(db, genesis, Options{})
			if err != nil {
				t.Fatal(err)
			}
			r := newRefChain(genesis...)
			for v := 1; v <= 2; v++ {
				put(m, r, "gov", "height", string(k("%d", v)))
				commitMatches(t, m, r)
			}
			block := func(m *MultiStore) {
				if err := m.Upgrade(StoreUpgrade{Added: []string{"mint"}, Removed: []string{"gov"}}); err != nil {
					t.Fatal(err)
				}
				m.Working().KV("mint").Set([]byte("supply"), []byte("100"))
				m.Working().KV("bank").Set([]byte("b"), []byte("3"))
			}
			block(m)
			m.Working().KV("mint").Set([]byte("crashed"), []byte("only in the lost block"))
			for _, s := range m.live {
				if slices.Contains(saved, s.name) {
					if _, _, err := s.tree.SaveVersion(); err != nil {
						t.Fatal(err)
					}
				}
			}
			_ = m.Close() // crash: no record

			m, err = Open(db, genesis, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			if got := m.Names(); !slices.Equal(got, []string{"auth", "bank", "gov"}) || len(m.Upgrades()) != 0 || m.LastCommit().Version != 2 {
				t.Fatalf("after the crash: names %v, upgrades %v, last %+v", got, m.Upgrades(), m.LastCommit())
			}
			it, err := db.Iterator([]byte("s/k:mint/"), []byte("s/k:mint0"))
			if err != nil {
				t.Fatal(err)
			}
			if it.Valid() {
				t.Fatalf("the added store's tree survived the crash: key %q", it.Key())
			}
			_ = it.Close()
			block(m)
			if m.Working().KV("mint").Has([]byte("crashed")) {
				t.Fatal("the re-added store is not empty")
			}
			r.add("mint", 3)
			r.remove("gov")
			put(m, r, "mint", "supply", "100")
			_, _ = r.trees["bank"].Set([]byte("b"), []byte("3"))
			commitMatches(t, m, r)
		})
	}
}

// TestOpenRefusesUnrecordedTree checks that a tree with committed versions
// that the records do not explain (here: Open given fewer genesis names)
// is an error, not something to delete.
func TestOpenRefusesUnrecordedTree(t *testing.T) {
	db := dbm.NewMemDB()
	m, err := Open(db, genesis, Options{})
	if err != nil {
		t.Fatal(err)
	}
	m.Working().KV("gov").Set([]byte("a"), []byte("b"))
	mustCommit(t, m)
	_ = m.Close()
	if _, err := Open(db, []string{"auth", "bank"}, Options{}); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Open with a missing genesis name: %v", err)
	}
	if m, err = Open(db, genesis, Options{}); err != nil {
		t.Fatalf("the refused Open damaged the database: %v", err)
	}
	_ = m.Close()
}

func TestUpgradeRetiredStorePruned(t *testing.T) {
	db := dbm.NewMemDB()
	m, r, _ := upgradeFixture(t, db, Options{KeepRecent: 2})
	// Version 4 is the last; 3 and 4 are kept. "gov" was live up to 2.
	if _, err := m.View(2); !errors.Is(err, ErrVersionPruned) {
		t.Fatalf("View(2): %v", err)
	}
	if err := m.WaitPrune(); err != nil {
		t.Fatal(err)
	}
	if onDisk(m, "gov", 1) || !onDisk(m, "gov", 2) {
		t.Fatal("the retired tree was not pruned up to, and only up to, its last version")
	}
	for range 3 {
		put(m, r, "bank", "more", "x")
		commitMatches(t, m, r)
	}
	if err := m.WaitPrune(); err != nil {
		t.Fatal(err)
	}
	_ = m.Close()
	m, err := Open(db, genesis, Options{KeepRecent: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if view, err := m.View(6); err != nil || view.KV("gov").Has([]byte("height")) {
		t.Fatalf("View(6) after reopen: %v", err)
	}
	if _, err := m.View(5); !errors.Is(err, ErrVersionPruned) {
		t.Fatalf("View(5) after reopen: %v", err)
	}
}

func TestUpgradeRetiredStoreReadable(t *testing.T) {
	m, _, _ := upgradeFixture(t, dbm.NewMemDB(), Options{KeepRecent: 3})
	view, err := m.View(2)
	if err != nil {
		t.Fatal(err)
	}
	if got := collect(t, view.KV("gov").Iterator(nil, nil)); !slices.Equal(got, []string{"height=2", "k1=gov", "k2=gov"}) {
		t.Fatalf("retired store at version 2: %v", got)
	}
	m.Working().KV("bank").Set([]byte("x"), []byte("y"))
	mustCommit(t, m) // version 5 prunes version 2
	if _, err := m.View(2); !errors.Is(err, ErrVersionPruned) {
		t.Fatalf("View(2) after pruning: %v", err)
	}
	if err := m.WaitPrune(); err != nil {
		t.Fatal(err)
	}
	if onDisk(m, "gov", 1) || !onDisk(m, "gov", 2) {
		t.Fatal("the retired tree keeps exactly its last version")
	}
}
