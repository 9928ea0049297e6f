// Package buffer is the write buffer of one store of a state.Cache: the
// writes made since the last flush, readable by key, visited in key order
// to flush them, and merged with the buffered store's iterator.
package buffer

import (
	"slices"
	"sort"
	"strings"

	"github.com/abci-ics/ics/state/internal/merge"
)

// entry is one buffered write; a nil value marks a delete.
type entry struct {
	key   string
	value []byte
}

// Buffer holds writes by key. Entries are appended in first-write order
// and located through index; sorted lists the indices of the first
// nsorted entries in key order and is rebuilt lazily (never mutated in
// place, so open iterators can keep using an older copy). The zero Buffer
// is empty and ready.
type Buffer struct {
	index   map[string]int
	entries []entry
	sorted  []int
	nsorted int
	gen     uint64 // incremented by Reset; open iterators check it
}

// Get returns the buffered value of key (nil for a delete) and whether
// the key is buffered.
func (b *Buffer) Get(key []byte) ([]byte, bool) {
	if i, ok := b.index[string(key)]; ok {
		return b.entries[i].value, true
	}
	return nil, false
}

// Put records a write; value nil records a delete.
func (b *Buffer) Put(key []byte, value []byte) {
	if i, ok := b.index[string(key)]; ok {
		b.entries[i].value = value
		return
	}
	b.PutString(string(key), value)
}

// PutString records a write under a key that is already a string,
// avoiding a conversion when one buffer flushes into another.
func (b *Buffer) PutString(key string, value []byte) {
	if i, ok := b.index[key]; ok {
		b.entries[i].value = value
		return
	}
	if b.index == nil {
		b.index = make(map[string]int)
	}
	b.index[key] = len(b.entries)
	b.entries = append(b.entries, entry{key: key, value: value})
}

// Len returns the number of buffered keys.
func (b *Buffer) Len() int { return len(b.entries) }

// Each calls fn with every buffered write in key order.
func (b *Buffer) Each(fn func(key string, value []byte)) {
	for _, i := range b.sortedIndex() {
		fn(b.entries[i].key, b.entries[i].value)
	}
}

// Reset empties the buffer; iterators still open over it panic when used.
func (b *Buffer) Reset() {
	clear(b.index)
	clear(b.entries)
	b.entries = b.entries[:0]
	b.sorted, b.nsorted = nil, 0
	b.gen++
}

// sortedIndex returns the indices of all entries in key order.
func (b *Buffer) sortedIndex() []int {
	if b.nsorted == len(b.entries) {
		return b.sorted
	}
	fresh := make([]int, 0, len(b.entries)-b.nsorted)
	for i := b.nsorted; i < len(b.entries); i++ {
		fresh = append(fresh, i)
	}
	less := func(x, y int) int { return strings.Compare(b.entries[x].key, b.entries[y].key) }
	slices.SortFunc(fresh, less)
	merged := make([]int, 0, len(b.sorted)+len(fresh))
	i, j := 0, 0
	for i < len(b.sorted) && j < len(fresh) {
		if less(b.sorted[i], fresh[j]) < 0 {
			merged = append(merged, b.sorted[i])
			i++
		} else {
			merged = append(merged, fresh[j])
			j++
		}
	}
	merged = append(merged, b.sorted[i:]...)
	merged = append(merged, fresh[j:]...)
	b.sorted, b.nsorted = merged, len(b.entries)
	return merged
}

// Merge returns an iterator over the buffered writes in [start, end) (nil
// bounds are unbounded) merged with src, the buffered store's iterator
// over the same range in the same direction. Keys buffered afterwards are
// not visited; after a Reset the iterator panics.
func (b *Buffer) Merge(start, end []byte, src merge.Source, ascending bool) *merge.Iterator {
	idx := b.sortedIndex()
	lo, hi := 0, len(idx)
	if start != nil {
		lo = sort.Search(len(idx), func(i int) bool { return b.entries[idx[i]].key >= string(start) })
	}
	if end != nil {
		hi = sort.Search(len(idx), func(i int) bool { return b.entries[idx[i]].key >= string(end) })
	}
	idx, gen := idx[lo:max(lo, hi)], b.gen
	return merge.New(merge.Buffer{
		Len: len(idx),
		Entry: func(i int) (string, []byte) {
			e := b.entries[idx[i]]
			return e.key, e.value
		},
		Check: func() {
			if b.gen != gen {
				panic("state: Cache written while an iterator over it was open")
			}
		},
	}, src, ascending)
}
