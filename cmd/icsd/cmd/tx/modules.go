package tx

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	gogoproto "github.com/cosmos/gogoproto/proto"
	"github.com/spf13/cobra"

	"github.com/abci-ics/ics/chain/auth"
	"github.com/abci-ics/ics/chain/distribution"
	"github.com/abci-ics/ics/chain/gov"
	"github.com/abci-ics/ics/chain/staking"
	"github.com/abci-ics/ics/client"
	"github.com/abci-ics/ics/cmd/icsd/cmd/cli"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/coin"
	"github.com/abci-ics/ics/types/fraction"
)

// txCommand builds a `tx` subcommand of nargs arguments, the first the
// signing KEY, that signs with that key (or the one of --from) and sends
// the message that build returns; build gets the arguments after KEY.
func txCommand(use, short string, nargs int, build func(cmd *cobra.Command, key client.Key, args []string) (gogoproto.Message, error)) *cobra.Command {
	return txCommandRange(use, short, nargs, nargs, build)
}

// txCommandRange is txCommand for min to max arguments.
func txCommandRange(use, short string, min, max int, build func(cmd *cobra.Command, key client.Key, args []string) (gogoproto.Message, error)) *cobra.Command {
	c := &cobra.Command{
		Use: use, Short: short, Args: cli.KeyArgs(min, max),
		RunE: func(cmd *cobra.Command, args []string) error {
			key, rest, err := cli.SigningKey(cmd, args, min, max)
			if err != nil {
				return err
			}
			m, err := build(cmd, key, rest)
			if err != nil {
				return err
			}
			msg, err := auth.NewAny(m)
			if err != nil {
				return err
			}
			return cli.Broadcast(cmd, key, msg)
		},
	}
	cli.AddTxFlags(c)
	return c
}

func parseAmount(s string) (uint64, error) {
	c, err := coin.ParseCoin(s)
	if err != nil {
		return 0, err
	}
	return c.Amount, nil
}

func stakingTxCmd() *cobra.Command {
	c := &cobra.Command{Use: "staking", Short: "Staking transactions"}
	create := txCommand("create-validator KEY CONSENSUS_PUBKEY_HEX SELF_DELEGATION", "Create a validator operated by KEY with an ed25519 consensus key", 3,
		func(cmd *cobra.Command, key client.Key, args []string) (gogoproto.Message, error) {
			pk, err := hex.DecodeString(args[0])
			if err != nil {
				return nil, fmt.Errorf("consensus public key: %w", err)
			}
			amt, err := parseAmount(args[1])
			if err != nil {
				return nil, err
			}
			moniker, _ := cmd.Flags().GetString("moniker")
			rate, _ := cmd.Flags().GetString("commission")
			maxRate, _ := cmd.Flags().GetString("commission-max")
			r, err := fraction.Parse(rate)
			if err != nil {
				return nil, fmt.Errorf("--commission: %w", err)
			}
			mr, err := fraction.Parse(maxRate)
			if err != nil {
				return nil, fmt.Errorf("--commission-max: %w", err)
			}
			return &staking.MsgCreateValidator{Operator: key.Address(), PubKey: pk, Moniker: moniker, CommissionRate: r, CommissionMaxRate: mr, SelfDelegation: amt, MinSelfDelegation: 1}, nil
		})
	create.Flags().String("moniker", "validator", "validator name")
	create.Flags().String("commission", "0.1", "commission rate")
	create.Flags().String("commission-max", "0.2", "highest commission rate the validator may ever set")
	delegate := txCommand("delegate KEY VALIDATOR AMOUNT", "Delegate AMOUNT (e.g. 100stake) to VALIDATOR", 3,
		func(_ *cobra.Command, key client.Key, args []string) (gogoproto.Message, error) {
			val, err := address.Decode("", args[0])
			if err != nil {
				return nil, err
			}
			amt, err := parseAmount(args[1])
			return &staking.MsgDelegate{Delegator: key.Address(), Validator: val, Amount: amt}, err
		})
	undelegate := txCommand("undelegate KEY VALIDATOR AMOUNT", "Start unbonding AMOUNT from VALIDATOR", 3,
		func(_ *cobra.Command, key client.Key, args []string) (gogoproto.Message, error) {
			val, err := address.Decode("", args[0])
			if err != nil {
				return nil, err
			}
			amt, err := parseAmount(args[1])
			return &staking.MsgUndelegate{Delegator: key.Address(), Validator: val, Amount: amt}, err
		})
	redelegate := txCommand("redelegate KEY SRC_VALIDATOR DST_VALIDATOR AMOUNT", "Move AMOUNT of a delegation to another validator", 4,
		func(_ *cobra.Command, key client.Key, args []string) (gogoproto.Message, error) {
			src, err := address.Decode("", args[0])
			if err != nil {
				return nil, err
			}
			dst, err := address.Decode("", args[1])
			if err != nil {
				return nil, err
			}
			amt, err := parseAmount(args[2])
			return &staking.MsgRedelegate{Delegator: key.Address(), Src: src, Dst: dst, Amount: amt}, err
		})
	unjail := txCommand("unjail KEY", "Unjail the validator operated by KEY", 1,
		func(_ *cobra.Command, key client.Key, _ []string) (gogoproto.Message, error) {
			return &staking.MsgUnjail{Validator: key.Address()}, nil
		})
	edit := txCommand("edit-validator KEY", "Change the moniker or commission of the validator operated by KEY", 1,
		func(cmd *cobra.Command, key client.Key, _ []string) (gogoproto.Message, error) {
			m := &staking.MsgEditValidator{Validator: key.Address()}
			m.Moniker, _ = cmd.Flags().GetString("moniker")
			if rate, _ := cmd.Flags().GetString("commission"); rate != "" {
				r, err := fraction.Parse(rate)
				if err != nil {
					return nil, fmt.Errorf("--commission: %w", err)
				}
				m.CommissionRate = &r
			}
			return m, nil
		})
	edit.Flags().String("moniker", "", "new moniker")
	edit.Flags().String("commission", "", "new commission rate")
	c.AddCommand(create, delegate, undelegate, redelegate, unjail, edit)
	return c
}

