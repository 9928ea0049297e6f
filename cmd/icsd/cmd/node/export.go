package node

import (
	"bytes"
	"errors"
	"fmt"
	"os"

	cmtcfg "github.com/cometbft/cometbft/config"
	cmtjson "github.com/cometbft/cometbft/libs/json"
	cmtstate "github.com/cometbft/cometbft/state"
	"github.com/cometbft/cometbft/store"
	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/spf13/cobra"

	"github.com/abci-ics/ics/abci"
	"github.com/abci-ics/ics/cmd/icsd/cmd/cli"
	"github.com/abci-ics/ics/nodehome"
	"github.com/abci-ics/ics/state/export"
)

// ExportCmd is icsd export.
func ExportCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "export",
		Short: "Write a genesis of a stopped node's state at a height: the chain restarted from it continues with that state",
		Long: `export reads the application state of a stopped node (HOME/data) at the last height it
committed, or --height N, and writes a CometBFT genesis of it to stdout or --output FILE:
chain id, initial_height N+1, genesis_time the time of block N, the consensus parameters and
validator set of height N+1, and as app_state every store of the application as it was at N
(a provider with its consumers, holds, key assignments and throttle state; a consumer with its
CCV state; accounts, balances, IBC clients, connections, channels and packets).

A chain started from that genesis by the same validators (their homes reset with
icsd comet unsafe-reset-all and the genesis copied in) holds exactly that state: it answers
every query as the chain did at N, and continues at height N+1. IBC counterparties keep
following it, since the validators are the same. The app hash differs from N's (it depends on
how the trees were written), which is what a new chain's first block records.

A height whose next block changes the validator set cannot be exported (that change would be
lost): export the height after it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			height, _ := cmd.Flags().GetInt64("height")
			output, _ := cmd.Flags().GetString("output")
			if height < 0 {
				return fmt.Errorf("--height %d: give a committed height, or 0 for the last", height)
			}
			doc, err := exportGenesis(nodehome.Config(cli.Home(cmd)), height)
			if err != nil {
				return err
			}
			bz, err := cmtjson.Marshal(doc)
			if err != nil {
				return err
			}
			bz = append(bz, '\n')
			if output == "" {
				_, err = cmd.OutOrStdout().Write(bz)
				return err
			}
			if err := writeFileAtomic(output, bz); err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "exported %s at height %d to %s (initial_height %d)\n", doc.ChainID, doc.InitialHeight-1, output, doc.InitialHeight)
			return nil
		},
	}
	c.Flags().Int64("height", 0, "the committed height to export (0: the last)")
	c.Flags().String("output", "", "write the genesis to this file instead of stdout")
	return c
}

// exportGenesis builds the genesis of the state the node of cfg committed
// at height (0: its last).
func exportGenesis(cfg *cmtcfg.Config, height int64) (*cmttypes.GenesisDoc, error) {
	if _, err := os.Stat(cfg.GenesisFile()); err != nil {
		return nil, fmt.Errorf("%s is not a node home (no genesis): %w", cfg.RootDir, err)
	}
	a, err := nodehome.OpenApp(cfg, abci.Options{})
	if err != nil {
		return nil, err
	}
	defer a.Close()
	v, err := a.View(height)
	if err != nil {
		return nil, fmt.Errorf("the application state at height %d: %w", height, err)
	}
	height = v.Version()
	st, err := export.FromView(v)
	if err != nil {
		return nil, err
	}
	var appState bytes.Buffer
	if err := st.WriteJSON(&appState); err != nil {
		return nil, err
	}
	doc, err := cometGenesis(cfg, height)
	if err != nil {
		return nil, err
	}
	doc.AppState = appState.Bytes()
	if err := doc.ValidateAndComplete(); err != nil {
		return nil, fmt.Errorf("exported genesis: %w", err)
	}
	return doc, nil
}

// cometGenesis returns the genesis of a chain that continues the node's
// chain after height, without its app_state: read from CometBFT's block
// store (the time and chain id of block height) and state (the validators
// and consensus parameters of height+1).
func cometGenesis(cfg *cmtcfg.Config, height int64) (*cmttypes.GenesisDoc, error) {
	bsDB, err := cmtcfg.DefaultDBProvider(&cmtcfg.DBContext{ID: "blockstore", Config: cfg})
	if err != nil {
		return nil, fmt.Errorf("open the block store: %w (is the node running?)", err)
	}
	bs := store.NewBlockStore(bsDB)
	defer bs.Close()
	stDB, err := cmtcfg.DefaultDBProvider(&cmtcfg.DBContext{ID: "state", Config: cfg})
	if err != nil {
		return nil, fmt.Errorf("open the consensus state: %w (is the node running?)", err)
	}
	ss := cmtstate.NewStore(stDB, cmtstate.StoreOptions{})
	defer ss.Close()
	meta := bs.LoadBlockMeta(height)
	if meta == nil {
		return nil, fmt.Errorf("block %d is not in the block store (it holds %d..%d)", height, bs.Base(), bs.Height())
	}
	vals, err := ss.LoadValidators(height + 1)
	if err != nil {
		return nil, fmt.Errorf("the validators of height %d: %w", height+1, err)
	}
	if next, err := ss.LoadValidators(height + 2); err == nil && !bytes.Equal(next.Hash(), vals.Hash()) {
		return nil, fmt.Errorf("block %d changed the validator set from height %d on; a genesis at height %d would lose that change: export height %d or later",
			height, height+2, height+1, height+1)
	}
	params, err := ss.LoadConsensusParams(height + 1)
	if err != nil {
		return nil, fmt.Errorf("the consensus parameters of height %d: %w", height+1, err)
	}
	doc := &cmttypes.GenesisDoc{
		GenesisTime:     meta.Header.Time,
		ChainID:         meta.Header.ChainID,
		InitialHeight:   height + 1,
		ConsensusParams: &params,
	}
	for _, v := range vals.Validators {
		doc.Validators = append(doc.Validators, cmttypes.GenesisValidator{Address: v.Address, PubKey: v.PubKey, Power: v.VotingPower})
	}
	if len(doc.Validators) == 0 {
		return nil, errors.New("the validator set of the next height is empty")
	}
	return doc, nil
}

// writeFileAtomic writes bz to file through a temporary file, so that an
// interrupted export never leaves a partial genesis under file's name.
func writeFileAtomic(file string, bz []byte) error {
	tmp := file + ".tmp"
	if err := os.WriteFile(tmp, bz, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, file)
}
