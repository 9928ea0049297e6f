package typed

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/abci-ics/ics/state"
)

// Decoder is the pointer side of a gogoproto message type T: *T decodes
// itself from bytes.
type Decoder[T any] interface {
	*T
	Unmarshal([]byte) error
}

// Marshaler is a gogoproto message that encodes itself.
type Marshaler interface {
	Marshal() ([]byte, error)
}

// Get returns the value of type T stored under key and whether key is
// present. It panics, naming the key, when the stored bytes do not decode:
// a module only reads back what it wrote, so that is a broken invariant.
func Get[T any, PT Decoder[T]](st state.KVStore, key []byte) (T, bool) {
	bz := st.Get(key)
	if bz == nil {
		var zero T
		return zero, false
	}
	return Decode[T, PT](key, bz), true
}

// Decode decodes bz, read under key, as a T. It panics like Get when bz
// does not decode.
func Decode[T any, PT Decoder[T]](key, bz []byte) T {
	var v T
	if err := PT(&v).Unmarshal(bz); err != nil {
		panic(fmt.Sprintf("typed: broken invariant: stored %T under key %X does not decode: %v", v, key, err))
	}
	return v
}

// Set stores the encoding of m under key. A gogoproto message that fails
// to encode is a programming error, and Set panics naming the key.
func Set(st state.KVStore, key []byte, m Marshaler) {
	bz, err := m.Marshal()
	if err != nil {
		panic(fmt.Sprintf("typed: broken invariant: %T for key %X does not encode: %v", m, key, err))
	}
	st.Set(key, bz)
}

// Each calls fn, in key order, with every key under prefix (without the
// prefix) and its decoded value. fn should not write under prefix, since
// not every store's iterators are snapshots; collect with All or Keys
// first when it must. Each panics like Get on a value that does not decode.
func Each[T any, PT Decoder[T]](st state.KVStore, prefix []byte, fn func(rest []byte, v T)) {
	it := st.Iterator(prefix, state.PrefixEnd(prefix))
	defer it.Close()
	for ; it.Valid(); it.Next() {
		fn(it.Key()[len(prefix):], Decode[T, PT](it.Key(), it.Value()))
	}
}

// All returns the decoded values under prefix, in key order.
func All[T any, PT Decoder[T]](st state.KVStore, prefix []byte) []T {
	var out []T
	Each[T, PT](st, prefix, func(_ []byte, v T) { out = append(out, v) })
	return out
}

// Keys returns copies of the keys under prefix, with the prefix removed,
// in key order. It closes its iterator before returning, so the caller may
// write to st while walking the result.
func Keys(st state.KVStore, prefix []byte) [][]byte {
	it := st.Iterator(prefix, state.PrefixEnd(prefix))
	defer it.Close()
	var out [][]byte
	for ; it.Valid(); it.Next() {
		out = append(out, bytes.Clone(it.Key()[len(prefix):]))
	}
	return out
}

// Count returns the number of keys under prefix.
func Count(st state.KVStore, prefix []byte) int {
	it := st.Iterator(prefix, state.PrefixEnd(prefix))
	defer it.Close()
	n := 0
	for ; it.Valid(); it.Next() {
		n++
	}
	return n
}

// DeletePrefix deletes every key under prefix. It collects the keys first,
// so no iterator is open while it deletes.
func DeletePrefix(st state.KVStore, prefix []byte) {
	for _, rest := range Keys(st, prefix) {
		st.Delete(append(bytes.Clone(prefix), rest...))
	}
}

// Key returns prefix followed by parts, in one allocation. Parts should
// have a fixed length (addresses of address.Len bytes, U64, TimeKey), or
// be the last part, so that no two keys of a prefix share bytes ambiguously
// and byte order follows the order of the parts.
func Key(prefix byte, parts ...[]byte) []byte {
	n := 1
	for _, p := range parts {
		n += len(p)
	}
	k := make([]byte, 0, n)
	k = append(k, prefix)
	for _, p := range parts {
		k = append(k, p...)
	}
	return k
}

// U64 encodes v in 8 big-endian bytes, so that byte order is numeric order.
func U64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

// TimeKey encodes Unix nanoseconds in 8 bytes whose byte order is time
// order, negative times included (the sign bit is flipped).
func TimeKey(ns int64) []byte { return U64(uint64(ns) ^ 1<<63) }

// GetU64 returns the 8-byte big-endian number stored under key (U64) and
// whether key is present. A value of another length is a broken
// invariant: GetU64 panics naming the key.
func GetU64(st state.KVStore, key []byte) (uint64, bool) {
	bz := st.Get(key)
	if bz == nil {
		return 0, false
	}
	return DecodeU64(key, bz), true
}

// DecodeU64 decodes bz, read under key, as written by U64. It panics like
// GetU64 on a value of another length.
func DecodeU64(key, bz []byte) uint64 {
	if len(bz) != 8 {
		panic(fmt.Sprintf("state/typed: broken invariant: the number under %x has %d bytes, want 8", key, len(bz)))
	}
	return binary.BigEndian.Uint64(bz)
}
