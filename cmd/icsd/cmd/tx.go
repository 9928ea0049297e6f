package cmd

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/abci-ics/ics/chain/auth"
	"github.com/abci-ics/ics/chain/bank"
	"github.com/abci-ics/ics/client"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/coin"
)

func txCmd() *cobra.Command {
	c := &cobra.Command{Use: "tx", Short: "Sign and send transactions"}
	bankCmd := &cobra.Command{Use: "bank", Short: "Bank transactions"}
	send := &cobra.Command{
		Use:   "send FROM_KEY TO_ADDRESS AMOUNT",
		Short: "Send coins (for example 100stake) and wait for the block",
		Args:  cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			key, err := client.LoadKey(home(cmd), args[0])
			if err != nil {
				return err
			}
			to, err := address.Decode("", args[1])
			if err != nil {
				return err
			}
			coins, err := coin.ParseCoins(args[2])
			if err != nil {
				return err
			}
			msg, err := auth.NewAny(&bank.MsgSend{From: key.Address(), To: to, Amount: coins})
			if err != nil {
				return err
			}
			return broadcast(cmd, key, msg)
		},
	}
	addTxFlags(send)
	bankCmd.AddCommand(send)
	c.AddCommand(bankCmd, stakingTxCmd(), govTxCmd(), distributionTxCmd(), ibcTransferTxCmd(), providerTxCmd())
	return c
}

func addTxFlags(cmd *cobra.Command) {
	addNodeFlag(cmd)
	cmd.Flags().String("fee", "", "fee, for example 10stake (default: the chain's minimum)")
}

// broadcast signs and sends msgs, prints the result and fails when the
// transaction failed.
func broadcast(cmd *cobra.Command, key client.Key, msgs ...auth.Any) error {
	c, ctx, cancel, err := clientFor(cmd)
	if err != nil {
		return err
	}
	defer cancel()
	fee, _ := cmd.Flags().GetString("fee")
	res, err := c.SignAndBroadcast(ctx, key, &fee, msgs...)
	if err != nil {
		return err
	}
	if err := printOut(cmd, res, func(w io.Writer) {
		if res.Code == 0 {
			fmt.Fprintf(w, "committed at height %d: %s\n", res.Height, res.Hash)
		} else {
			fmt.Fprintf(w, "failed with code %d: %s (tx %s)\n", res.Code, res.Log, res.Hash)
		}
	}); err != nil {
		return err
	}
	if res.Code != 0 {
		cmd.SilenceErrors = true
		return fmt.Errorf("transaction failed with code %d", res.Code)
	}
	return nil
}
