package query

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/abci-ics/ics/app"
	"github.com/abci-ics/ics/app/pos"
	"github.com/abci-ics/ics/cmd/icsd/cmd/cli"
	"github.com/abci-ics/ics/interchain"
)

// queryCommand builds a query subcommand that fetches the JSON at the path
// built from its arguments and prints it with text, or as JSON with -o json.
func queryCommand[T any](use, short string, nargs cobra.PositionalArgs, path func(args []string) string, text func(w io.Writer, v T)) *cobra.Command {
	c := &cobra.Command{
		Use: use, Short: short, Args: nargs,
		RunE: func(cmd *cobra.Command, args []string) error {
			c, ctx, cancel, err := cli.ClientFor(cmd)
			if err != nil {
				return err
			}
			defer cancel()
			var v T
			if err := c.QueryJSON(ctx, path(args), &v); err != nil {
				return err
			}
			return cli.PrintOut(cmd, v, func(w io.Writer) { text(w, v) })
		},
	}
	cli.AddNodeFlag(c)
	return c
}

// rawText prints a value as indented JSON, for answers without a table form.
func rawText[T any](w io.Writer, v T) {
	bz, _ := json.MarshalIndent(v, "", "  ")
	fmt.Fprintln(w, string(bz))
}

func printValidators(w io.Writer, vs []pos.ValidatorJSON) {
	fmt.Fprintf(w, "%-45s %-10s %-24s %12s %s\n", "OPERATOR", "MONIKER", "STATUS", "POWER", "FLAGS")
	for _, v := range vs {
		flags := ""
		if v.Jailed {
			flags += "jailed until " + v.JailedUntil + " "
		}
		if v.Tombstoned {
			flags += "tombstoned"
		}
		fmt.Fprintf(w, "%-45s %-10s %-24s %12d %s\n", v.Operator, v.Moniker, v.Status, v.Power, flags)
	}
}

func stakingQueryCmd() *cobra.Command {
	c := &cobra.Command{Use: "staking", Short: "Staking queries"}
	c.AddCommand(
		queryCommand("validators", "All validators", cobra.ExactArgs(0), func([]string) string { return pos.PathValidators }, printValidators),
		queryCommand("validator OPERATOR", "One validator", cobra.ExactArgs(1), func(a []string) string { return pos.PathValidator + a[0] },
			func(w io.Writer, v pos.ValidatorJSON) { printValidators(w, []pos.ValidatorJSON{v}) }),
		queryCommand("delegations DELEGATOR", "Delegations of an address", cobra.ExactArgs(1), func(a []string) string { return pos.PathDelegations + a[0] },
			func(w io.Writer, ds []pos.DelegationJSON) {
				for _, d := range ds {
					fmt.Fprintf(w, "%s -> %s: %d tokens (%d shares)\n", d.Delegator, d.Validator, d.Tokens, d.Shares)
				}
			}),
		queryCommand("unbonding [DELEGATOR]", "Pending unbonding entries (all, or of one delegator) and who holds them", cobra.MaximumNArgs(1),
			func(a []string) string {
				if len(a) == 0 {
					return pos.PathUnbonding
				}
				return pos.PathUnbonding + "/" + a[0]
			}, rawText[[]pos.UnbondingJSON]),
		queryCommand("params", "Staking parameters", cobra.ExactArgs(0), func([]string) string { return pos.PathStakingParams }, rawText[json.RawMessage]),
	)
	return c
}

func govQueryCmd() *cobra.Command {
	c := &cobra.Command{Use: "gov", Short: "Governance queries"}
	c.AddCommand(
		queryCommand("proposals", "All proposals", cobra.ExactArgs(0), func([]string) string { return pos.PathProposals }, rawText[json.RawMessage]),
		queryCommand("proposal ID", "One proposal", cobra.ExactArgs(1), func(a []string) string { return pos.PathProposal + a[0] }, rawText[json.RawMessage]),
		queryCommand("tally ID", "The current tally of a proposal", cobra.ExactArgs(1), func(a []string) string { return pos.PathTally + a[0] }, rawText[json.RawMessage]),
		queryCommand("params", "Governance parameters", cobra.ExactArgs(0), func([]string) string { return pos.PathGovParams }, rawText[json.RawMessage]),
	)
	return c
}

func distributionQueryCmd() *cobra.Command {
	c := &cobra.Command{Use: "distribution", Short: "Reward queries"}
	c.AddCommand(
		queryCommand("rewards DELEGATOR", "Pending rewards of a delegator, per validator", cobra.ExactArgs(1), func(a []string) string { return pos.PathRewards + a[0] }, rawText[json.RawMessage]),
		queryCommand("commission OPERATOR", "Pending commission of a validator", cobra.ExactArgs(1), func(a []string) string { return pos.PathCommission + a[0] }, rawText[[]app.CoinJSON]),
		queryCommand("community-pool", "The community pool", cobra.ExactArgs(0), func([]string) string { return pos.PathCommunityPool }, rawText[[]app.CoinJSON]),
	)
	return c
}

func ibcQueryCmd() *cobra.Command {
	c := &cobra.Command{Use: "ibc", Short: "IBC queries"}
	c.AddCommand(
		queryCommand("client CLIENT_ID", "A light client: chain, status, latest height", cobra.ExactArgs(1), func(a []string) string { return interchain.PathIBCClient + a[0] }, rawText[json.RawMessage]),
		queryCommand("connections", "Every connection", cobra.NoArgs, func([]string) string { return interchain.PathIBCConnections }, rawText[json.RawMessage]),
		queryCommand("channels", "Every channel", cobra.NoArgs, func([]string) string { return interchain.PathIBCChannels }, rawText[json.RawMessage]),
		queryCommand("packets PORT CHANNEL", "Sequences of sent packets not yet acknowledged", cobra.ExactArgs(2), func(a []string) string { return interchain.PathIBCCommitments + a[0] + "/" + a[1] }, rawText[[]uint64]),
		queryCommand("denom-traces", "ICS-20 vouchers held on this chain", cobra.NoArgs, func([]string) string { return interchain.PathDenomTraces }, rawText[json.RawMessage]),
	)
	return c
}
