package ibctest_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	gogoproto "github.com/cosmos/gogoproto/proto"

	"github.com/abci-ics/ics/app"
	. "github.com/abci-ics/ics/app/ibctest"
	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/chain/auth"
	"github.com/abci-ics/ics/chain/gov"
	"github.com/abci-ics/ics/chain/staking"
	"github.com/abci-ics/ics/interchain"
	"github.com/abci-ics/ics/provider"
	"github.com/abci-ics/ics/provider/registry"
	"github.com/abci-ics/ics/types/coin"
)

// BenchmarkProviderEpoch is workload W2: a provider with 200 validators
// (180 bonded) and 50 or 500 launched consumers of mixed kinds
// (epochBenchNet); each iteration changes the power of 2 validators (1%)
// and runs one epoch. It reports the time of FinalizeBlock (begin block,
// txs, end block, working hash) of the epoch block, which computes every
// consumer's next set and queues a VSC for each that changed, sending
// those of the linked consumers, and of an ordinary block; vscs-sent is
// the number of VSC packets the epoch block sent.
//
// Linked consumers have their CCV channel open and are sent their VSCs;
// the others are launched but not linked (no consumer chain runs them),
// so their VSCs are computed, stored and queued but not sent. The cases:
// 10 consumers, all linked; 50, all linked (the configuration of earlier
// figures); the same 50 none linked (what sending costs); 200 and 500
// consumers, the first 50 linked. Each case's net is built once and kept for the repeated runs of
// the benchmark.
func BenchmarkProviderEpoch(b *testing.B) {
	for _, tc := range []struct{ consumers, linked int }{{10, 10}, {50, 50}, {50, 0}, {200, 50}, {500, 50}} {
		b.Run(fmt.Sprintf("consumers=%d,linked=%d", tc.consumers, tc.linked), func(b *testing.B) {
			key := fmt.Sprint(tc)
			prov, ok := epochBenchNets[key]
			if !ok {
				prov = epochBenchNet(b, tc.consumers, tc.linked)
				epochBenchNets[key] = prov
			}
			prov.T = b
			runEpochs(b, prov)
		})
	}
}

// epochBenchNets keeps the nets BenchmarkProviderEpoch built, by case.
var epochBenchNets = map[string]*Chain{}

// benchValidators is the number of validators of the W2 provider.
const benchValidators = 200

