package bench_test

import (
	"bytes"
	"fmt"
	"os"
	"runtime/debug"
	"testing"

	"github.com/cometbft/cometbft/abci/example/kvstore"
	dbm "github.com/cosmos/cosmos-db"

	"github.com/abci-ics/ics/abci"
	"github.com/abci-ics/ics/app/bench"
	"github.com/abci-ics/ics/app/providerapp"
	"github.com/abci-ics/ics/state"
)

// TestSameHashEveryRun: the same workload gives the same app hash and
// every transfer succeeds.
func TestSameHashEveryRun(t *testing.T) {
	var hashes [][]byte
	for i := 0; i < 2; i++ {
		w, err := bench.W1{Accounts: 50, TxsPerBlock: 40, Blocks: 3, Seed: 7}.Generate()
		if err != nil {
			t.Fatal(err)
		}
		app, err := providerapp.New(dbm.NewMemDB(), abci.Options{})
		if err != nil {
			t.Fatal(err)
		}
		r, err := bench.Run(app, w)
		if err != nil {
			t.Fatal(err)
		}
		if r.Failed != 0 || r.Txs != 120 {
			t.Fatalf("%d of %d transfers failed", r.Failed, r.Txs)
		}
		hashes = append(hashes, r.AppHash)
	}
	if !bytes.Equal(hashes[0], hashes[1]) {
		t.Fatalf("app hashes differ: %X %X", hashes[0], hashes[1])
	}
}

// benchAccounts is the size of the W1 genesis in the Go benchmarks.
const benchAccounts = 100_000

// BenchmarkFinalizeBlock measures FinalizeBlock plus Commit of blocks of
// 1, 100 and 1,000 signed transfers (W1) on goleveldb opened as icsd opens
// it, with icsd's garbage collector setting and no pruning, beside CometBFT's
// kvstore example application under the same harness. One iteration is one
// block; tx/s is reported per sub-benchmark.
func BenchmarkFinalizeBlock(b *testing.B) {
	gen, err := bench.NewGenerator(benchAccounts, 1)
	if err != nil {
		b.Fatal(err)
	}
	genesis, err := gen.Genesis()
	if err != nil {
		b.Fatal(err)
	}
	if os.Getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(abci.GCPercent)) // as icsd runs
	}
	db, err := state.OpenGoLevelDB("application", b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	app, err := providerapp.New(db, abci.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer app.Close()
	icsd := &bench.Runner{App: app}
	if err := icsd.Init(genesis); err != nil {
		b.Fatal(err)
	}
	kvApp := kvstore.NewPersistentApplication(b.TempDir())
	defer kvApp.Close()
	kv := &bench.Runner{App: kvApp}
	if err := kv.Init(bench.KVStoreWorkload(0, 0, 1).Genesis); err != nil {
		b.Fatal(err)
	}
	for _, size := range []int{1, 100, 1000} {
		b.Run(fmt.Sprintf("icsd/txs=%d", size), func(b *testing.B) {
			blocks := make([][][]byte, b.N)
			for i := range blocks {
				blocks[i] = gen.Block(size)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, resp, err := icsd.Block(blocks[i]); err != nil {
					b.Fatal(err)
				} else if resp.TxResults[0].Code != 0 {
					b.Fatalf("transfer failed: %s", resp.TxResults[0].Log)
				}
			}
			b.ReportMetric(float64(size*b.N)/b.Elapsed().Seconds(), "tx/s")
		})
		b.Run(fmt.Sprintf("kvstore/txs=%d", size), func(b *testing.B) {
			w := bench.KVStoreWorkload(b.N, size, uint64(size))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, _, err := kv.Block(w.Blocks[i]); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(size*b.N)/b.Elapsed().Seconds(), "tx/s")
		})
	}
}
