package state

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"

	dbm "github.com/cosmos/cosmos-db"
	"github.com/cosmos/iavl"
	idb "github.com/cosmos/iavl/db"

	"github.com/abci-ics/ics/state/internal/prune"
	"github.com/abci-ics/ics/state/internal/record"
	"github.com/abci-ics/ics/state/internal/treekv"
	"github.com/abci-ics/ics/state/internal/valuecache"
	"github.com/abci-ics/ics/state/proof"
)

// DefaultCacheSize is the IAVL node cache size per tree when
// Options.CacheSize is zero; orphaned nodes leave it at each save.
const DefaultCacheSize = 250_000

// DefaultValueCacheBytes is the per-store budget of the working state's
// value cache used when Options.ValueCacheBytes is zero.
const DefaultValueCacheBytes = 64 << 20

// Options configures a MultiStore.
type Options struct {
	// CacheSize is the IAVL node cache size (in nodes) of each store's
	// working tree; 0 means DefaultCacheSize. The trees that serve Views
	// get a quarter of it, the trees that pruning deletes through a tenth.
	CacheSize int
	// ValueCacheBytes bounds, per store, the cache of recently read and
	// written values of the working state (see the package
	// documentation); 0 means DefaultValueCacheBytes, negative disables it.
	ValueCacheBytes int
	// KeepRecent is the number of recent versions to keep: 0 keeps every
	// version, otherwise it must be at least 2. Versions up to
	// v-KeepRecent are pruned in the background after the commit of a
	// version v that is a multiple of PruneInterval, and after the first
	// commit since Open (see package prune).
	KeepRecent int64
	// PruneInterval is how often, in commits, pruning starts; 0 means 1.
	PruneInterval int64

	// fastStorage enables iavl's fast-storage index on the working trees
	// (off by default; see the package documentation). Package tests and
	// benchmarks use it for comparison.
	fastStorage bool
	// serialSave saves and hashes the trees one after the other instead of
	// concurrently. Package benchmarks use it for comparison.
	serialSave bool
	// iavlPruning prunes with iavl's own pruning only, without Trackers
	// or records of orphans. Package tests use it for comparison.
	iavlPruning bool
	// afterPruneStep runs after each version of a tree the background
	// pruning deletes. Package tests use it.
	afterPruneStep func(store string, version int64)
}

// CommitInfo identifies a committed version by its number and app hash.
type CommitInfo struct {
	// Version is the committed version (block height).
	Version int64
	// Hash is the app hash of that version.
	Hash []byte
}

// StoreUpgrade changes the set of live stores: see MultiStore.Upgrade.
type StoreUpgrade struct {
	Added, Removed []string
}

// RecordedUpgrade is a committed StoreUpgrade: Version is the first
// version with the Added stores and without the Removed ones.
type RecordedUpgrade struct {
	Version int64
	StoreUpgrade
}

// MultiStore is a set of named IAVL trees in one database, committed
// together under one app hash.
//
// The working state (Working, WorkingHash, Commit, Discard, Upgrade,
// SetInitialVersion) must be used from one goroutine at a time, typically
// the one executing blocks. View, LastCommit, Names and Upgrades may be
// called from any goroutine at any time, concurrently with the working
// state; Views are safe for concurrent use. Close must not run
// concurrently with any other method.
type MultiStore struct {
	db      dbm.DB
	opts    Options
	live    []*store // the working state's stores by name, with a pending upgrade
	working workingStore
	pending *record.History // the history with the upgrade the next Commit records
	pruner  *prune.Pruner   // nil when every version is kept
	pruned  bool            // a prune was requested since Open

	// failed is set when a Commit failed after some trees were saved; the
	// working state is then unusable until the multistore is reopened.
	failed error

	mu       sync.RWMutex      // guards the fields below
	stores   map[string]*store // every store, live, retired or pending
	history  record.History    // the stores over the committed versions
	last     CommitInfo
	first    int64       // first version ever committed; 0 before the first commit
	earliest int64       // oldest version not pruned; 0 before the first commit
	holds    prune.Holds // versions held by Exports
	closed   bool
}

