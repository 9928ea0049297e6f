package unbonding

import (
	"bytes"
	"errors"
	"slices"
	"testing"
	"time"

	dbm "github.com/cosmos/cosmos-db"

	"github.com/abci-ics/ics/state"
)

// TestKeyPrefixesFrozen freezes the queue's part of the staking store.
func TestKeyPrefixesFrozen(t *testing.T) {
	got := []byte{KeyNextID, PrefixUndelByPair, PrefixEntryBySrc, PrefixRedelByDst, PrefixEntry, PrefixQueue}
	if want := []byte{0x02, 0x33, 0x35, 0x36, 0x38, 0x41}; !bytes.Equal(got, want) {
		t.Fatalf("unbonding key prefixes changed: %x", got)
	}
	if k := EntryKey(7); !bytes.Equal(k, []byte{0x38, 0, 0, 0, 0, 0, 0, 0, 7}) {
		t.Fatalf("entry key %x", k)
	}
	if k := QueueKey(0, 7); !bytes.Equal(k, []byte{0x41, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7}) {
		t.Fatalf("queue key %x", k)
	}
}

func newQueue(t *testing.T) (Queue, state.Store) {
	t.Helper()
	ms, err := state.Open(dbm.NewMemDB(), []string{"staking"}, state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return Queue{Store: "staking"}, ms.Working()
}

func addr(b byte) []byte { return bytes.Repeat([]byte{b}, 20) }

// TestHoldsAndMaturing follows one held and one free entry through the
// maturing scan.
func TestHoldsAndMaturing(t *testing.T) {
	q, s := newQueue(t)
	t0 := time.Unix(1_000, 0).UTC()
	held := UnbondingEntry{Kind: UNBONDING_KIND_UNDELEGATION, Delegator: addr(1), Validator: addr(2), CompletionTimeNs: t0.UnixNano(), Balance: 5}
	free := UnbondingEntry{Kind: UNBONDING_KIND_REDELEGATION, Delegator: addr(1), Validator: addr(2), DstValidator: addr(3), CompletionTimeNs: t0.Add(time.Second).UnixNano()}
	q.Add(s, &held)
	q.Add(s, &free)
	if held.Id != 1 || free.Id != 2 || q.NextID(s) != 3 {
		t.Fatalf("ids %d, %d, next %d", held.Id, free.Id, q.NextID(s))
	}
	if q.CountUndelegations(s, addr(1), addr(2)) != 1 || q.CountRedelegations(s, addr(1), addr(3), nil) != 1 ||
		q.CountRedelegations(s, addr(1), addr(3), addr(4)) != 0 || len(q.EntriesFrom(s, addr(2))) != 2 || len(q.EntriesOf(s, addr(1))) != 2 {
		t.Fatal("indexes do not find the entries")
	}
	if err := q.PutOnHold(s, held.Id, "consumer"); err != nil {
		t.Fatal(err)
	}
	if due := q.Mature(s, t0.Add(-time.Nanosecond)); len(due) != 0 {
		t.Fatalf("due early: %v", due)
	}
	due := q.Mature(s, t0.Add(time.Second))
	if len(due) != 1 || due[0].Id != free.Id {
		t.Fatalf("due %v, want only the free entry", due)
	}
	if _, ok := q.Entry(s, free.Id); ok || len(q.EntriesFrom(s, addr(2))) != 1 {
		t.Fatal("a due entry stayed stored")
	}
	if e, ok := q.Entry(s, held.Id); !ok || !e.Matured || !slices.Equal(e.Holders, []string{"consumer"}) {
		t.Fatalf("held entry %v", e)
	}
	if err := q.ReleaseHold(s, held.Id, "other"); !errors.Is(err, ErrInvalidHolder) {
		t.Fatalf("release by a non-holder: %v", err)
	}
	if err := q.ReleaseHold(s, held.Id, "consumer"); err != nil {
		t.Fatal(err)
	}
	if due := q.Mature(s, t0.Add(time.Second)); len(due) != 1 || due[0].Id != held.Id || due[0].Matured {
		t.Fatalf("released entry not due at once: %v", due)
	}
	if err := q.PutOnHold(s, held.Id, "consumer"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("hold on a completed entry: %v", err)
	}
	if len(q.Entries(s)) != 0 {
		t.Fatal("entries left")
	}
}

// TestImportRejects breaks one rule of a valid exported entry at a time.
func TestImportRejects(t *testing.T) {
	valid := func() UnbondingEntry {
		return UnbondingEntry{Id: 4, Kind: UNBONDING_KIND_UNDELEGATION, Delegator: addr(1), Validator: addr(2), Holders: []string{"c"}, Matured: true}
	}
	q, s := newQueue(t)
	if err := q.Import(s, []UnbondingEntry{valid()}, 2); err != nil || q.NextID(s) != 5 {
		t.Fatalf("valid import: %v, next %d", err, q.NextID(s))
	}
	for name, breakIt := range map[string]func(*UnbondingEntry){
		"id zero":                 func(e *UnbondingEntry) { e.Id = 0 },
		"short delegator":         func(e *UnbondingEntry) { e.Delegator = addr(1)[:19] },
		"unknown kind":            func(e *UnbondingEntry) { e.Kind = UNBONDING_KIND_UNSPECIFIED },
		"matured without holders": func(e *UnbondingEntry) { e.Holders = nil },
		"empty holder":            func(e *UnbondingEntry) { e.Holders = []string{""} },
	} {
		q, s := newQueue(t)
		e := valid()
		breakIt(&e)
		if err := q.Import(s, []UnbondingEntry{e}, 1); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	q, s = newQueue(t)
	if err := q.Import(s, []UnbondingEntry{valid(), valid()}, 1); err == nil {
		t.Error("duplicate id accepted")
	}
}
