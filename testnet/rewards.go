package testnet

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	gogoproto "github.com/cosmos/gogoproto/proto"

	"github.com/abci-ics/ics/chain/auth"
	"github.com/abci-ics/ics/chain/gov"
	"github.com/abci-ics/ics/client"
	"github.com/abci-ics/ics/consumer"
	"github.com/abci-ics/ics/ibc/transfer"
	"github.com/abci-ics/ics/interchain"
	"github.com/abci-ics/ics/provider/registry"
	"github.com/abci-ics/ics/relayer/linkfile"
	"github.com/abci-ics/ics/types/coin"
)

// allowRewards allowlists on the provider each icsd consumer's reward
// denomination (RewardDenom: its fee denomination as it arrives over the
// transfer channel its relayer opened), unless it is allowlisted already:
// by a MsgChangeRewardDenoms proposal every validator votes yes on for a
// top-N consumer (governance owns it), by MsgChangeRewardDenoms from the
// owner account for an opt-in one. It waits until the provider lists
// every denomination.
func (t *CCVTestnet) allowRewards(ctx context.Context) error {
	pc, err := client.NewClient(t.ProviderRPC(0))
	if err != nil {
		return err
	}
	var proposals, ownerMsgs []gogoproto.Message
	var waiting []*ConsumerChain
	for _, c := range t.Consumers {
		if c.KV || c.ConsumerID == "" {
			continue
		}
		lf, err := linkfile.Read(c.LinkFile)
		if err != nil {
			return err
		}
		if lf.Transfer == nil {
			t.logf("%s: no transfer channel in %s: its rewards cannot reach the provider", c.ChainID, c.LinkFile)
			continue
		}
		c.RewardDenom = transfer.VoucherDenom(transfer.PortID, lf.Transfer.B, c.Fee.Denom)
		var r interchain.ConsumerRewardsJSON
		if err := pc.QueryJSON(ctx, interchain.PathConsumerRewards+c.ConsumerID, &r); err != nil {
			return err
		}
		if slices.Contains(r.AllowlistedDenoms, c.RewardDenom) {
			continue
		}
		waiting = append(waiting, c)
		if c.Kind.IsOptIn() {
			owner, err := client.LoadKey(t.OwnerHome(), OwnerKey)
			if err != nil {
				return err
			}
			ownerMsgs = append(ownerMsgs, &registry.MsgChangeRewardDenoms{Owner: owner.Address(), ConsumerId: c.ConsumerID, Add: []string{c.RewardDenom}})
			continue
		}
		m := &registry.MsgChangeRewardDenoms{Owner: gov.ModuleAddress(), ConsumerId: c.ConsumerID, Add: []string{c.RewardDenom}}
		bz, err := gogoproto.Marshal(m)
		if err != nil {
			return err
		}
		s, err := t.submitter(0)
		if err != nil {
			return err
		}
		proposals = append(proposals, &gov.MsgSubmitProposal{Proposer: s.Key.Address(), Content: gov.Content{TypeUrl: auth.TypeURL(m), Value: bz},
			InitialDeposit: []coin.Coin{{Denom: "stake", Amount: 1000}}, Title: "Reward denominations of " + c.ChainID})
	}
	if len(ownerMsgs) > 0 {
		key, err := client.LoadKey(t.OwnerHome(), OwnerKey)
		if err != nil {
			return err
		}
		if _, err := (client.Submitter{Client: pc, Key: key}).SubmitOK(ctx, "the owner account", ownerMsgs...); err != nil {
			return fmt.Errorf("allowlist reward denominations: %w", err)
		}
	}
	if len(proposals) > 0 {
		ids, err := t.submit(ctx, 0, proposals...)
		if err != nil {
			return fmt.Errorf("propose reward denominations: %w", err)
		}
		t.logf("proposed the reward denominations of the top-N consumers (proposals %s)", strings.Join(ids, ", "))
		if err := t.voteYes(ctx, ids); err != nil {
			return err
		}
	}
	deadline := time.Now().Add(t.Opts.VotingPeriod + time.Minute)
	for _, c := range waiting {
		for {
			var r interchain.ConsumerRewardsJSON
			err := pc.QueryJSON(ctx, interchain.PathConsumerRewards+c.ConsumerID, &r)
			if err == nil && slices.Contains(r.AllowlistedDenoms, c.RewardDenom) {
				t.logf("%s: rewards in %s allowlisted on %s (they arrive as %s)", c.describe(), c.Fee.Denom, t.Opts.ChainID, c.RewardDenom)
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("%s: reward denomination %s not allowlisted on %s (last error: %v)", c.ChainID, c.RewardDenom, t.Opts.ChainID, err)
			}
			if err := sleep(ctx, 300*time.Millisecond); err != nil {
				return err
			}
		}
	}
	return nil
}

