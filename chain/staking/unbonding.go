package staking

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
	"strconv"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/state/typed"
)

// MaxHolderLen bounds the length of a holder name.
const MaxHolderLen = 128

// CompletionTime returns the time at which the entry matures.
func (e UnbondingEntry) CompletionTime() time.Time { return time.Unix(0, e.CompletionTimeNs).UTC() }

// UnbondingEntry returns the pending unbonding entry with the given id.
func (Keeper) UnbondingEntry(s state.Store, id uint64) (UnbondingEntry, bool) {
	return typed.Get[UnbondingEntry](kv(s), UnbondingKey(id))
}

// UnbondingEntries returns every pending unbonding entry, by id.
func (Keeper) UnbondingEntries(s state.Store) []UnbondingEntry {
	return typed.All[UnbondingEntry](kv(s), []byte{prefixUnbonding})
}

// UnbondingEntriesOf returns delegator's pending undelegations and
// redelegations, by id.
func (k Keeper) UnbondingEntriesOf(s state.Store, delegator []byte) []UnbondingEntry {
	ids := k.indexIDs(s, typed.Key(prefixUndelByPair, delegator))
	ids = append(ids, k.indexIDs(s, typed.Key(prefixRedelByDst, delegator))...)
	slices.Sort(ids)
	out := make([]UnbondingEntry, 0, len(ids))
	for _, id := range ids {
		out = append(out, k.mustEntry(s, id))
	}
	return out
}

// indexIDs returns the ids ending the index keys under prefix p.
func (Keeper) indexIDs(s state.Store, p []byte) []uint64 {
	var ids []uint64
	for _, k := range typed.Keys(kv(s), p) {
		ids = append(ids, binary.BigEndian.Uint64(k[len(k)-8:]))
	}
	return ids
}

func (k Keeper) mustEntry(s state.Store, id uint64) UnbondingEntry {
	e, ok := k.UnbondingEntry(s, id)
	if !ok {
		panic(fmt.Sprintf("staking: broken invariant: index holds missing unbonding entry %d", id))
	}
	return e
}

// entryIndexKeys returns the secondary index keys of e (not the queue).
func entryIndexKeys(e UnbondingEntry) [][]byte {
	id := typed.U64(e.Id)
	switch e.Kind {
	case UNBONDING_KIND_UNDELEGATION:
		return [][]byte{typed.Key(prefixUndelByPair, e.Delegator, e.Validator, id), typed.Key(prefixEntryBySrc, e.Validator, id)}
	case UNBONDING_KIND_REDELEGATION:
		return [][]byte{typed.Key(prefixRedelByDst, e.Delegator, e.DstValidator, e.Validator, id), typed.Key(prefixEntryBySrc, e.Validator, id)}
	}
	return nil
}

// newEntry gives e the next unbonding id and stores it with its indexes and
// its place in the queue. The operation returns e.Id in its Result.
func (k Keeper) newEntry(s state.Store, e *UnbondingEntry) {
	st := kv(s)
	seq, _ := typed.Get[Sequence](st, []byte{keyNextUnbondingID})
	e.Id = max(seq.Next, 1)
	typed.Set(st, []byte{keyNextUnbondingID}, &Sequence{Next: e.Id + 1})
	k.writeEntry(s, *e)
}

// writeEntry stores e with its indexes and, unless matured, its queue key.
func (Keeper) writeEntry(s state.Store, e UnbondingEntry) {
	st := kv(s)
	typed.Set(st, UnbondingKey(e.Id), &e)
	for _, ik := range entryIndexKeys(e) {
		st.Set(ik, marker)
	}
	if !e.Matured {
		st.Set(QueueKey(e.CompletionTimeNs, e.Id), marker)
	}
}

// deleteEntry removes e, its indexes and its queue key.
func (Keeper) deleteEntry(s state.Store, e UnbondingEntry) {
	st := kv(s)
	st.Delete(UnbondingKey(e.Id))
	st.Delete(QueueKey(e.CompletionTimeNs, e.Id))
	for _, ik := range entryIndexKeys(e) {
		st.Delete(ik)
	}
}

func checkHolder(holder string) error {
	if holder == "" || len(holder) > MaxHolderLen {
		return fmt.Errorf("%w: %q must be 1 to %d bytes", ErrInvalidHolder, holder, MaxHolderLen)
	}
	return nil
}

