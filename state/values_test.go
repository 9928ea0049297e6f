package state

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestValueCacheAgreesWithTree drives the working state of a multistore
// with a tiny value cache (so entries are dropped all the time) through
// random writes, reads, commits and discards, and checks every read
// against a model and against the same operations on a multistore
// without the cache.
func TestValueCacheAgreesWithTree(t *testing.T) {
	cached, _ := openMem(t, Options{ValueCacheBytes: 2 << 10})
	plain, _ := openMem(t, Options{ValueCacheBytes: -1})
	rng := rand.New(rand.NewPCG(3, 4))
	committed := map[string]string{}
	working := map[string]string{}
	key := func() []byte { return fmt.Appendf(nil, "k%03d", rng.IntN(300)) }
	for step := range 5000 {
		kvC, kvP := cached.Working().KV("bank"), plain.Working().KV("bank")
		switch op := rng.IntN(100); {
		case op < 35:
			k, v := key(), bytes.Repeat([]byte{byte(step)}, 1+rng.IntN(200))
			kvC.Set(k, v)
			kvP.Set(k, v)
			working[string(k)] = string(v)
		case op < 45:
			k := key()
			kvC.Delete(k)
			kvP.Delete(k)
			delete(working, string(k))
		case op < 95:
			k := key()
			want, ok := working[string(k)]
			got := kvC.Get(k)
			if (got != nil) != ok || string(got) != want || kvC.Has(k) != ok {
				t.Fatalf("step %d: Get(%s) = %q, want %q (present %v)", step, k, got, want, ok)
			}
			if !bytes.Equal(got, kvP.Get(k)) {
				t.Fatalf("step %d: Get(%s) differs from the uncached store", step, k)
			}
		case op < 98:
			mustCommit(t, cached)
			mustCommit(t, plain)
			committed = maps(working)
		default:
			cached.Discard()
			plain.Discard()
			working = maps(committed)
		}
	}
	if !bytes.Equal(cached.WorkingHash(), plain.WorkingHash()) {
		t.Fatal("the cached and uncached stores hash differently")
	}
}
