package state

import (
	"bytes"
	"errors"
	"fmt"
	"slices"

	dbm "github.com/cosmos/cosmos-db"
	"github.com/cosmos/iavl"
	idb "github.com/cosmos/iavl/db"
	ics23 "github.com/cosmos/ics23/go"

	"github.com/abci-ics/ics/state/internal/treekv"
	"github.com/abci-ics/ics/state/internal/valuecache"
	"github.com/abci-ics/ics/state/proof"
)

// View is an immutable, read-only view of one committed version. It is safe
// for concurrent use, also concurrently with block execution and Commit.
// Its KVStores panic on Set and Delete (writing to a View is a programming
// error).
//
// A View stays usable until its version is pruned (see Options.KeepRecent).
// Reads through a View whose version was pruned while in use panic with an
// error wrapping ErrVersionPruned, and its iterators stop early with Close
// returning the error.
type View struct {
	m       *MultiStore
	version int64
	hash    []byte
	names   []string // the stores live at version, sorted
	roots   [][]byte // tree root hashes, aligned with names
	kvs     map[string]*viewKV
}

// View returns a read-only view of a committed version; 0 means the latest
// committed version. The view covers the stores live at that version (see
// MultiStore.Upgrade). It returns an error wrapping ErrVersionNotFound for
// a version that was never committed and one wrapping ErrVersionPruned for
// a version that was pruned. View never blocks on the working state.
func (m *MultiStore) View(version int64) (*View, error) {
	m.mu.RLock()
	version, err := m.checkVersion(version)
	last := m.last
	var live []*store
	for _, name := range m.history.LiveAt(version) {
		live = append(live, m.stores[name])
	}
	m.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	v := &View{m: m, version: version, names: storeNames(live), roots: make([][]byte, len(live)), kvs: make(map[string]*viewKV, len(live))}
	for i, s := range live {
		t, err := s.reader.GetImmutable(version)
		if err != nil {
			return nil, m.viewError(version, err)
		}
		v.roots[i] = t.Hash()
		v.kvs[s.name] = v.newKV(t)
	}
	if version == last.Version {
		v.hash = last.Hash
	} else {
		v.hash = proof.AppHash(v.names, v.roots)
	}
	return v, nil
}

// checkVersion returns version, or the last one for 0, if it can be
// read, and otherwise the error View returns. m.mu must be held.
func (m *MultiStore) checkVersion(version int64) (int64, error) {
	if m.closed {
		return 0, ErrClosed
	}
	if version == 0 {
		version = m.last.Version
	}
	if m.last.Version == 0 || version < m.first || version > m.last.Version {
		return 0, fmt.Errorf("%w: version %d (committed: %d..%d)", ErrVersionNotFound, version, m.first, m.last.Version)
	}
	if version < m.earliest {
		return 0, fmt.Errorf("%w: version %d (available: %d..%d)", ErrVersionPruned, version, m.earliest, m.last.Version)
	}
	return version, nil
}

// viewError explains a failed read of version: it wraps ErrVersionPruned if
// the version has been pruned in the meantime.
func (m *MultiStore) viewError(version int64, err error) error {
	m.mu.RLock()
	pruned := version < m.earliest
	m.mu.RUnlock()
	if pruned {
		return fmt.Errorf("%w: version %d: %w", ErrVersionPruned, version, err)
	}
	return fmt.Errorf("state: reading version %d: %w", version, err)
}

// Version returns the version of the view.
func (v *View) Version() int64 { return v.version }

// Hash returns the app hash of the view's version.
func (v *View) Hash() []byte { return bytes.Clone(v.hash) }

// KV returns the read-only store with the given name. For a store that
// is not live at the view's version but was or is live at another
// committed version, it returns an empty store; it panics on a name the
// multistore never had.
func (v *View) KV(name string) KVStore {
	if kv, ok := v.kvs[name]; ok {
		return kv
	}
	v.m.mu.RLock()
	_, _, known := v.m.history.Span(name)
	v.m.mu.RUnlock()
	if !known {
		unknownStore(name)
	}
	return v.newKV(emptyTree)
}

