package tx

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/abci-ics/ics/cmd/icsd/cmd/cli"
	"github.com/abci-ics/ics/cmd/icsd/cmd/consumersettings"
	"github.com/abci-ics/ics/relayer/ccvrelay"
)

func submitDoubleVotingCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "submit-double-voting KEY CONSUMER_ID HEIGHT",
		Short: "Report the double votes in block HEIGHT of consumer CONSUMER_ID (read from --consumer-node) to the provider (--node)",
		Long: `submit-double-voting reads the duplicate-vote evidence CometBFT committed in block HEIGHT
of the consumer, builds the infraction header (the consumer's header at the vote height with
its validator set, trusting a height the provider's client of the consumer holds) and sends
MsgSubmitConsumerDoubleVoting signed by KEY. icsd relay start does this by itself.`,
		Args: cli.KeyArgs(3, 3),
		RunE: func(cmd *cobra.Command, args []string) error {
			key, args, err := cli.SigningKey(cmd, args, 3, 3)
			if err != nil {
				return err
			}
			consumerID := args[0]
			if err := consumersettings.CheckConsumerID(consumerID); err != nil {
				return err
			}
			height, err := strconv.ParseInt(args[1], 10, 64)
			if err != nil || height < 1 {
				return fmt.Errorf("height %q: want a positive block height", args[1])
			}
			provNode, _ := cmd.Flags().GetString(cli.FlagNode)
			consNode, _ := cmd.Flags().GetString("consumer-node")
			timeout, _ := cmd.Flags().GetDuration("timeout")
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			results, err := ccvrelay.SubmitDoubleVoting(ctx, provNode, consNode, key, consumerID, height)
			if err != nil {
				return err
			}
			failed := false
			for _, res := range results {
				failed = failed || res.Code != 0
			}
			if err := cli.PrintOut(cmd, results, func(w io.Writer) {
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
	cli.AddTxFlags(c)
	c.Flags().String("consumer-node", "tcp://127.0.0.1:26667", "RPC address of a node of the consumer")
	return c
}
