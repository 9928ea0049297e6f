package overlay_test

import (
	"fmt"
	"math/rand"
	"testing"

	dbm "github.com/cosmos/cosmos-db"

	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/state/overlay"
)

func collect(it state.Iterator) []string {
	defer it.Close()
	var out []string
	for ; it.Valid(); it.Next() {
		out = append(out, string(it.Key())+"="+string(it.Value()))
	}
	return out
}

// TestLayerReadsAsTheWorkingState: random sets and deletes recorded over
// the working state, frozen over the View they were made on, read (Get,
// Has, iterators both ways over random bounds) exactly as the working
// state does; writing to the Layer panics.
func TestLayerReadsAsTheWorkingState(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	ms, err := state.Open(dbm.NewMemDB(), []string{"a", "b"}, state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ms.Close()
	key := func() []byte { return []byte(fmt.Sprintf("k%02d", rng.Intn(60))) }
	for i := 0; i < 40; i++ {
		ms.Working().KV("a").Set(key(), []byte(fmt.Sprint("v0-", i)))
	}
	ms.Working().KV("b").Set([]byte("only"), []byte("b"))
	if _, err := ms.Commit(); err != nil {
		t.Fatal(err)
	}
	view, err := ms.View(0)
	if err != nil {
		t.Fatal(err)
	}
	rec := overlay.Record(ms.Working())
	c := state.NewCache(view)
	for i := 0; i < 50; i++ {
		if rng.Intn(3) == 0 {
			c.KV("a").Delete(key())
		} else {
			c.KV("a").Set(key(), []byte(fmt.Sprint("v1-", i)))
		}
	}
	c.WriteTo(rec)
	for _, layer := range []*overlay.Layer{rec.Freeze(view), rec.Freeze(ms.Cached(view))} {
		w, l := ms.Working().KV("a"), layer.KV("a")
		for i := 0; i < 60; i++ {
			k := []byte(fmt.Sprintf("k%02d", i))
			if string(w.Get(k)) != string(l.Get(k)) || w.Has(k) != l.Has(k) {
				t.Fatalf("%s: working %q, layer %q", k, w.Get(k), l.Get(k))
			}
		}
		for i := 0; i < 100; i++ {
			var start, end []byte
			if rng.Intn(4) > 0 {
				start = key()
			}
			if rng.Intn(4) > 0 {
				end = key()
			}
			if fmt.Sprint(collect(w.Iterator(start, end))) != fmt.Sprint(collect(l.Iterator(start, end))) ||
				fmt.Sprint(collect(w.ReverseIterator(start, end))) != fmt.Sprint(collect(l.ReverseIterator(start, end))) {
				t.Fatalf("[%s, %s): working %v, layer %v", start, end, collect(w.Iterator(start, end)), collect(l.Iterator(start, end)))
			}
		}
		if got := string(layer.KV("b").Get([]byte("only"))); got != "b" {
			t.Fatalf("an unwritten store reads %q", got)
		}
		for _, kv := range []state.KVStore{l, layer.KV("b")} {
			func() {
				defer func() {
					if recover() == nil {
						t.Fatal("Set on a Layer did not panic")
					}
				}()
				kv.Set([]byte("x"), []byte("y"))
			}()
		}
	}
}
