package ibctest_test

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/cometbft/cometbft/crypto/ed25519"
	"pgregory.net/rapid"

	"github.com/abci-ics/ics/app"
	. "github.com/abci-ics/ics/app/ibctest"
	"github.com/abci-ics/ics/app/pos"
	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/chain/staking"
	"github.com/abci-ics/ics/interchain"
	"github.com/abci-ics/ics/provider"
	"github.com/abci-ics/ics/provider/registry"
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

// propertyNet starts the net of TestCCVProperties: four validators of
// power 100 and two consumers of different kinds. consumer-1 is a top-N
// 67 consumer of governance's with a power cap of 40%; consumer-2 is an
// opt-in consumer of account 5's, validators 0 and 1 opted in, with
// validator 3 denied, a set cap of 2 and validator 2 on its prioritylist.
func propertyNet(t *testing.T) (*Net, []string) {
	prov := pssProvider(t, []int64{100, 100, 100, 100}, func(g *app.Genesis) {
		g.Provider.Params.SlashMeterReplenishFraction = fraction.New(1, 2)
	})
	id1, c1, p1 := launchGov(prov, "consumer-1", registry.PowerShapingParameters{TopN: 67, ValidatorsPowerCap: 40}, nil)
	id2, c2, p2 := launchOptIn(prov, "consumer-2", 5, &registry.PowerShapingParameters{
		Denylist: consAddrs(prov, 3), ValidatorSetCap: 2, Prioritylist: consAddrs(prov, 2)}, nil, 0, 1)
	return net(prov, []*Chain{c1, c2}, []*Path{p1, p2}), []string{id1, id2}
}

// queryAt decodes the JSON answer of path at height h of c.
func queryAt(c *Chain, path string, h int64, out any) {
	res := c.Query(path, nil, h, false)
	if res.Code != 0 {
		c.T.Fatalf("%s: query %s at %d: %s", c.ID, path, h, res.Log)
	}
	if err := json.Unmarshal(res.Value, out); err != nil {
		c.T.Fatal(err)
	}
}

// topN returns the provider's validators (valcons) in the top n percent of
// the power of its active set at height h, ties included, as the provider
// itself must see them at that height's end block.
func topN(prov *Chain, h int64, n int64) map[string]bool {
	var vals []pos.ValidatorJSON
	queryAt(prov, pos.PathValidators, h, &vals)
	var active []int64
	var total int64
	power := map[string]int64{}
	for i := range prov.ValidatorKeys {
		for _, v := range vals {
			if bytes.Equal(v.PubKey, prov.ValidatorKeys[i].PubKey().Bytes()) && v.Status == staking.BOND_STATUS_BONDED.String() && !v.Jailed && !v.Tombstoned && v.Power > 0 {
				power[valcons(prov, i)] = v.Power
				active = append(active, v.Power)
				total += v.Power
			}
		}
	}
	sort.Slice(active, func(a, b int) bool { return active[a] > active[b] })
	var sum, min int64
	for _, p := range active {
		sum += p
		if sum*100 >= total*n {
			min = p
			break
		}
	}
	out := map[string]bool{}
	for a, p := range power {
		if min > 0 && p >= min {
			out[a] = true
		}
	}
	return out
}