// store is the tree of one store with its working KVStore.
type store struct {
	name    string
	tree    *iavl.MutableTree // working tree; only pruned once retired
	orphans *prune.Tracker    // tree's database; nil with iavlPruning
	reader  *iavl.MutableTree // serves Views; never written
	kv      *treeKV           // the working state's KVStore over tree
}

// workingTree is a working tree with its database's Tracker.
type workingTree struct {
	*iavl.MutableTree
	orphans *prune.Tracker
}

func (m *MultiStore) newWorkingTree(name string) workingTree {
	db := record.TreeDB(m.db, name)
	if !m.opts.iavlPruning {
		t, orphans := prune.NewTree(db, m.opts.CacheSize, !m.opts.fastStorage)
		return workingTree{t, orphans}
	}
	return workingTree{iavl.NewMutableTree(db, m.opts.CacheSize, !m.opts.fastStorage, iavl.NewNopLogger()), nil}
}

// newStore returns the store of tree t, with its value cache and reader.
func (m *MultiStore) newStore(name string, wt workingTree) *store {
	t := wt.MutableTree
	s := &store{name: name, tree: t, orphans: wt.orphans, kv: &treeKV{treekv.Working{Tree: t}}}
	if m.opts.ValueCacheBytes > 0 {
		s.kv.Values = valuecache.New(m.opts.ValueCacheBytes)
	}
	s.reader = iavl.NewMutableTree(record.TreeDB(m.db, name), max(m.opts.CacheSize/4, 1000), true, iavl.NewNopLogger())
	return s
}

// Open opens (or creates) the multistore over db, loading the last
// committed version. names are the stores of a new database; on an
// existing one, the live stores are names changed by the recorded
// upgrades (see Upgrade), so names stay the genesis set for good. The db
// remains owned by the caller: Close does not close it.
//
// Store names must be non-empty, unique and must not contain '/'. Changing
// names on an existing database makes Open fail with ErrCorrupt. Open also
// fails for a negative KeepRecent or PruneInterval and for KeepRecent 1.
//
// If a crash left some trees at a version newer than the last recorded
// commit (a crash in the middle of Commit), those trees are rolled back to
// the recorded version, and trees of stores that the crashed commit added
// are deleted, so a commit is atomic across trees.
func Open(db dbm.DB, names []string, opts Options) (*MultiStore, error) {
	if opts.CacheSize <= 0 {
		opts.CacheSize = DefaultCacheSize
	}
	if opts.ValueCacheBytes == 0 {
		opts.ValueCacheBytes = DefaultValueCacheBytes
	}
	if opts.KeepRecent < 0 || opts.KeepRecent == 1 {
		return nil, fmt.Errorf("state: KeepRecent %d: keep 0 (every version) or at least 2", opts.KeepRecent)
	}
	if opts.PruneInterval < 0 {
		return nil, fmt.Errorf("state: negative PruneInterval %d", opts.PruneInterval)
	}
	opts.PruneInterval = max(opts.PruneInterval, 1)
	m := &MultiStore{db: db, opts: opts, stores: make(map[string]*store), holds: prune.Holds{}}
	var err error
	if m.history.Genesis, err = record.CheckNames(names); err != nil {
		return nil, fmt.Errorf("state: %w", err)
	}
	rec, err := record.ReadCommit(db)
	if err == nil {
		m.history, err = record.ReadHistory(db, m.history.Genesis, rec.Version)
	}
	if err != nil {
		return nil, fmt.Errorf("state: reading the records: %w", err)
	}
	if err := record.DropOrphans(db, m.history, rec.Version); err != nil {
		return nil, fmt.Errorf("state: %w", err)
	}
	m.working = workingStore{m: m, kvs: make(map[string]*treeKV)}
	if err := m.loadTrees(rec.Version, rec.First); err != nil {
		_ = m.closeTrees()
		return nil, err
	}
	if rec.Version == 0 {
		return m.startPruning(), nil
	}
	roots := make([][]byte, len(m.live))
	for i, s := range m.live {
		roots[i] = s.tree.Hash()
	}
	if got := proof.AppHash(storeNames(m.live), roots); !bytes.Equal(got, rec.Hash) {
		_ = m.closeTrees()
		return nil, fmt.Errorf("%w: app hash of version %d is %X, recorded %X", ErrCorrupt, rec.Version, got, rec.Hash)
	}
	m.last = CommitInfo{Version: rec.Version, Hash: rec.Hash}
	m.first, m.earliest = rec.First, rec.First
	for _, s := range m.live {
		added, _, _ := m.history.Span(s.name)
		v, err := record.FirstVersion(record.TreeDB(m.db, s.name), rec.Version)
		if err != nil {
			_ = m.closeTrees()
			return nil, fmt.Errorf("state: store %q: %w", s.name, err)
		}
		if v > added {
			m.earliest = max(m.earliest, v)
		}
	}
	return m.startPruning(), nil
}

