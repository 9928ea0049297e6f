package valuecache

import (
	"bytes"
	"fmt"
	"testing"
)

func TestValueCacheBudget(t *testing.T) {
	c := New(4 << 10) // entries above 256 bytes are not kept
	c.Put([]byte("a"), []byte("1"))
	c.Put([]byte("b"), nil)
	if v, ok := c.Get([]byte("a")); !ok || string(v) != "1" {
		t.Fatalf("a = %q, %v", v, ok)
	}
	if v, ok := c.Get([]byte("b")); !ok || v != nil {
		t.Fatalf("absent b = %q, %v", v, ok)
	}
	if _, ok := c.Get([]byte("c")); ok {
		t.Fatal("c cached without a put")
	}
	c.Put([]byte("a"), bytes.Repeat([]byte{1}, 300))
	if _, ok := c.Get([]byte("a")); ok {
		t.Fatal("an oversized value is cached, or its stale predecessor kept")
	}
	for i := range 1000 {
		c.Put(fmt.Appendf(nil, "key%04d", i), []byte("value"))
		if c.bytes > c.limit {
			t.Fatalf("after %d puts the cache holds %d bytes, limit %d", i+1, c.bytes, c.limit)
		}
	}
	sum := 0
	for k, v := range c.entries {
		sum += len(k) + len(v) + entryOverhead
	}
	if sum != c.bytes {
		t.Fatalf("accounted %d bytes, entries hold %d", c.bytes, sum)
	}
	c.Clear()
	if len(c.entries) != 0 || c.bytes != 0 {
		t.Fatal("clear left entries")
	}
}
