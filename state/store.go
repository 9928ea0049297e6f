package state

import (
	"bytes"
	"fmt"
)

// KVStore is an ordered byte-key/byte-value store.
//
// A nil value means "absent": Get returns nil for a key that is not present,
// and a present key always has a non-nil value (possibly empty). Keys must be
// non-empty and values non-nil: Set panics on a nil or empty key or a nil
// value, and Delete panics on a nil or empty key, because such calls are
// programming errors. Get and Has on an empty key report the key as absent.
//
// Byte slices passed to Set may be retained by the store, and slices returned
// by Get, Key and Value may alias store memory; callers must not modify
// either.
type KVStore interface {
	// Get returns the value stored under key, or nil if the key is absent.
	Get(key []byte) []byte
	// Has reports whether key is present.
	Has(key []byte) bool
	// Set stores value under key, replacing any previous value.
	Set(key, value []byte)
	// Delete removes key; deleting an absent key is a no-op.
	Delete(key []byte)
	// Iterator returns an iterator over the keys in [start, end) in
	// ascending order. A nil or empty start or end means unbounded on that
	// side.
	Iterator(start, end []byte) Iterator
	// ReverseIterator returns an iterator over the keys in [start, end) in
	// descending order. A nil or empty start or end means unbounded on that
	// side.
	ReverseIterator(start, end []byte) Iterator
}

// Iterator walks over key/value pairs of a KVStore in key order. It starts
// positioned at the first pair (if any). Key and Value panic when the
// iterator is not valid. Close must be called when done with the iterator.
type Iterator interface {
	// Valid reports whether the iterator is positioned at a pair.
	Valid() bool
	// Next moves the iterator to the next pair; it panics if the iterator is
	// not valid.
	Next()
	// Key returns the key of the current pair.
	Key() []byte
	// Value returns the value of the current pair.
	Value() []byte
	// Close releases the iterator's resources and reports any error that the
	// underlying storage produced during iteration.
	Close() error
}

// Store is a set of named KV stores. KV panics on an unknown name, because
// store names are compile-time constants of the application and an unknown
// name is a programming error.
type Store interface {
	// KV returns the KV store with the given name.
	KV(name string) KVStore
}

// checkSet panics when key or value violates the KVStore contract.
func checkSet(key, value []byte) {
	if len(key) == 0 {
		panic("state: Set with a nil or empty key")
	}
	if value == nil {
		panic(fmt.Sprintf("state: Set with a nil value for key %x", key))
	}
}

// checkDelete panics when key violates the KVStore contract.
func checkDelete(key []byte) {
	if len(key) == 0 {
		panic("state: Delete with a nil or empty key")
	}
}

// normBound turns an empty range bound into nil (unbounded).
func normBound(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}

// emptyRange reports whether [start, end) cannot contain any key.
func emptyRange(start, end []byte) bool {
	return start != nil && end != nil && string(start) >= string(end)
}

// unknownStore panics with a message naming the unknown store.
func unknownStore(name string) {
	panic(fmt.Sprintf("state: unknown store %q", name))
}

// emptyIterator is an iterator over nothing.
type emptyIterator struct{}

func (emptyIterator) Valid() bool   { return false }
func (emptyIterator) Next()         { panic("state: Next on an invalid iterator") }
func (emptyIterator) Key() []byte   { panic("state: Key on an invalid iterator") }
func (emptyIterator) Value() []byte { panic("state: Value on an invalid iterator") }
func (emptyIterator) Close() error  { return nil }

// PrefixEnd returns the first key after every key that starts with p, the
// exclusive end of an iteration over the prefix p; nil (the end of the
// store) when p is empty or all 0xff.
func PrefixEnd(p []byte) []byte {
	end := bytes.Clone(p)
	for i := len(end) - 1; i >= 0; i-- {
		end[i]++
		if end[i] != 0 {
			return end[:i+1]
		}
	}
	return nil
}
