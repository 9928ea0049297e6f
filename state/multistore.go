package state

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	dbm "github.com/cosmos/cosmos-db"
	"github.com/cosmos/iavl"
	idb "github.com/cosmos/iavl/db"

	"github.com/abci-ics/ics/state/internal/valuecache"
	"github.com/abci-ics/ics/state/proof"
)

// DefaultCacheSize is the IAVL node cache size per tree used when
// Options.CacheSize is zero.
const DefaultCacheSize = 1_000_000

// DefaultValueCacheBytes is the per-store budget of the working state's
// value cache used when Options.ValueCacheBytes is zero.
const DefaultValueCacheBytes = 64 << 20

// commitKey is the database key of the commit record. Tree data lives under
// "s/k:<name>/", so the two can never collide.
var commitKey = []byte("s/latest")

// Options configures a MultiStore.
type Options struct {
	// CacheSize is the IAVL node cache size (in nodes) of each store's
	// working tree; 0 means DefaultCacheSize. The trees that serve Views
	// get a quarter of it.
	CacheSize int
	// ValueCacheBytes bounds, per store, the cache of recently read and
	// written values of the working state (see the package
	// documentation); 0 means DefaultValueCacheBytes, negative disables it.
	ValueCacheBytes int
	// KeepRecent is the number of recent versions to keep; 0 keeps all
	// versions. After each commit of version v, versions up to v-KeepRecent
	// are pruned.
	KeepRecent int64

	// fastStorage enables iavl's fast-storage index on the working trees
	// (off by default; see the package documentation). Package tests and
	// benchmarks use it for comparison.
	fastStorage bool
	// serialSave saves and hashes the trees one after the other instead of
	// concurrently. Package benchmarks use it for comparison.
	serialSave bool
}

// CommitInfo identifies a committed version by its number and app hash.
type CommitInfo struct {
	// Version is the committed version (block height).
	Version int64
	// Hash is the app hash of that version.
	Hash []byte
}

// MultiStore is a set of named IAVL trees in one database, committed
// together under one app hash.
//
// The working state (Working, WorkingHash, Commit, Discard, SetInitialVersion)
// must be used from one goroutine at a time, typically the one executing
// blocks. View, LastCommit and Names may be called from any goroutine at any
// time, concurrently with the working state; Views are safe for concurrent
// use. Close must not run concurrently with any other method.
type MultiStore struct {
	db      dbm.DB
	opts    Options
	names   []string
	index   map[string]int
	trees   []*iavl.MutableTree // working trees, aligned with names
	readers []*iavl.MutableTree // trees that serve Views; never written
	working workingStore

	// failed is set when a Commit failed after some trees were saved; the
	// working state is then unusable until the multistore is reopened.
	failed error

	mu       sync.RWMutex // guards the fields below
	last     CommitInfo
	first    int64 // first version ever committed; 0 before the first commit
	earliest int64 // oldest version not pruned; 0 before the first commit
	closed   bool
}

// commitRecord is the persisted marker of the last commit. Only versions up
// to the recorded one are considered committed.
type commitRecord struct {
	version int64
	first   int64
	hash    []byte
}

func (r commitRecord) encode() []byte {
	b := make([]byte, 16, 16+len(r.hash))
	binary.BigEndian.PutUint64(b, uint64(r.version))
	binary.BigEndian.PutUint64(b[8:], uint64(r.first))
	return append(b, r.hash...)
}

func readCommitRecord(db dbm.DB) (commitRecord, error) {
	b, err := db.Get(commitKey)
	if err != nil || b == nil {
		return commitRecord{}, err
	}
	if len(b) != 16+32 {
		return commitRecord{}, fmt.Errorf("%w: commit record has %d bytes", ErrCorrupt, len(b))
	}
	r := commitRecord{
		version: int64(binary.BigEndian.Uint64(b)),
		first:   int64(binary.BigEndian.Uint64(b[8:])),
		hash:    bytes.Clone(b[16:]),
	}
	if r.version < 1 || r.first < 1 || r.first > r.version {
		return commitRecord{}, fmt.Errorf("%w: commit record version %d, first %d", ErrCorrupt, r.version, r.first)
	}
	return r, nil
}

// treeDB returns the database namespace of one store's tree.
func treeDB(db dbm.DB, name string) *idb.Wrapper {
	return idb.NewWrapper(dbm.NewPrefixDB(db, []byte("s/k:"+name+"/")))
}

func (m *MultiStore) newWorkingTree(name string) *iavl.MutableTree {
	return iavl.NewMutableTree(treeDB(m.db, name), m.opts.CacheSize, !m.opts.fastStorage, iavl.NewNopLogger())
}

