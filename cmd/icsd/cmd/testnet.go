package cmd

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/spf13/cobra"

	"github.com/abci-ics/ics/app"
	"github.com/abci-ics/ics/cmd/icsd/cmd/cli"
	"github.com/abci-ics/ics/testnet"
	"github.com/abci-ics/ics/testnet/ccvopts"
	"github.com/abci-ics/ics/testnet/process"
	"github.com/abci-ics/ics/testnet/sovnet"
	"github.com/abci-ics/ics/testnet/valnet"
)

func testnetCmd() *cobra.Command {
	c := &cobra.Command{Use: "testnet", Short: "A network of validator nodes on loopback"}
	initC := &cobra.Command{
		Use:   "init",
		Short: "Write one home per validator sharing one genesis, with loopback ports and peers wired",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f := cmd.Flags()
			var o valnet.Options
			o.Dir, _ = f.GetString("dir")
			o.ChainID, _ = f.GetString("chain-id")
			o.Validators, _ = f.GetInt("validators")
			o.BasePort, _ = f.GetInt("base-port")
			o.TimeoutCommit, _ = f.GetDuration("timeout-commit")
			o.Balance, _ = f.GetUint64("balance")
			o.SelfDelegation, _ = f.GetUint64("self-delegation")
			unbonding, _ := f.GetDuration("unbonding-period")
			window, _ := f.GetInt64("signed-blocks-window")
			jail, _ := f.GetDuration("downtime-jail")
			voting, _ := f.GetDuration("voting-period")
			o.Tune = func(g *app.Genesis) {
				g.Staking.Params.UnbondingPeriod = unbonding
				g.Staking.Params.SignedBlocksWindow = window
				g.Staking.Params.DowntimeJailDuration = jail
				g.Gov.Params.VotingPeriod = int64(voting)
				g.Gov.Params.MaxDepositPeriod = int64(voting)
			}
			if err := valnet.Init(o); err != nil {
				return err
			}
			return cli.PrintOut(cmd, o, func(w io.Writer) {
				fmt.Fprintf(w, "wrote %d validator homes for %s under %s (node i: p2p %d+10i, rpc %d+10i)\n", o.Validators, o.ChainID, o.Dir, o.BasePort, o.BasePort+1)
			})
		},
	}
	f := initC.Flags()
	f.String("dir", "build/testnet", "directory for the node homes")
	f.String("chain-id", "testnet-1", "chain id")
	f.Int("validators", 4, "number of validators")
	f.Int("base-port", 26600, "first loopback port")
	f.Duration("timeout-commit", 500*time.Millisecond, "CometBFT timeout_commit")
	f.Uint64("balance", 1_000_000_000_000, "genesis balance of each validator's account")
	f.Uint64("self-delegation", 100_000_000_000, "self-delegation of each validator")
	f.Duration("unbonding-period", 21*24*time.Hour, "staking unbonding period")
	f.Int64("signed-blocks-window", 100, "liveness window in blocks")
	f.Duration("downtime-jail", 10*time.Minute, "jail time for downtime")
	f.Duration("voting-period", 2*24*time.Hour, "governance voting and deposit period")
	cli.AddOutputFlag(initC)
	c.AddCommand(initC, testnetStartCmd(), testnetSovereignCmd(), testnetChangeoverCmd())
	return c
}

func testnetStartCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "start",
		Short: "Run every node of a testnet as its own process and report progress until Ctrl-C; with --consumers, a provider with consumer chains",
		Long: `start runs every node of the testnet in --dir as its own process and reports progress
until Ctrl-C, then stops every child.

With --consumers N it runs Interchain Security: it writes the provider homes if --dir
has none (--validators of them, validator 0 bonding twice as much as the others, and an
owner account that is not a validator), starts the provider, and creates consumer-1 ..
consumer-N, each of the kind --consumer-kinds gives it:

  top-n:N         a consumer addition proposal with top_n N, 50 to 100 (every validator votes
                  yes); the validators with the top N% of the power validate it
  opt-in:I+J+...  MsgCreateConsumer from the owner account (spawn time set, top_n 0);
                  provider validators I, J, ... (0-based) opt in with MsgOptIn before the
                  launch, and only they validate it: the others run nothing for it

The list is comma-separated, its j-th entry consumer-j's kind; consumers past its end
are top-n:100. The default, top-n:100,opt-in:0+1, makes consumer-1 validated by every
validator and consumer-2 by validators 0 and 1 only (with one validator, give
--consumer-kinds: the default names validator 1).

On the consumers of --assign-keys the validators use fresh consumer keys (assigned
before the launch on a top-N consumer, sent with MsgOptIn on an opt-in one). At the
launch it fetches each consumer genesis, writes one node per validator of the consumer
under DIR/consumer-<j>/node<i>, starts them, and runs one relayer per consumer (icsd relay
link-ccv, then icsd relay start; link-ccv also opens the consumer's transfer channel).

Each consumer charges its fees in its own coin, ucon<j> (10000ucon<j> a transaction),
and sends the provider its share every --blocks-per-distribution blocks; the provider
allowlists it as consumer-j's reward denomination (transfer/<channel>/ucon<j>: by a
proposal every validator votes yes on for a top-N consumer, by the owner account for an
opt-in one) and pays it to the validators of consumer-j's set and their delegators.

Each icsd consumer carries its own staking, dormant, bonded in ucon<j>, with the
provider's voting period: 'icsd testnet sovereign consumer-<j>' turns it sovereign.

It prints which validators validate which consumer, then the consumers' phases, channels
opening, each VSC a consumer applies (its set by validator index and power), validators
jailed on the provider, each reward transmission of a consumer and each distribution of
its rewards on the provider, and a consumer turned sovereign. Started again on the same --dir it resumes: nothing is
created or written twice, and an open CCV channel is reused.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f := cmd.Flags()
			dir, _ := f.GetString("dir")
			interval, _ := f.GetDuration("report-every")
			bin, err := os.Executable()
			if err != nil {
				return err
			}
			ctx, cancel := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer cancel()
			if n, _ := f.GetInt("consumers"); n > 0 {
				o, err := ccvOptionsFromFlags(cmd)
				if err != nil {
					return err
				}
				o.Dir, o.Bin, o.Out = dir, bin, cmd.OutOrStdout()
				t, err := testnet.StartCCVTestnet(ctx, o)
				if err != nil {
					if ctx.Err() != nil {
						fmt.Fprintln(cmd.OutOrStdout(), "stopped")
						return nil
					}
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "running; Ctrl-C stops every node and relayer. Validator set changes reach the consumers every %d provider blocks, for example:\n"+
					"  icsd tx staking delegate validator <operator> 1000000000stake --home %s --node %s\n", o.BlocksPerEpoch, valnet.NodeHome(dir, 0), t.ProviderRPC(0))
				t.Watch(ctx, cmd.OutOrStdout(), interval, 10)
				fmt.Fprintln(cmd.OutOrStdout(), "stopping")
				t.Stop()
				return nil
			}
			t, err := valnet.Load(dir)
			if err != nil {
				return err
			}
			var procs []*process.Process
			stopAll := func() {
				for _, p := range procs {
					p.Stop(10 * time.Second)
				}
			}
			for _, h := range t.Homes {
				p, err := process.StartNode(bin, h)
				if err != nil {
					stopAll()
					return err
				}
				procs = append(procs, p)
				fmt.Fprintf(cmd.OutOrStdout(), "started %s (rpc %s, log %s)\n", filepath.Base(h), p.RPC, filepath.Join(h, "node.log"))
			}
			process.Report(ctx, cmd.OutOrStdout(), procs, interval)
			fmt.Fprintln(cmd.OutOrStdout(), "stopping")
			stopAll()
			return nil
		},
	}
	d := ccvopts.Default()
	fl := c.Flags()
	fl.String("dir", "build/testnet", "testnet directory (written by icsd testnet init, or by this command with --consumers)")
	fl.Duration("report-every", 2*time.Second, "interval between progress polls")
	fl.Int("consumers", 0, "number of consumer chains to launch and run (0: run the nodes of --dir only)")
	fl.Int("validators", d.Validators, "with --consumers: provider validators, each running one node per consumer it validates")
	fl.String("chain-id", d.ChainID, "with --consumers: the provider's chain id")
	fl.Int("base-port", d.BasePort, "with --consumers: first loopback port (provider node i: +10i; consumer j node i: +100j+10i)")
	fl.Duration("timeout-commit", d.TimeoutCommit, "with --consumers: CometBFT timeout_commit of every node")
	fl.Duration("voting-period", d.VotingPeriod, "with --consumers: the provider's governance voting period")
	fl.Int64("blocks-per-epoch", d.BlocksPerEpoch, "with --consumers: provider blocks between validator set changes sent to consumers")
	fl.Int64("blocks-per-distribution", d.BlocksPerDistribution, "with --consumers: blocks between two reward transmissions of a consumer (and between two distributions of its rewards on the provider)")
	fl.Duration("consumer-unbonding-period", d.ConsumerUnbondingPeriod, "with --consumers: each consumer's unbonding period (the provider's client of it trusts for 0.66 of it)")
	fl.Int64("signed-blocks-window", d.SignedBlocksWindow, "with --consumers: each consumer's downtime window in blocks")
	fl.Duration("downtime-jail", d.DowntimeJail, "with --consumers: how long the provider jails a validator a consumer reports down")
	fl.String("consumer-kinds", kindsString(d.Kinds), "with --consumers: the consumers' kinds, comma-separated, the j-th consumer-j's: top-n:N (N 50 to 100) or opt-in:I+J+... (the validators that opt in before launch); consumers past the list are top-n:100")
	fl.IntSlice("assign-keys", d.AssignKeys, "with --consumers: consumers (1-based) whose validators use a fresh consumer key (assigned before launch, or sent with the opt-in)")
	fl.String("node-log-level", "info", "with --consumers: log level of every node")
	return c
}

// kindsString spells kinds as --consumer-kinds reads them.
func kindsString(kinds []ccvopts.ConsumerKind) string {
	parts := make([]string, len(kinds))
	for i, k := range kinds {
		parts[i] = k.String()
	}
	return strings.Join(parts, ",")
}

// ccvOptionsFromFlags reads the CCV flags of testnet start.
func ccvOptionsFromFlags(cmd *cobra.Command) (ccvopts.Options, error) {
	f := cmd.Flags()
	o := ccvopts.Default()
	o.Consumers, _ = f.GetInt("consumers")
	o.Validators, _ = f.GetInt("validators")
	o.ChainID, _ = f.GetString("chain-id")
	o.BasePort, _ = f.GetInt("base-port")
	o.TimeoutCommit, _ = f.GetDuration("timeout-commit")
	o.VotingPeriod, _ = f.GetDuration("voting-period")
	o.BlocksPerEpoch, _ = f.GetInt64("blocks-per-epoch")
	o.ConsumerUnbondingPeriod, _ = f.GetDuration("consumer-unbonding-period")
	o.BlocksPerDistribution, _ = f.GetInt64("blocks-per-distribution")
	o.SignedBlocksWindow, _ = f.GetInt64("signed-blocks-window")
	o.DowntimeJail, _ = f.GetDuration("downtime-jail")
	o.AssignKeys, _ = f.GetIntSlice("assign-keys")
	kinds, _ := f.GetString("consumer-kinds")
	var err error
	if o.Kinds, err = ccvopts.ParseConsumerKinds(kinds); err != nil {
		return o, fmt.Errorf("--consumer-kinds: %w", err)
	}
	if len(o.Kinds) > o.Consumers && f.Changed("consumer-kinds") {
		return o, fmt.Errorf("--consumer-kinds gives %d kinds for --consumers %d", len(o.Kinds), o.Consumers)
	}
	level, _ := f.GetString("node-log-level")
	o.NodeArgs = []string{"--log_level", level}
	if o.ChainID == "" || len(o.ChainID) > cmttypes.MaxChainIDLen {
		return o, fmt.Errorf("invalid --chain-id %q", o.ChainID)
	}
	return o, nil
}

func testnetSovereignCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "sovereign CONSUMER",
		Short: "Turn consumer CONSUMER (its chain id, e.g. consumer-1) of a running testnet sovereign, through its own governance or --via provider",
		Long: `sovereign turns a consumer of the testnet that 'icsd testnet start --consumers N' runs
