package cmd

import (
	"fmt"
	"io"
	"os"

	"github.com/cometbft/cometbft/privval"
	"github.com/spf13/cobra"

	"github.com/abci-ics/ics/app"
	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/ccv/icsgenesis"
	"github.com/abci-ics/ics/chain/staking"
	"github.com/abci-ics/ics/client"
	"github.com/abci-ics/ics/cmd/icsd/cmd/cli"
	"github.com/abci-ics/ics/interchain"
	"github.com/abci-ics/ics/nodehome"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/coin"
	"github.com/abci-ics/ics/types/fraction"
)

func genesisCmd() *cobra.Command {
	c := &cobra.Command{Use: "genesis", Short: "Edit the genesis file of a home before the chain starts"}
	addAccount := &cobra.Command{
		Use: "add-account ADDRESS COINS", Short: "Fund an address at genesis (for example 100stake)", Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			coins, err := coin.ParseCoins(args[1])
			if err != nil {
				return err
			}
			return nodehome.EditGenesis(cli.Home(cmd), func(g *app.Genesis) error {
				addr, err := address.Decode(g.Auth.Params.Bech32Prefix, args[0])
				if err != nil {
					return err
				}
				nodehome.AddBalance(g, address.Encode(g.Auth.Params.Bech32Prefix, addr), nil, coins)
				return nil
			})
		},
	}
	addValidator := &cobra.Command{
		Use:   "add-validator KEY SELF_DELEGATION",
		Short: "Make this home's consensus key a genesis validator operated by KEY, bonding SELF_DELEGATION from KEY's genesis balance",
		Long: `add-validator is the genesis flow for a network whose validators run on different machines:
each operator runs it on its own home with its own key and consensus key, and the
coordinator merges the resulting validators and balances into one genesis (or all
operators edit one genesis in turn). With --fund, KEY's account is credited the
self-delegation first.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			key, err := client.LoadKey(cli.Home(cmd), args[0])
			if err != nil {
				return err
			}
			amount, err := coin.ParseCoin(args[1])
			if err != nil {
				return err
			}
			fund, _ := cmd.Flags().GetBool("fund")
			moniker, _ := cmd.Flags().GetString("moniker")
			cfg := nodehome.Config(cli.Home(cmd))
			pv := privval.LoadFilePV(cfg.PrivValidatorKeyFile(), cfg.PrivValidatorStateFile())
			pub, err := pv.GetPubKey()
			if err != nil {
				return err
			}
			var op string
			err = nodehome.EditGenesis(cli.Home(cmd), func(g *app.Genesis) error {
				if g.Role() == app.RoleConsumer {
					return fmt.Errorf("%s is a consumer home: its validators come from the provider (icsd genesis import-consumer)", cli.Home(cmd))
				}
				if amount.Denom != g.Staking.Params.BondDenom {
					return fmt.Errorf("self-delegation must be in %s", g.Staking.Params.BondDenom)
				}
				op = address.Encode(g.Auth.Params.Bech32Prefix, key.Address())
				for _, v := range g.Staking.Validators {
					if v.Operator == op || string(v.PubKey) == string(pub.Bytes()) {
						return fmt.Errorf("genesis already has a validator with operator %s or this consensus key", op)
					}
				}
				if fund {
					nodehome.AddBalance(g, op, key.Priv.PubKey().Bytes(), []coin.Coin{amount})
				}
				g.Staking.Validators = append(g.Staking.Validators, staking.GenesisValidator{
					Operator: op, PubKey: pub.Bytes(), Moniker: moniker,
					CommissionRate: fraction.New(1, 10), CommissionMaxRate: fraction.New(1, 5),
					SelfDelegation: amount.Amount, MinSelfDelegation: 1,
				})
				return nil
			})
			if err != nil {
				return err
			}
			return cli.PrintOut(cmd, map[string]string{"operator": op, "pub_key": fmt.Sprintf("%X", pub.Bytes())}, func(w io.Writer) {
				fmt.Fprintf(w, "genesis validator %s bonds %s\n", op, amount)
			})
		},
	}
	importConsumer := &cobra.Command{
		Use:   "import-consumer FILE",
		Short: "Put the consumer genesis the provider computed at launch into this consumer home's genesis, or plan a standalone chain's changeover",
		Long: `import-consumer reads FILE, the answer of
  icsd query provider consumer-genesis CONSUMER_ID -o json --node PROVIDER_RPC
in either form: ours (--format icsd, the default) or the reference
implementation's ConsumerGenesisState in proto JSON (--format ics, or what a
provider of the reference wrote), told apart by their fields. A reference
genesis our consumer cannot start as the same chain (CCV disabled, reward
denom lists, preCCV or a connection id) is refused with the reason. It writes
it as app_state.consumer of the home's genesis (a home written by
icsd init --role consumer): the provider's client and consensus state, the first
validator set with the keys the validators assigned, and the consumer parameters.
The genesis file's own validator list is cleared: the chain takes its validators
from the consumer genesis.

