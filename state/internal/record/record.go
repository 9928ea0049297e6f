// Package record holds what a state.MultiStore keeps in its database
// besides the contents of its trees: the key layout, the commit record and
// the history of store upgrades (which stores are live at which version,
// and the checks an upgrade must pass), the removal of trees that a
// crashed commit left without a record, and the rewriting of the records
// that rolls the last commit back (Rollback). See the state package
// documentation.
package record

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"

	dbm "github.com/cosmos/cosmos-db"
	"github.com/cosmos/iavl"
	idb "github.com/cosmos/iavl/db"
)

// ErrCorrupt is state.ErrCorrupt: the database is inconsistent with its
// records.
var ErrCorrupt = errors.New("state: inconsistent multistore")

// CommitKey is the database key of the commit record. Tree data lives under
// "s/k:<name>/" and upgrades under "s/upgrade/", so the three never collide.
var CommitKey = []byte("s/latest")

var upgradePrefix = []byte("s/upgrade/")

// Commit is the persisted marker of the last commit. Only versions up to
// the recorded one are committed.
type Commit struct {
	Version int64  // last committed version
	First   int64  // first version ever committed
	Hash    []byte // app hash of Version
}

// Encode returns the stored form of c.
func (c Commit) Encode() []byte {
	b := make([]byte, 16, 16+len(c.Hash))
	binary.BigEndian.PutUint64(b, uint64(c.Version))
	binary.BigEndian.PutUint64(b[8:], uint64(c.First))
	return append(b, c.Hash...)
}

// DecodeCommit decodes a commit record written by Encode.
func DecodeCommit(b []byte) (Commit, error) {
	if len(b) != 16+32 {
		return Commit{}, fmt.Errorf("commit record has %d bytes", len(b))
	}
	c := Commit{
		Version: int64(binary.BigEndian.Uint64(b)),
		First:   int64(binary.BigEndian.Uint64(b[8:])),
		Hash:    bytes.Clone(b[16:]),
	}
	if c.Version < 1 || c.First < 1 || c.First > c.Version {
		return Commit{}, fmt.Errorf("commit record version %d, first %d", c.Version, c.First)
	}
	return c, nil
}

// ReadCommit returns the commit record of db, the zero Commit if there is
// none yet.
func ReadCommit(db dbm.DB) (Commit, error) {
	b, err := db.Get(CommitKey)
	if err != nil || b == nil {
		return Commit{}, err
	}
	c, err := DecodeCommit(b)
	if err != nil {
		return Commit{}, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	return c, nil
}

// Upgrade is a change of the set of live stores that takes effect at
// Version: the first version with Added and without Removed.
type Upgrade struct {
	Version        int64
	Added, Removed []string
}

// Key returns the database key of u: upgrades sort by version.
func (u Upgrade) Key() []byte {
	return binary.BigEndian.AppendUint64(bytes.Clone(upgradePrefix), uint64(u.Version))
}

// Encode returns the stored form of u: for Added, then Removed, the number
// of names and each name, all length-prefixed with uvarints.
func (u Upgrade) Encode() []byte {
	var b []byte
	for _, list := range [][]string{u.Added, u.Removed} {
		b = binary.AppendUvarint(b, uint64(len(list)))
		for _, name := range list {
			b = append(binary.AppendUvarint(b, uint64(len(name))), name...)
		}
	}
	return b
}

// DecodeUpgrade decodes an upgrade stored under key by Encode.
func DecodeUpgrade(key, value []byte) (Upgrade, error) {
	if len(key) != len(upgradePrefix)+8 || !bytes.HasPrefix(key, upgradePrefix) {
		return Upgrade{}, fmt.Errorf("upgrade record key %X", key)
	}
	u := Upgrade{Version: int64(binary.BigEndian.Uint64(key[len(upgradePrefix):]))}
	var lists [2][]string
	b := value
	for i := range lists {
		n, k := binary.Uvarint(b)
		if k <= 0 || n > uint64(len(b)) {
			return Upgrade{}, fmt.Errorf("upgrade record of version %d is malformed", u.Version)
		}
		for b = b[k:]; n > 0; n-- {
			l, k := binary.Uvarint(b)
			if k <= 0 || l > uint64(len(b)-k) {
				return Upgrade{}, fmt.Errorf("upgrade record of version %d is malformed", u.Version)
			}
			lists[i] = append(lists[i], string(b[k:k+int(l)]))
			b = b[k+int(l):]
		}
	}
	u.Added, u.Removed = lists[0], lists[1]
	if len(b) != 0 || u.Version < 1 || !bytes.Equal(u.Encode(), value) { // one encoding only
		return Upgrade{}, fmt.Errorf("upgrade record of version %d is malformed", u.Version)
	}
	return u, nil
}

// ReadHistory returns the history of the stores of db from the genesis
// stores (sorted) and the recorded upgrades, which must all be valid and
// of versions up to the last commit, version.
func ReadHistory(db dbm.DB, genesis []string, version int64) (History, error) {
	h := History{Genesis: genesis}
	ups, err := readUpgrades(db)
	for _, u := range ups {
		if err == nil && u.Version > version {
			err = fmt.Errorf("upgrade of version %d after the last commit", u.Version)
		}
		if err == nil {
			h, err = h.Add(u)
		}
	}
	if err != nil {
		return h, fmt.Errorf("%w: store upgrades: %w", ErrCorrupt, err)
	}
	return h, nil
}

// readUpgrades returns the upgrades stored in db, by increasing version.
func readUpgrades(db dbm.DB) (ups []Upgrade, err error) {
	it, err := db.Iterator(upgradePrefix, []byte("s/upgrade0"))
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, it.Error(), it.Close()) }()
	for ; it.Valid(); it.Next() {
		u, err := DecodeUpgrade(it.Key(), it.Value())
		if err != nil {
			return nil, err
		}
		ups = append(ups, u)
	}
	return ups, nil
}

