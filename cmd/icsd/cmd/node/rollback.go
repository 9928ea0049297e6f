package node

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/abci-ics/ics/cmd/icsd/cmd/cli"
	"github.com/abci-ics/ics/nodehome/rollback"
)

// RollbackJSON is what `icsd rollback -o json` prints.
type RollbackJSON struct {
	Height       int64  `json:"height,string"`
	AppHash      string `json:"app_hash"`
	App          bool   `json:"app_rolled_back"`
	Comet        bool   `json:"comet_rolled_back"`
	RemovedBlock int64  `json:"removed_block,omitempty,string"`
}

// RollbackCmd is `icsd rollback`.
func RollbackCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "rollback",
		Short: "Roll a stopped node back by one height, the application's state and CometBFT's together, so that it executes the last block again",
		Long: `rollback takes a stopped node at height N back to N-1: the application's state (its
commit, the trees of its stores, a store upgrade made at N) and CometBFT's state, so that
the node executes block N again when it starts, for example after a bad upgrade or when its
app hash of N disagrees with the chain's. With --hard, block N is also removed from the
block store and the node gets it again from its peers; a validator that signed N cannot sign
it again (its signing state refuses), so a validator whose vote N needs, a sole validator
for one, must not use --hard.

Before changing anything it checks that the application's app hash of N-1 is the one
CometBFT's block N carries, and refuses otherwise, and when the application and CometBFT
are at heights it does not expect. The application goes back first: if rollback stops
between the two, run it again to finish (or start the node, which executes block N again).
A node stopped between the application's commit and CometBFT's saving of its state has only
its application rolled back. Versions the node pruned cannot come back. Each run goes back
one height more.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			hard, _ := cmd.Flags().GetBool("hard")
			r, err := rollback.Rollback(cli.Home(cmd), hard)
			if err != nil {
				return fmt.Errorf("rollback: %w", err)
			}
			out := RollbackJSON{Height: r.Height, AppHash: fmt.Sprintf("%X", r.AppHash), App: r.App, Comet: r.Comet, RemovedBlock: r.RemovedBlock}
			return cli.PrintOut(cmd, out, func(w io.Writer) {
				fmt.Fprintf(w, "rolled back to height %d, app hash %s\n", out.Height, out.AppHash)
				if !r.App {
					fmt.Fprintf(w, "the application was already at height %d (an earlier rollback stopped halfway): CometBFT's state rolled back\n", r.Height)
				}
				if !r.Comet {
					fmt.Fprintf(w, "CometBFT's state was already at height %d (the node stopped between the two): the application's state rolled back\n", r.Height)
				}
				if r.RemovedBlock != 0 {
					fmt.Fprintf(w, "removed block %d from the block store\n", r.RemovedBlock)
				}
			})
		},
	}
	c.Flags().Bool("hard", false, "also remove the last block from the block store")
	cli.AddOutputFlag(c)
	return c
}
