package cmd

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"time"

	"github.com/cometbft/cometbft/abci/example/kvstore"
	dbm "github.com/cosmos/cosmos-db"
	"github.com/spf13/cobra"

	"github.com/abci-ics/ics/abci"
	"github.com/abci-ics/ics/app/bench"
	"github.com/abci-ics/ics/app/providerapp"
	"github.com/abci-ics/ics/cmd/icsd/cmd/cli"
	"github.com/abci-ics/ics/nodehome"
	"github.com/abci-ics/ics/state"
)

type benchReport struct {
	Workload   string        `json:"workload"`
	DB         string        `json:"db"`
	KeepRecent int64         `json:"keep_recent"`
	Icsd       benchLine     `json:"icsd"`
	KVStore    *benchLine    `json:"kvstore,omitempty"`
	Setup      time.Duration `json:"setup_ns"`
	// Generate is the time spent generating blocks between icsd's blocks,
	// outside every block time.
	Generate time.Duration `json:"generate_ns"`
}

type benchLine struct {
	Txs       int           `json:"txs"`
	Failed    int           `json:"failed"`
	TxPerSec  float64       `json:"tx_per_sec"`
	P50ms     float64       `json:"p50_ms"`
	P99ms     float64       `json:"p99_ms"`
	AppHash   string        `json:"app_hash"`
	PeakRSSMB float64       `json:"peak_rss_mb,omitempty"`
	Windows   []benchWindow `json:"windows,omitempty"`
}

type benchWindow struct {
	FromHeight int64   `json:"from_height"`
	ToHeight   int64   `json:"to_height"`
	Txs        int     `json:"txs"`
	TxPerSec   float64 `json:"tx_per_sec"`
	P50ms      float64 `json:"p50_ms"`
	P99ms      float64 `json:"p99_ms"`
	RSSMB      float64 `json:"rss_mb"`
	HeapMB     float64 `json:"heap_mb"`
	LiveMB     float64 `json:"live_mb"`
}

func line(r bench.Result) benchLine {
	return benchLine{Txs: r.Txs, Failed: r.Failed, TxPerSec: r.TxPerSec(), P50ms: bench.Millis(r.P50), P99ms: bench.Millis(r.P99), AppHash: fmt.Sprintf("%X", r.AppHash)}
}

func windowLines(ws []bench.Window) []benchWindow {
	out := make([]benchWindow, len(ws))
	for i, w := range ws {
		out[i] = benchWindow{FromHeight: w.From, ToHeight: w.To, Txs: w.Txs, TxPerSec: w.TxPerSec(), P50ms: bench.Millis(w.P50), P99ms: bench.Millis(w.P99),
			RSSMB: mib(w.RSS), HeapMB: mib(w.Heap), LiveMB: mib(w.Live)}
	}
	return out
}

// mib is bytes in MiB to a tenth.
func mib(b uint64) float64 { return float64(b*10/bench.MiB) / 10 }

// printWindows writes the windows table of the text output.
func printWindows(w io.Writer, n int, ws []benchWindow) {
	fmt.Fprintf(w, "windows of %d blocks:\n", n)
	fmt.Fprintf(w, "  %-11s %8s %9s %9s %8s %8s %8s\n", "heights", "tx/s", "p50 ms", "p99 ms", "rss MB", "heap MB", "live MB")
	for _, x := range ws {
		fmt.Fprintf(w, "  %-11s %8.0f %9.1f %9.1f %8.0f %8.0f %8.0f\n", fmt.Sprintf("%d-%d", x.FromHeight, x.ToHeight), x.TxPerSec, x.P50ms, x.P99ms, x.RSSMB, x.HeapMB, x.LiveMB)
	}
}

// writeBenchFiles writes the per-block CSV and the block-time chart where
// --csv and --plot ask for them.
func writeBenchFiles(csvPath, plotPath, title string, r bench.Result, window int) error {
	if csvPath != "" {
		if err := writeFile(csvPath, func(w io.Writer) error { return bench.WriteCSV(w, r.Stats) }); err != nil {
			return fmt.Errorf("--csv: %w", err)
		}
	}
	if plotPath != "" {
		if err := writeFile(plotPath, bench.Chart(title, r.Stats, window).WritePNG); err != nil {
			return fmt.Errorf("--plot: %w", err)
		}
	}
	return nil
}