// CheckName returns an error if name cannot be a store name: store names
// are non-empty and do not contain '/' (see the state package layout).
func CheckName(name string) error {
	if name == "" || strings.Contains(name, "/") {
		return fmt.Errorf("invalid store name %q", name)
	}
	return nil
}

// CheckNames returns the store names sorted, or an error if there are
// none, one is invalid (see CheckName) or one is repeated.
func CheckNames(names []string) ([]string, error) {
	sorted := slices.Sorted(slices.Values(names))
	for i, name := range sorted {
		if err := CheckName(name); err != nil {
			return nil, err
		}
		if i > 0 && name == sorted[i-1] {
			return nil, fmt.Errorf("duplicate store name %q", name)
		}
	}
	if len(sorted) == 0 {
		return nil, errors.New("no store names")
	}
	return sorted, nil
}

// History is the set of stores over the versions: the Genesis stores
// (sorted), changed by each of the Upgrades (by increasing version) from
// its version on.
type History struct {
	Genesis  []string
	Upgrades []Upgrade
}

// LiveAt returns the sorted names of the stores live at version v.
func (h History) LiveAt(v int64) []string {
	live := slices.Clone(h.Genesis)
	for _, u := range h.Upgrades {
		if u.Version > v {
			break
		}
		live = slices.DeleteFunc(append(live, u.Added...), func(n string) bool { return slices.Contains(u.Removed, n) })
	}
	slices.Sort(live)
	return live
}

// Span returns the versions v at which the store name is live: added <= v
// and, if removed is not 0, v < removed. added is 0 for a genesis store; ok
// is false for a name that was never a store.
func (h History) Span(name string) (added, removed int64, ok bool) {
	ok = slices.Contains(h.Genesis, name)
	for _, u := range h.Upgrades {
		if slices.Contains(u.Added, name) {
			added, ok = u.Version, true
		}
		if slices.Contains(u.Removed, name) {
			removed = u.Version
		}
	}
	return added, removed, ok
}

// Names returns every name that was ever a store, live or retired.
func (h History) Names() []string {
	names := slices.Clone(h.Genesis)
	for _, u := range h.Upgrades {
		names = append(names, u.Added...)
	}
	return names
}

