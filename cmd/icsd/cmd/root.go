// Package cmd holds icsd's commands.
package cmd

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/abci-ics/ics/client"
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

const defaultNode = "tcp://127.0.0.1:26657"

func addNodeFlag(cmd *cobra.Command) {
	cmd.Flags().String(flagNode, defaultNode, "CometBFT RPC address of a node")
	cmd.Flags().Duration("timeout", 30*time.Second, "how long to wait for the node")
	addOutputFlag(cmd)
}

// clientFor returns a client of --node and a context bounded by --timeout.
func clientFor(cmd *cobra.Command) (*client.Client, context.Context, context.CancelFunc, error) {
	addr, _ := cmd.Flags().GetString(flagNode)
	timeout, _ := cmd.Flags().GetDuration("timeout")
	c, err := client.NewClient(addr)
	if err != nil {
		return nil, nil, nil, err
	}
	ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
	return c, ctx, cancel, nil
}
