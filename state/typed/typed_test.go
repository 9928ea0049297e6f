package typed_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	dbm "github.com/cosmos/cosmos-db"

	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/state/typed"
	"github.com/abci-ics/ics/types/coin"
)

func store(t *testing.T) state.KVStore {
	t.Helper()
	ms, err := state.Open(dbm.NewMemDB(), []string{"s"}, state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ms.Close() })
	return ms.Working().KV("s")
}

func TestGetSet(t *testing.T) {
	st := store(t)
	k := typed.Key(0x01, []byte("a"))
	if _, ok := typed.Get[coin.Amount](st, k); ok {
		t.Fatal("absent key found")
	}
	typed.Set(st, k, &coin.Amount{Amount: 7})
	got, ok := typed.Get[coin.Amount](st, k)
	if !ok || got.Amount != 7 {
		t.Fatalf("got %v %v", got, ok)
	}
	// The stored bytes are the plain gogoproto encoding.
	want, _ := (&coin.Amount{Amount: 7}).Marshal()
	if !bytes.Equal(st.Get(k), want) {
		t.Fatalf("stored %x, want %x", st.Get(k), want)
	}
}

func TestPrefixHelpers(t *testing.T) {
	st := store(t)
	for i, n := range []uint64{3, 1, 2} {
		typed.Set(st, typed.Key(0x02, typed.U64(n)), &coin.Amount{Amount: uint64(i)})
	}
	typed.Set(st, typed.Key(0x03, typed.U64(0)), &coin.Amount{Amount: 9})
	var order []string
	typed.Each(st, []byte{0x02}, func(rest []byte, a coin.Amount) {
		order = append(order, fmt.Sprintf("%x=%d", rest, a.Amount))
	})
	want := "0000000000000001=1 0000000000000002=2 0000000000000003=0"
	if got := strings.Join(order, " "); got != want {
		t.Fatalf("Each: %s, want %s", got, want)
	}
	if all := typed.All[coin.Amount](st, []byte{0x02}); len(all) != 3 || all[0].Amount != 1 {
		t.Fatalf("All: %v", all)
	}
	if n := typed.Count(st, []byte{0x02}); n != 3 {
		t.Fatalf("Count %d", n)
	}
	keys := typed.Keys(st, []byte{0x02})
	if len(keys) != 3 || !bytes.Equal(keys[2], typed.U64(3)) {
		t.Fatalf("Keys %x", keys)
	}
	typed.DeletePrefix(st, []byte{0x02})
	if typed.Count(st, []byte{0x02}) != 0 || typed.Count(st, []byte{0x03}) != 1 {
		t.Fatal("DeletePrefix removed the wrong keys")
	}
}

func TestKeys(t *testing.T) {
	if k := typed.Key(0x41, []byte{0xaa, 0xbb}, typed.U64(258)); !bytes.Equal(k, []byte{0x41, 0xaa, 0xbb, 0, 0, 0, 0, 0, 0, 1, 2}) {
		t.Fatalf("Key %x", k)
	}
	if k := typed.TimeKey(0); !bytes.Equal(k, []byte{0x80, 0, 0, 0, 0, 0, 0, 0}) {
		t.Fatalf("TimeKey(0) %x", k)
	}
	ts := []int64{-1 << 62, -5, -1, 0, 1, 1 << 62}
	for i := 1; i < len(ts); i++ {
		if bytes.Compare(typed.TimeKey(ts[i-1]), typed.TimeKey(ts[i])) >= 0 {
			t.Fatalf("TimeKey(%d) >= TimeKey(%d)", ts[i-1], ts[i])
		}
	}
}

func TestCorruptValuePanics(t *testing.T) {
	st := store(t)
	k := typed.Key(0x05)
	st.Set(k, []byte{0xff})
	defer func() {
		r := recover()
		if r == nil || !strings.Contains(fmt.Sprint(r), "broken invariant") || !strings.Contains(fmt.Sprint(r), "05") {
			t.Fatalf("recovered %v", r)
		}
	}()
	typed.Get[coin.Amount](st, k)
}

func TestU64(t *testing.T) {
	st := store(t)
	if _, ok := typed.GetU64(st, []byte("n")); ok {
		t.Fatal("absent number found")
	}
	st.Set([]byte("n"), typed.U64(258))
	if v, ok := typed.GetU64(st, []byte("n")); !ok || v != 258 {
		t.Fatalf("got %d %v", v, ok)
	}
	st.Set([]byte("bad"), []byte{1})
	defer func() {
		if recover() == nil {
			t.Fatal("a 1-byte number did not panic")
		}
	}()
	typed.GetU64(st, []byte("bad"))
}
