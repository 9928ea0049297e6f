package ibctest_test

import (
	"bytes"
	"encoding/hex"
	"testing"
	"time"

	"github.com/abci-ics/ics/abci"
	. "github.com/abci-ics/ics/abci/ibctest"
	"github.com/abci-ics/ics/chain/staking"
)

func newCCV(t *testing.T, nvals int, consumers ...string) (*Chain, []*Chain, []*Path) {
	clock := &Clock{Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	prov := NewProvider(t, clock, "provider-1", nvals, nvals+2, nil)
	var chains []*Chain
	var paths []*Path
	for _, id := range consumers {
		c := LaunchConsumer(prov, id, ConsumerParams(), 2)
		chains = append(chains, c)
		paths = append(paths, LinkCCV(c, prov))
	}
	prov.NextBlock()
	return prov, chains, paths
}

// consumerSet returns the consumer's CCV validator set: hex key -> power.
func consumerSet(c *Chain) map[string]int64 {
	var vals []abci.ConsumerValidatorJSON
	c.QueryJSON(abci.PathConsumerValidator, &vals)
	out := map[string]int64{}
	for _, v := range vals {
		out[v.ConsumerKey] = v.Power
	}
	return out
}

// providerSet returns the provider's bonded set: hex key -> power.
func providerSet(c *Chain) map[string]int64 {
	var vals []abci.ValidatorJSON
	c.QueryJSON(abci.PathValidators, &vals)
	out := map[string]int64{}
	for _, v := range vals {
		if v.Status == "BOND_STATUS_BONDED" && !v.Jailed {
			out[hex.EncodeToString(v.PubKey)] = v.Power
		}
	}
	return out
}

func phase(t *testing.T, prov *Chain, chainID string) abci.ConsumerJSON {
	var list []abci.ConsumerJSON
	prov.QueryJSON(abci.PathConsumers, &list)
	for _, c := range list {
		if c.ChainID == chainID {
			return c
		}
	}
	return abci.ConsumerJSON{}
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

func TestCCVLaunch(t *testing.T) {
	prov, cons, _ := newCCV(t, 3, "consumer-1")
	c := phase(t, prov, "consumer-1")
	if c.Phase != "running" || c.ChannelID == "" || c.InitHeight == 0 {
		t.Fatalf("consumer after link: %+v", c)
	}
	if got, want := consumerSet(cons[0]), providerSet(prov); !sameSet(got, want) || len(got) != 3 {
		t.Fatalf("consumer set %v, provider set %v", got, want)
	}
	// The consumer's blocks are signed by the provider's validators.
	sh, vals := cons[0].SignedHeader(cons[0].Height)
	for _, v := range vals.Validators {
		if !bytes.Equal(v.Address, prov.ValidatorKeys[0].PubKey().Address()) &&
			!bytes.Equal(v.Address, prov.ValidatorKeys[1].PubKey().Address()) &&
			!bytes.Equal(v.Address, prov.ValidatorKeys[2].PubKey().Address()) {
			t.Fatalf("consumer validator %X is no provider validator", v.Address)
		}
	}
	if len(sh.Commit.Signatures) != 3 {
		t.Fatalf("consumer commit has %d signatures", len(sh.Commit.Signatures))
	}
	_ = staking.BOND_STATUS_BONDED
}
