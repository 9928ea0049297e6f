package consumerapp

import (
	"testing"

	"github.com/abci-ics/ics/app"
	"github.com/abci-ics/ics/interchain/ibcgo"
)

// TestIBCGoRoutes: a consumer, with or without its own staking, admits
// every ibc-go core and ICS-20 message type and none of the provider's.
func TestIBCGoRoutes(t *testing.T) {
	core := map[string]bool{}
	for _, u := range ibcgo.TypeURLs(false) {
		core[u] = true
	}
	for _, own := range []bool{false, true} {
		c := newChain(app.NewAccounts("consumer-1", "ics"), nil, own)
		for _, u := range ibcgo.TypeURLs(true) {
			if c.Handles(u) != core[u] {
				t.Errorf("own staking %v: Handles(%s) = %v", own, u, c.Handles(u))
			}
		}
	}
}
