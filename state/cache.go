package state

import (
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/abci-ics/ics/state/internal/merge"
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
	kv := &cacheKV{parent: c.parent.KV(name), index: make(map[string]int)}
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
		if len(kv.entries) > 0 {
			names = append(names, name)
			total += len(kv.entries)
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

// parallelWriteMin is the number of buffered writes from which Write
// flushes the stores concurrently.
const parallelWriteMin = 512

// cacheEntry is one buffered write; a nil value marks a delete.
type cacheEntry struct {
	key   string
	value []byte
}

// cacheKV is the buffer of one store. Entries are appended in first-write
// order and located through index; sorted lists the indices of the first
// nsorted entries in key order and is rebuilt lazily (never mutated in
// place, so open iterators can keep using an older copy).
type cacheKV struct {
	parent  KVStore
	index   map[string]int
	entries []cacheEntry
	sorted  []int
	nsorted int
	gen     uint64 // incremented by write; open iterators check it
}

// Get implements KVStore.
func (s *cacheKV) Get(key []byte) []byte {
	if i, ok := s.index[string(key)]; ok {
		return s.entries[i].value
	}
	return s.parent.Get(key)
}

// Has implements KVStore.
func (s *cacheKV) Has(key []byte) bool {
	if i, ok := s.index[string(key)]; ok {
		return s.entries[i].value != nil
	}
	return s.parent.Has(key)
}

// Set implements KVStore.
func (s *cacheKV) Set(key, value []byte) {
	checkSet(key, value)
	s.put(key, value)
}

// Delete implements KVStore.
func (s *cacheKV) Delete(key []byte) {
	checkDelete(key)
	s.put(key, nil)
}

// put records a write; value nil records a delete.
func (s *cacheKV) put(key, value []byte) {
	if i, ok := s.index[string(key)]; ok {
		s.entries[i].value = value
		return
	}
	s.putString(string(key), value)
}

// putString records a write under a key that is already a string, avoiding
// a conversion when one Cache flushes into another.
func (s *cacheKV) putString(key string, value []byte) {
	if i, ok := s.index[key]; ok {
		s.entries[i].value = value
		return
	}
	s.index[key] = len(s.entries)
	s.entries = append(s.entries, cacheEntry{key: key, value: value})
}

// sortedIndex returns the indices of all entries in key order.
func (s *cacheKV) sortedIndex() []int {
	if s.nsorted == len(s.entries) {
		return s.sorted
	}
	fresh := make([]int, 0, len(s.entries)-s.nsorted)
	for i := s.nsorted; i < len(s.entries); i++ {
		fresh = append(fresh, i)
	}
	less := func(a, b int) int { return strings.Compare(s.entries[a].key, s.entries[b].key) }
	slices.SortFunc(fresh, less)
	merged := make([]int, 0, len(s.sorted)+len(fresh))
	i, j := 0, 0
	for i < len(s.sorted) && j < len(fresh) {
		if less(s.sorted[i], fresh[j]) < 0 {
			merged = append(merged, s.sorted[i])
			i++
		} else {
			merged = append(merged, fresh[j])
			j++
		}
	}
	merged = append(merged, s.sorted[i:]...)
	merged = append(merged, fresh[j:]...)
	s.sorted, s.nsorted = merged, len(s.entries)
	return merged
}

// write flushes the buffer to the parent in key order and clears it.
func (s *cacheKV) write() {
	if len(s.entries) == 0 {
		return
	}
	parentCache, _ := s.parent.(*cacheKV)
	for _, i := range s.sortedIndex() {
		e := s.entries[i]
		switch {
		case parentCache != nil:
			parentCache.putString(e.key, e.value)
		case e.value == nil:
			s.parent.Delete([]byte(e.key))
		default:
			s.parent.Set([]byte(e.key), e.value)
		}
	}
	clear(s.index)
	clear(s.entries)
	s.entries = s.entries[:0]
	s.sorted, s.nsorted = nil, 0
	s.gen++
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
	var parent Iterator
	if ascending {
		parent = s.parent.Iterator(start, end)
	} else {
		parent = s.parent.ReverseIterator(start, end)
	}
	idx := s.sortedIndex()
	lo, hi := 0, len(idx)
	if start != nil {
		lo = sort.Search(len(idx), func(i int) bool { return s.entries[idx[i]].key >= string(start) })
	}
	if end != nil {
		hi = sort.Search(len(idx), func(i int) bool { return s.entries[idx[i]].key >= string(end) })
	}
	idx, gen := idx[lo:hi], s.gen
	return merge.New(merge.Buffer{
		Len: len(idx),
		Entry: func(i int) (string, []byte) {
			e := s.entries[idx[i]]
			return e.key, e.value
		},
		Check: func() {
			if s.gen != gen {
				panic("state: Cache written while an iterator over it was open")
			}
		},
	}, parent, ascending)
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