// rewardsState is what Watch last reported of the rewards: the height of
// each consumer's last transmission, by chain id, and of each consumer's
// last distribution on the provider, by consumer id.
type rewardsState struct {
	transmitted map[string]int64
	distributed map[string]int64
}

// watchRewards reports each reward transmission of a consumer (with what
// it sent) and each distribution of a consumer's rewards on the provider
// (with what was paid and to how many validators), read from the events
// of the block that did it; it skips the consumers turned sovereign.
func (t *CCVTestnet) watchRewards(ctx context.Context, w io.Writer, st *rewardsState, sovereign map[string]int64) {
	pc, err := client.NewClient(t.LiveProviderRPC())
	if err != nil {
		return
	}
	for _, c := range t.Consumers {
		if c.KV || sovereign[c.ChainID] > 0 {
			continue
		}
		cc, err := client.NewClient(c.LiveRPC())
		if err != nil {
			continue
		}
		var nd interchain.NextFeeDistributionJSON
		if err := cc.QueryJSON(ctx, interchain.PathConsumerNextFeeDistribution, &nd); err == nil && nd.LastHeight != st.transmitted[c.ChainID] {
			st.transmitted[c.ChainID] = nd.LastHeight
			for _, e := range blockEvents(ctx, cc, nd.LastHeight) {
				switch e.Type {
				case consumer.EventFeeDistribution:
					if sent := attr(e, "provider_amount"); sent != "" {
						t.say(w, "%s: rewards sent to the provider at height %d: %s on %s", c.ChainID, nd.LastHeight, sent, attr(e, "channel_id"))
					}
				case consumer.EventTransmissionSkipped:
					t.say(w, "%s: no rewards sent at height %d: %s", c.ChainID, nd.LastHeight, attr(e, "reason"))
				}
			}
		}
		if c.ConsumerID == "" {
			continue
		}
		var r interchain.ConsumerRewardsJSON
		if err := pc.QueryJSON(ctx, interchain.PathConsumerRewards+c.ConsumerID, &r); err != nil || r.LastDistribution == st.distributed[c.ConsumerID] {
			continue
		}
		st.distributed[c.ConsumerID] = r.LastDistribution
		for _, e := range blockEvents(ctx, pc, r.LastDistribution) {
			if e.Type == "consumer_rewards_distributed" && attr(e, "consumer_id") == c.ConsumerID {
				t.say(w, "%s: %s's rewards distributed at height %d: %s to %s validators", t.Opts.ChainID, c.ChainID, r.LastDistribution,
					attr(e, "amount"), attr(e, "validators"))
			}
		}
	}
}

// blockEvents returns the FinalizeBlock events of height h on the chain
// c talks to; none when h is not positive or the node cannot tell.
func blockEvents(ctx context.Context, c *client.Client, h int64) []abcitypes.Event {
	if h <= 0 {
		return nil
	}
	res, err := c.RPC().BlockResults(ctx, &h)
	if err != nil {
		return nil
	}
	return res.FinalizeBlockEvents
}

// attr returns the value of attribute key of e, "" without one.
func attr(e abcitypes.Event, key string) string {
	for _, a := range e.Attributes {
		if a.Key == key {
			return a.Value
		}
	}
	return ""
}
