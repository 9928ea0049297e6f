package ibctest_test

import (
	"bytes"
	"encoding/hex"
	"testing"
	"time"

	"github.com/abci-ics/ics/app"
	. "github.com/abci-ics/ics/app/ibctest"
	"github.com/abci-ics/ics/app/pos"
	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/chain/staking"
	"github.com/abci-ics/ics/interchain"
)

// ccvNet starts a provider with nvals validators (unbonding period 15
// minutes, params edited by edit) and launches and links one consumer per
// entry of params, named consumer-1, consumer-2, ...
func ccvNet(t *testing.T, nvals int, edit func(*app.Genesis), params ...ccv.ConsumerParams) *Net {
	clock := &Clock{Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	prov := NewProvider(t, clock, "provider-1", nvals, nvals+2, func(g *app.Genesis) {
		g.Staking.Params.UnbondingPeriod = 15 * time.Minute
		if edit != nil {
			edit(g)
		}
	})
	n := &Net{Provider: prov}
	for i, p := range params {
		c := LaunchConsumer(prov, "consumer-"+string(rune('1'+i)), p, 2)
		n.Consumers = append(n.Consumers, c)
		n.Paths = append(n.Paths, LinkCCV(c, prov))
	}
	n.Step()
	return n
}

// consumerSet returns the consumer's CCV validator set: hex key -> power.
func consumerSet(c *Chain) map[string]int64 {
	var vals []interchain.ConsumerValidatorJSON
	c.QueryJSON(interchain.PathConsumerValidator, &vals)
	out := map[string]int64{}
	for _, v := range vals {
		out[v.ConsumerKey] = v.Power
	}
	return out
}

// providerSet returns the provider's bonded, unjailed set: hex key -> power.
func providerSet(c *Chain) map[string]int64 {
	var vals []pos.ValidatorJSON
	c.QueryJSON(pos.PathValidators, &vals)
	out := map[string]int64{}
	for _, v := range vals {
		if v.Status == staking.BOND_STATUS_BONDED.String() && !v.Jailed {
			out[hex.EncodeToString(v.PubKey)] = v.Power
		}
	}
	return out
}

func validator(c *Chain, i int) pos.ValidatorJSON {
	var v pos.ValidatorJSON
	c.QueryJSON(pos.PathValidator+addrString(c, i), &v)
	return v
}

func addrString(c *Chain, i int) string {
	var vals []pos.ValidatorJSON
	c.QueryJSON(pos.PathValidators, &vals)
	pk := c.ValidatorKeys[i].PubKey().Bytes()
	for _, v := range vals {
		if bytes.Equal(v.PubKey, pk) {
			return v.Operator
		}
	}
	c.T.Fatalf("no validator %d", i)
	return ""
}

// consumerInfo returns the provider's live consumer with chain id chainID.
func consumerInfo(prov *Chain, chainID string) (interchain.ConsumerJSON, bool) {
	return FindConsumer(prov, chainID)
}

func status(c *Chain) interchain.ConsumerStatusJSON {
	var st interchain.ConsumerStatusJSON
	c.QueryJSON(interchain.PathConsumerStatus, &st)
	return st
}

func sameSet(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func holds(prov *Chain) []interchain.HoldJSON {
	var hs []interchain.HoldJSON
	prov.QueryJSON(interchain.PathHolds, &hs)
	return hs
}

// TestCCVLaunch: a consumer launched by governance opens its channel and
// runs on the provider's validator set, signed by the provider's keys.
func TestCCVLaunch(t *testing.T) {
	n := ccvNet(t, 3, nil, ConsumerParams())
	prov, cons := n.Provider, n.Consumers[0]
	c, _ := consumerInfo(prov, cons.ID)
	if c.Phase != "running" || c.ChannelID == "" || c.InitHeight == 0 || c.ClientID == "" {
		t.Fatalf("consumer after link: %+v", c)
	}
	if got, want := consumerSet(cons), providerSet(prov); !sameSet(got, want) || len(got) != 3 {
		t.Fatalf("consumer set %v, provider set %v", got, want)
	}
	sh, vals := cons.SignedHeader(cons.Height)
	for _, v := range vals.Validators {
		found := false
		for _, k := range prov.ValidatorKeys {
			found = found || bytes.Equal(v.Address, k.PubKey().Address())
		}
		if !found {
			t.Fatalf("consumer validator %X is no provider validator", v.Address)
		}
	}
	if len(sh.Commit.Signatures) != 3 {
		t.Fatalf("consumer commit has %d signatures", len(sh.Commit.Signatures))
	}
	if CountEvents(prov, "channel_established", "chain_id", cons.ID) != 1 {
		t.Fatal("no channel_established event")
	}
}

// TestCCVDelegationReachesEveryConsumer: a delegation on the provider
// changes every consumer's validator set, through the same VSC ids in the
// same order.
func TestCCVDelegationReachesEveryConsumer(t *testing.T) {
	n := ccvNet(t, 3, nil, ConsumerParams(), ConsumerParams())
	prov := n.Provider
	seen := make([][]uint64, len(n.Consumers))
	record := func() {
		for i, c := range n.Consumers {
			id := status(c).HighestVSCID
			if l := len(seen[i]); l == 0 || seen[i][l-1] != id {
				seen[i] = append(seen[i], id)
			}
		}
	}
	for round := 0; round < 2; round++ {
		prov.MustSucceed(prov.NextBlock(prov.Tx(3, &staking.MsgDelegate{Delegator: prov.Address(3), Validator: prov.Address(round), Amount: 50_000_000})))
		want := providerSet(prov)
		ok := n.Run(12, func() bool {
			record()
			for _, c := range n.Consumers {
				if !sameSet(consumerSet(c), want) {
					return false
				}
			}
			return true
		})
		if !ok {
			t.Fatalf("round %d: consumer sets %v %v, provider %v", round, consumerSet(n.Consumers[0]), consumerSet(n.Consumers[1]), want)
		}
		// CometBFT's set on each consumer follows two blocks later.
		n.Step()
		n.Step()
		for _, c := range n.Consumers {
			_, vals := c.SignedHeader(c.Height)
			for _, v := range vals.Validators {
				if want[hex.EncodeToString(v.PubKey.Bytes())] != v.VotingPower {
					t.Fatalf("%s: CometBFT power of %X is %d, want %d", c.ID, v.Address, v.VotingPower, want[hex.EncodeToString(v.PubKey.Bytes())])
				}
			}
		}
	}
	for i := range seen {
		for j := 1; j < len(seen[i]); j++ {
			if seen[i][j] <= seen[i][j-1] {
				t.Fatalf("consumer %d applied vsc ids %v", i, seen[i])
			}
		}
	}
	if status(n.Consumers[0]).HighestVSCID != status(n.Consumers[1]).HighestVSCID {
		t.Fatalf("consumers at vsc ids %v and %v", seen[0], seen[1])
	}
	for _, c := range n.Consumers {
		if CountEvents(c, "ccv_packet", "success", "true") == 0 {
			t.Fatalf("%s emitted no ccv_packet event", c.ID)
		}
	}
}

// TestCCVUnbondingWaitsForEveryConsumer: an undelegation completes only once
// the provider's unbonding period (15 min) has passed and both consumers
// (unbonding 10 and 30 min) have matured it.
func TestCCVUnbondingWaitsForEveryConsumer(t *testing.T) {
	slow := ConsumerParams()
	slow.UnbondingPeriod = 30 * time.Minute
	n := ccvNet(t, 3, nil, ConsumerParams(), slow)
	prov := n.Provider
	del := prov.Address(4)
	prov.MustSucceed(prov.NextBlock(prov.Tx(4, &staking.MsgDelegate{Delegator: del, Validator: prov.Address(0), Amount: 5_000_000})))
	before := prov.Balance(del, "stake")
	prov.MustSucceed(prov.NextBlock(prov.Tx(4, &staking.MsgUndelegate{Delegator: del, Validator: prov.Address(0), Amount: 5_000_000})))
	t0 := prov.Time
	hs := holds(prov)
	if len(hs) != 2 || hs[0].ChainID != "consumer-1" || hs[1].ChainID != "consumer-2" || hs[0].Kind != "UNBONDING_KIND_UNDELEGATION" {
		t.Fatalf("holds after undelegating: %+v", hs)
	}
	paid := func() bool { return prov.Balance(del, "stake") > before-1 }
	// Past the provider's period and consumer-1's: consumer-2 still holds.
	if n.Run(1000, func() bool { return prov.Time.After(t0.Add(20 * time.Minute)) }); paid() {
		t.Fatal("undelegation paid out before consumer-2 matured it")
	}
	hs = holds(prov)
	if len(hs) != 1 || hs[0].ChainID != "consumer-2" {
		t.Fatalf("holds at +20 min: %+v", hs)
	}
	if !n.Run(1000, paid) {
		t.Fatal("undelegation never paid out")
	}
	if prov.Time.Before(t0.Add(30 * time.Minute)) {
		t.Fatalf("paid out at %s after the undelegation, before consumer-2's 30 min", prov.Time.Sub(t0))
	}
	if got := prov.Balance(del, "stake"); got != before+5_000_000-1 {
		t.Fatalf("balance %d, want %d", got, before+5_000_000-1)
	}
	if len(holds(prov)) != 0 {
		t.Fatalf("holds left: %+v", holds(prov))
	}
}

// TestCCVSilentConsumerStopped: a consumer whose packets never reach the
// provider is stopped at the VSC timeout and its holds are released; the
// unbonding then completes on the other consumer's maturity alone.
func TestCCVSilentConsumerStopped(t *testing.T) {
	n := ccvNet(t, 3, func(g *app.Genesis) { g.Provider.Params.VscTimeoutPeriod = 25 * time.Minute },
		ConsumerParams(), ConsumerParams())
	prov := n.Provider
	n.Hold = func(i int) bool { return i == 1 }
	del := prov.Address(4)
	prov.MustSucceed(prov.NextBlock(prov.Tx(4, &staking.MsgDelegate{Delegator: del, Validator: prov.Address(1), Amount: 5_000_000})))
	before := prov.Balance(del, "stake")
	prov.MustSucceed(prov.NextBlock(prov.Tx(4, &staking.MsgUndelegate{Delegator: del, Validator: prov.Address(1), Amount: 5_000_000})))
	if len(holds(prov)) != 2 {
		t.Fatalf("holds %+v", holds(prov))
	}
	// The silent consumer's VSC goes out at the next epoch but never
	// matures: it is stopped once the VSC timeout has passed.
	if !n.Run(1000, func() bool { _, ok := consumerInfo(prov, "consumer-2"); return !ok }) {
		t.Fatal("silent consumer never stopped")
	}
	if CountEvents(prov, "consumer_stopped", "chain_id", "consumer-2") != 1 {
		t.Fatal("no consumer_stopped event")
	}
	if !n.Run(200, func() bool { return prov.Balance(del, "stake") > before }) {
		t.Fatalf("undelegation still held: %+v", holds(prov))
	}
	if _, ok := consumerInfo(prov, "consumer-1"); !ok {
		t.Fatal("the other consumer was stopped too")
	}
}
