package bench_test

import (
	"bytes"
	"context"
	"sync"
	"testing"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	dbm "github.com/cosmos/cosmos-db"

	"github.com/abci-ics/ics/abci"
	"github.com/abci-ics/ics/app/bench"
	"github.com/abci-ics/ics/app/providerapp"
	"github.com/abci-ics/ics/state"
)

// run is what TestPipelineSameHashes compares.
type run struct {
	hashes [][]byte
	codes  []uint32
	views  [][]byte
}

// TestPipelineSameHashes: with the pipelined commit, every block of a W1
// run (with pruning of all but two versions) gives the same app hash and
// results as without it, the latest committed state reads the same after
// every Commit, and CheckTx and queries running beside the blocks see no
// torn state (run with -race).
func TestPipelineSameHashes(t *testing.T) {
	w, err := bench.W1{Accounts: 300, TxsPerBlock: 60, Blocks: 25, Seed: 11}.Generate()
	if err != nil {
		t.Fatal(err)
	}
	replay := func(pipeline bool, valueCache int) run {
		app, err := providerapp.New(dbm.NewMemDB(), abci.Options{State: state.Options{KeepRecent: 2, ValueCacheBytes: valueCache}, Pipeline: pipeline})
		if err != nil {
			t.Fatal(err)
		}
		defer app.Close()
		r := &bench.Runner{App: app}
		if err := r.Init(w.Genesis); err != nil {
			t.Fatal(err)
		}
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() { // a mempool and a querier beside the blocks
			defer wg.Done()
			ctx := context.Background()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				tx := w.Blocks[len(w.Blocks)-1][i%len(w.Blocks[0])]
				if _, err := app.CheckTx(ctx, &abcitypes.RequestCheckTx{Tx: tx}); err != nil {
					t.Error(err)
					return
				}
				if _, err := app.Query(ctx, &abcitypes.RequestQuery{Path: "/store/bank/key", Data: []byte("x")}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
		var out run
		for _, txs := range w.Blocks {
			_, resp, err := r.Block(txs)
			if err != nil {
				t.Fatal(err)
			}
			out.hashes = append(out.hashes, resp.AppHash)
			for _, tr := range resp.TxResults {
				out.codes = append(out.codes, tr.Code)
			}
			if r.Height%2 == 0 {
				continue // the next block runs beside this one's save
			}
			v, err := app.View(0)
			if err != nil {
				t.Fatal(err)
			}
			if v.Version() != r.Height {
				t.Fatalf("pipeline %v: the latest view after block %d is of height %d", pipeline, r.Height, v.Version())
			}
			out.views = append(out.views, v.Hash())
		}
		close(stop)
		wg.Wait()
		return out
	}
	plain := replay(false, 0)
	// Without value caches the next block reads the last one's writes
	// from its Layer alone.
	for _, valueCache := range []int{0, -1} {
		piped := replay(true, valueCache)
		compare(t, plain, piped)
	}
}

func compare(t *testing.T, plain, piped run) {
	t.Helper()
	for i := range plain.hashes {
		if !bytes.Equal(plain.hashes[i], piped.hashes[i]) {
			t.Fatalf("block %d: app hash %X without the pipeline, %X with it", i+2, plain.hashes[i], piped.hashes[i])
		}
	}
	for i := range plain.views {
		if !bytes.Equal(plain.views[i], piped.views[i]) || !bytes.Equal(plain.hashes[2*i+1], piped.views[i]) {
			t.Fatalf("view %d: %X without the pipeline, %X with it, block hash %X", i, plain.views[i], piped.views[i], plain.hashes[2*i+1])
		}
	}
	for i := range plain.codes {
		if plain.codes[i] != piped.codes[i] {
			t.Fatalf("transaction %d: code %d without the pipeline, %d with it", i, plain.codes[i], piped.codes[i])
		}
	}
}
