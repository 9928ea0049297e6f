package bench_test

import (
	"bytes"
	"image"
	"image/png"
	"testing"

	dbm "github.com/cosmos/cosmos-db"

	"github.com/abci-ics/ics/abci"
	"github.com/abci-ics/ics/app/bench"
	"github.com/abci-ics/ics/app/providerapp"
)

// streamCfg is the short run the streaming tests share.
var streamCfg = bench.W1{Accounts: 200, TxsPerBlock: 50, Blocks: 5, Seed: 3}

func newApp(t *testing.T) *abci.App {
	t.Helper()
	app, err := providerapp.New(dbm.NewMemDB(), abci.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { app.Close() })
	return app
}

// TestStreamSameBlocks: the stream yields the genesis and the txs of
// Generate, byte for byte and in order.
func TestStreamSameBlocks(t *testing.T) {
	w, err := streamCfg.Generate()
	if err != nil {
		t.Fatal(err)
	}
	s, err := streamCfg.Stream()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(w.Genesis.AppStateBytes, s.Genesis.AppStateBytes) {
		t.Fatal("genesis differs")
	}
	if s.Blocks != len(w.Blocks) {
		t.Fatalf("stream of %d blocks, generated %d", s.Blocks, len(w.Blocks))
	}
	for b := range s.Blocks {
		txs := s.Next()
		if len(txs) != len(w.Blocks[b]) {
			t.Fatalf("block %d: %d txs, generated %d", b, len(txs), len(w.Blocks[b]))
		}
		for i := range txs {
			if !bytes.Equal(txs[i], w.Blocks[b][i]) {
				t.Fatalf("block %d tx %d differs", b, i)
			}
		}
	}
}

// TestStreamSameAppHash: replaying the stream ends on the app hash of
// replaying the fully generated workload, every transfer succeeds, and each
// block is measured.
func TestStreamSameAppHash(t *testing.T) {
	w, err := streamCfg.Generate()
	if err != nil {
		t.Fatal(err)
	}
	full, err := bench.Run(newApp(t), w)
	if err != nil {
		t.Fatal(err)
	}
	s, err := streamCfg.Stream()
	if err != nil {
		t.Fatal(err)
	}
	streamed, err := bench.RunStream(newApp(t), s)
	if err != nil {
		t.Fatal(err)
	}
	if len(full.AppHash) == 0 || !bytes.Equal(full.AppHash, streamed.AppHash) {
		t.Fatalf("app hash %X streamed, %X generated up front", streamed.AppHash, full.AppHash)
	}
	if streamed.Txs != 250 || streamed.Failed != 0 || streamed.Blocks != 5 {
		t.Fatalf("streamed %d blocks, %d txs, %d failed; want 5, 250, 0", streamed.Blocks, streamed.Txs, streamed.Failed)
	}
	if len(streamed.Stats) != 5 {
		t.Fatalf("%d block stats, want 5", len(streamed.Stats))
	}
	for i, st := range streamed.Stats {
		if st.Height != int64(i+2) || st.Txs != 50 || st.Failed != 0 {
			t.Fatalf("stat %d: %+v", i, st)
		}
		if st.Time <= 0 || st.Commit <= 0 || st.Commit > st.Time {
			t.Fatalf("stat %d: block time %s, commit %s", i, st.Time, st.Commit)
		}
	}
	if streamed.Generate <= 0 {
		t.Fatal("no generation time recorded")
	}
}

// TestChartImage: the chart of a short run encodes as a PNG of the chart's
// size in which both series' colours appear.
func TestChartImage(t *testing.T) {
	s, err := streamCfg.Stream()
	if err != nil {
		t.Fatal(err)
	}
	r, err := bench.RunStream(newApp(t), s)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := bench.Chart("W1", r.Stats, 2).WritePNG(&buf); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 960 || b.Dy() != 480 {
		t.Fatalf("image %v, want 960x480", b)
	}
	for name, c := range map[string][4]uint32{"block time": rgba(bench.BlockColor), "window p99": rgba(bench.P99Color)} {
		if n := count(img, c); n < 20 {
			t.Errorf("%s: %d pixels of its colour", name, n)
		}
	}
}

func rgba(c interface{ RGBA() (r, g, b, a uint32) }) [4]uint32 {
	r, g, b, a := c.RGBA()
	return [4]uint32{r, g, b, a}
}

func count(img image.Image, c [4]uint32) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if rgba(img.At(x, y)) == c {
				n++
			}
		}
	}
	return n
}
