package relay

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/abci-ics/ics/cmd/icsd/cmd/cli"
	"github.com/abci-ics/ics/relayer/ccvrelay"
	"github.com/abci-ics/ics/relayer/linkfile"
)

func relayLinkCCVCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "link-ccv",
		Short: "Open the connection and the CCV channel between a launched consumer and its provider, on the clients they created at launch, and save the link",
		Long: `link-ccv finds the consumer's client of the provider (icsd query consumer status) and
the provider's client of the consumer (icsd query provider consumers), opens a connection
between them (unless one is open between them already, as for a changeover that reuses the
chains' connection) and the ordered CCV channel from port consumer to port provider,
initiated by the consumer, and saves the link for icsd relay start. If the channel is open
already it saves that channel's link.

Then it opens the unordered ICS-20 channel (port transfer on both sides, version ics20-1)
on the same connection, initiated by the consumer, over which the consumer sends the
provider its rewards; a transfer channel open on that connection already (or one the
consumer started) is used instead, so running link-ccv again opens nothing. Its channel
ids are saved in the link (transfer_channel) and icsd relay start relays it too. When
either chain has no ICS-20 (a consumer without a bank) no transfer channel is opened.

With --consumer-relay-tx the consumer is a chain with its own transaction format (not
icsd, e.g. examples/kvconsumer) that accepts RelayTx: the relayer sends it unsigned relay
transactions, and --consumer-home/--consumer-key only give the relayer's address there.
The choice is saved in the link, so icsd relay start does the same. Without the flag both
ends get icsd's signed transactions.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f := cmd.Flags()
			var cons, prov linkfile.End
			consNodes, _ := f.GetStringSlice("consumer-node")
			provNodes, _ := f.GetStringSlice("provider-node")
			cons.SetEndpoints(consNodes)
			prov.SetEndpoints(provNodes)
			cons.Home, _ = f.GetString("consumer-home")
			prov.Home, _ = f.GetString("provider-home")
			cons.Key, _ = f.GetString("consumer-key")
			cons.RelayTx, _ = f.GetBool("consumer-relay-tx")
			prov.Key, _ = f.GetString("provider-key")
			out, _ := f.GetString("link")
			timeout, _ := f.GetDuration("timeout")
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			lf, err := ccvrelay.LinkCCV(ctx, cons, prov)
			if err != nil {
				return err
			}
			if err := linkfile.Save(out, lf); err != nil {
				return err
			}
			return cli.PrintOut(cmd, lf, func(w io.Writer) {
				fmt.Fprintf(w, "CCV channel open: %s %s/%s (%s, %s) <-> %s %s/%s (%s, %s); saved %s\n",
					lf.A.ChainID, lf.A.Port, lf.A.Channel, lf.A.Connection, lf.A.Client,
					lf.B.ChainID, lf.B.Port, lf.B.Channel, lf.B.Connection, lf.B.Client, out)
				if lf.Transfer != nil {
					fmt.Fprintf(w, "transfer channel open: %s transfer/%s <-> %s transfer/%s on the same connection\n",
						lf.A.ChainID, lf.Transfer.A, lf.B.ChainID, lf.Transfer.B)
				} else {
					fmt.Fprintln(w, "no transfer channel: a side has no ICS-20")
				}
			})
		},
	}
	f := c.Flags()
	f.StringSlice("consumer-node", []string{"tcp://127.0.0.1:26667"}, nodesHelp("the consumer"))
	f.StringSlice("provider-node", []string{"tcp://127.0.0.1:26657"}, nodesHelp("the provider"))
	f.String("consumer-home", cli.DefaultHome(), "home whose keyring holds the relayer key on the consumer")
	f.String("provider-home", cli.DefaultHome(), "home whose keyring holds the relayer key on the provider")
	f.String("consumer-key", "validator", "relayer key on the consumer (pays its fees)")
	f.String("provider-key", "validator", "relayer key on the provider")
	f.Bool("consumer-relay-tx", false, relayTxHelp("the consumer"))
	f.String("link", filepath.Join(cli.DefaultHome(), "relayer", "ccv.json"), "file to save the link in")
	f.Duration("timeout", 5*time.Minute, "give up after this long")
	cli.AddOutputFlag(c)
	return c
}
