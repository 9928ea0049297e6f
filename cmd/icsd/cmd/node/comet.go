package node

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/cometbft/cometbft/crypto/ed25519"
	cmtjson "github.com/cometbft/cometbft/libs/json"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	"github.com/spf13/cobra"

	"github.com/abci-ics/ics/cmd/icsd/cmd/cli"
	"github.com/abci-ics/ics/nodehome"
)

// CometCmd groups CometBFT's maintenance commands, run on a node's home.
func CometCmd() *cobra.Command {
	c := &cobra.Command{Use: "comet", Short: "CometBFT maintenance of a node's home: node id, validator key, reset"}
	nodeID := &cobra.Command{
		Use: "show-node-id", Short: "Print the node's P2P id (from config/node_key.json), as peers name it", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			key, err := p2p.LoadNodeKey(nodehome.Config(cli.Home(cmd)).NodeKeyFile())
			if err != nil {
				return fmt.Errorf("node key: %w", err)
			}
			_, err = fmt.Fprintln(cmd.OutOrStdout(), key.ID())
			return err
		},
	}
	validator := &cobra.Command{
		Use: "show-validator", Short: "Print the node's consensus public key (config/priv_validator_key.json): CometBFT's JSON, or its address and hex with -o json", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			pub, err := nodehome.ParseConsensusKey(nodehome.Config(cli.Home(cmd)).PrivValidatorKeyFile())
			if err != nil {
				return err
			}
			pk := ed25519.PubKey(pub)
			out := struct {
				Address string `json:"address"`
				PubKey  string `json:"pub_key"`
			}{pk.Address().String(), hex.EncodeToString(pub)}
			return cli.PrintOut(cmd, out, func(w io.Writer) {
				bz, _ := cmtjson.Marshal(pk) // a fixed-size key always marshals
				fmt.Fprintln(w, string(bz))
			})
		},
	}
	cli.AddOutputFlag(validator)
	reset := &cobra.Command{
		Use:   "unsafe-reset-all",
		Short: "Delete the node's blockchain data and application state and reset its validator's signing state: the node then starts over from genesis",
		Long: `unsafe-reset-all removes HOME/data (CometBFT's block store, state, evidence, index and
write-ahead log, and the application database), the address book unless --keep-addr-book, and
resets the validator's last-signed state (priv_validator_state.json) to height 0. The keys and
the configuration stay. A validator that signed blocks of the chain and starts over from
genesis can sign them again differently: double signing, punished by tombstoning. Only for
test networks, or a node that syncs again without its validator key.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			keepBook, _ := cmd.Flags().GetBool("keep-addr-book")
			cfg := nodehome.Config(cli.Home(cmd))
			if _, err := os.Stat(cfg.GenesisFile()); err != nil {
				return fmt.Errorf("%s is not a node home (no genesis): %w", cfg.RootDir, err)
			}
			w := cmd.OutOrStdout()
			if !keepBook {
				if err := os.Remove(cfg.P2P.AddrBookFile()); err != nil && !errors.Is(err, os.ErrNotExist) {
					return err
				}
				fmt.Fprintln(w, "removed the address book")
			}
			if err := os.RemoveAll(cfg.DBDir()); err != nil {
				return err
			}
			if err := os.MkdirAll(cfg.DBDir(), 0o700); err != nil {
				return err
			}
			fmt.Fprintf(w, "removed the chain's data in %s\n", cfg.DBDir())
			if _, err := os.Stat(cfg.PrivValidatorKeyFile()); err == nil {
				if err := writeSignState(cfg.PrivValidatorStateFile()); err != nil {
					return err
				}
				fmt.Fprintf(w, "reset the validator's signing state in %s\n", cfg.PrivValidatorStateFile())
			}
			return nil
		},
	}
	reset.Flags().Bool("keep-addr-book", false, "keep the address book")
	c.AddCommand(nodeID, validator, reset)
	return c
}

// writeSignState writes the signing state of a validator that signed
// nothing, as a new home has it.
func writeSignState(file string) error {
	bz, err := cmtjson.MarshalIndent(&privval.FilePVLastSignState{}, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return err
	}
	tmp := file + ".tmp"
	if err := os.WriteFile(tmp, bz, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, file)
}
