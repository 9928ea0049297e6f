// Package merge merges a sorted write buffer with an iterator over the
// store it buffers; state.Cache iterates with it.
package merge

// Source is the iterator over the buffered store (a state.Iterator).
type Source interface {
	Valid() bool
	Next()
	Key() []byte
	Value() []byte
	Close() error
}

// Buffer is a snapshot of the write buffer's keys in ascending order: keys
// buffered after the Iterator was made are not visited unless the source
// has them.
type Buffer struct {
	// Len is the number of entries.
	Len int
	// Entry returns entry i; its value is read when the iterator reaches
	// it, and nil means a delete.
	Entry func(i int) (key string, value []byte)
	// Check is called before every step; it panics if the iterator may
	// no longer be used.
	Check func()
}

// Iterator sources of the current pair.
const (
	fromBuffer = 1
	fromSource = 2
)

// Iterator visits the union of a Buffer and a Source in the Source's
// order. A buffered entry replaces the Source's pair with the same key; a
// buffered delete hides it and is not visited.
type Iterator struct {
	buf       Buffer
	pos       int
	src       Source
	ascending bool

	valid      bool
	from       int
	key, value []byte
}

// New returns an Iterator positioned at its first pair; src iterates in
// ascending order if ascending is set, in descending order otherwise.
func New(buf Buffer, src Source, ascending bool) *Iterator {
	it := &Iterator{buf: buf, src: src, ascending: ascending}
	if !ascending {
		it.pos = buf.Len - 1
	}
	it.settle()
	return it
}

// peek returns the buffered entry at the current position, if any.
func (it *Iterator) peek() (key string, value []byte, ok bool) {
	if it.pos < 0 || it.pos >= it.buf.Len {
		return "", nil, false
	}
	key, value = it.buf.Entry(it.pos)
	return key, value, true
}

func (it *Iterator) stepBuffer() {
	if it.ascending {
		it.pos++
	} else {
		it.pos--
	}
}

// settle positions the iterator at the next visible pair, skipping
// buffered deletes and the source pairs they shadow.
func (it *Iterator) settle() {
	it.buf.Check()
	for {
		bk, bv, bok := it.peek()
		sok := it.src.Valid()
		if !bok && !sok {
			it.valid, it.key, it.value = false, nil, nil
			return
		}
		c := -1 // <0: buffer first, 0: same key, >0: source first
		if !bok {
			c = 1
		} else if sok {
			sk := it.src.Key()
			switch {
			case string(sk) == bk:
				c = 0
			case (string(sk) < bk) == it.ascending:
				c = 1
			}
		}
		switch {
		case c > 0:
			it.valid, it.from = true, fromSource
			it.key, it.value = it.src.Key(), it.src.Value()
			return
		case bv == nil: // buffered delete
			it.stepBuffer()
			if c == 0 {
				it.src.Next()
			}
		default:
			it.valid, it.from = true, fromBuffer
			if c == 0 {
				it.from |= fromSource
			}
			it.key, it.value = []byte(bk), bv
			return
		}
	}
}

// Valid reports whether the iterator is at a pair.
func (it *Iterator) Valid() bool { return it.valid }

// Next moves to the next pair; it panics on an invalid iterator.
func (it *Iterator) Next() {
	if !it.valid {
		panic("state: Next on an invalid iterator")
	}
	if it.from&fromBuffer != 0 {
		it.stepBuffer()
	}
	if it.from&fromSource != 0 {
		it.src.Next()
	}
	it.settle()
}

// Key returns the current key; it panics on an invalid iterator.
func (it *Iterator) Key() []byte {
	if !it.valid {
		panic("state: Key on an invalid iterator")
	}
	return it.key
}

// Value returns the current value; it panics on an invalid iterator.
func (it *Iterator) Value() []byte {
	if !it.valid {
		panic("state: Value on an invalid iterator")
	}
	return it.value
}

// Close closes the source.
func (it *Iterator) Close() error {
	it.valid = false
	return it.src.Close()
}
