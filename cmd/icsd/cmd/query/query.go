package query

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/abci-ics/ics/app"
	"github.com/abci-ics/ics/cmd/icsd/cmd/cli"
)

// Command returns icsd query: query a node.
func Command() *cobra.Command {
	c := &cobra.Command{Use: "query", Aliases: []string{"q"}, Short: "Query a node"}
	bankCmd := &cobra.Command{Use: "bank", Short: "Bank queries"}
	balances := &cobra.Command{
		Use: "balances ADDRESS", Short: "Balances of an address", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, ctx, cancel, err := cli.ClientFor(cmd)
			if err != nil {
				return err
			}
			defer cancel()
			var coins []app.CoinJSON
			if err := c.QueryJSON(ctx, app.PathBalances+args[0], &coins); err != nil {
				return err
			}
			return cli.PrintOut(cmd, coins, func(w io.Writer) {
				if len(coins) == 0 {
					fmt.Fprintln(w, "no balances")
				}
				for _, c := range coins {
					fmt.Fprintf(w, "%d%s\n", c.Amount, c.Denom)
				}
			})
		},
	}
	supply := &cobra.Command{
		Use: "supply", Short: "Total supply of every denomination", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, ctx, cancel, err := cli.ClientFor(cmd)
			if err != nil {
				return err
			}
			defer cancel()
			var coins []app.CoinJSON
			if err := c.QueryJSON(ctx, app.PathSupply, &coins); err != nil {
				return err
			}
			return cli.PrintOut(cmd, coins, func(w io.Writer) {
				for _, c := range coins {
					fmt.Fprintf(w, "%d%s\n", c.Amount, c.Denom)
				}
			})
		},
	}
	account := &cobra.Command{
		Use: "account ADDRESS", Short: "Account of an address: public key and nonce", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, ctx, cancel, err := cli.ClientFor(cmd)
			if err != nil {
				return err
			}
			defer cancel()
			var acc app.AccountJSON
			if err := c.QueryJSON(ctx, app.PathAccount+args[0], &acc); err != nil {
				return err
			}
			return cli.PrintOut(cmd, acc, func(w io.Writer) {
				if !acc.Found {
					fmt.Fprintf(w, "%s: no account\n", acc.Address)
					return
				}
				fmt.Fprintf(w, "address: %s\npub_key: %X\nnonce: %d\n", acc.Address, acc.PubKey, acc.Nonce)
			})
		},
	}
	for _, s := range []*cobra.Command{balances, supply, account} {
		cli.AddNodeFlag(s)
	}
	bankCmd.AddCommand(balances, supply)
	c.AddCommand(bankCmd, account, stakingQueryCmd(), govQueryCmd(), distributionQueryCmd(), ibcQueryCmd(), providerQueryCmd(), consumerQueryCmd(), roleCmd())
	return c
}
