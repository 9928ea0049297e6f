package cmd

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/abci-ics/ics/client"
	"github.com/abci-ics/ics/relayer"
	"github.com/abci-ics/ics/relayer/ccvrelay"
)

func relayLinkCCVCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "link-ccv",
		Short: "Open the connection and the CCV channel between a launched consumer and its provider, on the clients they created at launch, and save the link",
		Long: `link-ccv finds the consumer's client of the provider (icsd query consumer status) and
the provider's client of the consumer (icsd query provider consumers), opens a connection
between them and the ordered CCV channel from port consumer to port provider, initiated by
the consumer, and saves the link for icsd relay start. If the channel is open already it
saves that channel's link.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f := cmd.Flags()
			var cons, prov relayer.LinkEnd
			cons.Node, _ = f.GetString("consumer-node")
			prov.Node, _ = f.GetString("provider-node")
			cons.Home, _ = f.GetString("consumer-home")
			prov.Home, _ = f.GetString("provider-home")
			cons.Key, _ = f.GetString("consumer-key")
			prov.Key, _ = f.GetString("provider-key")
			out, _ := f.GetString("link")
			timeout, _ := f.GetDuration("timeout")
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			lf, err := ccvrelay.LinkCCV(ctx, cons, prov)
			if err != nil {
				return err
			}
			if err := relayer.SaveLink(out, lf); err != nil {
				return err
			}
			return printOut(cmd, lf, func(w io.Writer) {
				fmt.Fprintf(w, "CCV channel open: %s %s/%s (%s, %s) <-> %s %s/%s (%s, %s); saved %s\n",
					lf.A.ChainID, lf.A.Port, lf.A.Channel, lf.A.Connection, lf.A.Client,
					lf.B.ChainID, lf.B.Port, lf.B.Channel, lf.B.Connection, lf.B.Client, out)
			})
		},
	}
	f := c.Flags()
	f.String("consumer-node", "tcp://127.0.0.1:26667", "RPC address of a consumer node")
	f.String("provider-node", "tcp://127.0.0.1:26657", "RPC address of a provider node")
	f.String("consumer-home", DefaultHome(), "home whose keyring holds the relayer key on the consumer")
	f.String("provider-home", DefaultHome(), "home whose keyring holds the relayer key on the provider")
	f.String("consumer-key", "validator", "relayer key on the consumer (pays its fees)")
	f.String("provider-key", "validator", "relayer key on the provider")
	f.String("link", filepath.Join(DefaultHome(), "relayer", "ccv.json"), "file to save the link in")
	f.Duration("timeout", 5*time.Minute, "give up after this long")
	addOutputFlag(c)
	return c
}

func submitDoubleVotingCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "submit-double-voting KEY CHAIN_ID HEIGHT",
		Short: "Report the double votes in block HEIGHT of consumer CHAIN_ID (read from --consumer-node) to the provider (--node)",
		Long: `submit-double-voting reads the duplicate-vote evidence CometBFT committed in block HEIGHT
of the consumer, builds the infraction header (the consumer's header at the vote height with
its validator set, trusting a height the provider's client of the consumer holds) and sends
MsgSubmitConsumerDoubleVoting signed by KEY. icsd relay start does this by itself.`,
		Args: cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			key, err := client.LoadKey(home(cmd), args[0])
			if err != nil {
				return err
			}
			chainID := args[1]
			height, err := strconv.ParseInt(args[2], 10, 64)
			if err != nil || height < 1 {
				return fmt.Errorf("height %q: want a positive block height", args[2])
			}
			provNode, _ := cmd.Flags().GetString(flagNode)
			consNode, _ := cmd.Flags().GetString("consumer-node")
			timeout, _ := cmd.Flags().GetDuration("timeout")
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			results, err := ccvrelay.SubmitDoubleVoting(ctx, provNode, consNode, key, chainID, height)
			if err != nil {
				return err
			}
			failed := false
			for _, res := range results {
				failed = failed || res.Code != 0
			}
			if err := printOut(cmd, results, func(w io.Writer) {
				for _, res := range results {
					if res.Code == 0 {
						fmt.Fprintf(w, "committed at height %d: %s\n", res.Height, res.Hash)
					} else {
						fmt.Fprintf(w, "failed with code %d: %s (tx %s)\n", res.Code, res.Log, res.Hash)
					}
				}
			}); err != nil {
				return err
			}
			if failed {
				cmd.SilenceErrors = true
				return fmt.Errorf("a report failed")
			}
			return nil
		},
	}
	addTxFlags(c)
	c.Flags().String("consumer-node", "tcp://127.0.0.1:26667", "RPC address of a node of the consumer")
	return c
}
