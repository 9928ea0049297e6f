package tx

import (
	"fmt"

	gogoproto "github.com/cosmos/gogoproto/proto"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/abci-ics/ics/chain/gov"
	"github.com/abci-ics/ics/client"
	"github.com/abci-ics/ics/cmd/icsd/cmd/consumersettings"
	"github.com/abci-ics/ics/provider/registry"
	"github.com/abci-ics/ics/types/coin"
)

const rewardDenomsHelp = `The provider credits a consumer only the reward denominations on its allowlist;
what arrives in any other goes to the provider's community pool. A consumer's
rewards arrive as ICS-20 vouchers: its own coins DENOM arrive on the provider as
transfer/CHANNEL/DENOM, CHANNEL being the provider's end of the transfer channel
'icsd relay link-ccv' opened (see 'icsd query ibc channels' on the provider).
'icsd query provider consumer-rewards CONSUMER_ID' lists the allowlist. --add and
--remove take comma-separated denominations and may be repeated; a denomination
appears once in all.`

// addRewardDenomFlags registers --add and --remove.
func addRewardDenomFlags(f *pflag.FlagSet) {
	f.StringSlice("add", nil, "denominations to allowlist as the consumer's rewards (comma-separated)")
	f.StringSlice("remove", nil, "denominations to take off the consumer's allowlist (comma-separated)")
}

// rewardDenomsMsg builds the MsgChangeRewardDenoms of owner for
// consumer id from --add and --remove, checked with its ValidateBasic.
func rewardDenomsMsg(f *pflag.FlagSet, owner []byte, id string) (*registry.MsgChangeRewardDenoms, error) {
	if err := consumersettings.CheckConsumerID(id); err != nil {
		return nil, err
	}
	m := &registry.MsgChangeRewardDenoms{Owner: owner, ConsumerId: id}
	for _, fl := range []struct {
		name string
		to   *[]string
	}{{"add", &m.Add}, {"remove", &m.Remove}} {
		ds, _ := f.GetStringSlice(fl.name)
		if f.Changed(fl.name) && len(ds) == 0 {
			return nil, fmt.Errorf("--%s: no denomination", fl.name)
		}
		for _, d := range ds {
			if d == "" {
				return nil, fmt.Errorf("--%s: an empty denomination", fl.name)
			}
			if err := coin.ValidateDenom(d); err != nil {
				return nil, fmt.Errorf("--%s: %w", fl.name, err)
			}
		}
		*fl.to = ds
	}
	if len(m.Add) == 0 && len(m.Remove) == 0 {
		return nil, fmt.Errorf("nothing to change: give --add or --remove")
	}
	return m, m.ValidateBasic()
}

// changeRewardDenomsCmd is `tx provider change-reward-denoms`.
func changeRewardDenomsCmd() *cobra.Command {
	c := txCommand("change-reward-denoms KEY CONSUMER_ID", "Change the denominations consumer CONSUMER_ID (owned by KEY's account) pays rewards in", 2,
		func(cmd *cobra.Command, key client.Key, args []string) (gogoproto.Message, error) {
			return rewardDenomsMsg(cmd.Flags(), key.Address(), args[0])
		})
	c.Long = `change-reward-denoms changes the reward denominations of consumer CONSUMER_ID for its
owner, KEY's account. A consumer owned by governance (every top-N consumer) changes
them with 'icsd tx gov submit-change-reward-denoms'.

` + rewardDenomsHelp
	c.Example = `  icsd tx provider change-reward-denoms alice 0 --add transfer/channel-1/stake
  icsd tx provider change-reward-denoms alice 0 --add transfer/channel-3/stake --remove transfer/channel-1/stake`
	addRewardDenomFlags(c.Flags())
	return c
}

// submitChangeRewardDenomsCmd is `tx gov submit-change-reward-denoms`.
func submitChangeRewardDenomsCmd() *cobra.Command {
	c := txCommand("submit-change-reward-denoms KEY CONSUMER_ID DEPOSIT", "Propose to change the denominations consumer CONSUMER_ID, owned by governance, pays rewards in", 3,
		func(cmd *cobra.Command, key client.Key, args []string) (gogoproto.Message, error) {
			return rewardDenomsProposal(cmd, key, args[0], args[1])
		})
	c.Long = `submit-change-reward-denoms proposes a MsgChangeRewardDenoms from governance: once
the proposal passes, governance executes it. Governance may change the reward
denominations of any consumer; a consumer owned by an account is better changed by
its owner with 'icsd tx provider change-reward-denoms'.

` + rewardDenomsHelp
	c.Example = `  icsd tx gov submit-change-reward-denoms alice 0 10000000stake --add transfer/channel-1/stake`
	addRewardDenomFlags(c.Flags())
	c.Flags().String("title", "", "proposal title")
	c.Flags().String("summary", "", "proposal summary")
	return c
}

// rewardDenomsProposal builds the proposal, from key with deposit, of a
// MsgChangeRewardDenoms from governance for consumer id.
func rewardDenomsProposal(cmd *cobra.Command, key client.Key, id, deposit string) (*gov.MsgSubmitProposal, error) {
	coins, err := coin.ParseCoins(deposit)
	if err != nil {
		return nil, fmt.Errorf("deposit: %w", err)
	}
	m, err := rewardDenomsMsg(cmd.Flags(), gov.ModuleAddress(), id)
	if err != nil {
		return nil, err
	}
	return proposalMsg(cmd, key, m, coins, "Change the reward denominations of consumer "+id)
}
