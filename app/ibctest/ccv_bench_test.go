package ibctest_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/abci-ics/ics/app"
	. "github.com/abci-ics/ics/app/ibctest"
	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/chain/staking"
)

// BenchmarkProviderEpoch is workload W2: a provider with 200 validators
// (180 bonded) and 50 launched and linked consumers; each iteration changes
// the power of 2 validators (1%) and runs one epoch. It reports the time of
// FinalizeBlock (begin block, txs, end block, working hash) of the epoch
// block, which computes and sends 50 VSC packets, and of an ordinary block.
func BenchmarkProviderEpoch(b *testing.B) {
	const nvals, nconsumers = 200, 50
	clock := &Clock{Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	prov := NewProvider(b, clock, "provider-1", nvals, nvals+1, func(g *app.Genesis) {
		// Validator 0 holds most of the stake, so its vote alone passes the
		// consumer additions.
		g.Staking.Validators[0].SelfDelegation = 100_000_000 * nvals
		g.Provider.Params.BlocksPerEpoch = 10
	})
	for i := 0; i < nconsumers; i++ {
		cons := LaunchConsumer(prov, fmt.Sprintf("consumer-%d", i+1), ccv.DefaultConsumerParams(), 1)
		LinkCCV(cons, prov)
	}
	var epoch, ordinary time.Duration
	var epochs, ordinaries int
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j := 0; j < 2; j++ {
			v := 1 + (2*i+j)%(nvals-1)
			prov.MustSucceed(prov.NextBlock(prov.Tx(nvals, &staking.MsgDelegate{Delegator: prov.Address(nvals), Validator: prov.Address(v), Amount: 1_000_000})))
		}
		for {
			prov.NextBlock()
			if prov.Height%10 == 0 {
				epoch += prov.LastFinalize
				epochs++
				break
			}
			ordinary += prov.LastFinalize
			ordinaries++
		}
		prov.Outbox = nil
	}
	b.StopTimer()
	b.ReportMetric(float64(epoch.Microseconds())/float64(epochs), "epoch-us")
	if ordinaries > 0 {
		b.ReportMetric(float64(ordinary.Microseconds())/float64(ordinaries), "ordinary-us")
	}
}

// BenchmarkVSCReceive is the first half of workload W4: a consumer (100
// validators) receives one VSC packet changing one validator's power,
// with the client update and the packet's proof in the same transaction.
// It reports the consumer's FinalizeBlock time for that block.
func BenchmarkVSCReceive(b *testing.B) {
	clock := &Clock{Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	prov := NewProvider(b, clock, "provider-1", 100, 101, nil)
	cons := LaunchConsumer(prov, "consumer-1", ccv.DefaultConsumerParams(), 1)
	path := LinkCCV(cons, prov)
	var total time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		prov.MustSucceed(prov.NextBlock(prov.Tx(100, &staking.MsgDelegate{Delegator: prov.Address(100), Validator: prov.Address(i % 100), Amount: 1_000_000})))
		for prov.Height%EpochBlocks != 0 {
			prov.NextBlock()
		}
		packets := prov.Outbox
		prov.Outbox = nil
		msgs := path.RecvMsgs(prov, packets)
		tx := cons.Tx(0, msgs...)
		b.StartTimer()
		cons.MustSucceed(cons.NextBlock(tx))
		total += cons.LastFinalize
	}
	b.ReportMetric(float64(total.Microseconds())/float64(b.N), "finalize-us")
}
