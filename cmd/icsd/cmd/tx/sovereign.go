package tx

import (
	"fmt"
	"strconv"
	"strings"

	gogoproto "github.com/cosmos/gogoproto/proto"
	"github.com/spf13/cobra"

	"github.com/abci-ics/ics/chain/gov"
	"github.com/abci-ics/ics/client"
	"github.com/abci-ics/ics/cmd/icsd/cmd/cli"
	"github.com/abci-ics/ics/consumer/sovereign"
	"github.com/abci-ics/ics/types/coin"
)

// submitSovereignTransitionCmd is `tx gov submit-sovereign-transition`,
// sent to a consumer with its own staking.
func submitSovereignTransitionCmd() *cobra.Command {
	c := txCommand("submit-sovereign-transition KEY HEIGHT DEPOSIT", "Propose, on a consumer with its own staking, that it turn sovereign at HEIGHT (or +N blocks from now)", 3,
		func(cmd *cobra.Command, key client.Key, args []string) (gogoproto.Message, error) {
			return sovereignProposal(cmd, key, args[0], args[1], func() (int64, error) { return latestHeight(cmd) })
		})
	c.Long = `submit-sovereign-transition proposes, on a consumer chain that carries its own staking
(a genesis with a staking section: icsd init --role consumer --own-staking), a
MsgScheduleSovereignTransition from governance: once the proposal passes, the consumer
turns sovereign first in block HEIGHT. Its own staking then chooses its validators;
every validator of the last CCV set bonds --self-bond, minted, to its own validator on
the chain (the one with its consensus key, created if it has none); the CCV channel
closes and the provider stops the consumer once the relayer brings it the closing.

Send it to a consumer node (--node), with the consumer's own validators' operators
voting (icsd tx gov vote): HEIGHT must still be ahead when the vote ends. HEIGHT +N
counts from the node's latest block. 'icsd query consumer sovereign-transition' shows
the plan once the proposal passed; a chain has one plan at most.`
	c.Example = `  icsd tx gov submit-sovereign-transition validator +200 1000stake --self-bond 1000000 --node tcp://127.0.0.1:26701
  icsd tx gov submit-sovereign-transition validator 5000 1000stake --self-bond 1000000`
	c.Flags().Uint64("self-bond", 0, "what each validator of the last CCV set bonds, minted, to its own validator at the transition (in the bond denomination; required)")
	c.Flags().String("title", "", "proposal title")
	c.Flags().String("summary", "", "proposal summary")
	return c
}

// sovereignProposal builds the proposal, from key with deposit, of a
// MsgScheduleSovereignTransition from governance at height (a number, or
// +N from the height current returns) with --self-bond, checked with its
// ValidateBasic.
func sovereignProposal(cmd *cobra.Command, key client.Key, height, deposit string, current func() (int64, error)) (*gov.MsgSubmitProposal, error) {
	coins, err := coin.ParseCoins(deposit)
	if err != nil {
		return nil, fmt.Errorf("deposit: %w", err)
	}
	bond, _ := cmd.Flags().GetUint64("self-bond")
	if bond == 0 {
		return nil, fmt.Errorf("--self-bond: give what each validator bonds at the transition (more than 0)")
	}
	h, err := parseHeight(height, current)
	if err != nil {
		return nil, err
	}
	m := &sovereign.MsgScheduleSovereignTransition{Authority: gov.ModuleAddress(), Height: h, SelfBond: bond}
	if err := m.ValidateBasic(); err != nil {
		return nil, err
	}
	return proposalMsg(cmd, key, m, coins, fmt.Sprintf("Turn sovereign at height %d", h))
}

// parseHeight reads a height: a positive number, or +N, N blocks after
// the height current returns (called only then).
func parseHeight(s string, current func() (int64, error)) (int64, error) {
	rel, relative := strings.CutPrefix(s, "+")
	n, err := strconv.ParseInt(rel, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("height %q: give a positive height, or +N blocks from now", s)
	}
	if !relative {
		return n, nil
	}
	h, err := current()
	if err != nil {
		return 0, fmt.Errorf("height %s: reading the node's height: %w", s, err)
	}
	return h + n, nil
}

// latestHeight returns the latest block height of --node.
func latestHeight(cmd *cobra.Command) (int64, error) {
	c, ctx, cancel, err := cli.ClientFor(cmd)
	if err != nil {
		return 0, err
	}
	defer cancel()
	st, err := c.RPC().Status(ctx)
	if err != nil {
		return 0, err
	}
	return st.SyncInfo.LatestBlockHeight, nil
}
