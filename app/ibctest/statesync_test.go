package ibctest_test

import (
	"testing"

	. "github.com/abci-ics/ics/app/ibctest"
	"github.com/abci-ics/ics/chain/staking"
)

// TestStateSyncCCV: a consumer, then its provider, are replaced by nodes
// that joined by state sync (StateSync checks the restored height and app
// hash), and the CCV protocol goes on over the restored state: a
// delegation on the provider reaches the consumer's validator set through
// the relayer, whose proofs come from the restored states.
func TestStateSyncCCV(t *testing.T) {
	n := ccvNet(t, 3, nil, ConsumerParams())
	prov, cons := n.Provider, n.Consumers[0]
	for round := range 2 {
		prov.MustSucceed(prov.NextBlock(prov.Tx(3, &staking.MsgDelegate{Delegator: prov.Address(3), Validator: prov.Address(round), Amount: 50_000_000})))
		want := providerSet(prov)
		if !n.Run(12, func() bool { return sameSet(consumerSet(cons), want) }) {
			t.Fatalf("round %d: consumer set %v, provider %v", round, consumerSet(cons), want)
		}
		if round == 0 {
			cons.StateSync()
			prov.StateSync()
		}
	}
	if status(cons).HighestVSCID < 2 {
		t.Fatalf("consumer status after the restores: %+v", status(cons))
	}
}
