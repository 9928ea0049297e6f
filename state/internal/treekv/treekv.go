// Package treekv reads and writes IAVL trees as the key/value stores of
// package state: the working state's store over a working tree, with its
// value cache in front (see package valuecache), a View's store over an
// immutable tree, and the iterator that both return. Storage failures,
// which the state KVStore interface cannot return, panic with the error;
// the callers in package state check the KVStore contract (non-empty keys,
// non-nil values, normalised bounds) before calling in.
package treekv

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/cosmos/iavl"
	ics23 "github.com/cosmos/ics23/go"

	"github.com/abci-ics/ics/state/internal/valuecache"
)

// Working is the key/value store over a working IAVL tree, with an
// optional value cache in front of it.
type Working struct {
	Tree   *iavl.MutableTree
	Values *valuecache.Cache // nil when disabled
}

// storagePanic reports a storage failure during a KVStore operation, which
// the KVStore interface cannot return.
func storagePanic(op string, err error) {
	panic(fmt.Errorf("state: %s: %w", op, err))
}

// Get returns the value of a non-empty key, nil if it is absent.
func (s *Working) Get(key []byte) []byte {
	if len(key) == 0 {
		return nil
	}
	if s.Values != nil {
		if v, ok := s.Values.Get(key); ok {
			return v
		}
	}
	v, err := s.Tree.Get(key)
	if err != nil {
		storagePanic("get", err)
	}
	if s.Values != nil {
		s.Values.Put(bytes.Clone(key), v)
	}
	return v
}

// Has reports whether key is present.
func (s *Working) Has(key []byte) bool {
	if len(key) == 0 {
		return false
	}
	if s.Values != nil {
		if v, ok := s.Values.Get(key); ok {
			return v != nil
		}
	}
	ok, err := s.Tree.Has(key)
	if err != nil {
		storagePanic("has", err)
	}
	return ok
}

// Set stores a copy of key and value, since the tree keeps them for good.
func (s *Working) Set(key, value []byte) {
	key, value = bytes.Clone(key), bytes.Clone(value)
	if _, err := s.Tree.Set(key, value); err != nil {
		storagePanic("set", err)
	}
	if s.Values != nil {
		s.Values.Put(key, value)
	}
}

// Delete removes key.
func (s *Working) Delete(key []byte) {
	if _, _, err := s.Tree.Remove(key); err != nil {
		storagePanic("delete", err)
	}
	if s.Values != nil {
		s.Values.Put(bytes.Clone(key), nil)
	}
}

// Iterator returns an iterator over [start, end) of the working tree (nil
// bounds are unbounded), over a snapshot taken now.
func (s *Working) Iterator(start, end []byte, ascending bool) *Iterator {
	it, err := s.Tree.Iterator(start, end, ascending)
	if err != nil {
		storagePanic("iterator", err)
	}
	return &Iterator{it: it}
}

// Reader is the key/value store over an immutable tree (a View's store).
// Explain wraps the storage errors it meets (a View says whether its
// version was pruned meanwhile).
type Reader struct {
	Tree    *iavl.ImmutableTree
	Explain func(error) error
}

// Get returns the value of a non-empty key, nil if it is absent.
func (r *Reader) Get(key []byte) []byte {
	if len(key) == 0 {
		return nil
	}
	v, err := r.Tree.Get(key)
	if err != nil {
		storagePanic("view get", r.Explain(err))
	}
	return v
}

// Has reports whether key is present.
func (r *Reader) Has(key []byte) bool {
	if len(key) == 0 {
		return false
	}
	ok, err := r.Tree.Has(key)
	if err != nil {
		storagePanic("view has", r.Explain(err))
	}
	return ok
}

// Prove returns the value of key (nil if absent) and the ICS-23 proof of
// it in the tree: of its existence, or of its absence. A tree without
// keys has no proof: ErrEmpty.
func (r *Reader) Prove(key []byte) ([]byte, *ics23.CommitmentProof, error) {
	if r.Tree.Size() == 0 {
		return nil, nil, ErrEmpty
	}
	value, err := r.Tree.Get(key)
	if err != nil {
		return nil, nil, r.Explain(err)
	}
	var p *ics23.CommitmentProof
	if value != nil {
		p, err = r.Tree.GetMembershipProof(key)
	} else {
		p, err = r.Tree.GetNonMembershipProof(key)
	}
	if err != nil {
		return nil, nil, r.Explain(err)
	}
	return value, p, nil
}

// ErrEmpty is Prove's error for a tree without keys.
var ErrEmpty = errors.New("the store is empty")

// Iterator returns an iterator over [start, end) of the tree (nil bounds
// are unbounded), whose Close explains its error.
func (r *Reader) Iterator(start, end []byte, ascending bool) *Iterator {
	it, err := r.Tree.Iterator(start, end, ascending)
	if err != nil {
		storagePanic("view iterator", r.Explain(err))
	}
	return &Iterator{it: it, explain: r.Explain}
}

// Iterator adapts an iavl iterator to the state Iterator contract: Next,
// Key and Value panic when it is not valid.
type Iterator struct {
	it      treeIterator
	explain func(error) error // nil: errors as they are
}

// treeIterator is what the iterators of iavl's trees implement.
type treeIterator interface {
	Valid() bool
	Next()
	Key() []byte
	Value() []byte
	Error() error
	Close() error
}

// Valid reports whether the iterator is positioned at a pair.
func (t *Iterator) Valid() bool { return t.it.Valid() }

// Next moves to the next pair.
func (t *Iterator) Next() {
	if !t.it.Valid() {
		panic("state: Next on an invalid iterator")
	}
	t.it.Next()
}

// Key returns the current key.
func (t *Iterator) Key() []byte {
	if !t.it.Valid() {
		panic("state: Key on an invalid iterator")
	}
	return t.it.Key()
}

// Value returns the current value.
func (t *Iterator) Value() []byte {
	if !t.it.Valid() {
		panic("state: Value on an invalid iterator")
	}
	return t.it.Value()
}

// Close releases the iterator and returns the error it met, if any.
func (t *Iterator) Close() error {
	err := errors.Join(t.it.Error(), t.it.Close())
	if err != nil && t.explain != nil {
		err = t.explain(err)
	}
	return err
}
