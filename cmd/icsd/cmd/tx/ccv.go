package tx

import (
	"fmt"
	"strings"
	"time"

	gogoproto "github.com/cosmos/gogoproto/proto"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/chain/auth"
	"github.com/abci-ics/ics/chain/gov"
	"github.com/abci-ics/ics/client"
	"github.com/abci-ics/ics/nodehome"
	"github.com/abci-ics/ics/provider"
	"github.com/abci-ics/ics/provider/registry"
	"github.com/abci-ics/ics/types/coin"
	"github.com/abci-ics/ics/types/fraction"
)

func providerTxCmd() *cobra.Command {
	c := &cobra.Command{Use: "provider", Short: "Interchain Security transactions on a provider chain"}
	assign := txCommand("assign-consumer-key KEY CONSUMER_ID CONSUMER_PUBKEY", "Validate consumer CONSUMER_ID with another consensus key (64 hex digits, or a priv_validator_key.json), from the next epoch", 3,
		func(_ *cobra.Command, key client.Key, args []string) (gogoproto.Message, error) {
			if err := checkConsumerID(args[0]); err != nil {
				return nil, err
			}
			pk, err := nodehome.ParseConsensusKey(args[1])
			if err != nil {
				return nil, fmt.Errorf("consumer key: %w", err)
			}
			return &provider.MsgAssignConsumerKey{Operator: key.Address(), ConsumerId: args[0], ConsumerKey: pk}, nil
		})
	c.AddCommand(providerConsumerTxCmds()...)
	c.AddCommand(assign, submitDoubleVotingCmd())
	return c
}

// parseWhen reads a point in time: RFC 3339, or a duration from now
// ("90s", "+2m"); empty is now.
func parseWhen(s string, now time.Time) (time.Time, error) {
	if s == "" || s == "now" {
		return now, nil
	}
	if d, err := time.ParseDuration(strings.TrimPrefix(s, "+")); err == nil {
		return now.Add(d), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q: use RFC 3339 (2026-01-02T15:04:05Z) or a duration from now (90s)", s)
	}
	return t, nil
}

// consumerParamFlags are the flags of addConsumerParamFlags.
var consumerParamFlags = []string{"unbonding-period", "ccv-timeout-period", "transfer-timeout-period", "redistribution-fraction",
	"blocks-per-distribution-transmission", "historical-entries", "retry-delay-period", "signed-blocks-window", "min-signed-per-window"}

// addConsumerParamFlags adds one flag per consumer parameter, defaulting
// to SPEC 12's values.
func addConsumerParamFlags(cmd *cobra.Command) {
	d := ccv.DefaultConsumerParams()
	f := cmd.Flags()
	f.Duration("unbonding-period", d.UnbondingPeriod, "consumer unbonding period (VSCs mature this long after they are applied)")
	f.Duration("ccv-timeout-period", d.CcvTimeoutPeriod, "timeout of CCV packets")
	f.Duration("transfer-timeout-period", d.TransferTimeoutPeriod, "timeout of reward transfers")
	f.String("redistribution-fraction", d.ConsumerRedistributionFraction.String(), "share of fees the consumer keeps")
	f.Int64("blocks-per-distribution-transmission", d.BlocksPerDistributionTransmission, "blocks between reward transfers")
	f.Int64("historical-entries", d.HistoricalEntries, "past headers the consumer keeps")
	f.Duration("retry-delay-period", d.RetryDelayPeriod, "wait before a bounced slash packet is sent again")
	f.Int64("signed-blocks-window", d.SignedBlocksWindow, "downtime window in blocks")
	f.String("min-signed-per-window", d.MinSignedPerWindow.String(), "fraction of the window a validator must sign")
}

// applyConsumerParamFlags sets the parameters whose flags (of
// addConsumerParamFlags) were given.
func applyConsumerParamFlags(f *pflag.FlagSet, p *ccv.ConsumerParams) error {
	durations := map[string]*time.Duration{"unbonding-period": &p.UnbondingPeriod, "ccv-timeout-period": &p.CcvTimeoutPeriod,
		"transfer-timeout-period": &p.TransferTimeoutPeriod, "retry-delay-period": &p.RetryDelayPeriod}
	for name, field := range durations {
		if f.Changed(name) {
			*field, _ = f.GetDuration(name)
		}
	}
	counts := map[string]*int64{"blocks-per-distribution-transmission": &p.BlocksPerDistributionTransmission,
		"historical-entries": &p.HistoricalEntries, "signed-blocks-window": &p.SignedBlocksWindow}
	for name, field := range counts {
		if f.Changed(name) {
			*field, _ = f.GetInt64(name)
		}
	}
	fractions := map[string]*fraction.Fraction{"redistribution-fraction": &p.ConsumerRedistributionFraction, "min-signed-per-window": &p.MinSignedPerWindow}
	for _, name := range []string{"redistribution-fraction", "min-signed-per-window"} {
		if !f.Changed(name) {
			continue
		}
		v, _ := f.GetString(name)
		fr, err := fraction.Parse(v)
		if err != nil {
			return fmt.Errorf("--%s: %w", name, err)
		}
		*fractions[name] = fr
	}
	return nil
}

// consumerParamsFromFlags reads the flags of addConsumerParamFlags.
func consumerParamsFromFlags(cmd *cobra.Command) (ccv.ConsumerParams, error) {
	p := ccv.DefaultConsumerParams()
	if err := applyConsumerParamFlags(cmd.Flags(), &p); err != nil {
		return p, err
	}
	if err := p.Validate(); err != nil {
		return p, fmt.Errorf("consumer parameters: %w", err)
	}
	return p, nil
}

