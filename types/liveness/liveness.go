// Package liveness keeps sliding windows of missed blocks, the record both
// a chain's own downtime handling (chain/slashing) and a consumer's
// downtime reports (consumer) are made of. A window of n blocks is a ring
// of n slots; slot i is a key of its own (present: the block was missed),
// so recording a vote writes at most one key, and the count of missed
// blocks is kept beside the ring by the caller.
package liveness

import (
	"math/bits"

	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/types/fraction"
)

// marker is the value of a missed slot: not empty, so that it can be
// proven.
var marker = []byte{1}

// Window is one validator's window as its owner stores it: slot keys built
// by Slot, and the two counters of its signing record.
type Window struct {
	// Slot returns the key of slot i.
	Slot func(i int64) []byte
	// IndexOffset counts the votes recorded since the window (re)started;
	// MissedBlocks counts the missed slots.
	IndexOffset  *int64
	MissedBlocks *int64
}

// Record records one vote (missed or signed) in the next slot of a window
// of size blocks, overwriting the vote recorded size votes ago.
func (w Window) Record(st state.KVStore, size int64, missed bool) {
	key := w.Slot(*w.IndexOffset % size)
	*w.IndexOffset++
	was := st.Has(key)
	switch {
	case missed && !was:
		st.Set(key, marker)
		*w.MissedBlocks++
	case !missed && was:
		st.Delete(key)
		*w.MissedBlocks--
	}
}

// Full reports whether the window has seen at least size votes.
func (w Window) Full(size int64) bool { return *w.IndexOffset >= size }

// TooManyMissed reports whether missed > size * (1 - minSigned), exactly.
func TooManyMissed(missed, size int64, minSigned fraction.Fraction) bool {
	ahi, alo := bits.Mul64(uint64(missed), minSigned.Denominator)
	bhi, blo := bits.Mul64(uint64(size), minSigned.Denominator-minSigned.Numerator)
	return ahi > bhi || ahi == bhi && alo > blo
}
