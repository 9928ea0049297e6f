package state

import (
	"sort"
	"sync"

	"github.com/abci-ics/ics/state/internal/buffer"
)

// Cache buffers writes over a parent Store.
//
// Reads see the Cache's own writes (including deletes) first and fall
// through to the parent otherwise; reads are not cached. Iterators merge the
// buffered writes with the parent's iterator in key order. Write flushes the
// buffer to the parent deterministically and empties it; discarding a Cache
// is simply dropping it. A Cache's parent may be another Cache.
//
// A Cache is not safe for concurrent use. The parent must not be written
// directly while the Cache is in use if the Cache is later written back,
// and Write must not be called while iterators over the Cache are open (an
// open iterator panics when used after Write).
type Cache struct {
	parent Store
	stores map[string]*cacheKV
}

// NewCache returns an empty Cache over parent.
func NewCache(parent Store) *Cache {
	return &Cache{parent: parent, stores: make(map[string]*cacheKV, 4)}
}

// KV returns the buffered view of the parent's store with the given name.
// It panics if the parent has no such store. The returned KVStore stays
// valid (and keeps buffering into this Cache) after Write.
func (c *Cache) KV(name string) KVStore {
	if kv, ok := c.stores[name]; ok {
		return kv
	}
	kv := &cacheKV{parent: c.parent.KV(name)}
	c.stores[name] = kv
	return kv
}

// Write flushes all buffered writes to the parent and clears the buffer.
// Stores are flushed in sorted name order and, within a store, writes are
// applied in sorted key order, so the parent (and hence the IAVL tree shape)
// only depends on the final buffered state, never on the order in which the
// writes were made.
//
// A large flush (a whole block's writes) runs one goroutine per store: the
// stores of a parent are independent of each other, and each store still
// receives its writes in sorted key order.
func (c *Cache) Write() {
	names := make([]string, 0, len(c.stores))
	total := 0
	for name, kv := range c.stores {
		if kv.buf.Len() > 0 {
			names = append(names, name)
			total += kv.buf.Len()
		}
	}
	sort.Strings(names)
	if len(names) < 2 || total < parallelWriteMin {
		for _, name := range names {
			c.stores[name].write()
		}
		return
	}
	var wg sync.WaitGroup
	for _, name := range names {
		kv := c.stores[name]
		wg.Add(1)
		go func() {
			defer wg.Done()
			kv.write()
		}()
	}
	wg.Wait()
}

// WriteTo flushes the buffered writes, as Write does, into dst instead of
// the parent (the block's state once the version it was read over is
// saved); the Cache then buffers over dst.
func (c *Cache) WriteTo(dst Store) {
	c.parent = dst
	for name, kv := range c.stores {
		kv.parent = dst.KV(name)
	}
	c.Write()
}

// parallelWriteMin is the number of buffered writes from which Write
// flushes the stores concurrently.
const parallelWriteMin = 512

// cacheKV is the buffer of one store over its parent.
type cacheKV struct {
	parent KVStore
	buf    buffer.Buffer
}

// Get implements KVStore.
func (s *cacheKV) Get(key []byte) []byte {
	if v, ok := s.buf.Get(key); ok {
		return v
	}
	return s.parent.Get(key)
}

// Has implements KVStore.
func (s *cacheKV) Has(key []byte) bool {
	if v, ok := s.buf.Get(key); ok {
		return v != nil
	}
	return s.parent.Has(key)
}

// Set implements KVStore.
func (s *cacheKV) Set(key, value []byte) {
	checkSet(key, value)
	s.buf.Put(key, value)
}

// Delete implements KVStore.
func (s *cacheKV) Delete(key []byte) {
	checkDelete(key)
	s.buf.Put(key, nil)
}

// write flushes the buffer to the parent in key order and clears it.
func (s *cacheKV) write() {
	if s.buf.Len() == 0 {
		return
	}
	parentCache, _ := s.parent.(*cacheKV)
	s.buf.Each(func(key string, value []byte) {
		switch {
		case parentCache != nil:
			parentCache.buf.PutString(key, value)
		case value == nil:
			s.parent.Delete([]byte(key))
		default:
			s.parent.Set([]byte(key), value)
		}
	})
	s.buf.Reset()
}

// Iterator implements KVStore.
func (s *cacheKV) Iterator(start, end []byte) Iterator {
	return s.newIterator(start, end, true)
}

// ReverseIterator implements KVStore.
func (s *cacheKV) ReverseIterator(start, end []byte) Iterator {
	return s.newIterator(start, end, false)
}

func (s *cacheKV) newIterator(start, end []byte, ascending bool) Iterator {
	start, end = normBound(start), normBound(end)
	if emptyRange(start, end) {
		return emptyIterator{}
	}
	if ascending {
		return s.buf.Merge(start, end, s.parent.Iterator(start, end), true)
	}
	return s.buf.Merge(start, end, s.parent.ReverseIterator(start, end), false)
}

// Atomic runs step on a Cache over s and writes the Cache into s only when
// step succeeds: a failing step leaves s as it was, and what it returns is
// dropped with it.
func Atomic[T any](s Store, step func(c Store) (T, error)) (T, error) {
	c := NewCache(s)
	out, err := step(c)
	if err != nil {
		var zero T
		return zero, err
	}
	c.Write()
	return out, nil
}
