package cmd

import (
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
	"github.com/abci-ics/ics/state"
)

type benchReport struct {
	Workload string        `json:"workload"`
	DB       string        `json:"db"`
	Icsd     benchLine     `json:"icsd"`
	KVStore  *benchLine    `json:"kvstore,omitempty"`
	Setup    time.Duration `json:"setup_ns"`
}

type benchLine struct {
	Txs      int     `json:"txs"`
	Failed   int     `json:"failed"`
	TxPerSec float64 `json:"tx_per_sec"`
	P50ms    float64 `json:"p50_ms"`
	P99ms    float64 `json:"p99_ms"`
	AppHash  string  `json:"app_hash"`
}

func line(r bench.Result) benchLine {
	return benchLine{Txs: r.Txs, Failed: r.Failed, TxPerSec: r.TxPerSec(), P50ms: float64(r.P50.Microseconds()) / 1000, P99ms: float64(r.P99.Microseconds()) / 1000, AppHash: fmt.Sprintf("%X", r.AppHash)}
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
application runs blocks of the same size in the same harness.`,
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

			start := time.Now()
			w, err := bench.W1{Accounts: accounts, TxsPerBlock: txs, Blocks: blocks, Seed: seed}.Generate()
			if err != nil {
				return err
			}
			db, err := openBenchDB(dbKind, dir, "application")
			if err != nil {
				return err
			}
			keep, _ := f.GetInt64("keep-recent")
			interval, _ := f.GetInt64("prune-interval")
			app, err := providerapp.New(db, abci.Options{State: state.Options{KeepRecent: keep, PruneInterval: interval}})
			if err != nil {
				return err
			}
			defer app.Close()
			runner := &bench.Runner{App: app}
			if err := runner.Init(w.Genesis); err != nil {
				return err
			}
			rep := benchReport{Workload: fmt.Sprintf("W1 transfers: %d accounts, %d blocks of %d", accounts, blocks, txs), DB: dbKind, Setup: time.Since(start)}
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
			r, err := runner.Replay(w.Blocks)
			if err != nil {
				return err
			}
			rep.Icsd = line(r)
			if withKV {
				kw := bench.KVStoreWorkload(blocks, txs, seed)
				var kapp *kvstore.Application
				if dbKind == "memdb" {
					kapp = kvstore.NewInMemoryApplication()
				} else {
					kapp = kvstore.NewPersistentApplication(dir + "/kvstore")
				}
				kr, err := bench.Run(kapp, kw)
				if err != nil {
					return err
				}
				kl := line(kr)
				rep.KVStore = &kl
			}
			return cli.PrintOut(cmd, rep, func(w io.Writer) {
				fmt.Fprintf(w, "workload: %s, db %s (setup %s)\n", rep.Workload, dbKind, rep.Setup.Round(time.Millisecond))
				fmt.Fprintf(w, "icsd:    %s\n", r)
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
	c.Flags().Int64("prune-interval", 10, "with --keep-recent: start pruning every this many commits")
	c.Flags().String("cpuprofile", "", "write a CPU profile of the run to this file")
	c.Flags().Bool("kvstore", true, "also run CometBFT's kvstore example app in the same harness")
	cli.AddOutputFlag(c)
	return c
}
