package cmd

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/cometbft/cometbft/privval"
	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/spf13/cobra"

	"github.com/abci-ics/ics/abci"
	"github.com/abci-ics/ics/chain/address"
	"github.com/abci-ics/ics/chain/auth"
	"github.com/abci-ics/ics/chain/bank"
	"github.com/abci-ics/ics/chain/fraction"
	"github.com/abci-ics/ics/chain/staking"
)

// editGenesis loads HOME's genesis, lets edit change its app state, checks
// the result by parsing it again, and saves it.
func editGenesis(home string, edit func(g *abci.Genesis) error) error {
	file := nodeConfig(home).GenesisFile()
	doc, err := cmttypes.GenesisDocFromFile(file)
	if err != nil {
		return err
	}
	g, err := abci.ParseGenesis(doc.AppState)
	if err != nil {
		return err
	}
	if err := edit(g); err != nil {
		return err
	}
	bz, err := g.MarshalJSON()
	if err != nil {
		return err
	}
	if _, err := abci.ParseGenesis(bz); err != nil {
		return err
	}
	doc.AppState = json.RawMessage(bz)
	return doc.SaveAs(file)
}

// addBalance credits coins to addr in the genesis, creating the account.
func addBalance(g *abci.Genesis, addr string, pub []byte, coins []bank.Coin) {
	found := false
	for _, a := range g.Auth.Accounts {
		found = found || a.Address == addr
	}
	if !found {
		g.Auth.Accounts = append(g.Auth.Accounts, auth.GenesisAccount{Address: addr, PubKey: pub})
	}
	for i := range g.Bank.Balances {
		if g.Bank.Balances[i].Address == addr {
			for _, c := range coins {
				merged := false
				for j := range g.Bank.Balances[i].Coins {
					if g.Bank.Balances[i].Coins[j].Denom == c.Denom {
						g.Bank.Balances[i].Coins[j].Amount += c.Amount
						merged = true
					}
				}
				if !merged {
					g.Bank.Balances[i].Coins = append(g.Bank.Balances[i].Coins, c)
				}
			}
			return
		}
	}
	g.Bank.Balances = append(g.Bank.Balances, bank.GenesisBalance{Address: addr, Coins: coins})
}

func genesisCmd() *cobra.Command {
	c := &cobra.Command{Use: "genesis", Short: "Edit the genesis file of a home before the chain starts"}
	addAccount := &cobra.Command{
		Use: "add-account ADDRESS COINS", Short: "Fund an address at genesis (for example 100stake)", Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			coins, err := bank.ParseCoins(args[1])
			if err != nil {
				return err
			}
			return editGenesis(home(cmd), func(g *abci.Genesis) error {
				addr, err := address.Decode(g.Auth.Params.Bech32Prefix, args[0])
				if err != nil {
					return err
				}
				addBalance(g, address.Encode(g.Auth.Params.Bech32Prefix, addr), nil, coins)
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
			key, err := LoadKey(home(cmd), args[0])
			if err != nil {
				return err
			}
			amount, err := bank.ParseCoin(args[1])
			if err != nil {
				return err
			}
			fund, _ := cmd.Flags().GetBool("fund")
			moniker, _ := cmd.Flags().GetString("moniker")
			cfg := nodeConfig(home(cmd))
			pv := privval.LoadFilePV(cfg.PrivValidatorKeyFile(), cfg.PrivValidatorStateFile())
			pub, err := pv.GetPubKey()
			if err != nil {
				return err
			}
			var op string
			err = editGenesis(home(cmd), func(g *abci.Genesis) error {
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
					addBalance(g, op, key.Priv.PubKey().Bytes(), []bank.Coin{amount})
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
			return printOut(cmd, map[string]string{"operator": op, "pub_key": fmt.Sprintf("%X", pub.Bytes())}, func(w io.Writer) {
				fmt.Fprintf(w, "genesis validator %s bonds %s\n", op, amount)
			})
		},
	}
	addValidator.Flags().Bool("fund", false, "credit KEY's account with the self-delegation first")
	addValidator.Flags().String("moniker", "validator", "validator name")
	addOutputFlag(addValidator)
	c.AddCommand(addAccount, addValidator)
	return c
}