(in another terminal, on the same --dir) into a sovereign chain: a chain with its own
validators, chosen by its own staking, and no longer secured by the provider. Every
icsd consumer of the testnet carries its own staking, dormant until then (a kvconsumer
chain cannot turn sovereign).

By default it goes through the consumer's own governance, as an operator would:
each provider validator's operator account (funded on the consumer) creates a
validator of the consumer's own staking with the consensus key its consumer node runs,
unless it has one; then validator 0 proposes a MsgScheduleSovereignTransition at a
height past the end of the vote plus --margin blocks, and every validator votes yes.

With --via provider it passes a consumer removal proposal on the provider instead: the
provider stops the consumer, and the consumer, once its relayer brought it the
closing, turns sovereign by itself in its next block.

It prints the plan, the transition's height H, the sets that sign blocks H to H+3 (the
CCV set up to H+1, its own staking's from H+2) and the provider stopping the consumer.
The consumer's transfer channel keeps working; its rewards to the provider stop.`,
		Example: `  icsd testnet sovereign consumer-1
  icsd testnet sovereign consumer-2 --via provider --dir build/testnet`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f := cmd.Flags()
			o := sovnet.Options{ChainID: args[0], Out: cmd.OutOrStdout()}
			o.Dir, _ = f.GetString("dir")
			o.Margin, _ = f.GetInt64("margin")
			o.SelfBond, _ = f.GetUint64("self-bond")
			switch via, _ := f.GetString("via"); via {
			case "provider":
				o.ViaProvider = true
			case "governance", "gov", "consumer":
			default:
				return fmt.Errorf("--via %q: give governance or provider", via)
			}
			h, err := sovnet.Run(cmd.Context(), o)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s is sovereign since height %d\n", o.ChainID, h)
			return nil
		},
	}
	f := c.Flags()
	f.String("dir", "build/testnet", "the testnet's directory (icsd testnet start --dir)")
	f.String("via", "governance", "governance: the consumer's own governance plans the transition; provider: a removal proposal on the provider stops the consumer")
	f.Int64("margin", 10, "with --via governance: blocks between the expected end of the vote and the transition")
	f.Uint64("self-bond", 0, "with --via governance: what each CCV validator bonds at the transition (default: one unit of power)")
	return c
}
