// Package overlay keeps a block's writes, read-only, over the state they
// were written on, so that the block's state can be read before its
// version is saved: the next block executes on it while the save runs
// (see package abci, "Pipelined commit").
//
// A Recorder is the Store a block's Cache is written into: it forwards
// every write to the working state and records it. Freeze then makes the
// recorded writes a Layer over a committed View of the version before:
// together they read as the block's version would once saved. A Layer is
// immutable and safe for concurrent use (the next block and CheckTx read
// it at once); writing to it panics.
package overlay

import (
	"slices"
	"sort"

	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/state/internal/merge"
)

// Recorder forwards writes to a Store and records them.
type Recorder struct {
	dst state.Store
	kvs map[string]*recordKV
}

// Record returns a Recorder over dst.
func Record(dst state.Store) *Recorder {
	return &Recorder{dst: dst, kvs: make(map[string]*recordKV)}
}

// KV implements state.Store: dst's store name, whose writes are recorded.
func (r *Recorder) KV(name string) state.KVStore {
	kv, ok := r.kvs[name]
	if !ok {
		kv = &recordKV{KVStore: r.dst.KV(name), writes: make(map[string][]byte)}
		r.kvs[name] = kv
	}
	return kv
}

// recordKV forwards to the destination's store and keeps the last value
// written under each key (nil for a delete).
type recordKV struct {
	state.KVStore
	writes map[string][]byte
}

func (s *recordKV) Set(key, value []byte) {
	s.KVStore.Set(key, value)
	s.writes[string(key)] = value
}

func (s *recordKV) Delete(key []byte) {
	s.KVStore.Delete(key)
	s.writes[string(key)] = nil
}

// Freeze returns the recorded writes as a Layer over parent, which must
// hold the state the writes were made on. It may be called more than
// once; the Recorder must not be written afterwards.
func (r *Recorder) Freeze(parent state.Store) *Layer {
	l := &Layer{parent: parent, kvs: make(map[string]*layerKV, len(r.kvs))}
	for name, kv := range r.kvs {
		if len(kv.writes) == 0 {
			continue
		}
		keys := make([]string, 0, len(kv.writes))
		for k := range kv.writes {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		l.kvs[name] = &layerKV{parent: parent.KV(name), writes: kv.writes, keys: keys}
	}
	return l
}

// Layer is a block's writes over the state before them, read-only.
type Layer struct {
	parent state.Store
	kvs    map[string]*layerKV
}

// KV implements state.Store.
func (l *Layer) KV(name string) state.KVStore {
	if kv, ok := l.kvs[name]; ok {
		return kv
	}
	return readOnly{l.parent.KV(name)}
}

// layerKV is one store of a Layer: writes are the block's (nil marks a
// delete), keys their keys in order.
type layerKV struct {
	parent state.KVStore
	writes map[string][]byte
	keys   []string
}

func (s *layerKV) Get(key []byte) []byte {
	if v, ok := s.writes[string(key)]; ok {
		return v
	}
	return s.parent.Get(key)
}

func (s *layerKV) Has(key []byte) bool {
	if v, ok := s.writes[string(key)]; ok {
		return v != nil
	}
	return s.parent.Has(key)
}

func (s *layerKV) Set([]byte, []byte) { panic("overlay: Set on a read-only Layer") }
func (s *layerKV) Delete([]byte)      { panic("overlay: Delete on a read-only Layer") }

func (s *layerKV) Iterator(start, end []byte) state.Iterator {
	return s.iterator(start, end, true)
}

func (s *layerKV) ReverseIterator(start, end []byte) state.Iterator {
	return s.iterator(start, end, false)
}

// iterator merges the block's writes in [start, end) with the parent's
// iterator over the same range.
func (s *layerKV) iterator(start, end []byte, ascending bool) state.Iterator {
	var src state.Iterator
	if ascending {
		src = s.parent.Iterator(start, end)
	} else {
		src = s.parent.ReverseIterator(start, end)
	}
	lo, hi := 0, len(s.keys)
	if len(start) > 0 {
		lo = sort.SearchStrings(s.keys, string(start))
	}
	if len(end) > 0 {
		hi = sort.SearchStrings(s.keys, string(end))
	}
	if lo > hi { // start after end: the parent's iterator is empty too
		hi = lo
	}
	keys := s.keys[lo:hi]
	return merge.New(merge.Buffer{
		Len:   len(keys),
		Entry: func(i int) (string, []byte) { return keys[i], s.writes[keys[i]] },
		Check: func() {},
	}, src, ascending)
}

// readOnly is a store of the Layer's parent that the block did not write.
type readOnly struct{ state.KVStore }

func (readOnly) Set([]byte, []byte) { panic("overlay: Set on a read-only Layer") }
func (readOnly) Delete([]byte)      { panic("overlay: Delete on a read-only Layer") }
