package prune

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

	"github.com/cosmos/iavl"
	idb "github.com/cosmos/iavl/db"

	"github.com/abci-ics/ics/state/internal/nodecache"
)

// This file finds, when a version is saved, the nodes it orphans, so that
// pruning can delete them without looking for them.
//
// iavl v1 stores a tree's nodes under 's' + version (8 bytes, big endian)
// + nonce (4 bytes): the version that created the node and its rank among
// that version's new nodes. Nodes never change; a version's root is the
// node (version, 1), or, when the version changed nothing, a reference:
// the value of (version, 1) is then 's' + the key of the root it shares
// (an empty value is an empty tree). When iavl prunes a version whose root
// the next version shares, it moves that root to (version, 0).
//
// The nodes that version v+1 orphans are those of v's tree missing from
// v+1's. Trees are copied on write, so they form the top of v's tree: a
// walk down from v's root, stopping at the nodes that v+1's new nodes
// point to, visits exactly the orphans. iavl finds them that way when it
// prunes, reading both trees back from disk long after they were written.
// A Tracker does the walk just after v+1 is saved, over an index of the
// nodes it saw the working tree write and read (each node's children),
// so it reads nothing. Pruning v then deletes the recorded list.

// nodeKey is the key of an iavl node: the version that created it and its
// nonce in that version.
type nodeKey struct {
	version int64
	nonce   uint32
}

// db returns the database key of k.
func (k nodeKey) db() []byte {
	b := make([]byte, 13)
	b[0] = 's'
	binary.BigEndian.PutUint64(b[1:], uint64(k.version))
	binary.BigEndian.PutUint32(b[9:], k.nonce)
	return b
}

// parseKey returns the node key in a 12-byte version + nonce.
func parseKey(b []byte) nodeKey {
	return nodeKey{int64(binary.BigEndian.Uint64(b)), binary.BigEndian.Uint32(b[8:])}
}

// nodeKeyOf returns the node key of a database key of a node.
func nodeKeyOf(dbKey []byte) (nodeKey, bool) {
	if len(dbKey) != 13 || dbKey[0] != 's' {
		return nodeKey{}, false
	}
	return parseKey(dbKey[1:]), true
}

// children are the children of an inner node; the zero value is a leaf's.
type children struct{ left, right nodeKey }

var errNode = errors.New("not an iavl node")

// decodeChildren returns the children of an encoded node: height, size
// and key, then for a leaf its value, for an inner node its hash, a mode
// (0: both children by node key) and the children's versions and nonces,
// all as signed varints and length-prefixed bytes. References, empty roots
// and nodes of iavl's legacy format are not nodes here.
func decodeChildren(b []byte) (children, error) {
	if len(b) == 0 || b[0] == 's' {
		return children{}, errNode
	}
	var ints [6]int64
	next := func(i int) bool {
		v, n := binary.Varint(b)
		if n <= 0 {
			return false
		}
		ints[i], b = v, b[n:]
		return true
	}
	skipBytes := func() bool {
		l, n := binary.Uvarint(b)
		if n <= 0 || l > uint64(len(b)-n) {
			return false
		}
		b = b[n+int(l):]
		return true
	}
	if !next(0) || !next(1) || !skipBytes() || ints[0] < 0 { // height, size, key
		return children{}, errNode
	}
	if ints[0] == 0 {
		return children{}, nil
	}
	if !skipBytes() || !next(1) || ints[1] != 0 { // hash, mode
		return children{}, errNode
	}
	for i := 2; i < 6; i++ {
		if !next(i) {
			return children{}, errNode
		}
	}
	if ints[2] <= 0 || ints[4] <= 0 || uint64(ints[3]) > 1<<32-1 || uint64(ints[5]) > 1<<32-1 {
		return children{}, errNode
	}
	return children{nodeKey{ints[2], uint32(ints[3])}, nodeKey{ints[4], uint32(ints[5])}}, nil
}

// maxIndexed bounds a Tracker's index (about 30 bytes a node): past it,
// the index starts again from empty, and walks read what they miss.
const maxIndexed = 4 << 20

// maxWritten bounds the new nodes a Tracker keeps between two saves; an
// import writes a whole tree at once. Past it, the next save has no
// record.
const maxWritten = 1 << 20

// keptBuffer bounds the buffers of written nodes a Tracker keeps for the
// next save: a block's fit, a genesis's are let go.
const keptBuffer = 1 << 16

// Tracker is a tree's database namespace, as iavl's working tree uses it,
// that keeps the structure of the nodes the tree writes and reads, so that
// Orphans finds what a saved version orphaned without reading. Its methods
// may be called from any goroutine.
type Tracker struct {
	idb.DB

	mu    sync.Mutex
	index map[uint64][2]uint64 // packed node key -> packed children (0, 0 for a leaf)
	// written are the nodes written since the last Orphans; incomplete is
	// set when some were not kept (more than maxWritten, or a node key
	// whose value was not understood).
	written    []trackedNode
	incomplete bool
	spare      []trackedNode // a written batch's buffer, for the next batch

	cache *nodecache.Evictor // the tree's node cache; nil if unreachable
}

