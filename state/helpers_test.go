package state

import (
	"fmt"
	"slices"
	"sort"
	"testing"

	dbm "github.com/cosmos/cosmos-db"
)

var testNames = []string{"staking", "auth", "bank", "gov", "ibc", "provider"}

// memStore is a trivially correct Store used as a reference model and as a
// Cache parent in tests. It records every write it receives.
type memStore struct {
	kvs map[string]*memKV
	log []string // "store/set/key" or "store/del/key", in call order
}

func newMemStore(names ...string) *memStore {
	s := &memStore{kvs: map[string]*memKV{}}
	for _, n := range names {
		s.kvs[n] = &memKV{name: n, data: map[string][]byte{}, store: s}
	}
	return s
}

func (s *memStore) KV(name string) KVStore {
	kv, ok := s.kvs[name]
	if !ok {
		unknownStore(name)
	}
	return kv
}

type memKV struct {
	name  string
	data  map[string][]byte
	store *memStore
}

func (m *memKV) Get(key []byte) []byte { return m.data[string(key)] }
func (m *memKV) Has(key []byte) bool   { _, ok := m.data[string(key)]; return ok }
func (m *memKV) Set(key, value []byte) {
	checkSet(key, value)
	m.store.log = append(m.store.log, m.name+"/set/"+string(key))
	m.data[string(key)] = value
}
func (m *memKV) Delete(key []byte) {
	checkDelete(key)
	m.store.log = append(m.store.log, m.name+"/del/"+string(key))
	delete(m.data, string(key))
}
func (m *memKV) Iterator(start, end []byte) Iterator        { return m.iter(start, end, true) }
func (m *memKV) ReverseIterator(start, end []byte) Iterator { return m.iter(start, end, false) }

func (m *memKV) iter(start, end []byte, asc bool) Iterator {
	start, end = normBound(start), normBound(end)
	var keys []string
	for k := range m.data {
		if (start == nil || k >= string(start)) && (end == nil || k < string(end)) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	if !asc {
		slices.Reverse(keys)
	}
	it := &sliceIter{}
	for _, k := range keys {
		it.kvs = append(it.kvs, [2][]byte{[]byte(k), m.data[k]})
	}
	return it
}

type sliceIter struct {
	kvs [][2][]byte
	pos int
}

func (s *sliceIter) Valid() bool   { return s.pos < len(s.kvs) }
func (s *sliceIter) Next()         { s.pos++ }
func (s *sliceIter) Key() []byte   { return s.kvs[s.pos][0] }
func (s *sliceIter) Value() []byte { return s.kvs[s.pos][1] }
func (s *sliceIter) Close() error  { return nil }

// collect drains an iterator into "key=value" strings and closes it.
func collect(t testing.TB, it Iterator) []string {
	t.Helper()
	var out []string
	for ; it.Valid(); it.Next() {
		out = append(out, string(it.Key())+"="+string(it.Value()))
	}
	if err := it.Close(); err != nil {
		t.Fatalf("iterator close: %v", err)
	}
	return out
}

// dump returns all pairs of every store of s, for comparing whole states.
func dump(t testing.TB, s Store, names []string) []string {
	t.Helper()
	var out []string
	for _, n := range names {
		for _, kv := range collect(t, s.KV(n).Iterator(nil, nil)) {
			out = append(out, n+":"+kv)
		}
	}
	return out
}

func openMem(t testing.TB, opts Options) (*MultiStore, dbm.DB) {
	t.Helper()
	db := dbm.NewMemDB()
	m, err := Open(db, testNames, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close() })
	return m, db
}

func mustCommit(t testing.TB, m *MultiStore) CommitInfo {
	t.Helper()
	info, err := m.Commit()
	if err != nil {
		t.Fatal(err)
	}
	return info
}

func mustPanic(t *testing.T, what string, f func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Errorf("%s: no panic", what)
		}
	}()
	f()
}

func k(format string, args ...any) []byte { return []byte(fmt.Sprintf(format, args...)) }