On the home of a running standalone chain (a provider home) FILE must be a
changeover genesis (the consumer was created with --changeover for this chain
id): it is checked (chain id, initial validators, a height the node has not
signed yet) and written to HOME/config/changeover.json, which the running node
reads. At that height the chain becomes the consumer: no new genesis, no
restart. Every node of the chain must import it before the height. With
--provider-node, FILE must also be the genesis that provider holds for the
consumer (same initial validators, parameters and client).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			bz, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			cg, format, err := icsgenesis.Read(bz)
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			if node, _ := cmd.Flags().GetString("provider-node"); node != "" {
				if err := matchProvider(cmd, node, cg); err != nil {
					return err
				}
			}
			if err := nodehome.ImportConsumerGenesis(cli.Home(cmd), cg); err != nil {
				return err
			}
			out := map[string]any{"home": cli.Home(cmd), "validators": len(cg.InitialValidators), "format": format}
			if c := cg.Changeover; c != nil {
				out["changeover_height"] = c.Height
				return cli.PrintOut(cmd, out, func(w io.Writer) {
					fmt.Fprintf(w, "%s changes over to the consumer at height %d: %d initial validators (plan in %s)\n", c.ChainId, c.Height,
						len(cg.InitialValidators), nodehome.ChangeoverFile(cli.Home(cmd)))
				})
			}
			return cli.PrintOut(cmd, out, func(w io.Writer) {
				fmt.Fprintf(w, "imported the consumer genesis (%s form) into %s: %d initial validators\n", format, nodehome.Config(cli.Home(cmd)).GenesisFile(), len(cg.InitialValidators))
			})
		},
	}
	cli.AddOutputFlag(importConsumer)
	importConsumer.Flags().String("provider-node", "", "check FILE against the consumer genesis of the provider at this RPC address (tcp://host:port)")
	addValidator.Flags().Bool("fund", false, "credit KEY's account with the self-delegation first")
	addValidator.Flags().String("moniker", "validator", "validator name")
	cli.AddOutputFlag(addValidator)
	c.AddCommand(addAccount, addValidator, importConsumer)
	return c
}

// matchProvider checks cg against the consumer genesis the provider at
// node holds for cg's consumer.
func matchProvider(cmd *cobra.Command, node string, cg *ccv.ConsumerGenesis) error {
	c, err := client.NewClient(node)
	if err != nil {
		return err
	}
	path := interchain.PathConsumerGenesis + cg.ConsumerId
	res, err := c.RPC().ABCIQuery(cmd.Context(), path, nil)
	if err != nil {
		return fmt.Errorf("provider: query %s: %w", path, err)
	}
	if res.Response.Code != 0 {
		return fmt.Errorf("provider: query %s: %s", path, res.Response.Log)
	}
	want, err := nodehome.ReadConsumerGenesis(res.Response.Value)
	if err != nil {
		return fmt.Errorf("provider: %w", err)
	}
	if err := nodehome.MatchProvider(cg, want); err != nil {
		return fmt.Errorf("%w: nothing imported", err)
	}
	return nil
}