// NewTree returns a working tree over db, as iavl.NewMutableTree with
// cacheSize and skipFast, and the Tracker of its writes and reads. Orphans
// drops the nodes it returns from the tree's node cache.
func NewTree(db idb.DB, cacheSize int, skipFast bool) (*iavl.MutableTree, *Tracker) {
	t := &Tracker{DB: db, index: make(map[uint64][2]uint64)}
	tree := iavl.NewMutableTree(t, cacheSize, skipFast, iavl.NewNopLogger())
	t.cache, _ = nodecache.For(tree) // without it, the LRU drops orphans
	return tree, t
}

// Get implements idb.DB, noting the node read.
func (t *Tracker) Get(key []byte) ([]byte, error) {
	v, err := t.DB.Get(key)
	if k, ok := nodeKeyOf(key); ok && err == nil {
		if c, err := decodeChildren(v); err == nil {
			t.mu.Lock()
			t.add(k, c)
			t.mu.Unlock()
		}
	}
	return v, err
}

// NewBatch implements idb.DB: nodes the batch writes are noted when it is.
func (t *Tracker) NewBatch() idb.Batch { return t.newBatch(t.DB.NewBatch()) }

// NewBatchWithSize implements idb.DB.
func (t *Tracker) NewBatchWithSize(n int) idb.Batch { return t.newBatch(t.DB.NewBatchWithSize(n)) }

func (t *Tracker) newBatch(b idb.Batch) *trackedBatch {
	t.mu.Lock()
	nodes := t.spare
	t.spare = nil
	t.mu.Unlock()
	return &trackedBatch{Batch: b, t: t, nodes: nodes[:0]}
}

// pack returns k in 64 bits, 40 for the version and 24 for the nonce,
// and whether it fits (nodes that do not are read when a walk needs them).
func pack(k nodeKey) (uint64, bool) {
	return uint64(k.version)<<24 | uint64(k.nonce), k.version > 0 && k.version < 1<<40 && k.nonce < 1<<24
}

func unpack(p uint64) nodeKey { return nodeKey{int64(p >> 24), uint32(p & (1<<24 - 1))} }

// add indexes node k; t.mu is held.
func (t *Tracker) add(k nodeKey, c children) {
	pk, ok := pack(k)
	var pc [2]uint64
	if c != (children{}) {
		l, lok := pack(c.left)
		r, rok := pack(c.right)
		pc, ok = [2]uint64{l, r}, ok && lok && rok
	}
	if !ok {
		return
	}
	if len(t.index) >= maxIndexed {
		clear(t.index)
	}
	t.index[pk] = pc
}

// lookup returns the children of node k from the index, or reads them.
func (t *Tracker) lookup(k nodeKey) (children, error) {
	if pk, ok := pack(k); ok {
		if pc, ok := t.index[pk]; ok {
			delete(t.index, pk) // an orphan: only walks look it up again
			if pc == [2]uint64{} {
				return children{}, nil
			}
			return children{unpack(pc[0]), unpack(pc[1])}, nil
		}
	}
	return readChildren(t.DB, k)
}

type trackedNode struct {
	key  nodeKey
	kids children
}

type trackedBatch struct {
	idb.Batch
	t     *Tracker
	nodes []trackedNode
	bad   bool // a node key was set to something not understood
}

func (b *trackedBatch) Set(key, value []byte) error {
	if err := b.Batch.Set(key, value); err != nil {
		return err
	}
	if k, ok := nodeKeyOf(key); ok {
		c, err := decodeChildren(value)
		switch {
		case err == nil:
			b.nodes = append(b.nodes, trackedNode{k, c})
		case len(value) == 0 || value[0] == 's': // an empty root, a reference
		default:
			b.bad = true
		}
	}
	return nil
}

func (b *trackedBatch) Write() error     { return b.written(b.Batch.Write()) }
func (b *trackedBatch) WriteSync() error { return b.written(b.Batch.WriteSync()) }

func (b *trackedBatch) written(err error) error {
	if err == nil {
		t := b.t
		t.mu.Lock()
		for _, n := range b.nodes {
			t.add(n.key, n.kids)
		}
		if b.bad || len(t.written)+len(b.nodes) > maxWritten {
			t.incomplete = true
		} else {
			t.written = append(t.written, b.nodes...)
		}
		if cap(b.nodes) > cap(t.spare) && cap(b.nodes) <= keptBuffer {
			t.spare, b.nodes = b.nodes[:0], nil
		}
		t.mu.Unlock()
	}
	b.nodes, b.bad = b.nodes[:0], false
	return err
}