// startPruning starts the background pruning of m, unless every version is
// kept, and returns m.
func (m *MultiStore) startPruning() *MultiStore {
	if m.opts.KeepRecent > 0 {
		treeDB := func(name string) idb.DB { return record.TreeDB(m.db, name) }
		m.pruner = prune.New(treeDB, max(m.opts.CacheSize/10, 1000), m.opts.afterPruneStep)
	}
	return m
}

// loadTrees opens the working tree of every store, live or retired, at
// its last committed version, rolling back trees that are ahead of it,
// and sets the working state's stores. A store retired by the first
// version committed, first, has no tree (a restored snapshot has none).
func (m *MultiStore) loadTrees(version, first int64) error {
	for _, name := range m.history.Names() {
		if _, removed, _ := m.history.Span(name); removed != 0 && removed <= first {
			continue
		}
		t := m.newWorkingTree(name)
		latest, err := t.Load()
		if err != nil {
			_ = t.Close()
			return fmt.Errorf("state: loading store %q: %w", name, err)
		}
		want := version
		if _, removed, _ := m.history.Span(name); removed != 0 {
			want = removed - 1
		}
		if latest > want {
			// The tree was saved by a Commit whose record never made it
			// to disk: drop the unrecorded versions. The tree is then
			// reopened so no cached node of a dropped version survives.
			if err := t.LoadVersionForOverwriting(want); err != nil {
				_ = t.Close()
				return fmt.Errorf("state: rolling back store %q from %d to %d: %w", name, latest, want, err)
			}
			_ = t.Close()
			t = m.newWorkingTree(name)
			if latest, err = t.Load(); err != nil {
				_ = t.Close()
				return fmt.Errorf("state: reloading store %q: %w", name, err)
			}
		}
		m.stores[name] = m.newStore(name, t)
		if latest != want {
			return fmt.Errorf("%w: store %q is at version %d, its last commit is %d", ErrCorrupt, name, latest, want)
		}
	}
	m.setLive(m.history)
	return nil
}

// setLive makes the stores live after the last upgrade of h, or at version
// 0 before any, the working state's stores.
func (m *MultiStore) setLive(h record.History) {
	m.live = m.live[:0]
	clear(m.working.kvs)
	for _, name := range h.LiveAt(math.MaxInt64) {
		m.live = append(m.live, m.stores[name])
		m.working.kvs[name] = m.stores[name].kv
	}
}

func (m *MultiStore) closeTrees() error {
	var errs []error
	for _, s := range m.stores {
		errs = append(errs, s.tree.Close(), s.reader.Close())
	}
	m.live, m.stores = nil, nil
	return errors.Join(errs...)
}