// Add returns h with u appended (its lists sorted) and leaves h as it is.
// It fails for a version not after the last upgrade, an empty upgrade, an
// invalid or repeated name, a name both added and removed, adding a live
// or retired store (names are never reused), removing a store that is not
// live, and removing every store.
func (h History) Add(u Upgrade) (History, error) {
	if n := len(h.Upgrades); u.Version < 1 || n > 0 && u.Version <= h.Upgrades[n-1].Version {
		return h, fmt.Errorf("upgrade of version %d out of order", u.Version)
	}
	if len(u.Added)+len(u.Removed) == 0 {
		return h, errors.New("empty upgrade")
	}
	seen := make(map[string]bool)
	for _, name := range slices.Concat(u.Added, u.Removed) {
		if err := CheckName(name); err != nil {
			return h, err
		}
		if seen[name] && slices.Contains(u.Added, name) && slices.Contains(u.Removed, name) {
			return h, fmt.Errorf("store %q is both added and removed", name)
		} else if seen[name] {
			return h, fmt.Errorf("store %q is named twice", name)
		}
		seen[name] = true
	}
	live := h.LiveAt(u.Version)
	for _, name := range u.Added {
		if slices.Contains(live, name) {
			return h, fmt.Errorf("adding store %q: it is live", name)
		}
		if _, _, known := h.Span(name); known {
			return h, fmt.Errorf("adding store %q: it was retired, and names are never reused", name)
		}
	}
	for _, name := range u.Removed {
		if !slices.Contains(live, name) {
			return h, fmt.Errorf("removing store %q: it is not live", name)
		}
	}
	if len(live)+len(u.Added) == len(u.Removed) {
		return h, errors.New("removing every store")
	}
	u = Upgrade{u.Version, slices.Sorted(slices.Values(u.Added)), slices.Sorted(slices.Values(u.Removed))}
	return History{h.Genesis, append(slices.Clip(h.Upgrades), u)}, nil
}

// TreeDB returns the database namespace of one store's tree, "s/k:<name>/".
func TreeDB(db dbm.DB, name string) *idb.Wrapper {
	return idb.NewWrapper(dbm.NewPrefixDB(db, TreeKey(name, nil)))
}

// TreeKey returns the database key of key in the namespace of tree name.
func TreeKey(name string, key []byte) []byte {
	return append([]byte("s/k:"+name+"/"), key...)
}

// FirstVersion returns the oldest version, up to latest, of the tree in db
// (a TreeDB): versions are contiguous, since pruning deletes the oldest,
// and a version exists while its root entry, 's' + iavl's root key, does.
func FirstVersion(db idb.DB, latest int64) (int64, error) {
	lo, hi := int64(1), latest
	for lo < hi {
		mid := lo + (hi-lo)/2
		has, err := db.Has(append([]byte{'s'}, iavl.GetRootKey(mid)...))
		if err != nil {
			return 0, err
		}
		if has {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo, nil
}

// DropOrphans deletes the trees in db of stores that were never stores in
// h. Such a tree was saved by a Commit of a version after version
// that added the store and crashed before writing its record. A tree with
// a version up to version means that the history is wrong (for example,
// the genesis names given to Open): DropOrphans then fails with ErrCorrupt
// and deletes nothing more.
func DropOrphans(db dbm.DB, h History, version int64) error {
	for start := []byte("s/k:"); ; {
		it, err := db.Iterator(start, []byte("s/k;"))
		if err != nil {
			return err
		}
		valid := it.Valid()
		var name string
		if valid {
			name, _, _ = strings.Cut(string(it.Key()[len("s/k:"):]), "/")
		}
		if err := errors.Join(it.Error(), it.Close()); err != nil || !valid {
			return err
		}
		start = []byte("s/k:" + name + "0") // '0' follows '/': skip this tree
		if _, _, known := h.Span(name); known {
			continue
		}
		t := iavl.NewMutableTree(TreeDB(db, name), 1000, true, iavl.NewNopLogger())
		latest, err := t.Load()
		if err == nil && latest > 0 {
			var first int64
			if first, err = FirstVersion(TreeDB(db, name), latest); err == nil && first <= version {
				err = fmt.Errorf("%w: store %q has version %d but no record", ErrCorrupt, name, first)
			}
		}
		if err = errors.Join(err, t.Close()); err == nil {
			err = DeletePrefix(db, []byte("s/k:"+name+"/"))
		}
		if err != nil {
			return fmt.Errorf("dropping the tree of store %q, of an unrecorded commit: %w", name, err)
		}
	}
}

// DeletePrefix deletes every key of db with the given prefix (every key
// for an empty prefix), in one synced batch.
func DeletePrefix(db dbm.DB, prefix []byte) error {
	var end []byte
	if len(prefix) > 0 {
		end = append(bytes.Clone(prefix[:len(prefix)-1]), prefix[len(prefix)-1]+1)
	}
	it, err := db.Iterator(prefix, end)
	if err != nil {
		return err
	}
	var keys [][]byte
	for ; it.Valid(); it.Next() {
		keys = append(keys, bytes.Clone(it.Key()))
	}
	if err := errors.Join(it.Error(), it.Close()); err != nil {
		return err
	}
	b := db.NewBatch()
	for _, k := range keys {
		err = errors.Join(err, b.Delete(k))
	}
	return errors.Join(err, b.WriteSync(), b.Close())
}