// Orphans returns the record of the nodes that version, just saved,
// orphaned: the nodes of version-1's tree that version's tree does not
// hold, as 12-byte node keys. It must be called after every save, in
// order. It fails when the tree does not look as it should (then nothing
// is recorded, and pruning finds the orphans the slow way). The nodes
// returned leave the tree's node cache: nothing reads them through the
// working tree again. A nil Tracker records nothing.
func (t *Tracker) Orphans(version int64) ([]byte, error) {
	if t == nil {
		return nil, nil
	}
	out, err := t.orphans(version)
	if err == nil && t.cache != nil {
		t.cache.Evict(out)
	}
	return out, err
}

func (t *Tracker) orphans(version int64) ([]byte, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	written, incomplete := t.written, t.incomplete
	t.written, t.incomplete = t.written[:0], false
	if cap(written) > keptBuffer {
		t.written = nil
	}
	if incomplete {
		return nil, errors.New("not every node written since the last version is known")
	}
	prev, err := rootOf(t.DB, version-1)
	if err != nil {
		return nil, err
	}
	if !prev.exists {
		return nil, nil // the first version: there is nothing to prune before
	}
	if prev.empty {
		return []byte{}, nil
	}
	cur, err := rootOf(t.DB, version)
	if err != nil {
		return nil, err
	}
	switch {
	case !cur.exists:
		return nil, fmt.Errorf("version %d has no root", version)
	case cur.empty:
	case cur.key == prev.key:
		return []byte{}, nil // nothing changed
	case cur.key.version != version:
		return nil, fmt.Errorf("version %d's root %v is neither new nor version %d's", version, cur.key, version-1)
	}
	// The nodes of version-1's tree that version's new nodes point to:
	// where the walk stops.
	shared := make(map[nodeKey]bool)
	sawRoot := cur.empty
	for _, n := range written {
		if n.key.version != version {
			continue
		}
		sawRoot = sawRoot || n.key == cur.key
		for _, child := range [2]nodeKey{n.kids.left, n.kids.right} {
			if child.version != 0 && child.version < version {
				shared[child] = false
			}
		}
	}
	if !sawRoot {
		return nil, fmt.Errorf("the root of version %d was not seen written", version)
	}
	var out []byte
	reached := 0
	stack := []nodeKey{prev.key}
	for len(stack) > 0 {
		k := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen, ok := shared[k]; ok {
			if seen {
				return nil, fmt.Errorf("node %v reached twice", k)
			}
			shared[k] = true
			reached++
			continue
		}
		c, err := t.lookup(k)
		if err != nil {
			return nil, err
		}
		out = binary.BigEndian.AppendUint64(out, uint64(k.version))
		out = binary.BigEndian.AppendUint32(out, k.nonce)
		if c != (children{}) {
			stack = append(stack, c.left, c.right)
		}
	}
	if reached != len(shared) {
		return nil, fmt.Errorf("version %d shares %d nodes with version %d, the walk reached %d", version, len(shared), version-1, reached)
	}
	if out == nil {
		out = []byte{}
	}
	return out, nil
}

// readChildren reads node k from db, where pruning may have moved a root
// (version, 1) to (version, 0).
func readChildren(db idb.DB, k nodeKey) (children, error) {
	v, err := db.Get(k.db())
	if err == nil && v == nil && k.nonce == 1 {
		v, err = db.Get(nodeKey{k.version, 0}.db())
	}
	if err != nil {
		return children{}, err
	}
	if v == nil {
		return children{}, fmt.Errorf("node %v missing", k)
	}
	return decodeChildren(v)
}

// root is the root of one version of a tree.
type root struct {
	key    nodeKey
	empty  bool // the tree is empty, or the version does not exist
	exists bool
}

// rootOf reads the root of version of the tree in db: (version, 1), or
// the root a reference there points to.
func rootOf(db idb.DB, version int64) (root, error) {
	k := nodeKey{version, 1}
	v, err := db.Get(k.db())
	switch {
	case err != nil:
		return root{}, err
	case v == nil:
		return root{empty: true}, nil
	case len(v) == 0:
		return root{empty: true, exists: true}, nil
	case v[0] != 's':
		return root{key: k, exists: true}, nil
	case len(v) == 13:
		return root{key: parseKey(v[1:]), exists: true}, nil
	}
	return root{}, fmt.Errorf("version %d: malformed root reference %X", version, v)
}

// RecordKey is the key, in a tree's namespace, of the record of the nodes
// that version orphaned. iavl uses none of the key prefix 'x'.
func RecordKey(version int64) []byte {
	return binary.BigEndian.AppendUint64([]byte{'x'}, uint64(version))
}
