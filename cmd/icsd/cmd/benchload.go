package cmd

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/abci-ics/ics/client"
	"github.com/abci-ics/ics/cmd/icsd/cmd/cli"
	"github.com/abci-ics/ics/testnet/load"
)

func benchLoadCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "load",
		Short: "Send signed transfers (W1) to running nodes at a target rate and measure what commits",
		Long: `load measures a running icsd network end to end. It derives --accounts keys from --seed,
funds them from --from (a funded key in --home's keyring, e.g. a testnet validator's
node home and key "validator") in multi-message transactions, waits for the funding to
commit, then signs bank transfers between random accounts, each paying the minimum fee,
and sends them with broadcast_tx_sync at --rate tx/s for --duration over --conns
connections spread over the --node addresses. Each account has at most --per-account
transactions in flight, all to one node, in nonce order.

It prints what it submitted, what CheckTx accepted, what committed, the committed tx/s
over the window from the first to the last block holding its transactions, the
submit-to-commit latency p50/p99 (until the client holds the block's results, polled from
the first node) and the blocks, and says when the client itself could not keep the rate.

With --kvstore it then starts CometBFT's kvstore example application as a
single-validator node in this process (loopback, a temporary directory, --timeout-commit),
drives it with key=value transactions at the same rate for the same time, stops it, and
prints both results side by side; without --node it runs the kvstore node only.`,
		Example: `  icsd bench load --node tcp://127.0.0.1:26601 --home build/testnet/node0 --from validator --kvstore
  icsd bench load --node tcp://127.0.0.1:26601,tcp://127.0.0.1:26611,tcp://127.0.0.1:26621 --home build/testnet/node0 --rate 3000
  icsd bench load --kvstore --rate 5000 -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f := cmd.Flags()
			var o load.Options
			o.Nodes, _ = f.GetStringSlice("node")
			o.Rate, _ = f.GetFloat64("rate")
			o.Duration, _ = f.GetDuration("duration")
			o.Conns, _ = f.GetInt("conns")
			o.Drain, _ = f.GetDuration("drain")
			o.Accounts, _ = f.GetInt("accounts")
			o.PerAccount, _ = f.GetInt("per-account")
			o.Seed, _ = f.GetUint64("seed")
			o.Fund, _ = f.GetUint64("fund")
			o.Log = cmd.ErrOrStderr()
			withKV, _ := f.GetBool("kvstore")
			timeoutCommit, _ := f.GetDuration("timeout-commit")
			from, _ := f.GetString("from")
			if len(o.Nodes) == 0 && !withKV {
				return fmt.Errorf("give --node (one or more icsd RPC addresses), --kvstore, or both")
			}
			if timeoutCommit <= 0 {
				return fmt.Errorf("--timeout-commit %s: must be positive", timeoutCommit)
			}
			check := o
			if len(check.Nodes) == 0 {
				check.Nodes = []string{"kvstore"}
			}
			if err := check.Validate(); err != nil {
				return err
			}
			if len(o.Nodes) > 0 {
				if err := o.ValidateTransfers(); err != nil {
					return err
				}
			}
			ctx, cancel := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer cancel()
			var icsd, kv *load.Result
			if len(o.Nodes) > 0 {
				key, err := client.LoadKey(cli.Home(cmd), from)
				if err != nil {
					return fmt.Errorf("--from: %w", err)
				}
				if icsd, err = load.RunTransfers(ctx, o, key); err != nil {
					return err
				}
			}
			if withKV {
				var err error
				if kv, err = load.RunKVStore(ctx, o, timeoutCommit); err != nil {
					return fmt.Errorf("kvstore: %w", err)
				}
			}
			cmp := load.NewComparison(icsd, kv)
			return cli.PrintOut(cmd, cmp, func(w io.Writer) { cmp.WriteText(w) })
		},
	}
	f := c.Flags()
	f.StringSlice("node", nil, "RPC address of an icsd node (repeat the flag or give a comma-separated list); transactions are spread over them")
	f.Float64("rate", 2000, "target transactions per second")
	f.Duration("duration", 30*time.Second, "how long to send")
	f.Int("conns", 256, "concurrent RPC connections (submitters), spread over the nodes")
	f.Duration("drain", 30*time.Second, "how long to wait, after sending, for transactions in flight")
	f.Int("accounts", 2000, "accounts derived from --seed that send the transfers")
	f.Int("per-account", 4, "transactions of one account in flight at most (CheckTx tracks the mempool's nonces)")
	f.Uint64("seed", 1, "seed of the accounts' keys and of the transfers")
	f.Uint64("fund", 1_000_000, "balance each account is topped up to before the load (accounts holding half of it are left alone)")
	f.String("from", "validator", "the funder: a funded key in --home's keyring")
	f.Bool("kvstore", false, "also run CometBFT's kvstore example app as an in-process single-validator node, loaded the same way")
	f.Duration("timeout-commit", 500*time.Millisecond, "with --kvstore: the kvstore node's timeout_commit (icsd testnet's default)")
	cli.AddOutputFlag(c)
	return c
}
