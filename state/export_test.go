package state

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/abci-ics/ics/state/snapshot"
	dbm "github.com/cosmos/cosmos-db"
)

// exportFixture commits versions 1..6 of testNames with an upgrade at 4
// that adds "extra" and retires "gov", and returns the multistore.
func exportFixture(t testing.TB, opts Options) (*MultiStore, dbm.DB) {
	t.Helper()
	m, db := openMem(t, opts)
	for v := int64(1); v <= 6; v++ {
		if v == 4 {
			if err := m.Upgrade(StoreUpgrade{Added: []string{"extra"}, Removed: []string{"gov"}}); err != nil {
				t.Fatal(err)
			}
		}
		names := testNames
		if v >= 4 {
			names = []string{"auth", "bank", "extra", "ibc", "provider", "staking"}
		}
		rng := rand.New(rand.NewPCG(uint64(v), 3))
		c := NewCache(m.Working())
		for range 200 {
			c.KV(names[rng.IntN(len(names))]).Set(k("key%04d", rng.IntN(300)), k("val%d", rng.Uint64()))
		}
		c.Write()
		// An empty value is a leaf too.
		m.Working().KV("auth").Set(k("empty%d", v), []byte{})
		mustCommit(t, m)
	}
	return m, db
}

func exportBytes(t testing.TB, m *MultiStore, version int64) []byte {
	t.Helper()
	e, err := m.Export(version)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Release()
	var buf bytes.Buffer
	if err := e.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestExportRestoreRoundTrip(t *testing.T) {
	m, _ := exportFixture(t, Options{})
	for _, version := range []int64{3, 6} { // before and after the upgrade
		stream := exportBytes(t, m, version)
		if again := exportBytes(t, m, version); !bytes.Equal(stream, again) {
			t.Fatalf("version %d: two exports differ", version)
		}
		src, err := m.View(version)
		if err != nil {
			t.Fatal(err)
		}
		db := dbm.NewMemDB()
		if err := Restore(db, testNames, bytes.NewReader(stream), CommitInfo{Version: version, Hash: src.Hash()}); err != nil {
			t.Fatalf("restore of version %d: %v", version, err)
		}
		r, err := Open(db, testNames, Options{})
		if err != nil {
			t.Fatalf("open after restore of %d: %v", version, err)
		}
		if got := r.LastCommit(); got.Version != version || !bytes.Equal(got.Hash, src.Hash()) {
			t.Fatalf("restored last commit %d %X, want %d %X", got.Version, got.Hash, version, src.Hash())
		}
		if got, want := r.Names(), m.history.LiveAt(version); !slices.Equal(got, want) {
			t.Fatalf("restored names %q, want %q", got, want)
		}
		if n := len(r.Upgrades()); version < 4 && n != 0 || version >= 4 && n != 1 {
			t.Fatalf("restored upgrades %+v at version %d", r.Upgrades(), version)
		}
		got, err := r.View(0)
		if err != nil {
			t.Fatal(err)
		}
		if a, b := dump(t, got, r.Names()), dump(t, src, r.Names()); !slices.Equal(a, b) || len(a) == 0 {
			t.Fatalf("restored contents differ (%d pairs, want %d)", len(a), len(b))
		}
		if _, err := r.View(version - 1); !errors.Is(err, ErrVersionNotFound) {
			t.Fatalf("view of %d before the restored version: %v", version-1, err)
		}
		if version == 6 { // the restored chain goes on like the original
			for _, s := range []*MultiStore{r, m} {
				s.Working().KV("extra").Set([]byte("next"), []byte("block"))
				s.Working().KV("auth").Delete(k("empty%d", 3))
			}
			if !bytes.Equal(mustCommit(t, r).Hash, mustCommit(t, m).Hash) {
				t.Fatal("the next commit after a restore differs from the original's")
			}
		}
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
		// And reopens.
		if r, err = Open(db, testNames, Options{}); err != nil {
			t.Fatalf("reopen after restore of %d: %v", version, err)
		}
		r.Close()
	}
}

// empty reports whether db has no key.
func empty(t testing.TB, db dbm.DB) bool {
	t.Helper()
	it, err := db.Iterator(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	return !it.Valid()
}

func TestRestoreRejects(t *testing.T) {
	m, _ := exportFixture(t, Options{})
	stream := exportBytes(t, m, 6)
	hash := m.LastCommit().Hash
	flip := func(i int) []byte {
		b := bytes.Clone(stream)
		b[i] ^= 0x40
		return b
	}
	cases := []struct {
		name   string
		stream []byte
		want   CommitInfo
		names  []string
	}{
		{"truncated", stream[:len(stream)/2], CommitInfo{6, hash}, testNames},
		{"no trailer", stream[:len(stream)-3], CommitInfo{6, hash}, testNames},
		{"trailing data", append(bytes.Clone(stream), 0), CommitInfo{6, hash}, testNames},
		{"bad magic", flip(0), CommitInfo{6, hash}, testNames},
		{"value changed", flip(len(stream) / 2), CommitInfo{6, hash}, testNames},
		{"byte near the end", flip(len(stream) - 20), CommitInfo{6, hash}, testNames},
		{"wrong version", stream, CommitInfo{5, hash}, testNames},
		{"wrong hash", stream, CommitInfo{6, bytes.Repeat([]byte{1}, 32)}, testNames},
		{"other genesis stores", stream, CommitInfo{6, hash}, []string{"auth", "bank"}},
		{"empty", nil, CommitInfo{6, hash}, testNames},
	}
	for _, c := range cases {
		db := dbm.NewMemDB()
		err := Restore(db, c.names, bytes.NewReader(c.stream), c.want)
		if err == nil {
			t.Errorf("%s: restored", c.name)
			continue
		}
		if !errors.Is(err, ErrInvalidSnapshot) {
			t.Errorf("%s: error %v does not wrap ErrInvalidSnapshot", c.name, err)
		}
		if !empty(t, db) {
			t.Errorf("%s: the database keeps what the failed restore wrote", c.name)
		}
	}
	// Every truncation fails and leaves nothing.
	for n := 0; n < len(stream); n += 1 + len(stream)/97 {
		db := dbm.NewMemDB()
		if err := Restore(db, testNames, bytes.NewReader(stream[:n]), CommitInfo{6, hash}); err == nil || !empty(t, db) {
			t.Fatalf("truncated at %d of %d: err %v, empty %v", n, len(stream), err, empty(t, db))
		}
	}
	// A database with state is refused and left alone.
	_, db := exportFixture(t, Options{})
	if err := Restore(db, testNames, bytes.NewReader(stream), CommitInfo{6, hash}); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("restore over state: %v", err)
	}
	if r, err := Open(db, testNames, Options{}); err != nil || r.LastCommit().Version != 6 {
		t.Fatalf("the state under a refused restore: %v", err)
	} else {
		r.Close()
	}
}

// TestRestoreOneStream: the hash of a version covers every byte of its
// stream but two kinds, which Restore checks on their own: an inner
// node's key (the first key of its right subtree; a wrong one would make
// lookups in the restored tree miss) and the length of a uvarint.
func TestRestoreOneStream(t *testing.T) {
	m, _ := openMem(t, Options{})
	for v := range 3 {
		m.Working().KV("auth").Set(k("a%d", v), k("v%d", v))
		mustCommit(t, m)
	}
	stream := exportBytes(t, m, 3)
	hash := m.LastCommit().Hash
	// The inner nodes of auth: tag 1, height 1 or 2, a one-byte version,
	// a key of length 2 starting with 'a'. None may have key a0, the
	// smallest key, which starts no right subtree.
	innerKey := bytes.Clone(stream)
	inner := 0
	for i := range len(innerKey) - 5 {
		if innerKey[i] == 1 && (innerKey[i+1] == 1 || innerKey[i+1] == 2) && innerKey[i+3] == 2 && innerKey[i+4] == 'a' {
			copy(innerKey[i+4:], "a0")
			inner++
			break
		}
	}
	if inner == 0 {
		t.Fatalf("no inner node found in %q", stream)
	}
	long := slices.Concat(stream[:len("icsdsnap")], []byte{0x81, 0x00}, stream[len("icsdsnap")+1:])
	for _, c := range []struct {
		name, want string
		stream     []byte
	}{
		{"inner node key", "inner node key", innerKey},
		{"long uvarint", "shortest encoding", long},
	} {
		db := dbm.NewMemDB()
		err := Restore(db, testNames, bytes.NewReader(c.stream), CommitInfo{3, hash})
		if err == nil || !strings.Contains(err.Error(), c.want) || !empty(t, db) {
			t.Errorf("%s: err %v, database empty %v", c.name, err, empty(t, db))
		}
	}
	if err := Restore(dbm.NewMemDB(), testNames, bytes.NewReader(stream), CommitInfo{3, hash}); err != nil {
		t.Fatal(err)
	}
}

func TestExportPrunedAndHeld(t *testing.T) {
	m, _ := openMem(t, Options{KeepRecent: 2})
	for v := int64(1); v <= 4; v++ {
		applyBlock(m.Working(), uint64(v), 50)
		mustCommit(t, m)
	}
	if err := m.WaitPrune(); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Export(1); !errors.Is(err, ErrVersionPruned) {
		t.Fatalf("export of a pruned version: %v", err)
	}
	if _, err := m.Export(9); !errors.Is(err, ErrVersionNotFound) {
		t.Fatalf("export of a future version: %v", err)
	}
	e, err := m.Export(3)
	if err != nil {
		t.Fatal(err)
	}
	hash3 := func() []byte {
		v, err := m.View(3)
		if err != nil {
			t.Fatalf("held version 3: %v", err)
		}
		return v.Hash()
	}()
	for v := int64(5); v <= 10; v++ {
		applyBlock(m.Working(), uint64(v), 50)
		mustCommit(t, m)
	}
	if err := m.WaitPrune(); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := e.Write(&buf); err != nil {
		t.Fatalf("export of a held version after later commits: %v", err)
	}
	if _, err := m.View(2); !errors.Is(err, ErrVersionPruned) {
		t.Fatalf("version 2, before the held one: %v", err)
	}
	e.Release()
	e.Release() // a second release changes nothing
	if err := Restore(dbm.NewMemDB(), testNames, &buf, CommitInfo{3, hash3}); err != nil {
		t.Fatal(err)
	}
	for v := int64(11); v <= 12; v++ {
		applyBlock(m.Working(), uint64(v), 50)
		mustCommit(t, m)
	}
	if err := m.WaitPrune(); err != nil {
		t.Fatal(err)
	}
	if _, err := m.View(3); !errors.Is(err, ErrVersionPruned) {
		t.Fatalf("version 3 after its release: %v", err)
	}
}

// FuzzRestore: no stream makes Restore panic, a failed restore leaves the
// database empty, and only the exported stream restores the version.
func FuzzRestore(f *testing.F) {
	m, _ := openMem(f, Options{})
	for v := range 3 { // small trees, so the fuzzer's inputs stay short
		m.Working().KV("auth").Set(k("a%d", v), k("v%d", v))
		m.Working().KV("bank").Set(k("b%d", v), []byte{})
		mustCommit(f, m)
	}
	stream := exportBytes(f, m, 3)
	hash := m.LastCommit().Hash
	f.Add(stream)
	f.Add(stream[:len(stream)/3])
	f.Add(exportBytes(f, m, 2))
	f.Add(exportBytes(f, m, 1))
	f.Fuzz(func(t *testing.T, data []byte) {
		db := dbm.NewMemDB()
		err := Restore(db, testNames, bytes.NewReader(data), CommitInfo{3, hash})
		switch {
		case err != nil && !empty(t, db):
			t.Fatalf("failed restore (%v) left data", err)
		case err != nil && bytes.Equal(data, stream):
			t.Fatalf("the export does not restore: %v", err)
		case err == nil && !bytes.Equal(data, stream):
			t.Fatal("a stream other than the export restored version 3")
		}
	})
}

// TestExportWhilePruning: exports of held versions run beside commits
// that prune everything older than two versions, and each restores to its
// version's app hash.
func TestExportWhilePruning(t *testing.T) {
	m, _ := openMem(t, Options{KeepRecent: 2})
	type result struct {
		version int64
		hash    []byte
		stream  []byte
		err     error
	}
	done := make(chan result, 8)
	running := 0
	for v := int64(1); v <= 60; v++ {
		applyBlock(m.Working(), uint64(v), 100)
		info := mustCommit(t, m)
		if v%8 != 0 {
			continue
		}
		e, err := m.Export(v)
		if err != nil {
			t.Fatal(err)
		}
		running++
		go func() {
			defer e.Release()
			var buf bytes.Buffer
			err := e.Write(&buf)
			done <- result{info.Version, info.Hash, buf.Bytes(), err}
		}()
	}
	if err := m.WaitPrune(); err != nil {
		t.Fatal(err)
	}
	for range running {
		r := <-done
		if r.err != nil {
			t.Fatalf("export of %d: %v", r.version, r.err)
		}
		if err := Restore(dbm.NewMemDB(), testNames, bytes.NewReader(r.stream), CommitInfo{r.version, r.hash}); err != nil {
			t.Fatalf("restore of %d: %v", r.version, err)
		}
	}
	for v := int64(61); v <= 63; v++ {
		applyBlock(m.Working(), uint64(v), 10)
		mustCommit(t, m)
	}
	if err := m.WaitPrune(); err != nil {
		t.Fatal(err)
	}
	if _, err := m.View(8); !errors.Is(err, ErrVersionPruned) {
		t.Fatalf("version 8 after every export released: %v", err)
	}
}

// Restore is snapshot.Restore with the version and hash of want.
func Restore(db dbm.DB, names []string, r io.Reader, want CommitInfo) error {
	return snapshot.Restore(db, names, r, want.Version, want.Hash)
}
