package providerapp

import (
	"testing"

	"github.com/abci-ics/ics/app"
	"github.com/abci-ics/ics/interchain/ibcgo"
)

// TestIBCGoRoutes: the provider admits every ibc-go message type,
// the evidence messages of the reference's provider included.
func TestIBCGoRoutes(t *testing.T) {
	c := newChain(app.NewAccounts("provider-1", "ics"), nil)
	urls := ibcgo.TypeURLs(true)
	if len(urls) != 19 {
		t.Fatalf("%d type URLs: %v", len(urls), urls)
	}
	for _, u := range urls {
		if !c.Handles(u) {
			t.Errorf("provider does not handle %s", u)
		}
	}
}