// Names returns the names of the stores live at the last commit (before
// the first commit, the names given to Open), in sorted order: the stores
// the working state starts a block with. A pending Upgrade shows once it
// is committed.
func (m *MultiStore) Names() []string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.history.LiveAt(math.MaxInt64)
}

// Upgrades returns the committed store upgrades, by increasing version.
func (m *MultiStore) Upgrades() []RecordedUpgrade {
	m.mu.RLock()
	defer m.mu.RUnlock()
	var ups []RecordedUpgrade
	for _, u := range m.history.Upgrades {
		ups = append(ups, RecordedUpgrade{u.Version, StoreUpgrade{slices.Clone(u.Added), slices.Clone(u.Removed)}})
	}
	return ups
}

// Upgrade changes the set of live stores from the version the next Commit
// writes: the Added stores start empty and the Removed ones are retired.
// The working state changes at once: Working().KV works for an added store
// and panics for a removed one, and WorkingHash covers the new set. Commit
// records the upgrade with its version, and Discard undoes it. A retired
// store keeps serving Views of the versions where it was live until they
// are pruned; its name is never used again.
//
// Upgrade returns an error wrapping ErrInvalidUpgrade, and changes
// nothing, before the first commit (give the genesis stores to Open), for
// a second upgrade of the same version, an empty upgrade, an invalid or
// repeated name, a name both added and removed, adding a live or retired
// store, removing a store that is not live, or removing every store.
func (m *MultiStore) Upgrade(u StoreUpgrade) error {
	if m.failed != nil || m.live == nil {
		return cmp.Or(m.failed, ErrClosed)
	}
	v := m.LastCommit().Version + 1
	if v == 1 {
		return fmt.Errorf("%w: before the first commit (give the stores to Open)", ErrInvalidUpgrade)
	}
	if m.pending != nil {
		return fmt.Errorf("%w: version %d already has one", ErrInvalidUpgrade, v)
	}
	h, err := m.history.Add(record.Upgrade{Version: v, Added: u.Added, Removed: u.Removed})
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidUpgrade, err)
	}
	added := make(map[string]*store)
	for _, name := range u.Added {
		t := m.newWorkingTree(name)
		latest, err := t.Load()
		if err == nil && latest != 0 {
			err = fmt.Errorf("%w: the tree of new store %q is at version %d", ErrCorrupt, name, latest)
		}
		if err != nil {
			for _, s := range added {
				_ = errors.Join(s.tree.Close(), s.reader.Close())
			}
			return errors.Join(fmt.Errorf("state: upgrade: %w", err), t.Close())
		}
		t.SetInitialVersion(uint64(v))
		added[name] = m.newStore(name, t)
	}
	m.mu.Lock()
	for name, s := range added {
		m.stores[name] = s
	}
	m.mu.Unlock()
	m.pending = &h
	m.setLive(h)
	return nil
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
	for _, s := range m.live {
		if !s.tree.IsEmpty() {
			return fmt.Errorf("state: SetInitialVersion after writes to store %q", s.name)
		}
	}
	for _, s := range m.live {
		s.tree.SetInitialVersion(uint64(v))
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
	roots := make([][]byte, len(m.live))
	_ = m.eachTree(func(i int, s *store) error {
		roots[i] = s.tree.WorkingHash()
		return nil
	})
	return proof.AppHash(storeNames(m.live), roots)
}

func storeNames(stores []*store) []string {
	names := make([]string, len(stores))
	for i, s := range stores {
		names[i] = s.name
	}
	return names
}

