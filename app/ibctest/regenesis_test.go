package ibctest_test

import (
	"maps"
	"testing"
	"time"

	"github.com/cometbft/cometbft/crypto/ed25519"

	"github.com/abci-ics/ics/app"
	. "github.com/abci-ics/ics/app/ibctest"
	"github.com/abci-ics/ics/app/pos"
	"github.com/abci-ics/ics/chain/staking"
	"github.com/abci-ics/ics/interchain"
	"github.com/abci-ics/ics/provider"
)

// TestRegenesis: a provider with two consumers, an undelegation held by
// both and a consumer key assigned, and one of its consumers, restart from
// exports of their state (as a network restarted from icsd export does).
// The new applications run every later block exactly as the old ones (same
// results, same state, same query answers), and the network goes on across
// the restart: the holds are released by the consumers' maturity packets,
// the undelegation pays out, and both consumers follow the provider's set
// and the assigned key.
func TestRegenesis(t *testing.T) {
	slow := ConsumerParams()
	slow.UnbondingPeriod = 30 * time.Minute
	n := ccvNet(t, 3, nil, ConsumerParams(), slow)
	prov, c1, c2 := n.Provider, n.Consumers[0], n.Consumers[1]
	key := ed25519.GenPrivKeyFromSecret([]byte("consumer-1 key of validator 1"))
	c1.AddSigner(key)
	del := prov.Address(4)
	prov.MustSucceed(prov.NextBlock(prov.Tx(4, &staking.MsgDelegate{Delegator: del, Validator: prov.Address(0), Amount: 5_000_000})))
	before := prov.Balance(del, "stake")
	prov.MustSucceed(prov.NextBlock(prov.Tx(4, &staking.MsgUndelegate{Delegator: del, Validator: prov.Address(0), Amount: 5_000_000})))
	prov.MustSucceed(prov.NextBlock(prov.Tx(1, &provider.MsgAssignConsumerKey{Operator: prov.Address(1), ConsumerId: ConsumerID(prov, c1.ID),
		ConsumerKey: key.PubKey().Bytes()})))
	t0 := prov.Time
	n.Step()
	for _, c := range []*Chain{prov, c2} {
		if !n.Run(20, c.CanRegenesis) {
			t.Fatalf("%s: the validator set keeps changing", c.ID)
		}
	}
	if hs := holds(prov); len(hs) != 2 {
		t.Fatalf("holds before the restart: %+v", hs)
	}

	id1, id2 := ConsumerID(prov, c1.ID), ConsumerID(prov, c2.ID)
	for _, c := range []*Chain{prov, c2} {
		c.Mirror = c.Regenesis()
	}
	same := func() {
		for _, c := range []*Chain{prov, c2} {
			c.SameState()
		}
		for _, p := range []string{interchain.PathConsumers, interchain.PathConsumer + id1, interchain.PathConsumer + id2,
			interchain.PathConsumerVals + id1, interchain.PathConsumerVals + id2, interchain.PathPendingVSC + id2,
			interchain.PathKeyAssignments + id1, interchain.PathHolds, interchain.PathThrottle, interchain.PathEpoch,
			interchain.PathConsumerGenesis + id2, interchain.PathConsumerRewards + id2, interchain.PathProviderParams,
			interchain.PathIBCConnections, interchain.PathIBCChannels, interchain.PathDenomTraces,
			pos.PathValidators, pos.PathUnbonding, app.PathSupply, app.PathParams} {
			prov.SameQuery(p)
		}
		for _, p := range []string{interchain.PathConsumerStatus, interchain.PathConsumerParams, interchain.PathConsumerValidator,
			interchain.PathConsumerPackets, interchain.PathConsumerNextFeeDistribution, interchain.PathIBCChannels, app.PathSupply} {
			c2.SameQuery(p)
		}
	}
	for i := 0; i < 5; i++ {
		n.Step()
		same()
	}

	paid := func() bool { return prov.Balance(del, "stake") > before-1 }
	if !n.Run(1000, paid) {
		t.Fatal("undelegation never paid out after the restart")
	}
	same()
	t.Logf("paid out at height %d, %s after the undelegation", prov.Height, prov.Time.Sub(t0))
	if prov.Time.Before(t0.Add(30 * time.Minute)) {
		t.Fatalf("paid out at %s after the undelegation, before consumer-2's 30 min", prov.Time.Sub(t0))
	}
	if hs := holds(prov); len(hs) != 0 {
		t.Fatalf("holds left: %+v", hs)
	}
	if got, want := consumerSet(c2), providerSet(prov); !maps.Equal(got, want) {
		t.Fatalf("consumer-2 set %v, provider %v", got, want)
	}
	if !has(consumerSet(c1), key.PubKey().Bytes()) {
		t.Fatalf("consumer-1 set lacks the assigned key: %v", consumerSet(c1))
	}
}
