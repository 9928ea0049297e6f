package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/abci-ics/ics/chain/auth"
	"github.com/abci-ics/ics/client"
)

// The names of the shared flags.
const (
	FlagHome   = "home"
	FlagNode   = "node"
	FlagOutput = "output"
)

const defaultNode = "tcp://127.0.0.1:26657"

// DefaultHome is the home directory used when --home is not given.
func DefaultHome() string {
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".icsd")
	}
	return ".icsd"
}

// Home returns --home.
func Home(cmd *cobra.Command) string {
	h, _ := cmd.Flags().GetString(FlagHome)
	return h
}

// AddOutputFlag adds -o json|text.
func AddOutputFlag(cmd *cobra.Command) {
	cmd.Flags().StringP(FlagOutput, "o", "text", "output format: text or json")
}

// PrintOut writes v as indented JSON with -o json, or calls text otherwise.
func PrintOut(cmd *cobra.Command, v any, text func(w io.Writer)) error {
	format, _ := cmd.Flags().GetString(FlagOutput)
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

// AddNodeFlag adds --node, --timeout and -o.
func AddNodeFlag(cmd *cobra.Command) {
	cmd.Flags().String(FlagNode, defaultNode, "CometBFT RPC address of a node")
	cmd.Flags().Duration("timeout", 30*time.Second, "how long to wait for the node")
	AddOutputFlag(cmd)
}

// ClientFor returns a client of --node and a context bounded by --timeout.
func ClientFor(cmd *cobra.Command) (*client.Client, context.Context, context.CancelFunc, error) {
	addr, _ := cmd.Flags().GetString(FlagNode)
	timeout, _ := cmd.Flags().GetDuration("timeout")
	c, err := client.NewClient(addr)
	if err != nil {
		return nil, nil, nil, err
	}
	ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
	return c, ctx, cancel, nil
}

// AddTxFlags adds the node flags, --fee, --from and
// --keyring-passphrase-file.
func AddTxFlags(cmd *cobra.Command) {
	AddNodeFlag(cmd)
	addSignerFlags(cmd)
	cmd.Flags().String("fee", "", "fee, for example 10stake (default: the chain's minimum)")
}

// Broadcast signs and sends msgs, prints the result and fails when the
// transaction failed.
func Broadcast(cmd *cobra.Command, key client.Key, msgs ...auth.Any) error {
	c, ctx, cancel, err := ClientFor(cmd)
	if err != nil {
		return err
	}
	defer cancel()
	fee, _ := cmd.Flags().GetString("fee")
	res, err := c.SignAndBroadcast(ctx, key, &fee, msgs...)
	if err != nil {
		return err
	}
	if err := PrintOut(cmd, res, func(w io.Writer) {
		if res.Code == 0 {
			fmt.Fprintf(w, "committed at height %d: %s\n", res.Height, res.Hash)
		} else {
			fmt.Fprintf(w, "failed with code %d: %s (tx %s)\n", res.Code, res.Log, res.Hash)
		}
	}); err != nil {
		return err
	}
	if res.Code != 0 {
		cmd.SilenceErrors = true
		return fmt.Errorf("transaction failed with code %d", res.Code)
	}
	return nil
}
