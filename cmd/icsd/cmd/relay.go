package cmd

import (
	"context"
	"encoding/json"
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

	"github.com/abci-ics/ics/ibc/relayer"
)

// LinkFile is what `icsd relay link` saves and `icsd relay start` reads:
// both nodes, the relayer keys, and the identifiers on each side.
type LinkFile struct {
	A LinkEnd `json:"a"`
	B LinkEnd `json:"b"`
}

// LinkEnd is one side of a saved link.
type LinkEnd struct {
	Node       string `json:"node"`
	Home       string `json:"home"`
	Key        string `json:"key"`
	ChainID    string `json:"chain_id"`
	Client     string `json:"client_id"`
	Connection string `json:"connection_id"`
	Port       string `json:"port_id"`
	Channel    string `json:"channel_id"`
}

func (e LinkEnd) chain(ctx context.Context) (*relayer.Chain, error) {
	key, err := LoadKey(e.Home, e.Key)
	if err != nil {
		return nil, err
	}
	c, err := NewClient(e.Node)
	if err != nil {
		return nil, err
	}
	return relayer.NewChain(ctx, e.Node, Submitter{Client: c, Key: key})
}

// OpenLink connects to both ends of a saved link.
func OpenLink(ctx context.Context, f LinkFile) (*relayer.Link, error) {
	a, err := f.A.chain(ctx)
	if err != nil {
		return nil, err
	}
	b, err := f.B.chain(ctx)
	if err != nil {
		return nil, err
	}
	end := func(c *relayer.Chain, e LinkEnd) *relayer.End {
		return &relayer.End{Chain: c, Client: e.Client, Connection: e.Connection, Port: e.Port, Channel: e.Channel}
	}
	return &relayer.Link{A: end(a, f.A), B: end(b, f.B)}, nil
}

// readLinkFile reads a link saved by icsd relay link or link-ccv.
func readLinkFile(file string) (LinkFile, error) {
	bz, err := os.ReadFile(file)
	if err != nil {
		return LinkFile{}, fmt.Errorf("read link (run icsd relay link or link-ccv first?): %w", err)
	}
	var lf LinkFile
	if err := json.Unmarshal(bz, &lf); err != nil {
		return LinkFile{}, fmt.Errorf("%s: %w", file, err)
	}
	if lf.A.Channel == "" || lf.B.Channel == "" {
		return LinkFile{}, fmt.Errorf("%s: no channel on one side", file)
	}
	return lf, nil
}

func relayCmd() *cobra.Command {
	c := &cobra.Command{Use: "relay", Short: "Link two chains and relay IBC packets between them over CometBFT RPC"}
	link := &cobra.Command{
		Use:   "link",
		Short: "Create a client on each chain, a connection and a channel, and save the link",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f := cmd.Flags()
			var lf LinkFile
			lf.A.Node, _ = f.GetString("a-node")
			lf.B.Node, _ = f.GetString("b-node")
			lf.A.Home, _ = f.GetString("a-home")
			lf.B.Home, _ = f.GetString("b-home")
			lf.A.Key, _ = f.GetString("a-key")
			lf.B.Key, _ = f.GetString("b-key")
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
			a, err := lf.A.chain(ctx)
			if err != nil {
				return err
			}
			b, err := lf.B.chain(ctx)
			if err != nil {
				return err
			}
			l, err := relayer.NewLink(ctx, a, b, port, order, version, relayer.DefaultClientOptions())
			if err != nil {
				return err
			}
			for _, p := range []struct {
				e   *LinkEnd
				end *relayer.End
			}{{&lf.A, l.A}, {&lf.B, l.B}} {
				p.e.ChainID, p.e.Client, p.e.Connection, p.e.Port, p.e.Channel = p.end.Chain.ID, p.end.Client, p.end.Connection, p.end.Port, p.end.Channel
			}
			if err := SaveLink(out, lf); err != nil {
				return err
			}
			return printOut(cmd, lf, func(w io.Writer) {
				fmt.Fprintf(w, "linked %s %s/%s (%s, %s) <-> %s %s/%s (%s, %s); saved %s\n",
					lf.A.ChainID, lf.A.Port, lf.A.Channel, lf.A.Connection, lf.A.Client,
					lf.B.ChainID, lf.B.Port, lf.B.Channel, lf.B.Connection, lf.B.Client, out)
			})
		},
	}
	lfl := link.Flags()
	lfl.String("a-node", "tcp://127.0.0.1:26657", "RPC address of a node of chain A")
	lfl.String("b-node", "tcp://127.0.0.1:26667", "RPC address of a node of chain B")
	lfl.String("a-home", DefaultHome(), "home whose keyring holds the relayer key on A")
	lfl.String("b-home", DefaultHome(), "home whose keyring holds the relayer key on B")
	lfl.String("a-key", "validator", "relayer key on A (pays A's fees)")
	lfl.String("b-key", "validator", "relayer key on B")
	lfl.String("port", "transfer", "port on both sides")
	lfl.String("order", "unordered", "channel order: ordered or unordered")
	lfl.String("version", "ics20-1", "channel version")
	lfl.String("link", filepath.Join(DefaultHome(), "relayer", "link.json"), "file to save the link in")
	lfl.Duration("timeout", 5*time.Minute, "give up after this long")
	addOutputFlag(link)

	start := &cobra.Command{
		Use:   "start",
		Short: "Relay packets, acknowledgements and timeouts of a saved link until Ctrl-C",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			file, _ := cmd.Flags().GetString("link")
			interval, _ := cmd.Flags().GetDuration("interval")
			refresh, _ := cmd.Flags().GetDuration("client-refresh")
			watch, _ := cmd.Flags().GetBool("watch-evidence")
			lookback, _ := cmd.Flags().GetInt64("evidence-lookback")
			lf, err := readLinkFile(file)
			if err != nil {
				return err
			}
			ctx, cancel := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer cancel()
			l, err := OpenLink(ctx, lf)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "relaying %s %s/%s <-> %s %s/%s\n", lf.A.ChainID, lf.A.Port, lf.A.Channel, lf.B.ChainID, lf.B.Port, lf.B.Channel)
			var tasks []relayer.Task
			if watch && lf.IsCCV() {
				ew := NewEvidenceWatcher(l, lookback, func(ev *cmttypes.DuplicateVoteEvidence, res *abcitypes.ExecTxResult) {
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
			l.Run(ctx, interval, refresh, func(p relayer.Progress, err error) {
				if err != nil {
					fmt.Fprintf(w, "%s relay error: %v\n", time.Now().Format("15:04:05"), err)
					return
				}
				fmt.Fprintf(w, "%s %s\n", time.Now().Format("15:04:05"), p)
			}, tasks...)
			return nil
		},
	}
	start.Flags().String("link", filepath.Join(DefaultHome(), "relayer", "link.json"), "link file written by icsd relay link")
	start.Flags().Duration("interval", time.Second, "pause between relay passes")
	start.Flags().Duration("client-refresh", time.Hour, "update both clients at least this often, packets or not; a client older than a third of its trusting period is updated at once")
	start.Flags().Bool("watch-evidence", true, "on a CCV link, report the consumer's double votes to the provider")
	start.Flags().Int64("evidence-lookback", 100, "consumer blocks before the latest that a starting relayer scans for evidence")
	c.AddCommand(link, relayLinkCCVCmd(), start)
	return c
}
