package record

import (
	"bytes"
	"slices"
	"testing"

	dbm "github.com/cosmos/cosmos-db"
)

func TestUpgradeRoundTrip(t *testing.T) {
	db := dbm.NewMemDB()
	ups := []Upgrade{
		{Version: 3, Added: []string{"mint", "zeta"}, Removed: []string{"gov"}},
		{Version: 300, Added: []string{"é"}},
		{Version: 1 << 40, Removed: []string{"mint"}},
	}
	for _, u := range ups {
		if err := db.Set(u.Key(), u.Encode()); err != nil {
			t.Fatal(err)
		}
	}
	h, err := ReadHistory(db, []string{"auth", "gov"}, 1<<40)
	if err != nil {
		t.Fatal(err)
	}
	for i, u := range h.Upgrades {
		if u.Version != ups[i].Version || !slices.Equal(u.Added, ups[i].Added) || !slices.Equal(u.Removed, ups[i].Removed) {
			t.Fatalf("upgrade %d read back as %+v, want %+v", i, u, ups[i])
		}
	}
	for v, want := range map[int64][]string{
		2: {"auth", "gov"}, 3: {"auth", "mint", "zeta"}, 299: {"auth", "mint", "zeta"},
		300: {"auth", "mint", "zeta", "é"}, 1 << 41: {"auth", "zeta", "é"},
	} {
		if got := h.LiveAt(v); !slices.Equal(got, want) {
			t.Errorf("LiveAt(%d) = %v, want %v", v, got, want)
		}
	}
	if a, r, ok := h.Span("mint"); a != 3 || r != 1<<40 || !ok {
		t.Errorf("Span(mint) = %d, %d, %v", a, r, ok)
	}
	if _, _, ok := h.Span("nope"); ok {
		t.Error("Span of an unknown name is ok")
	}
	if _, err := ReadHistory(db, []string{"auth", "gov"}, 299); err == nil {
		t.Error("ReadHistory accepted an upgrade after the last commit")
	}
}

func FuzzDecodeUpgrade(f *testing.F) {
	f.Add(uint64(3), Upgrade{Added: []string{"a", "bb"}, Removed: []string{"c"}}.Encode())
	f.Add(uint64(1), []byte{0, 0})
	f.Add(uint64(1), []byte{1, 200})
	f.Fuzz(func(t *testing.T, version uint64, value []byte) {
		key := Upgrade{Version: int64(version)}.Key()
		u, err := DecodeUpgrade(key, value)
		if err != nil {
			return
		}
		if got := u.Encode(); !bytes.Equal(got, value) {
			t.Fatalf("decoded %+v re-encodes as %X, not %X", u, got, value)
		}
	})
}

func TestCommitRoundTrip(t *testing.T) {
	c := Commit{Version: 7, First: 2, Hash: bytes.Repeat([]byte{9}, 32)}
	got, err := DecodeCommit(c.Encode())
	if err != nil || got.Version != 7 || got.First != 2 || !bytes.Equal(got.Hash, c.Hash) {
		t.Fatalf("DecodeCommit = %+v, %v", got, err)
	}
	for _, b := range [][]byte{nil, c.Encode()[:47], Commit{Version: 1, First: 2, Hash: c.Hash}.Encode()} {
		if _, err := DecodeCommit(b); err == nil {
			t.Errorf("DecodeCommit(%X) succeeded", b)
		}
	}
}
