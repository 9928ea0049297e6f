package tx

import (
	"time"

	gogoproto "github.com/cosmos/gogoproto/proto"
	"github.com/spf13/cobra"

	"github.com/abci-ics/ics/client"
	"github.com/abci-ics/ics/ibc/transfer"
	"github.com/abci-ics/ics/types/coin"
)

func ibcTransferTxCmd() *cobra.Command {
	c := &cobra.Command{Use: "ibc-transfer", Short: "ICS-20 token transfers"}
	t := txCommand("transfer KEY CHANNEL RECEIVER AMOUNT", "Send AMOUNT over CHANNEL (port transfer) to RECEIVER on the other chain", 4,
		func(cmd *cobra.Command, key client.Key, args []string) (gogoproto.Message, error) {
			coin, err := coin.ParseCoin(args[2])
			if err != nil {
				return nil, err
			}
			timeout, _ := cmd.Flags().GetDuration("packet-timeout")
			memo, _ := cmd.Flags().GetString("memo")
			return &transfer.MsgTransfer{Sender: key.Address(), SourcePort: transfer.PortID, SourceChannel: args[0], Token: coin,
				Receiver: args[1], TimeoutTimestamp: uint64(time.Now().Add(timeout).UnixNano()), Memo: memo}, nil
		})
	t.Flags().Duration("packet-timeout", 10*time.Minute, "the packet times out this long from now")
	t.Flags().String("memo", "", "memo carried by the packet")
	c.AddCommand(t)
	return c
}
