package state

import (
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
)

func TestCacheReadsAndIterators(t *testing.T) {
	parent := newMemStore("a")
	p := parent.KV("a")
	for _, key := range []string{"b", "d", "f", "h"} {
		p.Set([]byte(key), []byte("p"+key))
	}
	c := NewCache(parent)
	kv := c.KV("a")
	kv.Set([]byte("c"), []byte("cc"))  // new key between parent keys
	kv.Set([]byte("d"), []byte("cd"))  // overrides parent
	kv.Delete([]byte("f"))             // deletes parent key
	kv.Delete([]byte("x"))             // deletes absent key
	kv.Set([]byte("i"), []byte("ci"))  // after all parent keys
	kv.Delete([]byte("h"))             // delete then set again
	kv.Set([]byte("h"), []byte("ch"))  //
	kv.Set([]byte("a0"), []byte{})     // empty value is present
	kv.Set([]byte("tmp"), []byte("t")) // set then delete
	kv.Delete([]byte("tmp"))           //

	gets := []struct {
		key  string
		want []byte
		has  bool
	}{
		{"a0", []byte{}, true},
		{"b", []byte("pb"), true},
		{"c", []byte("cc"), true},
		{"d", []byte("cd"), true},
		{"f", nil, false},
		{"h", []byte("ch"), true},
		{"i", []byte("ci"), true},
		{"tmp", nil, false},
		{"x", nil, false},
		{"", nil, false},
	}
	for _, g := range gets {
		got := kv.Get([]byte(g.key))
		if string(got) != string(g.want) || (got == nil) != (g.want == nil) || kv.Has([]byte(g.key)) != g.has {
			t.Errorf("Get(%q) = %q (has %v), want %q (has %v)", g.key, got, kv.Has([]byte(g.key)), g.want, g.has)
		}
	}
	// The parent is untouched until Write.
	if string(p.Get([]byte("d"))) != "pd" || p.Has([]byte("c")) {
		t.Fatal("parent modified before Write")
	}

	all := []string{"a0=", "b=pb", "c=cc", "d=cd", "h=ch", "i=ci"}
	iters := []struct {
		name       string
		start, end string
		reverse    bool
		want       []string
	}{
		{"all", "", "", false, all},
		{"all reverse", "", "", true, reverse(all)},
		{"range", "b", "h", false, []string{"b=pb", "c=cc", "d=cd"}},
		{"range reverse", "b", "h", true, []string{"d=cd", "c=cc", "b=pb"}},
		{"range over delete", "e", "g", false, nil},
		{"start only", "d", "", false, []string{"d=cd", "h=ch", "i=ci"}},
		{"end only reverse", "", "c", true, []string{"b=pb", "a0="}},
		{"end exclusive", "c", "d", false, []string{"c=cc"}},
		{"empty range", "h", "h", false, nil},
		{"inverted range", "z", "a", true, nil},
	}
	for _, tc := range iters {
		var it Iterator
		if tc.reverse {
			it = kv.ReverseIterator(bs(tc.start), bs(tc.end))
		} else {
			it = kv.Iterator(bs(tc.start), bs(tc.end))
		}
		if got := collect(t, it); !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}

	c.Write()
	if got := collect(t, p.Iterator(nil, nil)); !slices.Equal(got, all) {
		t.Fatalf("parent after Write: %v, want %v", got, all)
	}
	// The buffer is empty after Write and the KVStore keeps working.
	if got := collect(t, kv.Iterator(nil, nil)); !slices.Equal(got, all) {
		t.Fatalf("cache after Write: %v", got)
	}
	kv.Set([]byte("z"), []byte("z"))
	if p.Has([]byte("z")) {
		t.Fatal("write after Write leaked to parent")
	}
}

func bs(s string) []byte {
	if s == "" {
		return nil
	}
	return []byte(s)
}

func reverse(s []string) []string {
	out := slices.Clone(s)
	slices.Reverse(out)
	return out
}

func TestCacheWriteOrder(t *testing.T) {
	parent := newMemStore("a", "b", "c")
	c := NewCache(parent)
	// Writes in scrambled order across stores, including a delete and an
	// overwrite.
	c.KV("c").Set([]byte("2"), []byte("x"))
	c.KV("a").Set([]byte("9"), []byte("x"))
	c.KV("c").Set([]byte("1"), []byte("x"))
	c.KV("a").Delete([]byte("5"))
	c.KV("a").Set([]byte("1"), []byte("x"))
	c.KV("c").Set([]byte("2"), []byte("y"))
	_ = c.KV("b") // touched but empty: no writes
	c.Write()
	want := []string{"a/set/1", "a/del/5", "a/set/9", "c/set/1", "c/set/2"}
	if !slices.Equal(parent.log, want) {
		t.Fatalf("write order %v, want %v", parent.log, want)
	}
	if string(parent.KV("c").Get([]byte("2"))) != "y" {
		t.Fatal("last write did not win")
	}
}

