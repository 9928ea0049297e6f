package unbonding

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
	"time"

	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/state/typed"
	"github.com/abci-ics/ics/types/address"
)

// MaxHolderLen bounds the length of a holder name.
const MaxHolderLen = 128

// Queue keeps unbonding entries, their indexes and their completion queue
// in the store named Store. It holds no state of its own: every method
// takes the store it works on.
type Queue struct {
	Store string
}

func (q Queue) kv(s state.Store) state.KVStore { return s.KV(q.Store) }

// Entry returns the pending unbonding entry with the given id.
func (q Queue) Entry(s state.Store, id uint64) (UnbondingEntry, bool) {
	return typed.Get[UnbondingEntry](q.kv(s), EntryKey(id))
}

// Entries returns every pending unbonding entry, by id.
func (q Queue) Entries(s state.Store) []UnbondingEntry {
	return typed.All[UnbondingEntry](q.kv(s), []byte{PrefixEntry})
}

// EntriesOf returns delegator's pending undelegations and redelegations,
// by id.
func (q Queue) EntriesOf(s state.Store, delegator []byte) []UnbondingEntry {
	ids := q.indexIDs(s, typed.Key(PrefixUndelByPair, delegator))
	ids = append(ids, q.indexIDs(s, typed.Key(PrefixRedelByDst, delegator))...)
	slices.Sort(ids)
	return q.entries(s, ids)
}

// EntriesFrom returns the pending undelegations and redelegations that
// leave validator (the source of a redelegation), by id.
func (q Queue) EntriesFrom(s state.Store, validator []byte) []UnbondingEntry {
	return q.entries(s, q.indexIDs(s, typed.Key(PrefixEntryBySrc, validator)))
}

// CountUndelegations returns the number of delegator's pending
// undelegations from validator.
func (q Queue) CountUndelegations(s state.Store, delegator, validator []byte) int {
	return typed.Count(q.kv(s), typed.Key(PrefixUndelByPair, delegator, validator))
}

// CountRedelegations returns the number of delegator's pending
// redelegations into dst, only those from src when src is not nil.
func (q Queue) CountRedelegations(s state.Store, delegator, dst, src []byte) int {
	return typed.Count(q.kv(s), typed.Key(PrefixRedelByDst, delegator, dst, src))
}

// NextID returns the id the next entry will get.
func (q Queue) NextID(s state.Store) uint64 {
	seq, _ := typed.Get[Sequence](q.kv(s), []byte{KeyNextID})
	return max(seq.Next, 1)
}

// indexIDs returns the ids ending the index keys under prefix p.
func (q Queue) indexIDs(s state.Store, p []byte) []uint64 {
	var ids []uint64
	for _, k := range typed.Keys(q.kv(s), p) {
		ids = append(ids, binary.BigEndian.Uint64(k[len(k)-8:]))
	}
	return ids
}

func (q Queue) entries(s state.Store, ids []uint64) []UnbondingEntry {
	out := make([]UnbondingEntry, 0, len(ids))
	for _, id := range ids {
		out = append(out, q.mustEntry(s, id))
	}
	return out
}

func (q Queue) mustEntry(s state.Store, id uint64) UnbondingEntry {
	e, ok := q.Entry(s, id)
	if !ok {
		panic(fmt.Sprintf("unbonding: broken invariant: index holds missing unbonding entry %d", id))
	}
	return e
}

// Add gives e the next id and stores it with its indexes and its place in
// the queue. The caller sets every other field; the operation that
// started the entry reports e.Id to whoever may hold it.
func (q Queue) Add(s state.Store, e *UnbondingEntry) {
	e.Id = q.NextID(s)
	typed.Set(q.kv(s), []byte{KeyNextID}, &Sequence{Next: e.Id + 1})
	q.write(s, *e)
}

// SetBalance stores e after a slash changed its Balance. Its other fields
// must be those stored, since indexes and the queue key are not rewritten.
func (q Queue) SetBalance(s state.Store, e UnbondingEntry) {
	typed.Set(q.kv(s), EntryKey(e.Id), &e)
}

// Remove deletes e, its indexes and its queue key: it cancels an entry
// (a validator that bonds again before its unbonding completes), holds
// included.
func (q Queue) Remove(s state.Store, e UnbondingEntry) {
	st := q.kv(s)
	st.Delete(EntryKey(e.Id))
	st.Delete(QueueKey(e.CompletionTimeNs, e.Id))
	for _, ik := range indexKeys(e) {
		st.Delete(ik)
	}
}

