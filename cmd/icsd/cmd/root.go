// Package cmd holds icsd's command tree: the root command and the
// commands that write, edit and run node homes (init, genesis, start),
// testnet, bench and version. The tx, query, keys and relay groups live in
// the subpackages of the same names, status, comet and rollback in node,
// and the flags they all share in cli. The commands parse flags and print;
// the work is done by the nodehome, client, relayer and testnet packages.
package cmd

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/abci-ics/ics/cmd/icsd/cmd/cli"
	"github.com/abci-ics/ics/cmd/icsd/cmd/node"
	"github.com/abci-ics/ics/cmd/icsd/cmd/query"
	"github.com/abci-ics/ics/cmd/icsd/cmd/relay"
	"github.com/abci-ics/ics/cmd/icsd/cmd/tx"
)

// Version is set at build time (see the Makefile).
var Version = "dev"

// DefaultHome is the home directory used when --home is not given.
func DefaultHome() string { return cli.DefaultHome() }

// NewRoot returns the icsd command tree.
func NewRoot() *cobra.Command {
	root := &cobra.Command{
		Use:           "icsd",
		Short:         "Interchain Security chains on CometBFT: run nodes, send transactions, query, benchmark",
		SilenceUsage:  true,
		SilenceErrors: false,
	}
	root.PersistentFlags().String(cli.FlagHome, DefaultHome(), "node and keyring home directory")
	bench := benchCmd()
	bench.AddCommand(benchLoadCmd())
	root.AddCommand(
		initCmd(),
		startCmd(),
		node.StatusCmd(),
		node.CometCmd(),
		node.RollbackCmd(),
		node.ExportCmd(),
		keysCmd(),
		tx.Command(),
		query.Command(),
		bench,
		testnetCmd(),
		genesisCmd(),
		relay.Cmd(),
		versionCmd(),
	)
	return root
}

func versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			fmt.Fprintln(cmd.OutOrStdout(), Version)
		},
	}
}