func TestCacheNested(t *testing.T) {
	parent := newMemStore("a")
	parent.KV("a").Set([]byte("k1"), []byte("p1"))
	parent.KV("a").Set([]byte("k2"), []byte("p2"))
	outer := NewCache(parent)
	outer.KV("a").Delete([]byte("k1"))
	outer.KV("a").Set([]byte("k3"), []byte("o3"))
	inner := NewCache(outer)
	in := inner.KV("a")
	if in.Has([]byte("k1")) || string(in.Get([]byte("k3"))) != "o3" {
		t.Fatal("inner does not see outer writes")
	}
	in.Set([]byte("k1"), []byte("i1")) // re-create a key deleted by outer
	in.Delete([]byte("k2"))
	if got := collect(t, in.Iterator(nil, nil)); !slices.Equal(got, []string{"k1=i1", "k3=o3"}) {
		t.Fatalf("inner iterator: %v", got)
	}
	if got := collect(t, outer.KV("a").ReverseIterator(nil, nil)); !slices.Equal(got, []string{"k3=o3", "k2=p2"}) {
		t.Fatalf("outer iterator before inner Write: %v", got)
	}
	inner.Write()
	if got := collect(t, outer.KV("a").Iterator(nil, nil)); !slices.Equal(got, []string{"k1=i1", "k3=o3"}) {
		t.Fatalf("outer iterator after inner Write: %v", got)
	}
	if len(parent.log) != 2 {
		t.Fatalf("parent written before outer Write: %v", parent.log)
	}
	outer.Write()
	if got := collect(t, parent.KV("a").Iterator(nil, nil)); !slices.Equal(got, []string{"k1=i1", "k3=o3"}) {
		t.Fatalf("parent after outer Write: %v", got)
	}
}

func TestCacheIterateWhileWriting(t *testing.T) {
	parent := newMemStore("a")
	for i := range 10 {
		parent.KV("a").Set(k("p%d", i), []byte("v"))
	}
	c := NewCache(parent)
	kv := c.KV("a")
	for i := range 10 {
		kv.Set(k("c%d", i), []byte("v"))
	}
	// Delete every visited key and add new keys while iterating: every
	// original key is visited exactly once.
	var seen []string
	it := kv.Iterator(nil, nil)
	for ; it.Valid(); it.Next() {
		seen = append(seen, string(it.Key()))
		kv.Delete(it.Key())
		kv.Set(append(it.Key(), 'x'), []byte("new"))
	}
	_ = it.Close()
	if len(seen) != 20 {
		t.Fatalf("visited %d keys: %v", len(seen), seen)
	}
	if got := collect(t, kv.Iterator(nil, nil)); len(got) != 20 || got[0] != "c0x=new" {
		t.Fatalf("after: %v", got)
	}

	it = kv.Iterator(nil, nil)
	c.Write()
	mustPanic(t, "Next after Write", func() { it.Next() })
	_ = it.Close()
}

func TestCacheUnknownStorePanics(t *testing.T) {
	c := NewCache(newMemStore("a"))
	mustPanic(t, "unknown store", func() { c.KV("b") })
	kv := c.KV("a")
	mustPanic(t, "nil key", func() { kv.Set(nil, []byte("v")) })
	mustPanic(t, "empty key", func() { kv.Set([]byte{}, []byte("v")) })
	mustPanic(t, "nil value", func() { kv.Set([]byte("k"), nil) })
	mustPanic(t, "delete empty key", func() { kv.Delete(nil) })
	it := kv.Iterator(nil, nil)
	mustPanic(t, "Key on invalid iterator", func() { it.Key() })
	mustPanic(t, "Next on invalid iterator", func() { it.Next() })
}

// TestCacheRandomized compares two nested caches over a parent against a
// plain map model, for random operations and random iterator ranges.
func TestCacheRandomized(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	key := func() []byte { return k("%02d", rng.IntN(40)) }
	for round := range 30 {
		parent := newMemStore("a")
		model := map[string]string{}
		set := func(s KVStore, m map[string]string, key []byte) {
			if rng.IntN(3) == 0 {
				s.Delete(key)
				delete(m, string(key))
			} else {
				v := k("v%d", rng.IntN(1000))
				s.Set(key, v)
				m[string(key)] = string(v)
			}
		}
		for range 20 {
			set(parent.KV("a"), model, key())
		}
		outer := NewCache(parent)
		outerModel := maps(model)
		for range 20 {
			set(outer.KV("a"), outerModel, key())
		}
		inner := NewCache(outer)
		innerModel := maps(outerModel)
		for range 20 {
			set(inner.KV("a"), innerModel, key())
		}
		check := func(s KVStore, m map[string]string) {
			t.Helper()
			for range 10 {
				a, b := key(), key()
				if rng.IntN(4) == 0 {
					a = nil
				}
				if rng.IntN(4) == 0 {
					b = nil
				}
				var want []string
				for kk, v := range m {
					if (a == nil || kk >= string(a)) && (b == nil || kk < string(b)) {
						want = append(want, kk+"="+v)
					}
				}
				sort.Strings(want)
				if got := collect(t, s.Iterator(a, b)); !slices.Equal(got, want) {
					t.Fatalf("round %d: Iterator(%s,%s) = %v, want %v", round, a, b, got, want)
				}
				if got := collect(t, s.ReverseIterator(a, b)); !slices.Equal(got, reverse(want)) {
					t.Fatalf("round %d: ReverseIterator(%s,%s) = %v, want %v", round, a, b, got, reverse(want))
				}
				kk := key()
				if got, ok := m[string(kk)]; string(s.Get(kk)) != got || s.Has(kk) != ok {
					t.Fatalf("round %d: Get(%s) = %q, want %q", round, kk, s.Get(kk), got)
				}
			}
		}
		check(inner.KV("a"), innerModel)
		check(outer.KV("a"), outerModel)
		inner.Write()
		check(outer.KV("a"), innerModel)
		outer.Write()
		check(parent.KV("a"), innerModel)
	}
}

func maps(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func TestCacheSetGetNoAllocs(t *testing.T) {
	c := NewCache(newMemStore("a"))
	kv := c.KV("a")
	key, val := []byte("some-key"), []byte("value")
	kv.Set(key, val)
	allocs := testing.AllocsPerRun(100, func() {
		kv.Set(key, val)
		_ = kv.Get(key)
		_ = c.KV("a")
	})
	if allocs != 0 {
		t.Fatalf("Set+Get of an existing key allocates %v times", allocs)
	}
}
