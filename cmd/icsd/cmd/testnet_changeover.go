package cmd

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/abci-ics/ics/testnet/changeovernet"
)

func testnetChangeoverCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "changeover",
		Short: "Start a standalone chain beside a running CCV testnet and change it over to a consumer of its provider, printing what happens",
		Long: `changeover needs a CCV testnet running in --dir (icsd testnet start --dir DIR
--consumers N, in another terminal). It writes a standalone chain, --chain-id, under
DIR/standalone: one node per provider validator, node i run by provider validator i
(its operator key and its consensus key, bonded in the chain's own genesis with less
stake than on the provider), with its own staking and governance and loopback ports
past the testnet's. It starts the chain and then, as docs/sovereignty.md tells an
operator:

  - links the chain to the provider with a transfer channel (icsd relay link: a client
    on each chain, a connection, the channel), as a chain that already uses IBC has,
    unless --new-connection;
  - creates the consumer on the provider: a consumer addition proposal with the chain's
    id, --changeover, --connection (that link's connection on the provider), top N 100
    and initial height H (the chain's height now plus the blocks of the vote and
    --lead), spawning shortly before H; every provider validator votes yes;
  - waits for the launch, saves the consumer genesis and imports it into every node
    while they run (icsd genesis import-consumer --provider-node);
  - waits for H (its changeover event) and H+2, the first block the provider's
    validators sign, and checks that they are the provider's set;
  - starts a relayer (icsd relay link-ccv, then icsd relay start) that opens the CCV
    channel, on the chains' connection, and relays it and the transfer channel on it;
  - has provider validator 1 delegate to itself on the provider and waits for the VSC
    that brings its new power to the chain.

Then it prints each VSC the chain applies until Ctrl-C, and stops the chain's nodes
and relayer (the testnet keeps running). It runs once per testnet: DIR/standalone
must not exist.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f := cmd.Flags()
			o := changeovernet.Default()
			o.Dir, _ = f.GetString("dir")
			o.ChainID, _ = f.GetString("chain-id")
			o.Lead, _ = f.GetDuration("lead")
			o.UnbondingPeriod, _ = f.GetDuration("unbonding-period")
			o.VotingPeriod, _ = f.GetDuration("voting-period")
			o.NewConnection, _ = f.GetBool("new-connection")
			level, _ := f.GetString("node-log-level")
			interval, _ := f.GetDuration("report-every")
			o.NodeArgs = []string{"--log_level", level}
			o.Out = cmd.OutOrStdout()
			bin, err := os.Executable()
			if err != nil {
				return err
			}
			o.Bin = bin
			ch, err := changeovernet.Load(o)
			if err != nil {
				return err
			}
			ctx, cancel := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer cancel()
			defer func() {
				fmt.Fprintf(cmd.OutOrStdout(), "stopping the nodes and the relayer of %s\n", o.ChainID)
				ch.Stop()
			}()
			if err := ch.Run(ctx); err != nil {
				if ctx.Err() != nil {
					return nil
				}
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s is a consumer of the testnet's provider; Ctrl-C stops its nodes and relayer. Its validators follow the provider's, for example:\n"+
				"  icsd tx staking delegate validator <operator> 1000000000stake --home %s --node %s\n", o.ChainID, ch.ProviderHome(0), ch.ProviderRPC(0))
			ch.Watch(ctx, interval)
			return nil
		},
	}
	d := changeovernet.Default()
	f := c.Flags()
	f.String("dir", "build/testnet", "directory of the running CCV testnet (icsd testnet start --dir)")
	f.String("chain-id", d.ChainID, "the standalone chain's id")
	f.Duration("lead", d.Lead, "how long after the consumer's spawn time the changeover height is expected (time to import the plan on every node)")
	f.Duration("unbonding-period", d.UnbondingPeriod, "the standalone chain's own unbonding period")
	f.Duration("voting-period", d.VotingPeriod, "the standalone chain's own governance voting period")
	f.Duration("report-every", 2*time.Second, "interval between progress polls")
	f.String("node-log-level", "info", "log level of the chain's nodes")
	f.Bool("new-connection", false, "do not link the chains before the changeover: the consumer gets new clients and a new connection")
	return c
}