// Open opens (or creates) the multistore over db with the given store
// names, loading the last committed version. The db remains owned by the
// caller: Close does not close it.
//
// Store names must be non-empty, unique and must not contain '/'. Adding or
// removing a store name on an existing database is not supported and makes
// Open fail with ErrCorrupt (the recomputed app hash would differ).
//
// If a crash left some trees at a version newer than the last recorded
// commit (a crash in the middle of Commit), those trees are rolled back to
// the recorded version, so a commit is atomic across trees.
func Open(db dbm.DB, names []string, opts Options) (*MultiStore, error) {
	if opts.CacheSize <= 0 {
		opts.CacheSize = DefaultCacheSize
	}
	if opts.ValueCacheBytes == 0 {
		opts.ValueCacheBytes = DefaultValueCacheBytes
	}
	if opts.KeepRecent < 0 {
		return nil, fmt.Errorf("state: negative KeepRecent %d", opts.KeepRecent)
	}
	if len(names) == 0 {
		return nil, errors.New("state: no store names")
	}
	m := &MultiStore{db: db, opts: opts, names: slices.Sorted(slices.Values(names)), index: make(map[string]int, len(names))}
	for i, name := range m.names {
		if name == "" || strings.Contains(name, "/") {
			return nil, fmt.Errorf("state: invalid store name %q", name)
		}
		if _, dup := m.index[name]; dup {
			return nil, fmt.Errorf("state: duplicate store name %q", name)
		}
		m.index[name] = i
	}
	rec, err := readCommitRecord(db)
	if err != nil {
		return nil, err
	}
	if err := m.loadTrees(rec.version); err != nil {
		_ = m.closeTrees()
		return nil, err
	}
	m.working = workingStore{m: m, kvs: make(map[string]*treeKV, len(m.names))}
	for i, name := range m.names {
		kv := &treeKV{tree: m.trees[i]}
		if opts.ValueCacheBytes > 0 {
			kv.values = valuecache.New(opts.ValueCacheBytes)
		}
		m.working.kvs[name] = kv
		reader := iavl.NewMutableTree(treeDB(db, name), max(opts.CacheSize/4, 1000), true, iavl.NewNopLogger())
		m.readers = append(m.readers, reader)
	}
	if rec.version == 0 {
		return m, nil
	}
	roots := make([][]byte, len(m.trees))
	for i, t := range m.trees {
		roots[i] = t.Hash()
	}
	if got := proof.AppHash(m.names, roots); !bytes.Equal(got, rec.hash) {
		_ = m.closeTrees()
		return nil, fmt.Errorf("%w: app hash of version %d is %X, recorded %X", ErrCorrupt, rec.version, got, rec.hash)
	}
	m.last = CommitInfo{Version: rec.version, Hash: rec.hash}
	m.first = rec.first
	m.earliest = rec.first
	for _, t := range m.trees {
		m.earliest = max(m.earliest, firstVersion(t, rec.version))
	}
	return m, nil
}

// loadTrees opens every working tree at version, rolling back trees that
// are ahead of it.
func (m *MultiStore) loadTrees(version int64) error {
	for _, name := range m.names {
		t := m.newWorkingTree(name)
		latest, err := t.Load()
		if err != nil {
			_ = t.Close()
			return fmt.Errorf("state: loading store %q: %w", name, err)
		}
		if latest > version {
			// The tree was saved by a Commit whose record never made it
			// to disk: drop the unrecorded versions. The tree is then
			// reopened so no cached node of a dropped version survives.
			if err := t.LoadVersionForOverwriting(version); err != nil {
				_ = t.Close()
				return fmt.Errorf("state: rolling back store %q from %d to %d: %w", name, latest, version, err)
			}
			_ = t.Close()
			t = m.newWorkingTree(name)
			if latest, err = t.Load(); err != nil {
				_ = t.Close()
				return fmt.Errorf("state: reloading store %q: %w", name, err)
			}
		}
		m.trees = append(m.trees, t)
		if latest != version {
			return fmt.Errorf("%w: store %q is at version %d, last commit is %d", ErrCorrupt, name, latest, version)
		}
	}
	return nil
}

