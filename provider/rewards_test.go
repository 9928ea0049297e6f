package provider

import (
	"bytes"
	"errors"
	"math"
	"testing"

	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/provider/registry"
	"github.com/abci-ics/ics/provider/rewards"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/types/coin"
	"github.com/abci-ics/ics/types/fraction"
)

// fakeRewards records what the provider pays out of the pool account.
type fakeRewards struct {
	community []coin.Coin
	paid      map[string][]coin.Coin
	comm      map[string]*fraction.Fraction
	fail      bool
}

func (f *fakeRewards) FundCommunityPool(_ state.Store, from []byte, cs []coin.Coin) error {
	if f.fail {
		return errors.New("refused")
	}
	if !bytes.Equal(from, rewards.PoolAddress()) {
		return errors.New("not from the pool")
	}
	f.community = append(f.community, cs...)
	return nil
}

func (f *fakeRewards) PayValidator(_ state.Store, from, consAddr []byte, cs []coin.Coin, comm *fraction.Fraction) error {
	if f.fail {
		return errors.New("refused")
	}
	f.paid[string(consAddr)] = append(f.paid[string(consAddr)], cs...)
	f.comm[string(consAddr)] = comm
	return nil
}

// rewardConsumer runs a consumer that distributes every 10 blocks on a
// provider with validators of powers 10, 20 and 30, with a pay-out
// recorder.
func rewardConsumer(t *testing.T) (*harness, *fakeRewards, string) {
	h := newHarnessWith(t, []int64{10, 20, 30}, testParams())
	f := &fakeRewards{paid: map[string][]coin.Coin{}, comm: map[string]*fraction.Fraction{}}
	h.k.Payer = f
	p := proposal("c1", h.now)
	p.Params.BlocksPerDistributionTransmission = 10
	if _, err := h.k.ExecuteAddition(h.s, h.height, h.now, mustMarshal(&p)); err != nil {
		t.Fatal(err)
	}
	h.created("c1")
	h.block()
	chID := h.tryChannel("c1")
	h.confirm(chID)
	h.block()
	return h, f, h.id("c1")
}

func rewardMemo(id, chainID string) string { return ccv.NewRewardMemo(id, chainID) }

func TestCreditRewards(t *testing.T) {
	h, f, id := rewardConsumer(t)
	const denom = "transfer/channel-1/ufee"
	if _, err := h.k.Rewards().HandleChangeRewardDenoms(h.s, h.height, h.now, operatorOf(0), &registry.MsgChangeRewardDenoms{
		Owner: operatorOf(0), ConsumerId: id, Add: []string{denom}}); !errors.Is(err, ErrInvalidConsumer) && !errors.Is(err, ErrNotOwner) {
		t.Fatalf("a stranger changed the reward denominations: %v", err)
	}
	if _, err := h.k.Rewards().HandleChangeRewardDenoms(h.s, h.height, h.now, govAddr, &registry.MsgChangeRewardDenoms{
		Owner: govAddr, ConsumerId: id, Add: []string{denom, "other"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.k.Rewards().HandleChangeRewardDenoms(h.s, h.height, h.now, govAddr, &registry.MsgChangeRewardDenoms{
		Owner: govAddr, ConsumerId: id, Remove: []string{"other"}}); err != nil {
		t.Fatal(err)
	}
	if got := h.k.Rewards().Denoms(h.s, id); len(got) != 1 || got[0] != denom {
		t.Fatalf("reward denominations %v", got)
	}
	good := rewardMemo(id, "c1")
	c := coin.Coin{Denom: denom, Amount: 1000}
	for _, bad := range []struct {
		name, id, memo string
		c              coin.Coin
	}{
		{"another channel", "", good, c},
		{"no memo", id, "", c},
		{"memo of another consumer", id, rewardMemo("7", "c1"), c},
		{"memo of another chain", id, rewardMemo(id, "c2"), c},
		{"denomination not allowlisted", id, good, coin.Coin{Denom: "transfer/channel-1/uother", Amount: 5}},
	} {
		f.community = nil
		evs := h.k.Rewards().Credit(h.s, h.height, bad.id, bad.memo, bad.c)
		if len(eventsOf(evs, "consumer_rewards_to_community_pool")) != 1 || coin.FormatCoins(f.community) != bad.c.String() {
			t.Errorf("%s: events %v, community pool got %v", bad.name, evs, f.community)
		}
		if p := h.k.Rewards().Pool(h.s, id); len(p) != 0 {
			t.Errorf("%s: pool %v", bad.name, p)
		}
	}
	f.community = nil
	h.k.Rewards().Credit(h.s, h.height, id, good, c)
	h.k.Rewards().Credit(h.s, h.height, id, good, coin.Coin{Denom: denom, Amount: 1})
	if got := coin.FormatCoins(h.k.Rewards().Pool(h.s, id)); got != "1001"+denom {
		t.Fatalf("pool %s", got)
	}
	// An amount that would overflow the pool goes to the community pool.
	h.k.Rewards().Credit(h.s, h.height, id, good, coin.Coin{Denom: denom, Amount: math.MaxUint64})
	if got := coin.FormatCoins(h.k.Rewards().Pool(h.s, id)); got != "1001"+denom || len(f.community) != 1 {
		t.Fatalf("after an overflowing credit: pool %s, community %v", got, f.community)
	}

	// Validator 2 sets a consumer commission; the others keep their own.
	rate := fraction.Fraction{Numerator: 1, Denominator: 10}
	if _, err := h.k.Registry().HandleSetConsumerCommissionRate(h.s, h.height, h.now, operatorOf(2),
		&registry.MsgSetConsumerCommissionRate{Operator: operatorOf(2), ConsumerId: id, Rate: rate}); err != nil {
		t.Fatal(err)
	}
	launch := h.consumer("c1").LaunchHeight
	h.blocksUntil(launch + 10)
	if len(f.paid) != 0 {
		t.Fatalf("paid before the distribution block: %v", f.paid)
	}
	h.block() // launch + 10
	// 1001 by powers 10:20:30: 166, 333, 500, and 2 stay.
	for i, want := range []uint64{166, 333, 500} {
		got := f.paid[string(consAddrOf(i))]
		if len(got) != 1 || got[0] != (coin.Coin{Denom: denom, Amount: want}) {
			t.Errorf("validator %d paid %v, want %d", i, got, want)
		}
	}
	if f.comm[string(consAddrOf(0))] != nil || f.comm[string(consAddrOf(2))] == nil || *f.comm[string(consAddrOf(2))] != rate {
		t.Errorf("commissions %v", f.comm)
	}
	if got := coin.FormatCoins(h.k.Rewards().Pool(h.s, id)); got != "2"+denom {
		t.Errorf("pool after the distribution %s, want the remainder 2", got)
	}
	if got := h.k.Rewards().LastDistribution(h.s, id); got != launch+10 {
		t.Errorf("last distribution at %d, want %d", got, launch+10)
	}

	// A failed pay-out keeps the pool.
	h.k.Rewards().Credit(h.s, h.height, id, good, coin.Coin{Denom: denom, Amount: 60})
	f.fail = true
	h.blocksUntil(launch + 21)
	if got := coin.FormatCoins(h.k.Rewards().Pool(h.s, id)); got != "62"+denom {
		t.Errorf("pool after a failed distribution %s", got)
	}
	// Removing the consumer empties its pool into the community pool.
	f.fail, f.community = false, nil
	h.remove("c1", h.now)
	h.block()
	if p := h.k.Rewards().Pool(h.s, id); len(p) != 0 || len(f.community) != 1 {
		t.Errorf("after removal: pool %v, community %v", p, f.community)
	}
}