// Prove returns the value of key in store (nil if absent) and its
// two-layer ICS-23 proof against the view's app hash: proofs[0] is the IAVL
// existence or non-existence proof of key in the store's tree, proofs[1]
// is the existence proof of the tree's root hash in the multistore under
// the store's name. Verify them with proof.VerifyMembership or
// proof.VerifyNonMembership.
//
// Prove returns an error wrapping ErrUnknownStore for a store that is not
// live at the view's version. It checks the proofs it builds and returns an error wrapping
// ErrUnprovable when ICS-23 cannot express them: for a store without any
// key, for a key with an empty value, and for an absent key next to a key
// with an empty value.
func (v *View) Prove(store string, key []byte) (value []byte, proofs []*ics23.CommitmentProof, err error) {
	kv, ok := v.kvs[store]
	if !ok {
		return nil, nil, fmt.Errorf("%w: %q at version %d", ErrUnknownStore, store, v.version)
	}
	if len(key) == 0 {
		return nil, nil, errors.New("state: Prove with an empty key")
	}
	value, p0, err := kv.Prove(key)
	if errors.Is(err, treekv.ErrEmpty) {
		return nil, nil, fmt.Errorf("%w: store %q is empty at version %d", ErrUnprovable, store, v.version)
	} else if err != nil {
		return nil, nil, err
	}
	if proofs, err = proof.Stored(v.hash, v.names, v.roots, store, key, value, p0); err != nil {
		return nil, nil, fmt.Errorf("%w: key %X in store %q: %w", ErrUnprovable, key, store, err)
	}
	return value, proofs, nil
}

// emptyTree is the tree a View reads for a store not live at its version.
var emptyTree = iavl.NewImmutableTree(idb.NewWrapper(dbm.NewMemDB()), 0, true, iavl.NewNopLogger())

// viewKV is the read-only KVStore of one tree in a View.
type viewKV struct{ treekv.Reader }

func (v *View) newKV(t *iavl.ImmutableTree) *viewKV {
	return &viewKV{treekv.Reader{Tree: t, Explain: func(err error) error { return v.m.viewError(v.version, err) }}}
}

// Set implements KVStore; it always panics.
func (s *viewKV) Set(key, value []byte) { panic("state: Set on a read-only View") }

// Delete implements KVStore; it always panics.
func (s *viewKV) Delete(key []byte) { panic("state: Delete on a read-only View") }

// Iterator implements KVStore.
func (s *viewKV) Iterator(start, end []byte) Iterator {
	return treeIterator(start, end, true, s.Reader.Iterator)
}

// ReverseIterator implements KVStore.
func (s *viewKV) ReverseIterator(start, end []byte) Iterator {
	return treeIterator(start, end, false, s.Reader.Iterator)
}

// Names returns the stores live at the view's version, sorted.
func (v *View) Names() []string { return slices.Clone(v.names) }

// Cached returns v read through the working state's value caches (see
// the package documentation), for a View of the version the working
// state was last saved from, while that version's successor is saved:
// the caches hold the working state's values, which equal v's for every
// key the caller does not find written since (package overlay lays those
// writes over it). Like the working state, it must only be used from the
// goroutine that owns the working state, and only while nothing writes
// the working state.
func (m *MultiStore) Cached(v *View) Store { return cachedView{v, m.working.kvs} }

type cachedView struct {
	v       *View
	working map[string]*treeKV
}

// KV implements Store.
func (c cachedView) KV(name string) KVStore {
	kv := c.v.KV(name)
	if w, ok := c.working[name]; ok && w.Values != nil {
		return &cachedKV{KVStore: kv, values: w.Values}
	}
	return kv
}

// cachedKV is a View's store with a working store's value cache in front.
type cachedKV struct {
	KVStore
	values *valuecache.Cache
}

func (s *cachedKV) Get(key []byte) []byte {
	if v, ok := s.values.Get(key); ok {
		return v
	}
	v := s.KVStore.Get(key)
	s.values.Put(bytes.Clone(key), v)
	return v
}

func (s *cachedKV) Has(key []byte) bool {
	if v, ok := s.values.Get(key); ok {
		return v != nil
	}
	return s.KVStore.Has(key)
}
