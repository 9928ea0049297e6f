package tx

import (
	"fmt"
	"time"

	gogoproto "github.com/cosmos/gogoproto/proto"
	"github.com/spf13/cobra"

	"github.com/abci-ics/ics/chain/auth"
	"github.com/abci-ics/ics/chain/gov"
	"github.com/abci-ics/ics/client"
	"github.com/abci-ics/ics/cmd/icsd/cmd/consumersettings"
	"github.com/abci-ics/ics/nodehome"
	"github.com/abci-ics/ics/provider"
	"github.com/abci-ics/ics/provider/registry"
	"github.com/abci-ics/ics/types/coin"
)

func providerTxCmd() *cobra.Command {
	c := &cobra.Command{Use: "provider", Short: "Interchain Security transactions on a provider chain"}
	assign := txCommand("assign-consumer-key KEY CONSUMER_ID CONSUMER_PUBKEY", "Validate consumer CONSUMER_ID with another consensus key (64 hex digits, or a priv_validator_key.json), from the next epoch", 3,
		func(_ *cobra.Command, key client.Key, args []string) (gogoproto.Message, error) {
			if err := consumersettings.CheckConsumerID(args[0]); err != nil {
				return nil, err
			}
			pk, err := nodehome.ParseConsensusKey(args[1])
			if err != nil {
				return nil, fmt.Errorf("consumer key: %w", err)
			}
			return &provider.MsgAssignConsumerKey{Operator: key.Address(), ConsumerId: args[0], ConsumerKey: pk}, nil
		})
	c.AddCommand(providerConsumerTxCmds()...)
	c.AddCommand(assign, submitDoubleVotingCmd(), changeRewardDenomsCmd())
	return c
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
			spawn, err := consumersettings.ParseWhen(spawnFlag, time.Now())
			if err != nil {
				return nil, fmt.Errorf("--spawn-time: %w", err)
			}
			initial, _ := cmd.Flags().GetUint64("initial-height")
			changeover, _ := cmd.Flags().GetBool("changeover")
			conn, _ := cmd.Flags().GetString("connection")
			params, err := consumersettings.ParamsFromFlags(cmd.Flags())
			if err != nil {
				return nil, err
			}
			topN, _ := cmd.Flags().GetUint32("top-n")
			p := &provider.ConsumerAdditionProposal{ChainId: args[0], SpawnTime: spawn.UnixNano(), InitialHeight: initial, Params: params,
				PowerShaping: registry.PowerShapingParameters{TopN: topN}, Changeover: changeover, ConnectionId: conn}
			if err := p.Validate(); err != nil {
				return nil, err
			}
			return proposalMsg(cmd, key, p, deposit, "Add consumer chain "+args[0])
		})
	addition.Flags().String("spawn-time", "now", "when the provider launches the consumer once the proposal passed: RFC 3339, or a duration from now (for example 2m)")
	addition.Flags().Uint64("initial-height", 1, "the consumer's first block height")
	addition.Flags().Bool("changeover", false, "CHAIN_ID is a running standalone chain, which becomes the consumer at --initial-height (its upgrade height)")
	addition.Flags().String("connection", "", consumersettings.ConnectionHelp)
	addition.Flags().Uint32("top-n", 100, "validators holding this percent of the provider's power validate the consumer (50 to 100; 0: opt-in only)")
	consumersettings.AddParamFlags(addition.Flags())
	removal := txCommand("submit-consumer-removal KEY CONSUMER_ID DEPOSIT", "Propose to stop consumer CONSUMER_ID at --stop-time", 3,
		func(cmd *cobra.Command, key client.Key, args []string) (gogoproto.Message, error) {
			deposit, err := coin.ParseCoins(args[1])
			if err != nil {
				return nil, fmt.Errorf("deposit: %w", err)
			}
			stopFlag, _ := cmd.Flags().GetString("stop-time")
			stop, err := consumersettings.ParseWhen(stopFlag, time.Now())
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
	update := txCommandRange("submit-consumer-update KEY CONSUMER_ID DEPOSIT [FILE]", "Propose to change consumer CONSUMER_ID, owned by governance (top N included), with the settings given", 3, 4,
		func(cmd *cobra.Command, key client.Key, args []string) (gogoproto.Message, error) {
			deposit, err := coin.ParseCoins(args[1])
			if err != nil {
				return nil, fmt.Errorf("deposit: %w", err)
			}
			m, err := consumersettings.UpdateMsg(cmd.Flags(), gov.ModuleAddress(), args[0], args[2:], func(id string) (consumersettings.Settings, error) { return currentSettings(cmd, id) })
			if err != nil {
				return nil, err
			}
			return proposalMsg(cmd, key, m, deposit, "Update consumer "+args[0])
		})
	update.Long = `submit-consumer-update proposes a MsgUpdateConsumer from governance, the owner of
consumer CONSUMER_ID: once the proposal passes, governance executes it. This is how a
top-N consumer changes (top_n, or any other setting); a consumer owned by an account is
handed over to governance first with 'icsd tx provider update-consumer KEY CONSUMER_ID
--new-owner gov'. The proposal carries the sections as they are when it is submitted.

` + consumersettings.UpdateHelp + "\n\n" + consumersettings.FileHelp
	update.Example = `  icsd tx gov submit-consumer-update alice 0 10000000stake --top-n 80
  icsd tx gov submit-consumer-update alice 0 10000000stake --validators-power-cap 20 --title "Cap consumer 0"`
	consumersettings.AddFlags(update.Flags(), false)
	for _, c := range []*cobra.Command{addition, removal, update} {
		c.Flags().String("title", "", "proposal title")
		c.Flags().String("summary", "", "proposal summary")
	}
	return []*cobra.Command{addition, removal, update, submitChangeRewardDenomsCmd()}
}
