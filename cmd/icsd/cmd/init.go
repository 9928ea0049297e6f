package cmd

import (
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/abci-ics/ics/app"
	"github.com/abci-ics/ics/chain/auth"
	"github.com/abci-ics/ics/cmd/icsd/cmd/cli"
	"github.com/abci-ics/ics/nodehome"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/coin"
)

// prefixFor returns --prefix, else the prefix in HOME's genesis, else the
// default.
func prefixFor(cmd *cobra.Command) string {
	if p, _ := cmd.Flags().GetString("prefix"); p != "" {
		return p
	}
	if g, err := nodehome.ReadAppGenesis(cli.Home(cmd)); err == nil {
		return g.Auth.Params.Bech32Prefix
	}
	return auth.DefaultParams().Bech32Prefix
}

func initCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "init",
		Short: "Write a node home: config, keys, a funded account and a genesis (provider: one validator bonding a tenth of the stake; consumer: waiting for the consumer genesis)",
		Long: `init writes a node home. With --role provider (the default) the genesis has one
validator, this node, bonding a tenth of the funded key's stake. With --role consumer
the genesis has the consumer modules and no validators: fetch the consumer genesis
from the provider once the consumer is launched, import it, then start
(--own-staking: the consumer also carries its own staking, distribution and
governance from genesis, which do not choose its validators while it is a
consumer, so that it can become sovereign later):

  icsd query provider consumer-genesis CONSUMER_ID -o json --node PROVIDER_RPC > cg.json
  icsd genesis import-consumer cg.json --home HOME

The role is saved in HOME/config/app.toml and used by every later start, beside the
pruning of old state versions (its [pruning] section, explained in the file).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f := cmd.Flags()
			chainID, _ := f.GetString("chain-id")
			moniker, _ := f.GetString("moniker")
			keyName, _ := f.GetString("key")
			amount, _ := f.GetString("amount")
			prefix, _ := f.GetString("prefix")
			tc, _ := f.GetDuration("timeout-commit")
			roleName, _ := f.GetString("role")
			ownStaking, _ := f.GetBool("own-staking")
			role, err := nodehome.ParseRole(roleName)
			if err != nil {
				return fmt.Errorf("--role: %w", err)
			}
			coins, err := coin.ParseCoins(amount)
			if err != nil {
				return fmt.Errorf("--amount: %w", err)
			}
			key, err := nodehome.Init(nodehome.InitOptions{Home: cli.Home(cmd), ChainID: chainID, Moniker: moniker, KeyName: keyName, Amount: coins, Prefix: prefix, TimeoutCommit: tc, Role: role, OwnStaking: ownStaking})
			if err != nil {
				return err
			}
			out := map[string]string{"home": cli.Home(cmd), "chain_id": chainID, "role": string(role), "key": key.Name, "address": address.Encode(prefix, key.Address())}
			return cli.PrintOut(cmd, out, func(w io.Writer) {
				fmt.Fprintf(w, "initialized %s home %s for chain %s; key %q (%s) holds %s\n", role, cli.Home(cmd), chainID, key.Name, out["address"], amount)
				if role == app.RoleConsumer {
					fmt.Fprintf(w, "next: icsd genesis import-consumer FILE --home %s (FILE from icsd query provider consumer-genesis CONSUMER_ID -o json, the id of %s in icsd query provider consumers)\n", cli.Home(cmd), chainID)
				}
			})
		},
	}
	c.Flags().String("chain-id", "", "chain id (required)")
	c.Flags().String("role", string(app.RoleProvider), "provider or consumer")
	c.Flags().Bool("own-staking", false, "with --role consumer: the consumer carries its own staking, distribution and gov (dormant while it is a consumer)")
	c.Flags().String("moniker", "node0", "node name")
	c.Flags().String("key", "validator", "name of the funded key to create in the keyring")
	c.Flags().String("amount", "1000000000000stake", "coins of the funded key")
	c.Flags().String("prefix", auth.DefaultParams().Bech32Prefix, "bech32 prefix of addresses")
	c.Flags().Duration("timeout-commit", time.Second, "CometBFT timeout_commit")
	cli.AddOutputFlag(c)
	return c
}