func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func openBenchDB(kind, dir, name string) (dbm.DB, error) {
	switch kind {
	case "goleveldb":
		return state.OpenGoLevelDB(name, dir)
	case "memdb":
		return dbm.NewMemDB(), nil
	}
	return nil, fmt.Errorf("--db %q: use goleveldb or memdb", kind)
}

func benchCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "bench",
		Short: "Replay generated blocks of signed transfers (workload W1) into FinalizeBlock and Commit",
		Long: `bench generates a genesis with --accounts funded accounts and --blocks blocks of --txs
signed transfers between random pairs, replays them straight into the application's
FinalizeBlock and Commit (no consensus, no network) on a fresh database in a temporary
directory, and prints tx/s, the p50 and p99 block time and the final app hash. The same
flags give the same app hash every run. With --kvstore, CometBFT's kvstore example
application runs blocks of the same size in the same harness.

Each block is generated just before it runs, outside its time, so the process holds one
block of transfers and its memory is the node's. With more than --window blocks, the report
adds a line per window of --window blocks (tx/s, p50 and p99 block time, and at the window's
end resident memory, Go heap in use and the live heap of the last collection) so that drift
over a long run shows, and the whole run's peak resident memory. --csv writes one row per block, --plot a PNG of block time over height.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f := cmd.Flags()
			accounts, _ := f.GetInt("accounts")
			txs, _ := f.GetInt("txs")
			blocks, _ := f.GetInt("blocks")
			seed, _ := f.GetUint64("seed")
			dbKind, _ := f.GetString("db")
			withKV, _ := f.GetBool("kvstore")
			if accounts < 2 || txs < 1 || blocks < 1 {
				return fmt.Errorf("need --accounts >= 2, --txs >= 1, --blocks >= 1")
			}
			dir, err := os.MkdirTemp("", "icsd-bench-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(dir)

			keep, _ := f.GetInt64("keep-recent")
			if keep < 0 {
				return fmt.Errorf("--keep-recent %d: must be 0 (keep every version) or more", keep)
			}
			window, _ := f.GetInt("window")
			if window < 1 {
				return fmt.Errorf("--window %d: must be 1 or more", window)
			}
			csvPath, _ := f.GetString("csv")
			plotPath, _ := f.GetString("plot")

			start := time.Now()
			w, err := bench.W1{Accounts: accounts, TxsPerBlock: txs, Blocks: blocks, Seed: seed}.Stream()
			if err != nil {
				return err
			}
			db, err := openBenchDB(dbKind, dir, "application")
			if err != nil {
				return err
			}
			memLimit, _ := f.GetString("memory-limit")
			limit, err := nodehome.ParseSize(memLimit)
			if err != nil {
				return fmt.Errorf("--memory-limit: %w", err)
			}
			nodehome.Memory{Limit: limit, GCPercent: abci.GCPercent}.Apply()
			interval, _ := f.GetInt64("prune-interval")
			cacheSize, _ := f.GetInt("iavl-cache")
			pipeline, _ := f.GetBool("pipeline")
			app, err := providerapp.New(db, abci.Options{State: state.Options{KeepRecent: keep, PruneInterval: interval, CacheSize: cacheSize}, Pipeline: pipeline})
			if err != nil {
				return err
			}
			defer app.Close()
			runner := &bench.Runner{App: app}
			if err := runner.Init(w.Genesis); err != nil {
				return err
			}
			w.Genesis = nil // hundreds of MB of JSON at a million accounts: not the node's memory
			rep := benchReport{Workload: fmt.Sprintf("W1 transfers: %d accounts, %d blocks of %d", accounts, blocks, txs), DB: dbKind, KeepRecent: keep, Setup: time.Since(start)}
			if prof, _ := f.GetString("cpuprofile"); prof != "" {
				pf, err := os.Create(prof)
				if err != nil {
					return err
				}
				defer pf.Close()
				if err := pprof.StartCPUProfile(pf); err != nil {
					return err
				}
				defer pprof.StopCPUProfile()
			}
			r, err := runner.ReplayStream(w)
			if err != nil {
				return err
			}
			if prof, _ := f.GetString("memprofile"); prof != "" {
				if err := writeHeapProfile(prof); err != nil {
					return err
				}
			}
			rep.Icsd = line(r)
			rep.Icsd.PeakRSSMB = mib(r.PeakRSS)
			rep.Icsd.Windows = windowLines(bench.Windows(r.Stats, window))
			rep.Generate = r.Generate
			title := fmt.Sprintf("icsd bench: %s, %s, keep-recent %d", rep.Workload, dbKind, keep)
			if err := writeBenchFiles(csvPath, plotPath, title, r, window); err != nil {
				return err
			}
			if withKV {
				kw := bench.KVStoreStream(blocks, txs, seed)
				var kapp *kvstore.Application
				if dbKind == "memdb" {
					kapp = kvstore.NewInMemoryApplication()
				} else {
					kapp = kvstore.NewPersistentApplication(dir + "/kvstore")
				}
				kr, err := bench.RunStream(kapp, kw)
				if err != nil {
					return err
				}
				kl := line(kr)
				rep.KVStore = &kl
			}
			return cli.PrintOut(cmd, rep, func(w io.Writer) {
				fmt.Fprintf(w, "workload: %s, db %s, keep-recent %d (setup %s, block generation %s outside block times)\n",
					rep.Workload, dbKind, keep, rep.Setup.Round(time.Millisecond), rep.Generate.Round(time.Millisecond))
				fmt.Fprintf(w, "icsd:    %s\n", r)
				if rep.Icsd.PeakRSSMB > 0 {
					fmt.Fprintf(w, "icsd:    peak RSS %.0f MB\n", rep.Icsd.PeakRSSMB)
				}
				if len(rep.Icsd.Windows) > 0 {
					printWindows(w, window, rep.Icsd.Windows)
				}
				if rep.KVStore != nil {
					fmt.Fprintf(w, "kvstore: %.0f tx/s, block p50 %.3fms p99 %.3fms (icsd/kvstore = %.2f)\n",
						rep.KVStore.TxPerSec, rep.KVStore.P50ms, rep.KVStore.P99ms, rep.Icsd.TxPerSec/rep.KVStore.TxPerSec)
				}
			})
		},
	}
	c.Flags().Int("accounts", 100_000, "funded accounts in genesis")
	c.Flags().Int("txs", 1000, "transfers per block")
	c.Flags().Int("blocks", 20, "blocks to replay")
	c.Flags().Uint64("seed", 1, "seed of the generated keys and transfers")
	c.Flags().String("db", "goleveldb", "goleveldb or memdb")
	c.Flags().Int64("keep-recent", 0, "versions to keep (0: all, else at least 2); older ones are pruned in the background, as a node does")
	c.Flags().Int64("prune-interval", 1, "with --keep-recent: start pruning every this many commits, as app.toml's [pruning] interval (a node without the section prunes at every commit)")
	c.Flags().Int("iavl-cache", 0, "IAVL node cache size of each store's working tree, in nodes (0: state.DefaultCacheSize)")
	c.Flags().Bool("pipeline", true, "save each block in the background while the next one executes, as a node does with [commit] pipeline (app.toml)")
	c.Flags().String("memory-limit", "1792MiB", "the process's soft memory limit, as app.toml's [memory] limit sets a node's (0: none; GOMEMLIMIT wins)")
	c.Flags().Int("window", 100, "blocks per window of the per-window report (shown when --blocks is larger)")
	c.Flags().String("csv", "", "write one CSV row per block (height, txs, block/finalize/commit ms, RSS, heap and live heap MB) to this file")
	c.Flags().String("plot", "", "write a PNG chart of block time over height, with each window's p99, to this file")
	c.Flags().String("cpuprofile", "", "write a CPU profile of the run to this file")
	c.Flags().String("memprofile", "", "write a heap profile (what the last collection found live, and allocations over the run) to this file after the last block")
	c.Flags().Bool("kvstore", true, "also run CometBFT's kvstore example app in the same harness")
	cli.AddOutputFlag(c)
	return c
}

// writeHeapProfile writes the heap profile of the process to path.
func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	return errors.Join(pprof.WriteHeapProfile(f), f.Close())
}
