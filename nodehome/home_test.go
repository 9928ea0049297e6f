package nodehome_test

import (
	"testing"
	"time"

	"github.com/abci-ics/ics/app"
	"github.com/abci-ics/ics/app/ibctest"
	"github.com/abci-ics/ics/nodehome"
	"github.com/abci-ics/ics/types/coin"
)

// TestInitOwnStaking: a consumer home written with OwnStaking has a
// genesis with the consumer's own staking, which the import of the
// consumer genesis keeps; a provider home refuses the option.
func TestInitOwnStaking(t *testing.T) {
	opts := func(role app.Role, own bool) nodehome.InitOptions {
		return nodehome.InitOptions{Home: t.TempDir(), ChainID: "c-1", Moniker: "n", KeyName: "k", Prefix: "ics",
			Amount: []coin.Coin{{Denom: "stake", Amount: 1_000_000_000}}, Role: role, OwnStaking: own}
	}
	clock := &ibctest.Clock{Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	prov := ibctest.NewProvider(t, clock, "provider-1", 2, 2, nil)
	ibctest.ProposeConsumer(prov, "c-1", ibctest.ConsumerParams())
	prov.NextBlock()
	cg := ibctest.ConsumerGenesis(prov, "c-1")
	for _, own := range []bool{false, true} {
		o := opts(app.RoleConsumer, own)
		if _, err := nodehome.Init(o); err != nil {
			t.Fatal(err)
		}
		g, err := nodehome.ReadAppGenesis(o.Home)
		if err != nil {
			t.Fatal(err)
		}
		if g.Role() != app.RoleConsumer || g.OwnStaking() != own {
			t.Fatalf("own staking %t: genesis role %s, own staking %t", own, g.Role(), g.OwnStaking())
		}
		if err := nodehome.ImportConsumerGenesis(o.Home, cg); err != nil {
			t.Fatal(err)
		}
		if g, err = nodehome.ReadAppGenesis(o.Home); err != nil {
			t.Fatal(err)
		}
		if g.OwnStaking() != own || len(g.Consumer.InitialValidators) != 2 {
			t.Fatalf("own staking %t: after import, own staking %t, %d validators", own, g.OwnStaking(), len(g.Consumer.InitialValidators))
		}
	}
	if _, err := nodehome.Init(opts(app.RoleProvider, true)); err == nil {
		t.Fatal("a provider home took OwnStaking")
	}
}
