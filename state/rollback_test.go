package state

import (
	"bytes"
	"errors"
	"slices"
	"testing"

	dbm "github.com/cosmos/cosmos-db"

	"github.com/abci-ics/ics/state/internal/record"
)

// rollbackBlock writes block v of the rollback fixture: a set in every
// store, a rewrite of the previous block's key in bank, and a delete in
// auth.
func rollbackBlock(m *MultiStore, v int) {
	for _, name := range m.Names() {
		m.Working().KV(name).Set(k("key%d", v), k("%s-%d", name, v))
	}
	m.Working().KV("bank").Set(k("key%d", v-1), k("rewritten at %d", v))
	m.Working().KV("auth").Delete(k("key%d", v-2))
}

// rawDB returns every key and value of db, to check that nothing changed.
func rawDB(t *testing.T, db dbm.DB) []string {
	t.Helper()
	it, err := db.Iterator(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for ; it.Valid(); it.Next() {
		out = append(out, string(it.Key())+"="+string(it.Value()))
	}
	if err := errors.Join(it.Error(), it.Close()); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestRollback commits five versions, rolls back to 4 and then to 3 with
// the contents and app hash of each, and re-executes the blocks to the
// same app hashes as before.
func TestRollback(t *testing.T) {
	db := dbm.NewMemDB()
	m, err := Open(db, testNames, Options{})
	if err != nil {
		t.Fatal(err)
	}
	infos := map[int64]CommitInfo{}
	dumps := map[int64][]string{}
	for v := 1; v <= 5; v++ {
		rollbackBlock(m, v)
		info := mustCommit(t, m)
		infos[info.Version], dumps[info.Version] = info, dump(t, m.Working(), testNames)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	for _, to := range []int64{4, 3} {
		got, err := Rollback(db, testNames)
		if err != nil || got.Version != to || !bytes.Equal(got.Hash, infos[to].Hash) {
			t.Fatalf("Rollback() = %+v, %v; want %+v", got, err, infos[to])
		}
		if m, err = Open(db, testNames, Options{}); err != nil {
			t.Fatal(err)
		}
		if got := m.LastCommit(); got.Version != to || !bytes.Equal(got.Hash, infos[to].Hash) || !bytes.Equal(m.WorkingHash(), infos[to].Hash) {
			t.Fatalf("after the rollback to %d: last commit %+v, working hash %X", to, got, m.WorkingHash())
		}
		if got := dump(t, m.Working(), testNames); !slices.Equal(got, dumps[to]) {
			t.Fatalf("contents after the rollback to %d:\n%v\nwant\n%v", to, got, dumps[to])
		}
		if _, err := m.View(to + 1); !errors.Is(err, ErrVersionNotFound) {
			t.Fatalf("View(%d) after the rollback: %v", to+1, err)
		}
		if view, err := m.View(to - 1); err != nil || !bytes.Equal(view.Hash(), infos[to-1].Hash) {
			t.Fatalf("View(%d) after the rollback: %v", to-1, err)
		}
		_ = m.Close()
	}
	// Executing the same blocks again gives the same versions.
	if m, err = Open(db, testNames, Options{}); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	for v := 4; v <= 5; v++ {
		rollbackBlock(m, v)
		if got := mustCommit(t, m); !bytes.Equal(got.Hash, infos[got.Version].Hash) {
			t.Fatalf("version %d executed again: %X, first %X", got.Version, got.Hash, infos[got.Version].Hash)
		}
	}
}

// TestRollbackUpgrade rolls back the version of an upgrade: its added
// stores are gone, its retired store is back as it was, its record is
// deleted, and the same upgrade can be committed again.
func TestRollbackUpgrade(t *testing.T) {
	db := dbm.NewMemDB()
	m, err := Open(db, genesis, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for v := 1; v <= 2; v++ {
		m.Working().KV("gov").Set([]byte("height"), k("%d", v))
		mustCommit(t, m)
	}
	before := dump(t, m.Working(), genesis)
	upgrade := func(m *MultiStore) CommitInfo {
		if err := m.Upgrade(StoreUpgrade{Added: []string{"mint"}, Removed: []string{"gov"}}); err != nil {
			t.Fatal(err)
		}
		m.Working().KV("mint").Set([]byte("supply"), []byte("100"))
		m.Working().KV("bank").Set([]byte("b"), []byte("3"))
		return mustCommit(t, m)
	}
	v3 := upgrade(m)
	_ = m.Close()

	got, err := Rollback(db, genesis)
	if err != nil || got.Version != 2 {
		t.Fatalf("Rollback() = %+v, %v", got, err)
	}
	if keys := rawDB(t, db); slices.ContainsFunc(keys, func(k string) bool {
		return bytes.HasPrefix([]byte(k), []byte("s/k:mint/")) || bytes.HasPrefix([]byte(k), []byte("s/upgrade/"))
	}) {
		t.Fatalf("the added store's tree or the upgrade record survived the rollback: %q", keys)
	}
	if m, err = Open(db, genesis, Options{}); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if names := m.Names(); !slices.Equal(names, slices.Sorted(slices.Values(genesis))) || len(m.Upgrades()) != 0 {
		t.Fatalf("after the rollback: names %v, upgrades %v", names, m.Upgrades())
	}
	if got := dump(t, m.Working(), genesis); !slices.Equal(got, before) {
		t.Fatalf("contents after the rollback %v, want %v", got, before)
	}
	if again := upgrade(m); !bytes.Equal(again.Hash, v3.Hash) {
		t.Fatalf("the upgrade committed again: %X, first %X", again.Hash, v3.Hash)
	}
}

// TestRollbackRefused: nothing committed, only the first version, a
// pruned version and the wrong genesis names are refused, with the
// database unchanged.
func TestRollbackRefused(t *testing.T) {
	commits := func(opts Options, n int) dbm.DB {
		db := dbm.NewMemDB()
		m, err := Open(db, testNames, opts)
		if err != nil {
			t.Fatal(err)
		}
		for v := 1; v <= n; v++ {
			rollbackBlock(m, v)
			mustCommit(t, m)
		}
		if err := errors.Join(m.WaitPrune(), m.Close()); err != nil {
			t.Fatal(err)
		}
		return db
	}
	for _, c := range []struct {
		name  string
		db    dbm.DB
		names []string
		want  error
	}{
		{"nothing committed", commits(Options{}, 0), testNames, ErrVersionNotFound},
		{"first version", commits(Options{}, 1), testNames, ErrVersionNotFound},
		{"pruned", commits(Options{KeepRecent: 2}, 4), testNames, ErrVersionPruned},
		{"other names", commits(Options{}, 3), testNames[1:], ErrCorrupt},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.name == "pruned" { // versions 3 and 4 are kept: one rollback is fine
				if got, err := Rollback(c.db, c.names); err != nil || got.Version != 3 {
					t.Fatalf("first rollback: %+v, %v", got, err)
				}
			}
			before := rawDB(t, c.db)
			if got, err := Rollback(c.db, c.names); !errors.Is(err, c.want) {
				t.Fatalf("Rollback() = %+v, %v; want %v", got, err, c.want)
			}
			if !slices.Equal(rawDB(t, c.db), before) {
				t.Fatal("the refused rollback changed the database")
			}
		})
	}
}

// TestRollbackCrash: crashes after the records of a rollback were
// written, before the trees were rolled back, leave the previous version
// committed, here twice in a row (trees two versions ahead, an upgrade
// undone), which Open repairs; rolling back from there works.
func TestRollbackCrash(t *testing.T) {
	db := dbm.NewMemDB()
	m, err := Open(db, genesis, Options{})
	if err != nil {
		t.Fatal(err)
	}
	infos := map[int64]CommitInfo{}
	for v := 1; v <= 4; v++ {
		m.Working().KV("bank").Set([]byte("b"), k("%d", v))
		if v == 3 {
			if err := m.Upgrade(StoreUpgrade{Added: []string{"mint"}}); err != nil {
				t.Fatal(err)
			}
			m.Working().KV("mint").Set([]byte("supply"), []byte("100"))
		}
		info := mustCommit(t, m)
		infos[info.Version] = info
	}
	_ = m.Close()
	for _, to := range []int64{3, 2} {
		if c, err := record.Rollback(db, genesis); err != nil || c.Version != to || !bytes.Equal(c.Hash, infos[to].Hash) {
			t.Fatalf("record.Rollback() = %+v, %v; want %+v", c, err, infos[to])
		} // then crash
	}
	if m, err = Open(db, genesis, Options{}); err != nil {
		t.Fatalf("Open after the crashed rollbacks: %v", err)
	}
	if got := m.LastCommit(); got.Version != 2 || !bytes.Equal(got.Hash, infos[2].Hash) || !slices.Equal(m.Names(), slices.Sorted(slices.Values(genesis))) {
		t.Fatalf("after the crashes: last commit %+v, names %v; want %+v", got, m.Names(), infos[2])
	}
	if got := m.Working().KV("bank").Get([]byte("b")); string(got) != "2" {
		t.Fatalf("bank after the crashed rollbacks: %q", got)
	}
	_ = m.Close()
	if got, err := Rollback(db, genesis); err != nil || got.Version != 1 || !bytes.Equal(got.Hash, infos[1].Hash) {
		t.Fatalf("Rollback() after the crashes = %+v, %v", got, err)
	}
}