// TestCCVProperties runs random delegations, undelegations, key
// assignments, opt-ins and opt-outs, downtime and relay delays over a
// provider with a top-N consumer with a power cap and an opt-in consumer
// with a denylist, a set cap and a prioritylist (propertyNet), and checks
// after every step that:
//   - each consumer's validator set, in its CCV module and in CometBFT, is
//     one the provider computed for it, and the sets the provider sent it
//     add up to the set the provider stores for it;
//   - VSC ids apply in increasing order, and no block hands CometBFT a key
//     twice;
//   - the provider's set of a consumer changes only at epochs, and at each
//     epoch holds only opted-in validators (top-N validators are opted in
//     automatically), every top-N validator of the top-N consumer, powers
//     under its cap, and on the opt-in consumer at most two validators,
//     never the denied one, the prioritized one whenever it is opted in
//     and eligible;
//   - a consumer holds an unbonding entry of a validator only if that
//     validator was in the set the provider stored for it when the entry
//     began.
func TestCCVProperties(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		n, ids := propertyNet(t)
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
		operators := map[string]string{} // operator -> valcons
		for i := range prov.ValidatorKeys {
			operators[addrString(prov, i)] = valcons(prov, i)
		}
		// history[i] holds every set the provider sent consumer i: its
		// genesis set, then the set after each VSC packet, in order.
		history := make([]map[string]bool, len(n.Consumers))
		running := make([]map[string]int64, len(n.Consumers))
		lastVSC := make([]uint64, len(n.Consumers))
		seenLog := make([]int, len(n.Consumers))
		provLog := 0
		for i, c := range n.Consumers {
			running[i] = map[string]int64{}
			for _, v := range ConsumerGenesis(prov, c.ID).InitialValidators {
				running[i][hex.EncodeToString(v.PubKey)] = v.Power
			}
			history[i] = map[string]bool{setKey(running[i]): true}
		}
		checkedHeight := prov.Height
		seenHolds := map[string]bool{}
		// stored caches the provider's stored sets by consumer and height.
		stored := map[string]map[string]int64{}
		storedAt := func(id string, h int64) map[string]int64 {
			k := id + "@" + strconv.FormatInt(h, 10)
			if _, ok := stored[k]; !ok {
				stored[k] = storedSet(prov, id, h)
			}
			return stored[k]
		}
		// checkHeight checks the provider's stored sets at height h.
		checkHeight := func(step int, h int64) {
			for i, id := range ids {
				set, prev := storedAt(id, h), storedAt(id, h-1)
				if h%EpochBlocks != 0 {
					if !sameSet(set, prev) {
						rt.Fatalf("step %d: the set of %s changed at %d, not an epoch: %v -> %v", step, id, h, prev, set)
					}
					continue
				}
				var d interchain.ConsumerDetailJSON
				queryAt(prov, interchain.PathConsumer+id, h, &d)
				var total int64
				for a, p := range set {
					if !slices.Contains(d.OptedIn, a) {
						rt.Fatalf("step %d: %s not opted in to %s (opted in %v) but in its set at %d", step, a, id, d.OptedIn, h)
					}
					total += p
				}
				switch i {
				case 0:
					for a := range topN(prov, h, 67) {
						if _, ok := set[a]; !ok {
							rt.Fatalf("step %d: top-N validator %s not in the set of %s at %d: %v", step, a, id, h, set)
						}
					}
					limit := max(total*40/100, (total+int64(len(set))-1)/int64(max(len(set), 1)))
					for a, p := range set {
						if p > limit {
							rt.Fatalf("step %d: %s has power %d of %d in %s at %d (cap 40%%)", step, a, p, total, id, h)
						}
					}
				case 1:
					if _, ok := set[valcons(prov, 3)]; ok || len(set) > 2 {
						rt.Fatalf("step %d: set of %s at %d: %v (denied validator 3, cap 2)", step, id, h, set)
					}
					if _, ok := set[valcons(prov, 2)]; !ok && slices.Contains(d.OptedIn, valcons(prov, 2)) && topN(prov, h, 100)[valcons(prov, 2)] {
						rt.Fatalf("step %d: prioritized validator 2 opted in and eligible but not in the set of %s at %d: %v", step, id, h, set)
					}
				}
			}
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
			for ; checkedHeight < prov.Height; checkedHeight++ {
				checkHeight(step, checkedHeight+1)
			}
			for i, c := range n.Consumers {
				if got := setKey(consumerSet(c)); !history[i][got] {
					rt.Fatalf("step %d: %s runs a set the provider never computed: %s", step, c.ID, got)
				}
				if got := setKey(cometKeys(c)); !history[i][got] {
					rt.Fatalf("step %d: %s's CometBFT set is one the provider never computed: %s", step, c.ID, got)
				}
				var stored []interchain.ConsumerValidatorJSON
				prov.QueryJSON(interchain.PathConsumerVals+ids[i], &stored)
				byKey := map[string]int64{}
				for _, v := range stored {
					byKey[v.ConsumerKey] = v.Power
				}
				if !sameSet(byKey, running[i]) {
					rt.Fatalf("step %d: the provider stores %v for %s, its VSCs add up to %v", step, byKey, c.ID, running[i])
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
			for _, h := range holds(prov) {
				k := h.ConsumerID + "/" + strconv.FormatUint(h.UnbondingID, 10)
				if seenHolds[k] {
					continue
				}
				seenHolds[k] = true
				v, ok := operators[h.Validator]
				if !ok || h.Since < 2 {
					rt.Fatalf("step %d: hold %+v", step, h)
				}
				if _, in := storedAt(h.ConsumerID, h.Since-1)[v]; !in {
					rt.Fatalf("step %d: %s holds entry %d of %s, not in its set when the entry began at %d", step, h.ConsumerID, h.UnbondingID, v, h.Since)
				}
			}
		}
		steps := rapid.IntRange(5, 25).Draw(rt, "steps")
		for s := 0; s < steps; s++ {
			switch rapid.IntRange(0, 8).Draw(rt, "action") {
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
			case 6:
				v := rapid.IntRange(0, 3).Draw(rt, "validator")
				c := rapid.IntRange(0, len(ids)-1).Draw(rt, "consumer")
				prov.MustSucceed(prov.NextBlock(prov.Tx(v, &registry.MsgOptIn{Operator: prov.Address(v), ConsumerId: ids[c]})))
			case 7:
				v := rapid.IntRange(0, 3).Draw(rt, "validator")
				c := rapid.IntRange(0, len(ids)-1).Draw(rt, "consumer")
				res := prov.NextBlock(prov.Tx(v, &registry.MsgOptOut{Operator: prov.Address(v), ConsumerId: ids[c]})).TxResults[0]
				if res.Code != 0 && (c == 1 || !strings.Contains(res.Log, provider.ErrOptOutRefused.Error())) && !strings.Contains(res.Log, provider.ErrNotOptedIn.Error()) {
					rt.Fatalf("opt-out of validator %d from %s: %s", v, ids[c], res.Log)
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
		// provider last computed for it, unless that set is empty (every
		// validator of the opt-in consumer opted out or jailed): a consumer
		// keeps such a change pending and runs on.
		for i, c := range n.Consumers {
			if len(running[i]) == 0 {
				continue
			}
			if got, want := setKey(consumerSet(c)), setKey(running[i]); got != want {
				info, _ := consumerInfo(prov, c.ID)
				rt.Fatalf("%s settled on %s, provider last sent %s (consumer status %+v, provider's view %+v, pending %s)",
					c.ID, got, want, status(c), info, c.Query(interchain.PathConsumerPackets, nil, 0, false).Value)
			}
		}
	})
}
