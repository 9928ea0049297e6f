package snapshots

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"

	abcitypes "github.com/cometbft/cometbft/abci/types"
)

// fakeExport writes data, or fails after writing half of it.
type fakeExport struct {
	data     []byte
	fail     bool
	released int
}

func (e *fakeExport) Write(w io.Writer) error {
	if e.fail {
		_, _ = w.Write(e.data[:len(e.data)/2])
		return errors.New("read failed")
	}
	_, err := w.Write(e.data)
	return err
}

func (e *fakeExport) Release() { e.released++ }

func open(t *testing.T, dir string, opts Options) *Store {
	t.Helper()
	s, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func TestOpenValidates(t *testing.T) {
	for _, o := range []Options{{Interval: -1, KeepRecent: 1}, {Interval: 10}, {KeepRecent: -1}, {ChunkSize: -1}} {
		if _, err := Open(t.TempDir(), o); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
}

func TestTakeListLoad(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, Options{Interval: 10, KeepRecent: 2, ChunkSize: 100})
	if s.Due(5) || !s.Due(10) || s.Due(0) {
		t.Fatal("Due")
	}
	data := bytes.Repeat([]byte("0123456789abcdefghij"), 26) // 520 bytes: 6 chunks
	for _, h := range []int64{10, 20, 30} {
		e := &fakeExport{data: append([]byte{byte(h)}, data...)}
		s.Take(h, e)
		s.Wait()
		if e.released != 1 {
			t.Fatalf("export of %d released %d times", h, e.released)
		}
	}
	// A failed export leaves nothing that looks like a snapshot.
	e := &fakeExport{data: data, fail: true}
	s.Take(40, e)
	s.Wait()
	if e.released != 1 {
		t.Fatal("failed export not released")
	}
	list, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	var hs []uint64
	for _, sn := range list {
		hs = append(hs, sn.Height)
	}
	if !slices.Equal(hs, []uint64{30, 20}) {
		t.Fatalf("snapshots %v, want [30 20]", hs)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Fatalf("directory holds %d entries", len(entries))
	}
	sn := list[0]
	if sn.Chunks != 6 || sn.Format != Format {
		t.Fatalf("snapshot %+v", sn)
	}
	var got []byte
	for i := range sn.Chunks {
		c, err := s.LoadChunk(sn.Height, sn.Format, i)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(c)
		if !bytes.Equal(sum[:], sn.Metadata[32*i:32*i+32]) {
			t.Fatalf("chunk %d does not match its hash", i)
		}
		got = append(got, c...)
	}
	if !bytes.Equal(got, append([]byte{30}, data...)) {
		t.Fatal("chunks do not make the stream")
	}
	for _, c := range []struct {
		h      uint64
		f, idx uint32
	}{{30, 2, 0}, {30, 1, 6}, {40, 1, 0}, {0, 1, 0}} {
		if b, err := s.LoadChunk(c.h, c.f, c.idx); b != nil || err != nil {
			t.Errorf("chunk %+v: %d bytes, %v", c, len(b), err)
		}
	}

	// A restore receives the chunks, refusing a corrupt one.
	r, err := s.Restore(sn)
	if err != nil {
		t.Fatal(err)
	}
	for i := range sn.Chunks {
		c, _ := s.LoadChunk(sn.Height, sn.Format, i)
		if i == 2 {
			if _, err := r.Apply(i, append(bytes.Clone(c), 0)); !errors.Is(err, ErrChunkHash) {
				t.Fatalf("corrupt chunk: %v", err)
			}
		}
		last, err := r.Apply(i, c)
		if err != nil || last != (i == sn.Chunks-1) {
			t.Fatalf("chunk %d: last %v, %v", i, last, err)
		}
	}
	rc, err := r.Open()
	if err != nil {
		t.Fatal(err)
	}
	stream, err := io.ReadAll(rc)
	if err != nil || !bytes.Equal(stream, append([]byte{30}, data...)) {
		t.Fatalf("restored stream: %v", err)
	}
	rc.Close()
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "restore.tmp")); !os.IsNotExist(err) {
		t.Fatal("restore chunks left behind")
	}
}

func TestRestoreRejectsOffers(t *testing.T) {
	s := open(t, t.TempDir(), Options{})
	md := bytes.Repeat([]byte{7}, 64)
	sum := sha256.Sum256(md)
	good := abcitypes.Snapshot{Height: 5, Format: Format, Chunks: 2, Hash: sum[:], Metadata: md}
	if r, err := s.Restore(&good); err != nil {
		t.Fatal(err)
	} else {
		r.Close()
	}
	for name, edit := range map[string]func(*abcitypes.Snapshot){
		"format":    func(s *abcitypes.Snapshot) { s.Format = 2 },
		"height":    func(s *abcitypes.Snapshot) { s.Height = 0 },
		"no chunks": func(s *abcitypes.Snapshot) { s.Chunks = 0 },
		"chunks":    func(s *abcitypes.Snapshot) { s.Chunks = 3 },
		"hash":      func(s *abcitypes.Snapshot) { s.Hash = md[:32] },
	} {
		bad := good
		edit(&bad)
		_, err := s.Restore(&bad)
		if err == nil || name == "format" != errors.Is(err, ErrFormat) || name != "format" && !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestOpenRemovesLeftovers: what a crash left in the middle of a snapshot
// or a restore is removed; complete snapshots stay.
func TestOpenRemovesLeftovers(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, Options{Interval: 1, KeepRecent: 5, ChunkSize: 10})
	s.Take(1, &fakeExport{data: []byte("some state")})
	s.Wait()
	for _, d := range []string{"2.tmp", "restore.tmp"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	s = open(t, dir, Options{})
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != "1" {
		t.Fatalf("entries after open: %v", entries)
	}
	if list, err := s.List(); err != nil || len(list) != 1 {
		t.Fatalf("list: %v, %v", list, err)
	}
}
