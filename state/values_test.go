package state

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
)

func TestValueCacheBudget(t *testing.T) {
	c := newValueCache(4 << 10) // entries above 256 bytes are not kept
	c.put([]byte("a"), []byte("1"))
	c.put([]byte("b"), nil)
	if v, ok := c.get([]byte("a")); !ok || string(v) != "1" {
		t.Fatalf("a = %q, %v", v, ok)
	}
	if v, ok := c.get([]byte("b")); !ok || v != nil {
		t.Fatalf("absent b = %q, %v", v, ok)
	}
	if _, ok := c.get([]byte("c")); ok {
		t.Fatal("c cached without a put")
	}
	c.put([]byte("a"), bytes.Repeat([]byte{1}, 300))
	if _, ok := c.get([]byte("a")); ok {
		t.Fatal("an oversized value is cached, or its stale predecessor kept")
	}
	for i := range 1000 {
		c.put(fmt.Appendf(nil, "key%04d", i), []byte("value"))
		if c.bytes > c.limit {
			t.Fatalf("after %d puts the cache holds %d bytes, limit %d", i+1, c.bytes, c.limit)
		}
	}
	sum := 0
	for k, v := range c.entries {
		sum += len(k) + len(v) + valueEntryOverhead
	}
	if sum != c.bytes {
		t.Fatalf("accounted %d bytes, entries hold %d", c.bytes, sum)
	}
	c.clear()
	if len(c.entries) != 0 || c.bytes != 0 {
		t.Fatal("clear left entries")
	}
}

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
