package relay

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	cmttypes "github.com/cometbft/cometbft/types"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"
	"github.com/spf13/cobra"

	"github.com/abci-ics/ics/cmd/icsd/cmd/cli"
	"github.com/abci-ics/ics/relayer"
	"github.com/abci-ics/ics/relayer/ccvrelay"
	"github.com/abci-ics/ics/relayer/linkfile"
)

// Cmd is `icsd relay`.
func Cmd() *cobra.Command {
	c := &cobra.Command{Use: "relay", Short: "Link two chains and relay IBC packets between them over CometBFT RPC"}
	link := &cobra.Command{
		Use:   "link",
		Short: "Create a client on each chain, a connection and a channel, and save the link",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f := cmd.Flags()
			var lf linkfile.File
			aNodes, _ := f.GetStringSlice("a-node")
			bNodes, _ := f.GetStringSlice("b-node")
			lf.A.SetEndpoints(aNodes)
			lf.B.SetEndpoints(bNodes)
			lf.A.Home, _ = f.GetString("a-home")
			lf.B.Home, _ = f.GetString("b-home")
			lf.A.Key, _ = f.GetString("a-key")
			lf.B.Key, _ = f.GetString("b-key")
			lf.A.RelayTx, _ = f.GetBool("a-relay-tx")
			lf.B.RelayTx, _ = f.GetBool("b-relay-tx")
			port, _ := f.GetString("port")
			version, _ := f.GetString("version")
			orderName, _ := f.GetString("order")
			out, _ := f.GetString("link")
			timeout, _ := f.GetDuration("timeout")
			var order channeltypes.Order
			switch strings.ToLower(orderName) {
			case "unordered":
				order = channeltypes.UNORDERED
			case "ordered":
				order = channeltypes.ORDERED
			default:
				return fmt.Errorf("--order %q: use ordered or unordered", orderName)
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			a, err := lf.A.Chain(ctx)
			if err != nil {
				return err
			}
			b, err := lf.B.Chain(ctx)
			if err != nil {
				return err
			}
			l, err := relayer.NewLink(ctx, a, b, port, order, version, relayer.DefaultClientOptions())
			if err != nil {
				return err
			}
			lf.Record(l)
			if err := linkfile.Save(out, lf); err != nil {
				return err
			}
			return cli.PrintOut(cmd, lf, func(w io.Writer) {
				fmt.Fprintf(w, "linked %s %s/%s (%s, %s) <-> %s %s/%s (%s, %s); saved %s\n",
					lf.A.ChainID, lf.A.Port, lf.A.Channel, lf.A.Connection, lf.A.Client,
					lf.B.ChainID, lf.B.Port, lf.B.Channel, lf.B.Connection, lf.B.Client, out)
			})
		},
	}
	lfl := link.Flags()
	lfl.StringSlice("a-node", []string{"tcp://127.0.0.1:26657"}, nodesHelp("chain A"))
	lfl.StringSlice("b-node", []string{"tcp://127.0.0.1:26667"}, nodesHelp("chain B"))
	lfl.String("a-home", cli.DefaultHome(), "home whose keyring holds the relayer key on A")
	lfl.String("b-home", cli.DefaultHome(), "home whose keyring holds the relayer key on B")
	lfl.String("a-key", "validator", "relayer key on A (pays A's fees)")
	lfl.String("b-key", "validator", "relayer key on B")
	lfl.Bool("a-relay-tx", false, relayTxHelp("chain A"))
	lfl.Bool("b-relay-tx", false, relayTxHelp("chain B"))
	lfl.String("port", "transfer", "port on both sides")
	lfl.String("order", "unordered", "channel order: ordered or unordered")
	lfl.String("version", "ics20-1", "channel version")
	lfl.String("link", filepath.Join(cli.DefaultHome(), "relayer", "link.json"), "file to save the link in")
	lfl.Duration("timeout", 5*time.Minute, "give up after this long")
	cli.AddOutputFlag(link)

	start := &cobra.Command{
		Use:   "start",
		Short: "Relay packets, acknowledgements, timeouts and channel closings of a saved link until Ctrl-C",
		Long: `start relays over a link saved by icsd relay link or link-ccv. On a CCV link it
also relays the ICS-20 channel link-ccv saved beside the CCV channel (transfer_channel),
on the same clients, reporting its packets on lines of their own. When one end of a
channel is closed (the provider stopped the consumer, the consumer closed its end),
start closes the other ("channel closed on <chain>", once) and goes on relaying the
transfer channel, which stays open. An end saved with
--a-relay-tx, --b-relay-tx or --consumer-relay-tx ("relay_tx": true in the link file) is a
chain with its own transaction format: the relayer sends it unsigned RelayTx transactions.

Each pass that did something prints its counts (packets received, acknowledged, timed
out, still pending, client updates sent to each chain) and the totals since start. With
--metrics ADDR it serves them as Prometheus metrics on http://ADDR/metrics (icsd_relayer_*,
labelled by the link file as given to --link; the README lists them), until it stops.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			file, _ := cmd.Flags().GetString("link")
			interval, _ := cmd.Flags().GetDuration("interval")
			refresh, _ := cmd.Flags().GetDuration("client-refresh")
			watch, _ := cmd.Flags().GetBool("watch-evidence")
			lookback, _ := cmd.Flags().GetInt64("evidence-lookback")
			metricsAddr, _ := cmd.Flags().GetString("metrics")
			w := cmd.OutOrStdout()
			m, stop, err := serveMetrics(w, metricsAddr)
			if err != nil {
				return err
			}
			defer stop()
			lf, err := linkfile.Read(file)
			if err != nil {
				return err
			}
			ctx, cancel := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer cancel()
			for _, e := range []*linkfile.End{&lf.A, &lf.B} {
				chain := e.ChainID
				e.OnSwitch = func(from, to string, err error) {
					fmt.Fprintf(w, "%s %s: node %s failed, using %s: %v\n", time.Now().Format("15:04:05"), chain, from, to, err)
				}
			}
			l, err := linkfile.Open(ctx, lf)
			if err != nil {
				return err
			}
			fmt.Fprintf(w, "relaying %s %s/%s <-> %s %s/%s\n", lf.A.ChainID, lf.A.Port, lf.A.Channel, lf.B.ChainID, lf.B.Port, lf.B.Channel)
			r := &reporter{w: w}
			if m != nil {
				r.rec = m.Link(file, l)
			}
			var tasks []relayer.Task
			if t := lf.TransferLink(l); t != nil {
				tasks = append(tasks, t.Task(func(p relayer.Progress) { r.transfer(t, p) }))
				fmt.Fprintf(w, "relaying %s %s/%s <-> %s %s/%s on the same clients\n", lf.A.ChainID, t.A.Port, t.A.Channel, lf.B.ChainID, t.B.Port, t.B.Channel)
			} else if ccvrelay.IsCCV(lf) {
				fmt.Fprintf(w, "%s names no transfer channel (a side has no ICS-20, or the link predates it: icsd relay link-ccv opens or finds it)\n", file)
			}
			if watch && ccvrelay.IsCCV(lf) {
				if lf.ConsumerID == "" {
					return fmt.Errorf("%s names no consumer_id: link it again with icsd relay link-ccv", file)
				}
				ew := ccvrelay.NewEvidenceWatcher(l, lf.ConsumerID, lookback, func(ev *cmttypes.DuplicateVoteEvidence, res *abcitypes.ExecTxResult) {
					outcome := "punished"
					if res.Code != 0 {
						outcome = "already handled: " + res.Log
					}
					fmt.Fprintf(w, "%s double vote of %X at height %d of %s reported to %s: %s\n", time.Now().Format("15:04:05"),
						ev.VoteA.ValidatorAddress, ev.VoteA.Height, lf.A.ChainID, lf.B.ChainID, outcome)
				})
				tasks = append(tasks, ew.Scan)
				fmt.Fprintf(w, "watching %s for double votes (from %d blocks back)\n", lf.A.ChainID, lookback)
			}
			l.Run(ctx, interval, refresh, r.pass, tasks...)
			return nil
		},
	}
	start.Flags().String("link", filepath.Join(cli.DefaultHome(), "relayer", "link.json"), "link file written by icsd relay link")
	start.Flags().Duration("interval", time.Second, "pause between relay passes")
	start.Flags().Duration("client-refresh", time.Hour, "update both clients at least this often, packets or not; a client older than a third of its trusting period is updated at once")
	start.Flags().Bool("watch-evidence", true, "on a CCV link, report the consumer's double votes to the provider")
	start.Flags().Int64("evidence-lookback", 100, "consumer blocks before the latest that a starting relayer scans for evidence")
	start.Flags().String("metrics", "", "serve the relayer's Prometheus metrics (icsd_relayer_*) on http://ADDR/metrics, ADDR host:port (port 0: any free port); empty: off")
	c.AddCommand(link, relayLinkCCVCmd(), start)
	return c
}

// nodesHelp is the help of the flags that give a chain's nodes.
func nodesHelp(chain string) string {
	return "RPC address of a node of " + chain + "; repeat the flag or separate with commas to give more nodes of it, which the relayer moves to in turn when the one it uses fails (saved in the link)"
}

// relayTxHelp is the help of the flags that mark a chain with its own
// transaction format.
func relayTxHelp(who string) string {
	return who + " is not icsd but a chain with its own transaction format that accepts RelayTx " +
		"(examples/kvconsumer): send it unsigned relay transactions, the key only naming the relayer; saved in the link for icsd relay start"
}
