// Package nodecache drops nodes from the node cache of an iavl tree.
//
// iavl keeps every node it saves or loads in an LRU cache of a fixed
// number of nodes, and offers no way to drop one. A working tree's cache
// therefore fills with the nodes that later versions orphaned: they were
// the most recently used when they were replaced, so the LRU keeps them
// over live nodes not touched for a while. On a busy tree that is most of
// the cache, and, since the nodes are pointer-dense, most of the heap the
// garbage collector marks on every cycle.
//
// The state package knows each version's orphans when it saves it (see
// prune.Tracker). Evictor lets it drop them from the cache, through the
// cache's own Remove under the tree's own lock, which it reaches by
// reflection: iavl's nodeDB and its cache field are unexported. For
// checks that layout (the package's test checks that evicting works with
// the iavl release in go.mod); on a tree without it For fails, and the
// caller drops nothing.
package nodecache

import (
	"fmt"
	"reflect"
	"sync"
	"unsafe"

	"github.com/cosmos/iavl"
	"github.com/cosmos/iavl/cache"
)

// KeySize is the size of a node key: the version and the nonce, big
// endian, as iavl's NodeKey.GetKey writes them and prune records them.
const KeySize = 12

// Evictor drops nodes from one tree's node cache.
type Evictor struct {
	mu    *sync.RWMutex // the nodeDB's lock, which guards its cache
	cache cache.Cache
}

// For returns the Evictor of t's node cache, or an error when t's nodeDB
// does not have the fields it reads, with their types.
func For(t *iavl.MutableTree) (*Evictor, error) {
	ndb := reflect.ValueOf(t).Elem().FieldByName("ndb")
	if ndb.Kind() != reflect.Pointer || ndb.IsNil() || ndb.Type().Elem().Kind() != reflect.Struct {
		return nil, fmt.Errorf("nodecache: iavl.MutableTree has no nodeDB pointer")
	}
	db := reflect.NewAt(ndb.Type().Elem(), ndb.UnsafePointer()).Elem()
	mu := db.FieldByName("mtx")
	c := db.FieldByName("nodeCache")
	if !mu.IsValid() || mu.Type() != reflect.TypeFor[sync.RWMutex]() {
		return nil, fmt.Errorf("nodecache: iavl's nodeDB has no RWMutex mtx")
	}
	if !c.IsValid() || c.Type() != reflect.TypeFor[cache.Cache]() {
		return nil, fmt.Errorf("nodecache: iavl's nodeDB has no cache.Cache nodeCache")
	}
	e := &Evictor{
		mu:    (*sync.RWMutex)(unsafe.Pointer(mu.UnsafeAddr())),
		cache: *(*cache.Cache)(unsafe.Pointer(c.UnsafeAddr())),
	}
	if e.cache == nil {
		return nil, fmt.Errorf("nodecache: the tree has no node cache")
	}
	return e, nil
}

// Evict drops the nodes whose keys keys lists (KeySize bytes each, as a
// prune record holds them) from the cache and returns how many were
// there. A node dropped and needed again is read from the database.
func (e *Evictor) Evict(keys []byte) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for k := keys; len(k) >= KeySize; k = k[KeySize:] {
		if e.cache.Remove(k[:KeySize]) != nil {
			n++
		}
	}
	return n
}

// Len returns the number of nodes in the cache.
func (e *Evictor) Len() int {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.cache.Len()
}