// eachTree runs fn for every working store, concurrently (one goroutine
// per tree) unless Options.serialSave is set, and joins the errors.
func (m *MultiStore) eachTree(fn func(i int, s *store) error) error {
	errs := make([]error, len(m.live))
	if m.opts.serialSave || len(m.live) == 1 {
		for i, s := range m.live {
			errs[i] = fn(i, s)
		}
		return errors.Join(errs...)
	}
	var wg sync.WaitGroup
	for i, s := range m.live {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = fn(i, s)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// Commit saves a new version of every live tree (concurrently, one
// goroutine per tree), then records the commit (version and app hash),
// with a pending upgrade, in one synced batch, and returns it. Only a
// recorded commit counts: if the process dies before the record is
// written, Open rolls the trees back.
//
// If Commit fails before the record is written, the working state is
// unusable (every later Commit fails) and the multistore must be closed and
// reopened. Commit starts pruning (see Options.KeepRecent) but does not
// wait for it; if the last background pruning failed, Commit returns the
// valid new CommitInfo together with an error wrapping ErrPrune.
func (m *MultiStore) Commit() (CommitInfo, error) {
	if m.failed != nil || m.live == nil {
		return CommitInfo{}, cmp.Or(m.failed, ErrClosed)
	}
	roots := make([][]byte, len(m.live))
	versions := make([]int64, len(m.live))
	orphans := make([][]byte, len(m.live))
	err := m.eachTree(func(i int, s *store) error {
		h, v, err := s.tree.SaveVersion()
		if err != nil {
			return fmt.Errorf("state: saving store %q: %w", s.name, err)
		}
		roots[i], versions[i] = h, v
		// Orphans drops them from the node cache too. Without a record,
		// pruning finds them the slow way; with every version kept, none.
		if rec, _ := s.orphans.Orphans(v); m.opts.KeepRecent > 0 {
			orphans[i] = rec
		}
		return nil
	})
	for i, v := range versions {
		if err == nil && v != versions[0] {
			err = fmt.Errorf("%w: store %q saved version %d, store %q saved %d", ErrCorrupt, m.live[i].name, v, m.live[0].name, versions[0])
		}
	}
	if err != nil {
		m.failed = fmt.Errorf("state: commit failed, reopen the multistore: %w", err)
		return CommitInfo{}, m.failed
	}
	info := CommitInfo{Version: versions[0], Hash: proof.AppHash(storeNames(m.live), roots)}
	m.mu.RLock()
	first := cmp.Or(m.first, info.Version)
	m.mu.RUnlock()
	if err := m.writeRecords(record.Commit{Version: info.Version, First: first, Hash: info.Hash}, orphans); err != nil {
		m.failed = fmt.Errorf("state: commit failed, reopen the multistore: writing commit record: %w", err)
		return CommitInfo{}, m.failed
	}

	m.mu.Lock()
	m.last, m.first = info, first
	if m.pending != nil {
		m.history, m.pending = *m.pending, nil
	}
	if m.earliest == 0 {
		m.earliest = info.Version
	}
	var targets []prune.Target
	pruneTo := m.holds.Cap(info.Version - m.opts.KeepRecent)
	if m.pruner != nil && pruneTo >= m.earliest && (!m.pruned || info.Version%m.opts.PruneInterval == 0) {
		m.earliest, m.pruned = pruneTo+1, true
		targets = prune.Targets(m.history, pruneTo)
	}
	m.mu.Unlock()

	out := CommitInfo{Version: info.Version, Hash: bytes.Clone(info.Hash)}
	if m.pruner != nil {
		m.pruner.Request(targets)
		if err := m.pruner.Err(); err != nil {
			return out, fmt.Errorf("%w: %w", ErrPrune, err)
		}
	}
	return out, nil
}

// WaitPrune waits until the background pruning has deleted every version
// that the commits so far marked as pruned, or the multistore is closed,
// and returns an error wrapping ErrPrune if pruning failed since the last
// Commit or WaitPrune.
func (m *MultiStore) WaitPrune() error {
	if m.pruner == nil {
		return nil
	}
	if err := m.pruner.Wait(); err != nil {
		return fmt.Errorf("%w: %w", ErrPrune, err)
	}
	return nil
}

// writeRecords writes the commit record c, with the upgrade of c.Version
// if one is pending and the record of the nodes each live tree's version
// orphaned (orphans, in m.live's order; a nil one deletes a record left by
// a version rolled back), in one synced batch: on a write-ahead-logged
// backend this also makes the trees' earlier, unsynced writes durable.
func (m *MultiStore) writeRecords(c record.Commit, orphans [][]byte) error {
	b := m.db.NewBatch()
	err := b.Set(record.CommitKey, c.Encode())
	for i, s := range m.live {
		key := record.TreeKey(s.name, prune.RecordKey(c.Version))
		if orphans[i] != nil {
			err = errors.Join(err, b.Set(key, orphans[i]))
		} else {
			err = errors.Join(err, b.Delete(key))
		}
	}
	if m.pending != nil && err == nil {
		u := m.pending.Upgrades[len(m.pending.Upgrades)-1]
		err = b.Set(u.Key(), u.Encode())
		if u.Version != c.Version {
			err = fmt.Errorf("%w: upgrade of version %d committed at %d", ErrCorrupt, u.Version, c.Version)
		}
	}
	if err == nil {
		err = b.WriteSync()
	}
	return errors.Join(err, b.Close())
}

// LastCommit returns the last committed version and its app hash. Before
// the first commit it returns the zero CommitInfo (Version 0, Hash nil).
func (m *MultiStore) LastCommit() CommitInfo {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return CommitInfo{Version: m.last.Version, Hash: bytes.Clone(m.last.Hash)}
}

// Discard drops all uncommitted changes of the working state, including a
// pending Upgrade: every tree goes back to the last committed version.
func (m *MultiStore) Discard() {
	if h := m.pending; h != nil {
		m.mu.Lock()
		for _, name := range h.Upgrades[len(h.Upgrades)-1].Added {
			s := m.stores[name]
			_ = errors.Join(s.tree.Close(), s.reader.Close())
			delete(m.stores, name)
		}
		m.mu.Unlock()
		m.pending = nil
		m.setLive(m.history)
	}
	for _, s := range m.live {
		s.tree.Rollback()
		if s.kv.Values != nil {
			s.kv.Values.Clear()
		}
	}
}

// Close stops the background pruning after the version it is deleting
// (pruning resumes after the next commit once reopened) and releases the
// trees. It does not close the database, which the caller owns, and it
// does not commit: uncommitted changes are lost.
func (m *MultiStore) Close() error {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil
	}
	m.closed = true
	m.mu.Unlock()
	var err error
	if m.pruner != nil {
		err = m.pruner.Close()
	}
	return errors.Join(err, m.closeTrees())
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

// treeKV is the working state's KVStore over a working IAVL tree: it
// checks the KVStore contract and leaves the rest to treekv.
type treeKV struct{ treekv.Working }

// Set implements KVStore.
func (s *treeKV) Set(key, value []byte) {
	checkSet(key, value)
	s.Working.Set(key, value)
}

// Delete implements KVStore.
func (s *treeKV) Delete(key []byte) {
	checkDelete(key)
	s.Working.Delete(key)
}

// Iterator implements KVStore.
func (s *treeKV) Iterator(start, end []byte) Iterator {
	return treeIterator(start, end, true, s.Working.Iterator)
}

// ReverseIterator implements KVStore.
func (s *treeKV) ReverseIterator(start, end []byte) Iterator {
	return treeIterator(start, end, false, s.Working.Iterator)
}

// treeIterator returns open's iterator over [start, end), after the
// checks of the KVStore contract.
func treeIterator(start, end []byte, ascending bool, open func(start, end []byte, ascending bool) *treekv.Iterator) Iterator {
	start, end = normBound(start), normBound(end)
	if emptyRange(start, end) {
		return emptyIterator{}
	}
	return open(start, end, ascending)
}
