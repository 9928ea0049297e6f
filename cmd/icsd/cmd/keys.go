package cmd

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/abci-ics/ics/client"
	"github.com/abci-ics/ics/cmd/icsd/cmd/cli"
	"github.com/abci-ics/ics/types/address"
)

type keyJSON struct {
	Name    string `json:"name"`
	Address string `json:"address"`
	PubKey  []byte `json:"pub_key"`
}

func keysCmd() *cobra.Command {
	c := &cobra.Command{Use: "keys", Short: "Manage the account keys in HOME/keyring"}
	c.PersistentFlags().String("prefix", "", "bech32 prefix (default: the one in HOME's genesis, else ics)")
	show := func(cmd *cobra.Command, k client.Key) keyJSON {
		return keyJSON{Name: k.Name, Address: address.Encode(prefixFor(cmd), k.Address()), PubKey: k.Priv.PubKey().Bytes()}
	}
	add := &cobra.Command{
		Use: "add NAME", Short: "Create a new key", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			k, err := client.AddKey(cli.Home(cmd), args[0])
			if err != nil {
				return err
			}
			kj := show(cmd, k)
			return cli.PrintOut(cmd, kj, func(w io.Writer) { fmt.Fprintf(w, "%s\t%s\n", kj.Name, kj.Address) })
		},
	}
	list := &cobra.Command{
		Use: "list", Short: "List the keys", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			names, err := client.ListKeys(cli.Home(cmd))
			if err != nil {
				return err
			}
			out := []keyJSON{}
			for _, n := range names {
				k, err := client.LoadKey(cli.Home(cmd), n)
				if err != nil {
					return err
				}
				out = append(out, show(cmd, k))
			}
			return cli.PrintOut(cmd, out, func(w io.Writer) {
				for _, kj := range out {
					fmt.Fprintf(w, "%s\t%s\n", kj.Name, kj.Address)
				}
			})
		},
	}
	showCmd := &cobra.Command{
		Use: "show NAME", Short: "Show a key's address and public key", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			k, err := client.LoadKey(cli.Home(cmd), args[0])
			if err != nil {
				return err
			}
			kj := show(cmd, k)
			return cli.PrintOut(cmd, kj, func(w io.Writer) { fmt.Fprintln(w, kj.Address) })
		},
	}
	importVal := &cobra.Command{
		Use: "import-validator-key NAME FILE", Short: "Save a node's consensus key (priv_validator_key.json) as account key NAME",
		Long: `import-validator-key saves the ed25519 key of a CometBFT priv_validator_key.json as
account key NAME. The account of a validator's consensus key operates the validator that a
consumer's sovereign transition creates for a member of its last CCV set that had none: with
this key its operator can edit it, withdraw its rewards and unbond (docs/sovereignty.md).`,
		Example: "  icsd keys import-validator-key operator ~/.icsd/config/priv_validator_key.json",
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			k, err := client.ImportValidatorKey(cli.Home(cmd), args[0], args[1])
			if err != nil {
				return err
			}
			kj := show(cmd, k)
			return cli.PrintOut(cmd, kj, func(w io.Writer) { fmt.Fprintf(w, "imported %s: %s\n", kj.Name, kj.Address) })
		},
	}
	for _, s := range []*cobra.Command{add, list, showCmd, importVal} {
		cli.AddOutputFlag(s)
	}
	c.AddCommand(add, list, showCmd, importVal)
	return c
}
