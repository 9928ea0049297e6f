package liveness

import (
	"fmt"
	"testing"

	dbm "github.com/cosmos/cosmos-db"

	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/types/fraction"
)

func TestWindowCountsTheLastBlocks(t *testing.T) {
	ms, err := state.Open(dbm.NewMemDB(), []string{"s"}, state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st := ms.Working().KV("s")
	var offset, missedBlocks int64
	w := Window{Slot: func(i int64) []byte { return []byte(fmt.Sprintf("m/%d", i)) }, IndexOffset: &offset, MissedBlocks: &missedBlocks}
	votes := []bool{true, true, false, true, false, false, true, false}
	const size = 3
	for i, missed := range votes {
		w.Record(st, size, missed)
		want := int64(0)
		for j := max(0, i-size+1); j <= i; j++ {
			if votes[j] {
				want++
			}
		}
		if missedBlocks != want {
			t.Fatalf("after vote %d: %d missed, want %d", i, missedBlocks, want)
		}
		if w.Full(size) != (i+1 >= size) {
			t.Fatalf("after vote %d: full %v", i, w.Full(size))
		}
	}
}

func TestTooManyMissed(t *testing.T) {
	for _, c := range []struct {
		missed, window int64
		min            fraction.Fraction
		want           bool
	}{
		{5, 10, fraction.New(1, 2), false},
		{6, 10, fraction.New(1, 2), true},
		{0, 10, fraction.New(1, 1), false},
		{1, 10, fraction.New(1, 1), true},
		{10, 10, fraction.New(0, 1), false},
		{1_000_000, 1_000_000, fraction.New(1, 1<<62), true},
	} {
		if got := TooManyMissed(c.missed, c.window, c.min); got != c.want {
			t.Errorf("TooManyMissed(%d, %d, %s) = %v", c.missed, c.window, c.min, got)
		}
	}
}
