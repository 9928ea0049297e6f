package ibctest_test

import (
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/cometbft/cometbft/crypto/ed25519"
	"pgregory.net/rapid"

	"github.com/abci-ics/ics/app"
	. "github.com/abci-ics/ics/app/ibctest"
	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/chain/staking"
	"github.com/abci-ics/ics/interchain"
	"github.com/abci-ics/ics/provider"
	"github.com/abci-ics/ics/types/fraction"
)

// setKey renders a validator set (hex key -> power) canonically.
func setKey(set map[string]int64) string {
	keys := make([]string, 0, len(set))
	for k, p := range set {
		keys = append(keys, fmt.Sprintf("%s:%d", k, p))
	}
	sort.Strings(keys)
	return strings.Join(keys, ",")
}

// TestCCVProperties runs random delegations, undelegations, key
// assignments, downtime and relay delays over a provider with two
// consumers, and checks after every step that each consumer's validator
// set is one the provider computed for it, that VSC ids apply in
// increasing order, and that no block hands CometBFT a key twice.
func TestCCVProperties(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		n := ccvNet(t, 4, func(g *app.Genesis) { g.Provider.Params.SlashMeterReplenishFraction = fraction.New(1, 2) },
			ConsumerParams(), ConsumerParams())
		prov := n.Provider
		var pool []ed25519.PrivKey
		for i := 0; i < 6; i++ {
			k := ed25519.GenPrivKeyFromSecret([]byte(fmt.Sprintf("pool key %d", i)))
			pool = append(pool, k)
			for _, c := range n.Consumers {
				c.AddSigner(k)
			}
		}
		held := map[int]bool{}
		n.Hold = func(i int) bool { return held[i] }
		// history[i] holds every set the provider sent consumer i: its
		// genesis set, then the set after each VSC packet, in order.
		history := make([]map[string]bool, len(n.Consumers))
		running := make([]map[string]int64, len(n.Consumers))
		lastVSC := make([]uint64, len(n.Consumers))
		seenLog := make([]int, len(n.Consumers))
		provLog := 0
		for i, c := range n.Consumers {
			running[i] = consumerSet(c)
			history[i] = map[string]bool{setKey(running[i]): true}
		}
		check := func(step int) {
			for ; provLog < len(prov.Log); provLog++ {
				packets, _ := PacketsIn(t, prov.Log[provLog], "send_packet")
				for _, pk := range packets {
					for i := range n.Consumers {
						if pk.SourceChannel != n.Paths[i].B.Channel || pk.SourcePort != n.Paths[i].B.Port {
							continue
						}
						d, err := ccv.DecodeValidatorSetChange(pk.Data)
						if err != nil {
							t.Fatal(err)
						}
						for _, u := range d.ValidatorUpdates {
							if u.Power == 0 {
								delete(running[i], hex.EncodeToString(u.PubKey))
							} else {
								running[i][hex.EncodeToString(u.PubKey)] = u.Power
							}
						}
						history[i][setKey(running[i])] = true
					}
				}
			}
			for i, c := range n.Consumers {
				if got := setKey(consumerSet(c)); !history[i][got] {
					rt.Fatalf("step %d: %s runs a set the provider never computed: %s", step, c.ID, got)
				}
				if id := status(c).HighestVSCID; id < lastVSC[i] {
					rt.Fatalf("step %d: %s went from vsc %d to %d", step, c.ID, lastVSC[i], id)
				} else {
					lastVSC[i] = id
				}
				for ; seenLog[i] < len(c.Log); seenLog[i]++ {
					seen := map[string]bool{}
					for _, u := range c.Log[seenLog[i]].ValidatorUpdates {
						k := hex.EncodeToString(u.PubKey.GetEd25519())
						if seen[k] {
							rt.Fatalf("step %d: %s block %d updates key %s twice", step, c.ID, seenLog[i]+1, k)
						}
						seen[k] = true
					}
				}
			}
		}
		steps := rapid.IntRange(5, 25).Draw(rt, "steps")
		for s := 0; s < steps; s++ {
			switch rapid.IntRange(0, 6).Draw(rt, "action") {
			case 0:
				v := rapid.IntRange(0, 3).Draw(rt, "validator")
				amount := uint64(rapid.IntRange(1, 80).Draw(rt, "amount")) * 1_000_000
				prov.NextBlock(prov.Tx(4, &staking.MsgDelegate{Delegator: prov.Address(4), Validator: prov.Address(v), Amount: amount}))
			case 1:
				v := rapid.IntRange(0, 3).Draw(rt, "validator")
				amount := uint64(rapid.IntRange(1, 40).Draw(rt, "amount")) * 1_000_000
				prov.NextBlock(prov.Tx(4, &staking.MsgUndelegate{Delegator: prov.Address(4), Validator: prov.Address(v), Amount: amount}))
			case 2:
				v := rapid.IntRange(0, 3).Draw(rt, "validator")
				c := rapid.IntRange(0, len(n.Consumers)-1).Draw(rt, "consumer")
				k := pool[rapid.IntRange(0, len(pool)-1).Draw(rt, "key")]
				prov.NextBlock(prov.Tx(v, &provider.MsgAssignConsumerKey{Operator: prov.Address(v), ConsumerId: ConsumerID(prov, n.Consumers[c].ID), ConsumerKey: k.PubKey().Bytes()}))
			case 3:
				i := rapid.IntRange(0, len(n.Consumers)-1).Draw(rt, "path")
				held[i] = !held[i]
			case 4:
				c := n.Consumers[rapid.IntRange(0, len(n.Consumers)-1).Draw(rt, "consumer")]
				for k := range c.Absent {
					delete(c.Absent, k)
				}
				if rapid.Bool().Draw(rt, "down") {
					_, vals := c.SignedHeader(c.Height)
					c.Absent[string(vals.Validators[rapid.IntRange(0, vals.Size()-1).Draw(rt, "absent")].Address)] = true
				}
			case 5:
				for v := 0; v < 4; v++ {
					if validator(prov, v).Jailed && !validatorJailedUntil(prov, v).After(prov.Time) {
						prov.NextBlock(prov.Tx(v, &staking.MsgUnjail{Validator: prov.Address(v)}))
					}
				}
			}
			for i := rapid.IntRange(1, 8).Draw(rt, "blocks"); i > 0; i-- {
				n.Step()
				check(s)
			}
		}
		held = map[int]bool{}
		n.Run(3*EpochBlocks, func() bool { return false })
		// Relaying on one path makes provider blocks that may send on
		// another: flush every path until none moves a packet.
		for round := 0; round < 10; round++ {
			moved := 0
			for _, p := range n.Paths {
				moved += p.Flush()
			}
			if moved == 0 {
				break
			}
		}
		check(steps)
		// Once every packet is through, each consumer runs the set the
		// provider last computed for it.
		for i, c := range n.Consumers {
			if got, want := setKey(consumerSet(c)), setKey(running[i]); got != want {
				info, _ := consumerInfo(prov, c.ID)
				rt.Fatalf("%s settled on %s, provider last sent %s (consumer status %+v, provider's view %+v, pending %s)",
					c.ID, got, want, status(c), info, c.Query(interchain.PathConsumerPackets, nil, 0, false).Value)
			}
		}
	})
}