// write stores e with its indexes and, unless matured, its queue key.
func (q Queue) write(s state.Store, e UnbondingEntry) {
	st := q.kv(s)
	typed.Set(st, EntryKey(e.Id), &e)
	for _, ik := range indexKeys(e) {
		st.Set(ik, marker)
	}
	if !e.Matured {
		st.Set(QueueKey(e.CompletionTimeNs, e.Id), marker)
	}
}

func checkHolder(holder string) error {
	if holder == "" || len(holder) > MaxHolderLen {
		return fmt.Errorf("%w: %q must be 1 to %d bytes", ErrInvalidHolder, holder, MaxHolderLen)
	}
	return nil
}

// PutOnHold keeps entry id from completing until holder releases it. It
// returns ErrNotFound for an entry that completed or never existed,
// ErrInvalidHolder for an empty or too long name; holding twice is a no-op.
func (q Queue) PutOnHold(s state.Store, id uint64, holder string) error {
	if err := checkHolder(holder); err != nil {
		return err
	}
	e, ok := q.Entry(s, id)
	if !ok {
		return fmt.Errorf("%w: %d", ErrNotFound, id)
	}
	i, found := slices.BinarySearch(e.Holders, holder)
	if found {
		return nil
	}
	e.Holders = slices.Insert(e.Holders, i, holder)
	typed.Set(q.kv(s), EntryKey(id), &e)
	return nil
}

// ReleaseHold removes holder's hold on entry id. An entry that matured
// while held is due again, at once, when its last hold is released. It
// returns ErrNotFound for an unknown entry (a cancelled entry is gone too)
// and ErrInvalidHolder when holder holds nothing.
func (q Queue) ReleaseHold(s state.Store, id uint64, holder string) error {
	e, ok := q.Entry(s, id)
	if !ok {
		return fmt.Errorf("%w: %d", ErrNotFound, id)
	}
	i, found := slices.BinarySearch(e.Holders, holder)
	if !found {
		return fmt.Errorf("%w: %q does not hold unbonding %d", ErrInvalidHolder, holder, id)
	}
	e.Holders = slices.Delete(e.Holders, i, i+1)
	if len(e.Holders) == 0 && e.Matured {
		e.Matured = false // back in the queue, already due
	}
	q.write(s, e)
	return nil
}

// Mature takes every entry due at now out of the queue. A held one stays
// stored, marked matured, until its last hold is released; the others are
// removed and returned, in queue order, for the caller to complete.
func (q Queue) Mature(s state.Store, now time.Time) []UnbondingEntry {
	st := q.kv(s)
	end := state.PrefixEnd(typed.Key(PrefixQueue, typed.TimeKey(now.UnixNano())))
	it := st.Iterator([]byte{PrefixQueue}, end)
	var due [][]byte
	for ; it.Valid(); it.Next() {
		due = append(due, bytes.Clone(it.Key()))
	}
	it.Close()
	var out []UnbondingEntry
	for _, qk := range due {
		st.Delete(qk)
		e := q.mustEntry(s, binary.BigEndian.Uint64(qk[len(qk)-8:]))
		if len(e.Holders) > 0 {
			e.Matured = true
			typed.Set(st, EntryKey(e.Id), &e)
			continue
		}
		q.Remove(s, e)
		out = append(out, e)
	}
	return out
}

// Import stores exported entries and sets the next id to the larger of
// next and one past the largest id. The caller has checked that the
// validators they name exist. An entry with id 0, a duplicate id, a
// delegator that is not an address (undelegations and redelegations), an
// unknown kind, an invalid holder or a matured entry without holders is
// refused; s is then partly written, and the caller discards it.
func (q Queue) Import(s state.Store, entries []UnbondingEntry, next uint64) error {
	next = max(next, 1)
	for i, e := range entries {
		ok := e.Id > 0 && (e.Kind == UNBONDING_KIND_VALIDATOR ||
			(e.Kind == UNBONDING_KIND_UNDELEGATION || e.Kind == UNBONDING_KIND_REDELEGATION) && len(e.Delegator) == address.Len)
		if _, dup := q.Entry(s, e.Id); !ok || dup || e.Matured && len(e.Holders) == 0 {
			return fmt.Errorf("unbonding entry %d is malformed", i)
		}
		for _, h := range e.Holders {
			if checkHolder(h) != nil {
				return fmt.Errorf("unbonding entry %d: %w", i, ErrInvalidHolder)
			}
		}
		q.write(s, e)
		next = max(next, e.Id+1)
	}
	typed.Set(q.kv(s), []byte{KeyNextID}, &Sequence{Next: next})
	return nil
}