// PutOnHold keeps entry id from completing until holder releases it. It
// returns ErrUnbondingNotFound for an entry that completed or never existed,
// ErrInvalidHolder for an empty or too long name; holding twice is a no-op.
func (k Keeper) PutOnHold(s state.Store, id uint64, holder string) error {
	if err := checkHolder(holder); err != nil {
		return err
	}
	e, ok := k.UnbondingEntry(s, id)
	if !ok {
		return fmt.Errorf("%w: %d", ErrUnbondingNotFound, id)
	}
	i, found := slices.BinarySearch(e.Holders, holder)
	if found {
		return nil
	}
	e.Holders = slices.Insert(e.Holders, i, holder)
	typed.Set(kv(s), UnbondingKey(id), &e)
	return nil
}

// ReleaseHold removes holder's hold on entry id. An entry that matured
// while held completes at the next EndBlock once its last hold is
// released. It returns ErrUnbondingNotFound for an unknown entry (an entry
// cancelled because its validator bonded again is gone too) and
// ErrInvalidHolder when holder holds nothing.
func (k Keeper) ReleaseHold(s state.Store, id uint64, holder string) error {
	e, ok := k.UnbondingEntry(s, id)
	if !ok {
		return fmt.Errorf("%w: %d", ErrUnbondingNotFound, id)
	}
	i, found := slices.BinarySearch(e.Holders, holder)
	if !found {
		return fmt.Errorf("%w: %q does not hold unbonding %d", ErrInvalidHolder, holder, id)
	}
	e.Holders = slices.Delete(e.Holders, i, i+1)
	if len(e.Holders) == 0 && e.Matured {
		e.Matured = false // back in the queue, already due
	}
	k.writeEntry(s, e)
	return nil
}

// completeMature completes every entry due at now that nobody holds, and
// takes held ones out of the queue until their last hold is released.
func (k Keeper) completeMature(s state.Store, p Params, now time.Time) ([]abci.Event, error) {
	st := kv(s)
	end := state.PrefixEnd(typed.Key(prefixQueue, typed.TimeKey(nanos(now))))
	it := st.Iterator([]byte{prefixQueue}, end)
	var due [][]byte
	for ; it.Valid(); it.Next() {
		due = append(due, bytes.Clone(it.Key()))
	}
	it.Close()
	var events []abci.Event
	for _, qk := range due {
		st.Delete(qk)
		e := k.mustEntry(s, binary.BigEndian.Uint64(qk[len(qk)-8:]))
		if len(e.Holders) > 0 {
			e.Matured = true
			typed.Set(st, UnbondingKey(e.Id), &e)
			continue
		}
		ev, err := k.completeEntry(s, p, e)
		if err != nil {
			return nil, fmt.Errorf("complete unbonding %d: %w", e.Id, err)
		}
		events = append(events, ev...)
	}
	return events, nil
}

// completeEntry finishes an unbonding operation: an undelegation pays its
// balance back to the delegator, a validator becomes unbonded.
func (k Keeper) completeEntry(s state.Store, p Params, e UnbondingEntry) ([]abci.Event, error) {
	k.deleteEntry(s, e)
	id := strconv.FormatUint(e.Id, 10)
	switch e.Kind {
	case UNBONDING_KIND_UNDELEGATION:
		if err := k.moveTokens(s, p, notBondedPool, e.Delegator, e.Balance); err != nil {
			return nil, err
		}
		return []abci.Event{event("complete_unbonding",
			"validator", k.bech(e.Validator), "delegator", k.bech(e.Delegator),
			"amount", k.coin(p, e.Balance), "unbonding_id", id)}, nil
	case UNBONDING_KIND_REDELEGATION:
		return []abci.Event{event("complete_redelegation",
			"source_validator", k.bech(e.Validator), "destination_validator", k.bech(e.DstValidator),
			"delegator", k.bech(e.Delegator), "amount", k.coin(p, e.Balance), "unbonding_id", id)}, nil
	case UNBONDING_KIND_VALIDATOR:
		v, ok := k.Validator(s, e.Validator)
		if ok && v.Status == BOND_STATUS_UNBONDING && v.UnbondingId == e.Id {
			v.Status = BOND_STATUS_UNBONDED
			k.setValidator(s, p, v)
		}
		return nil, nil
	}
	panic(fmt.Sprintf("staking: unbonding entry %d has unknown kind %d", e.Id, e.Kind))
}
