// Package typed reads and writes gogoproto values in a state.KVStore and
// builds the keys they live under. Every module of the chain stores its
// records the same way: a frozen one-byte prefix followed by fixed-length
// key parts, and the gogoproto binary encoding of the value. This package
// is that pattern written once.
//
// Get, Set and Each encode and decode values; Key, U64 and TimeKey build
// keys whose byte order is the order of their parts; Count, DeletePrefix
// and the iteration helpers work on every key under a prefix, in key order,
// and never hold an iterator open while writing.
//
// A module owns its store: only its own code writes there, through Set, so
// a stored value that does not decode is a broken internal invariant, not
// bad input. Get and Each panic in that case, and the panic message says
// so and names the key. Nothing a transaction, a packet or a genesis file
// can contain reaches those panics: values from outside are decoded by the
// modules themselves and the errors returned.
package typed