// epochBenchNet starts the W2 provider with nconsumers consumers, a third
// of each kind: top-N 100; top-N 67 with a power cap of 30%; and opt-in,
// with every other validator opted in and either an allowlist of 150
// validators, a set cap of 60 and a power cap of 20%, or a denylist of 10
// validators, a minimum stake and a power cap of 10%. Governance creates
// the top-N consumers (validator 0 holds most of the stake, so its vote
// alone passes them) and an account the opt-in ones, all in a few blocks.
// The first nlinked consumers are started and linked.
func epochBenchNet(b *testing.B, nconsumers, nlinked int) *Chain {
	const nvals = benchValidators
	clock := &Clock{Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	prov := NewProvider(b, clock, "provider-1", nvals, nvals+1, func(g *app.Genesis) {
		g.Staking.Validators[0].SelfDelegation = 100_000_000 * nvals
		g.Provider.Params.BlocksPerEpoch = 10
	})
	submitter := prov.Address(nvals)
	spawn := prov.Time.Add(VotingPeriod + 4*BlockInterval).UnixNano()
	var creates []gogoproto.Message
	for i := 0; i < nconsumers; i++ {
		chainID := fmt.Sprintf("consumer-%d", i+1)
		init := registry.ConsumerInitializationParameters{SpawnTime: spawn, InitialHeight: 1, Params: ccv.DefaultConsumerParams()}
		switch i % 3 {
		case 0, 1:
			ps := registry.PowerShapingParameters{TopN: 100}
			if i%3 == 1 {
				ps = registry.PowerShapingParameters{TopN: 67, ValidatorsPowerCap: 30}
			}
			content, err := gogoproto.Marshal(&provider.ConsumerAdditionProposal{ChainId: chainID, SpawnTime: init.SpawnTime,
				InitialHeight: 1, Params: init.Params, PowerShaping: ps})
			if err != nil {
				b.Fatal(err)
			}
			creates = append(creates, &gov.MsgSubmitProposal{Proposer: submitter, Title: chainID,
				Content:        gov.Content{TypeUrl: auth.TypeURL(&provider.ConsumerAdditionProposal{}), Value: content},
				InitialDeposit: []coin.Coin{{Denom: "stake", Amount: 1}}})
		case 2:
			ps := registry.PowerShapingParameters{Allowlist: consAddrs(prov, seq(0, 150)...), ValidatorSetCap: 60, ValidatorsPowerCap: 20}
			if (i/3)%2 == 1 {
				ps = registry.PowerShapingParameters{Denylist: consAddrs(prov, seq(1, 11)...), MinStake: 100_000_000, ValidatorsPowerCap: 10}
			}
			creates = append(creates, &registry.MsgCreateConsumer{Submitter: submitter, ChainId: chainID,
				InitializationParameters: &init, PowerShapingParameters: &ps})
		}
	}
	resp := prov.MustSucceed(prov.NextBlock(batches(prov, nvals, creates, 32)...))
	var votes []gogoproto.Message
	for _, e := range Events(resp, "submit_proposal") {
		pid, err := strconv.ParseUint(e["proposal_id"], 10, 64)
		if err != nil {
			b.Fatal(err)
		}
		votes = append(votes, &gov.MsgVote{Voter: prov.Address(0), ProposalId: pid, Option: gov.OptionYes})
	}
	optIns := make([][]gogoproto.Message, nvals)
	for _, e := range Events(resp, "create_consumer") {
		n, err := strconv.Atoi(strings.TrimPrefix(e["chain_id"], "consumer-"))
		if err != nil {
			b.Fatal(err)
		}
		for v := 0; v < nvals; v++ {
			if (v+n-1)%2 == 0 {
				optIns[v] = append(optIns[v], &registry.MsgOptIn{Operator: prov.Address(v), ConsumerId: e["consumer_id"]})
			}
		}
	}
	txs := batches(prov, 0, votes, 32) // before account 0's opt-ins, in nonce order
	for v, msgs := range optIns {
		txs = append(txs, batches(prov, v, msgs, 32)...)
	}
	prov.MustSucceed(prov.NextBlock(txs...))
	launched := func() int {
		var list []interchain.ConsumerJSON
		prov.QueryJSON(interchain.PathConsumers, &list)
		k := 0
		for _, c := range list {
			if c.Phase == "launched" || c.Phase == "running" {
				k++
			}
		}
		return k
	}
	for i := 0; launched() < nconsumers; i++ {
		if i > 20 {
			b.Fatalf("%d of %d consumers launched", launched(), nconsumers)
		}
		prov.NextBlock()
	}
	for i := 0; i < nlinked; i++ {
		cons := StartConsumer(prov, fmt.Sprintf("consumer-%d", i+1), 1)
		LinkCCV(cons, prov)
	}
	prov.Outbox = nil
	return prov
}

// runEpochs runs the measured iterations of BenchmarkProviderEpoch.
func runEpochs(b *testing.B, prov *Chain) {
	const nvals = benchValidators
	var epoch, ordinary time.Duration
	var epochs, ordinaries, sent int
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j := 0; j < 2; j++ {
			v := 1 + (2*i+j)%(nvals-1)
			prov.MustSucceed(prov.NextBlock(prov.Tx(nvals, &staking.MsgDelegate{Delegator: prov.Address(nvals), Validator: prov.Address(v), Amount: 1_000_000})))
		}
		for {
			resp := prov.NextBlock()
			if prov.Height%10 == 0 {
				epoch += prov.LastFinalize
				epochs++
				sent += len(Events(resp, "ccv_packet"))
				break
			}
			ordinary += prov.LastFinalize
			ordinaries++
		}
		prov.Outbox = nil
	}
	b.StopTimer()
	b.ReportMetric(float64(epoch.Microseconds())/float64(epochs), "epoch-us")
	b.ReportMetric(float64(sent)/float64(epochs), "vscs-sent")
	if ordinaries > 0 {
		b.ReportMetric(float64(ordinary.Microseconds())/float64(ordinaries), "ordinary-us")
	}
}

// batches signs msgs from account i in transactions of at most size
// messages each.
func batches(c *Chain, i int, msgs []gogoproto.Message, size int) [][]byte {
	var txs [][]byte
	for len(msgs) > 0 {
		k := min(size, len(msgs))
		txs = append(txs, c.Tx(i, msgs[:k]...))
		msgs = msgs[k:]
	}
	return txs
}

// seq returns from, from+1, ..., to-1.
func seq(from, to int) []int {
	out := make([]int, 0, to-from)
	for i := from; i < to; i++ {
		out = append(out, i)
	}
	return out
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