// proposalMsg wraps content in a MsgSubmitProposal from key.
func proposalMsg(cmd *cobra.Command, key client.Key, content gogoproto.Message, deposit []coin.Coin, defaultTitle string) (*gov.MsgSubmitProposal, error) {
	bz, err := gogoproto.Marshal(content)
	if err != nil {
		return nil, err
	}
	title, _ := cmd.Flags().GetString("title")
	if title == "" {
		title = defaultTitle
	}
	summary, _ := cmd.Flags().GetString("summary")
	return &gov.MsgSubmitProposal{Proposer: key.Address(), Content: gov.Content{TypeUrl: auth.TypeURL(content), Value: bz},
		InitialDeposit: deposit, Title: title, Summary: summary}, nil
}

// consumerGovTxCmds returns the gov subcommands that propose to add,
// update and remove consumer chains.
func consumerGovTxCmds() []*cobra.Command {
	addition := txCommand("submit-consumer-addition KEY CHAIN_ID DEPOSIT", "Propose to launch consumer chain CHAIN_ID at --spawn-time with the given consumer parameters", 3,
		func(cmd *cobra.Command, key client.Key, args []string) (gogoproto.Message, error) {
			deposit, err := coin.ParseCoins(args[1])
			if err != nil {
				return nil, fmt.Errorf("deposit: %w", err)
			}
			spawnFlag, _ := cmd.Flags().GetString("spawn-time")
			spawn, err := parseWhen(spawnFlag, time.Now())
			if err != nil {
				return nil, fmt.Errorf("--spawn-time: %w", err)
			}
			initial, _ := cmd.Flags().GetUint64("initial-height")
			params, err := consumerParamsFromFlags(cmd)
			if err != nil {
				return nil, err
			}
			topN, _ := cmd.Flags().GetUint32("top-n")
			p := &provider.ConsumerAdditionProposal{ChainId: args[0], SpawnTime: spawn.UnixNano(), InitialHeight: initial, Params: params,
				PowerShaping: registry.PowerShapingParameters{TopN: topN}}
			if err := p.Validate(); err != nil {
				return nil, err
			}
			return proposalMsg(cmd, key, p, deposit, "Add consumer chain "+args[0])
		})
	addition.Flags().String("spawn-time", "now", "when the provider launches the consumer once the proposal passed: RFC 3339, or a duration from now (for example 2m)")
	addition.Flags().Uint64("initial-height", 1, "the consumer's first block height")
	addition.Flags().Uint32("top-n", 100, "validators holding this percent of the provider's power validate the consumer (50 to 100; 0: opt-in only)")
	addConsumerParamFlags(addition)
	removal := txCommand("submit-consumer-removal KEY CONSUMER_ID DEPOSIT", "Propose to stop consumer CONSUMER_ID at --stop-time", 3,
		func(cmd *cobra.Command, key client.Key, args []string) (gogoproto.Message, error) {
			deposit, err := coin.ParseCoins(args[1])
			if err != nil {
				return nil, fmt.Errorf("deposit: %w", err)
			}
			stopFlag, _ := cmd.Flags().GetString("stop-time")
			stop, err := parseWhen(stopFlag, time.Now())
			if err != nil {
				return nil, fmt.Errorf("--stop-time: %w", err)
			}
			p := &provider.ConsumerRemovalProposal{ConsumerId: args[0], StopTime: stop.UnixNano()}
			if err := p.Validate(); err != nil {
				return nil, err
			}
			return proposalMsg(cmd, key, p, deposit, "Remove consumer "+args[0])
		})
	removal.Flags().String("stop-time", "now", "when the provider stops the consumer once the proposal passed: RFC 3339, or a duration from now")
	update := txCommand("submit-consumer-update KEY CONSUMER_ID DEPOSIT [FILE]", "Propose to change consumer CONSUMER_ID, owned by governance (top N included), with the settings given", 4,
		func(cmd *cobra.Command, key client.Key, args []string) (gogoproto.Message, error) {
			deposit, err := coin.ParseCoins(args[1])
			if err != nil {
				return nil, fmt.Errorf("deposit: %w", err)
			}
			m, err := updateConsumerMsg(cmd, gov.ModuleAddress(), args[0], args[2:], func(id string) (consumerSettings, error) { return currentSettings(cmd, id) })
			if err != nil {
				return nil, err
			}
			return proposalMsg(cmd, key, m, deposit, "Update consumer "+args[0])
		})
	update.Args = cobra.RangeArgs(3, 4)
	update.Long = `submit-consumer-update proposes a MsgUpdateConsumer from governance, the owner of
consumer CONSUMER_ID: once the proposal passes, governance executes it. This is how a
top-N consumer changes (top_n, or any other setting); a consumer owned by an account is
handed over to governance first with 'icsd tx provider update-consumer KEY CONSUMER_ID
--new-owner gov'. The proposal carries the sections as they are when it is submitted.

` + updateHelp + "\n\n" + settingsFileHelp
	update.Example = `  icsd tx gov submit-consumer-update alice 0 10000000stake --top-n 80
  icsd tx gov submit-consumer-update alice 0 10000000stake --validators-power-cap 20 --title "Cap consumer 0"`
	addSettingsFlags(update, false)
	for _, c := range []*cobra.Command{addition, removal, update} {
		c.Flags().String("title", "", "proposal title")
		c.Flags().String("summary", "", "proposal summary")
	}
	return []*cobra.Command{addition, removal, update}
}