// firstVersion returns the oldest version of t that still exists.
func firstVersion(t *iavl.MutableTree, latest int64) int64 {
	lo, hi := int64(1), latest
	for lo < hi {
		mid := lo + (hi-lo)/2
		if t.VersionExists(mid) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

func (m *MultiStore) closeTrees() error {
	var errs []error
	for _, t := range slices.Concat(m.trees, m.readers) {
		errs = append(errs, t.Close())
	}
	m.trees, m.readers = nil, nil
	return errors.Join(errs...)
}

// Names returns the store names in sorted order.
func (m *MultiStore) Names() []string {
	return append([]string(nil), m.names...)
}

// SetInitialVersion makes the first commit have version v instead of 1,
// for chains whose genesis initial_height is greater than 1. It must be
// called before the first commit and before anything is written to the
// working state (the version is part of every IAVL leaf hash).
func (m *MultiStore) SetInitialVersion(v int64) error {
	if v < 1 {
		return fmt.Errorf("state: invalid initial version %d", v)
	}
	if m.LastCommit().Version != 0 {
		return errors.New("state: SetInitialVersion after the first commit")
	}
	for i, t := range m.trees {
		if !t.IsEmpty() {
			return fmt.Errorf("state: SetInitialVersion after writes to store %q", m.names[i])
		}
	}
	for _, t := range m.trees {
		t.SetInitialVersion(uint64(v))
	}
	return nil
}

// Working returns the working (uncommitted) state. Writes go straight into
// the IAVL working trees; reads and iterators see them immediately.
// Iterators over the working state iterate over a snapshot taken when they
// are created, so writing while iterating is allowed (the writes are not
// visited). The returned Store must only be used from the goroutine that
// owns the working state, and becomes unusable after Close.
func (m *MultiStore) Working() Store { return m.working }

// WorkingHash returns the app hash the working state would have if it were
// committed now.
func (m *MultiStore) WorkingHash() []byte {
	roots := make([][]byte, len(m.trees))
	_ = m.eachTree(func(i int) error {
		roots[i] = m.trees[i].WorkingHash()
		return nil
	})
	return proof.AppHash(m.names, roots)
}

// eachTree runs fn for every tree index, concurrently (one goroutine per
// tree) unless Options.serialSave is set, and joins the errors.
func (m *MultiStore) eachTree(fn func(i int) error) error {
	errs := make([]error, len(m.trees))
	if m.opts.serialSave || len(m.trees) == 1 {
		for i := range m.trees {
			errs[i] = fn(i)
		}
		return errors.Join(errs...)
	}
	var wg sync.WaitGroup
	for i := range m.trees {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = fn(i)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// Commit saves a new version of every tree (concurrently, one goroutine per
// tree), then records the commit (version and app hash) with a synced
// write, and returns it. Only a recorded commit counts: if the process
// dies before the record is written, Open rolls the trees back.
//
// If Commit fails before the record is written, the working state is
// unusable (every later Commit fails) and the multistore must be closed and
// reopened. If only pruning fails, Commit returns the valid new CommitInfo
// together with an error wrapping ErrPrune.
func (m *MultiStore) Commit() (CommitInfo, error) {
	if m.failed != nil {
		return CommitInfo{}, m.failed
	}
	if m.trees == nil {
		return CommitInfo{}, ErrClosed
	}
	roots := make([][]byte, len(m.trees))
	versions := make([]int64, len(m.trees))
	err := m.eachTree(func(i int) error {
		h, v, err := m.trees[i].SaveVersion()
		if err != nil {
			return fmt.Errorf("state: saving store %q: %w", m.names[i], err)
		}
		roots[i], versions[i] = h, v
		return nil
	})
	if err == nil {
		for i, v := range versions {
			if v != versions[0] {
				err = fmt.Errorf("%w: store %q saved version %d, store %q saved %d", ErrCorrupt, m.names[i], v, m.names[0], versions[0])
			}
		}
	}
	if err != nil {
		m.failed = fmt.Errorf("state: commit failed, reopen the multistore: %w", err)
		return CommitInfo{}, m.failed
	}
	info := CommitInfo{Version: versions[0], Hash: proof.AppHash(m.names, roots)}
	m.mu.RLock()
	first := m.first
	m.mu.RUnlock()
	if first == 0 {
		first = info.Version
	}
	rec := commitRecord{version: info.Version, first: first, hash: info.Hash}
	if err := m.db.SetSync(commitKey, rec.encode()); err != nil {
		m.failed = fmt.Errorf("state: commit failed, reopen the multistore: writing commit record: %w", err)
		return CommitInfo{}, m.failed
	}

	m.mu.Lock()
	m.last, m.first = info, first
	if m.earliest == 0 {
		m.earliest = info.Version
	}
	pruneTo := info.Version - m.opts.KeepRecent
	if m.opts.KeepRecent == 0 || pruneTo < m.earliest {
		pruneTo = 0
	} else {
		m.earliest = pruneTo + 1
	}
	m.mu.Unlock()

	out := CommitInfo{Version: info.Version, Hash: bytes.Clone(info.Hash)}
	if pruneTo > 0 {
		err := m.eachTree(func(i int) error { return m.trees[i].DeleteVersionsTo(pruneTo) })
		if err != nil {
			return out, fmt.Errorf("%w: up to version %d: %w", ErrPrune, pruneTo, err)
		}
	}
	return out, nil
}

// LastCommit returns the last committed version and its app hash. Before
// the first commit it returns the zero CommitInfo (Version 0, Hash nil).
func (m *MultiStore) LastCommit() CommitInfo {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return CommitInfo{Version: m.last.Version, Hash: bytes.Clone(m.last.Hash)}
}

// Discard drops all uncommitted changes of the working state: every tree
// goes back to the last committed version.
func (m *MultiStore) Discard() {
	for _, t := range m.trees {
		t.Rollback()
	}
	for _, kv := range m.working.kvs {
		if kv.values != nil {
			kv.values.Clear()
		}
	}
}

// Close releases the trees. It does not close the database, which the
// caller owns, and it does not commit: uncommitted changes are lost.
func (m *MultiStore) Close() error {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil
	}
	m.closed = true
	m.mu.Unlock()
	return m.closeTrees()
}

// workingStore is the Store returned by MultiStore.Working.
type workingStore struct {
	m   *MultiStore
	kvs map[string]*treeKV
}

// KV implements Store.
func (w workingStore) KV(name string) KVStore {
	kv, ok := w.kvs[name]
	if !ok {
		unknownStore(name)
	}
	return kv
}

// treeKV is a KVStore over a working IAVL tree, with an optional value
// cache in front of it.
type treeKV struct {
	tree   *iavl.MutableTree
	values *valuecache.Cache // nil when disabled
}

// storagePanic reports a storage failure during a KVStore operation, which
// the KVStore interface cannot return.
func storagePanic(op string, err error) {
	panic(fmt.Errorf("state: %s: %w", op, err))
}

// Get implements KVStore.
func (s *treeKV) Get(key []byte) []byte {
	if len(key) == 0 {
		return nil
	}
	if s.values != nil {
		if v, ok := s.values.Get(key); ok {
			return v
		}
	}
	v, err := s.tree.Get(key)
	if err != nil {
		storagePanic("get", err)
	}
	if s.values != nil {
		s.values.Put(bytes.Clone(key), v)
	}
	return v
}

// Has implements KVStore.
func (s *treeKV) Has(key []byte) bool {
	if len(key) == 0 {
		return false
	}
	if s.values != nil {
		if v, ok := s.values.Get(key); ok {
			return v != nil
		}
	}
	ok, err := s.tree.Has(key)
	if err != nil {
		storagePanic("has", err)
	}
	return ok
}

// Set implements KVStore. Key and value are copied, since the tree keeps
// them for good.
func (s *treeKV) Set(key, value []byte) {
	checkSet(key, value)
	key, value = bytes.Clone(key), bytes.Clone(value)
	if _, err := s.tree.Set(key, value); err != nil {
		storagePanic("set", err)
	}
	if s.values != nil {
		s.values.Put(key, value)
	}
}

// Delete implements KVStore.
func (s *treeKV) Delete(key []byte) {
	checkDelete(key)
	if _, _, err := s.tree.Remove(key); err != nil {
		storagePanic("delete", err)
	}
	if s.values != nil {
		s.values.Put(bytes.Clone(key), nil)
	}
}

// Iterator implements KVStore.
func (s *treeKV) Iterator(start, end []byte) Iterator {
	return s.iterator(start, end, true)
}

// ReverseIterator implements KVStore.
func (s *treeKV) ReverseIterator(start, end []byte) Iterator {
	return s.iterator(start, end, false)
}

func (s *treeKV) iterator(start, end []byte, ascending bool) Iterator {
	start, end = normBound(start), normBound(end)
	if emptyRange(start, end) {
		return emptyIterator{}
	}
	it, err := s.tree.Iterator(start, end, ascending)
	if err != nil {
		storagePanic("iterator", err)
	}
	return &treeIterator{it: it}
}

// treeIterator adapts an iavl/cosmos-db iterator to Iterator.
type treeIterator struct {
	it interface {
		Valid() bool
		Next()
		Key() []byte
		Value() []byte
		Error() error
		Close() error
	}
}

// Valid implements Iterator.
func (t *treeIterator) Valid() bool { return t.it.Valid() }

// Next implements Iterator.
func (t *treeIterator) Next() {
	if !t.it.Valid() {
		panic("state: Next on an invalid iterator")
	}
	t.it.Next()
}

// Key implements Iterator.
func (t *treeIterator) Key() []byte {
	if !t.it.Valid() {
		panic("state: Key on an invalid iterator")
	}
	return t.it.Key()
}

// Value implements Iterator.
func (t *treeIterator) Value() []byte {
	if !t.it.Valid() {
		panic("state: Value on an invalid iterator")
	}
	return t.it.Value()
}

// Close implements Iterator.
func (t *treeIterator) Close() error {
	return errors.Join(t.it.Error(), t.it.Close())
}
