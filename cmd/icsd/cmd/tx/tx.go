package tx

import (
	"github.com/spf13/cobra"

	"github.com/abci-ics/ics/chain/auth"
	"github.com/abci-ics/ics/chain/bank"
	"github.com/abci-ics/ics/cmd/icsd/cmd/cli"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/coin"
)

// Command returns icsd tx: sign and send transactions.
func Command() *cobra.Command {
	c := &cobra.Command{Use: "tx", Short: "Sign and send transactions"}
	bankCmd := &cobra.Command{Use: "bank", Short: "Bank transactions"}
	send := &cobra.Command{
		Use:   "send FROM_KEY TO_ADDRESS AMOUNT",
		Short: "Send coins (for example 100stake) and wait for the block",
		Args:  cli.KeyArgs(3, 3),
		RunE: func(cmd *cobra.Command, args []string) error {
			key, args, err := cli.SigningKey(cmd, args, 3, 3)
			if err != nil {
				return err
			}
			to, err := address.Decode("", args[0])
			if err != nil {
				return err
			}
			coins, err := coin.ParseCoins(args[1])
			if err != nil {
				return err
			}
			msg, err := auth.NewAny(&bank.MsgSend{From: key.Address(), To: to, Amount: coins})
			if err != nil {
				return err
			}
			return cli.Broadcast(cmd, key, msg)
		},
	}
	cli.AddTxFlags(send)
	bankCmd.AddCommand(send)
	c.AddCommand(bankCmd, stakingTxCmd(), govTxCmd(), distributionTxCmd(), ibcTransferTxCmd(), providerTxCmd())
	return c
}
