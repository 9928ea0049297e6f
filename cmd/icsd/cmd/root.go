// Package cmd holds icsd's commands.
package cmd

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
)

// Version is set at build time (see the Makefile).
var Version = "dev"

const (
	flagHome   = "home"
	flagNode   = "node"
	flagOutput = "output"
)

// DefaultHome is the home directory used when --home is not given.
func DefaultHome() string {
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".icsd")
	}
	return ".icsd"
}

// NewRoot returns the icsd command tree.
func NewRoot() *cobra.Command {
	root := &cobra.Command{
		Use:           "icsd",
		Short:         "Interchain Security chains on CometBFT: run nodes, send transactions, query, benchmark",
		SilenceUsage:  true,
		SilenceErrors: false,
	}
	root.PersistentFlags().String(flagHome, DefaultHome(), "node and keyring home directory")
	root.AddCommand(
		initCmd(),
		startCmd(),
		keysCmd(),
		txCmd(),
		queryCmd(),
		benchCmd(),
		testnetCmd(),
		genesisCmd(),
		relayCmd(),
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

func home(cmd *cobra.Command) string {
	h, _ := cmd.Flags().GetString(flagHome)
	return h
}

// addOutputFlag adds -o json|text.
func addOutputFlag(cmd *cobra.Command) {
	cmd.Flags().StringP(flagOutput, "o", "text", "output format: text or json")
}

// printOut writes v as indented JSON with -o json, or calls text otherwise.
func printOut(cmd *cobra.Command, v any, text func(w io.Writer)) error {
	format, _ := cmd.Flags().GetString(flagOutput)
	switch format {
	case "json":
		enc := json.NewEncoder(cmd.OutOrStdout())
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	case "text", "":
		text(cmd.OutOrStdout())
		return nil
	}
	return fmt.Errorf("unknown output format %q: use text or json", format)
}
