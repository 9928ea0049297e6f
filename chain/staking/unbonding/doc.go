// Package unbonding is the staking chain's unbonding queue: the pending
// undelegations, redelegations and validator unbondings, the holds that
// other modules put on them, and the time-ordered queue that says which
// are due. It decides when an entry is due; what completing one means
// (paying out, unbonding a validator) is up to package staking, which
// creates the entries, slashes their balances and completes the ones
// Mature hands back.
//
// # Entries
//
// Every unbonding operation is an UnbondingEntry with a unique,
// increasing id (Add assigns it), its kind, its creation height, its
// completion time (the caller's now + UnbondingPeriod; for a redelegation
// from an unbonding validator, that validator's completion time), its
// initial and current balance and a sorted set of holders. Entries are
// indexed by delegator and validator pair (undelegations), by delegator,
// destination and source (redelegations) and by source validator (both),
// so that staking can bound and slash them without a scan.
//
// # Holds
//
// PutOnHold keeps an entry from completing until its holder releases it
// with ReleaseHold; an Interchain Security provider holds every entry
// that starts while its consumer chains have not yet matured the
// validator set change that goes with it. Holder names are 1 to
// MaxHolderLen bytes, kept sorted; holding twice is a no-op.
//
// # The maturing scan
//
// Mature reads only the due part of the queue (keys ordered by completion
// time, then id). A due entry with no holder is removed and handed back
// for completion. A due entry that is held leaves the queue and is marked
// matured; releasing its last hold puts it back in the queue, already
// due, so it completes at the caller's next scan. Remove cancels an entry
// (a validator that bonds again before its unbonding completes), holds
// included. An entry hence completes at the first scan at or after its
// completion time at which it has no holder.
//
// # State
//
// The queue lives in the store it is given (Queue.Store, the staking
// store) under frozen one-byte prefixes that package staking leaves to it
// (keys.go); values are the gogoproto messages of unbonding.proto, which
// belong to the proto package icsd.staking.v1 so that type names and
// encodings are those staking always had.
package unbonding