var voteOptions = map[string]gov.VoteOption{
	"yes": gov.OptionYes, "no": gov.OptionNo, "abstain": gov.OptionAbstain, "veto": gov.OptionNoWithVeto, "no_with_veto": gov.OptionNoWithVeto,
}

func govTxCmd() *cobra.Command {
	c := &cobra.Command{Use: "gov", Short: "Governance transactions"}
	paramChange := txCommand("param-change KEY MODULE PARAM VALUE_JSON DEPOSIT", "Propose to set MODULE's PARAM to VALUE_JSON (e.g. staking max_validators 50)", 5,
		func(cmd *cobra.Command, key client.Key, args []string) (gogoproto.Message, error) {
			deposit, err := coin.ParseCoins(args[3])
			if err != nil {
				return nil, err
			}
			content, err := gogoproto.Marshal(&gov.ParamChangeProposal{Changes: []gov.ParamChange{{Module: args[0], Key: args[1], Value: args[2]}}})
			if err != nil {
				return nil, err
			}
			title, _ := cmd.Flags().GetString("title")
			if title == "" {
				title = fmt.Sprintf("Set %s.%s to %s", args[0], args[1], args[2])
			}
			summary, _ := cmd.Flags().GetString("summary")
			return &gov.MsgSubmitProposal{Proposer: key.Address(), Content: gov.Content{TypeUrl: gov.ParamChangeTypeURL, Value: content}, InitialDeposit: deposit, Title: title, Summary: summary}, nil
		})
	paramChange.Flags().String("title", "", "proposal title")
	paramChange.Flags().String("summary", "", "proposal summary")
	deposit := txCommand("deposit KEY PROPOSAL_ID AMOUNT", "Add to a proposal's deposit", 3,
		func(_ *cobra.Command, key client.Key, args []string) (gogoproto.Message, error) {
			id, err := strconv.ParseUint(args[0], 10, 64)
			if err != nil {
				return nil, fmt.Errorf("proposal id: %w", err)
			}
			amt, err := coin.ParseCoins(args[1])
			return &gov.MsgDeposit{Depositor: key.Address(), ProposalId: id, Amount: amt}, err
		})
	vote := txCommand("vote KEY PROPOSAL_ID yes|no|abstain|veto", "Vote on a proposal", 3,
		func(_ *cobra.Command, key client.Key, args []string) (gogoproto.Message, error) {
			id, err := strconv.ParseUint(args[0], 10, 64)
			if err != nil {
				return nil, fmt.Errorf("proposal id: %w", err)
			}
			opt, ok := voteOptions[strings.ToLower(args[1])]
			if !ok {
				return nil, fmt.Errorf("vote option %q: use yes, no, abstain or veto", args[1])
			}
			return &gov.MsgVote{Voter: key.Address(), ProposalId: id, Option: opt}, nil
		})
	c.AddCommand(paramChange, deposit, vote, submitSovereignTransitionCmd())
	c.AddCommand(consumerGovTxCmds()...)
	return c
}

func distributionTxCmd() *cobra.Command {
	c := &cobra.Command{Use: "distribution", Short: "Reward transactions"}
	rewards := txCommand("withdraw-rewards KEY VALIDATOR", "Withdraw KEY's rewards from a delegation", 2,
		func(_ *cobra.Command, key client.Key, args []string) (gogoproto.Message, error) {
			val, err := address.Decode("", args[0])
			return &distribution.MsgWithdrawRewards{Delegator: key.Address(), Validator: val}, err
		})
	commission := txCommand("withdraw-commission KEY", "Withdraw the commission of the validator operated by KEY", 1,
		func(_ *cobra.Command, key client.Key, _ []string) (gogoproto.Message, error) {
			return &distribution.MsgWithdrawCommission{Validator: key.Address()}, nil
		})
	c.AddCommand(rewards, commission)
	return c
}
