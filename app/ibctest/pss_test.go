package ibctest_test

import (
	"bytes"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	gogoproto "github.com/cosmos/gogoproto/proto"

	. "github.com/abci-ics/ics/app/ibctest"
	"github.com/abci-ics/ics/chain/auth"
	"github.com/abci-ics/ics/chain/bank"
	"github.com/abci-ics/ics/chain/gov"
	"github.com/abci-ics/ics/chain/staking"
	"github.com/abci-ics/ics/interchain"
	"github.com/abci-ics/ics/provider"
	"github.com/abci-ics/ics/provider/registry"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/coin"
	"github.com/abci-ics/ics/types/fraction"
)

// TestPSSOptInLaunch: an opt-in consumer created by an ordinary account,
// with two of four validators opted in, launches on exactly those two,
// with their provider powers, in CometBFT and in its CCV module.
func TestPSSOptInLaunch(t *testing.T) {
	prov := pssProvider(t, []int64{40, 30, 20, 10}, nil)
	id, cons, path := launchOptIn(prov, "consumer-1", 4, nil, nil, 1, 3)
	net(prov, []*Chain{cons}, []*Path{path})
	d := detail(prov, id)
	if d.Phase != "running" || d.TopN != 0 || d.Owner != address.Encode("ics", prov.Address(4)) {
		t.Fatalf("consumer: %+v", d.ConsumerJSON)
	}
	if len(d.OptedIn) != 2 || !slices.Contains(d.OptedIn, valcons(prov, 1)) || !slices.Contains(d.OptedIn, valcons(prov, 3)) {
		t.Fatalf("opted in %v", d.OptedIn)
	}
	want := powers(prov, map[int]int64{1: 30, 3: 10})
	if got := cometSet(cons); !sameSet(got, want) {
		t.Fatalf("CometBFT set of the consumer %v, want %v", got, want)
	}
	if got, want := consumerSet(cons), cometKeys(cons); !sameSet(got, want) {
		t.Fatalf("CCV set %v, CometBFT set %v", got, want)
	}
	if got := storedSet(prov, id, 0); len(got) != 2 || got[valcons(prov, 1)] != 30 || got[valcons(prov, 3)] != 10 {
		t.Fatalf("provider's set of the consumer %v", got)
	}
}

// TestPSSOptOutNextEpoch: an opt-out takes effect at the next epoch: the
// validator leaves with power 0 in that epoch's VSC and the consumer's
// CometBFT set drops it; an undelegation from it that began while it
// validated stays held by the consumer until the consumer matures it,
// and one that begins after it left is held by nobody.
func TestPSSOptOutNextEpoch(t *testing.T) {
	prov := pssProvider(t, []int64{100, 100, 100, 100}, nil)
	id, cons, path := launchOptIn(prov, "consumer-1", 4, nil, nil, 0, 1, 2)
	n := net(prov, []*Chain{cons}, []*Path{path})
	del := prov.Address(5)
	prov.MustSucceed(prov.NextBlock(prov.Tx(5, &staking.MsgDelegate{Delegator: del, Validator: prov.Address(2), Amount: 10_000_000})))
	resp := prov.MustSucceed(prov.NextBlock(prov.Tx(5, &staking.MsgUndelegate{Delegator: del, Validator: prov.Address(2), Amount: 4_000_000})))
	t0 := prov.Time
	ub := Events(resp, "unbond")
	if len(ub) != 1 {
		t.Fatalf("unbond events %v", ub)
	}
	held := func() bool {
		for _, h := range holds(prov) {
			if h.ConsumerID == id && strconv.FormatUint(h.UnbondingID, 10) == ub[0]["unbonding_id"] {
				return true
			}
		}
		return false
	}
	if !held() {
		t.Fatalf("undelegation from a validator of the consumer not held: %+v", holds(prov))
	}
	// Opt out in a block that is not an epoch's.
	for (prov.Height+1)%EpochBlocks == 0 {
		prov.NextBlock()
	}
	from := len(prov.Log)
	prov.MustSucceed(prov.NextBlock(prov.Tx(2, &registry.MsgOptOut{Operator: prov.Address(2), ConsumerId: id})))
	optedOut := prov.Height
	epoch := (optedOut/EpochBlocks + 1) * EpochBlocks
	if slices.Contains(detail(prov, id).OptedIn, valcons(prov, 2)) {
		t.Fatal("still opted in after the opt-out")
	}
	key := hex.EncodeToString(prov.ValidatorKeys[2].PubKey().Bytes())
	if !n.Run(3*EpochBlocks, func() bool { _, in := consumerSet(cons)[key]; return !in }) {
		t.Fatalf("validator 2 still in the consumer's set: %v", consumerSet(cons))
	}
	if _, in := storedSet(prov, id, epoch-1)[valcons(prov, 2)]; !in {
		t.Fatalf("the provider dropped validator 2 before the epoch at %d", epoch)
	}
	if _, in := storedSet(prov, id, epoch)[valcons(prov, 2)]; in {
		t.Fatalf("the provider kept validator 2 past the epoch at %d", epoch)
	}
	var zero int
	for _, d := range vscsSent(t, prov, path, from) {
		for _, u := range d.ValidatorUpdates {
			if hex.EncodeToString(u.PubKey) == key {
				if u.Power != 0 {
					t.Fatalf("VSC %d gives validator 2 power %d", d.ValsetUpdateID, u.Power)
				}
				zero++
			}
		}
	}
	if zero != 1 {
		t.Fatalf("validator 2 left in %d VSCs", zero)
	}
	n.Step()
	n.Step()
	if got, want := cometSet(cons), powers(prov, map[int]int64{0: 100, 1: 100}); !sameSet(got, want) {
		t.Fatalf("CometBFT set after the opt-out %v, want %v", got, want)
	}
	if !held() {
		t.Fatal("the opt-out released the consumer's hold")
	}
	// An undelegation from validator 2 now is held by nobody.
	resp = prov.MustSucceed(prov.NextBlock(prov.Tx(5, &staking.MsgUndelegate{Delegator: del, Validator: prov.Address(2), Amount: 1_000_000})))
	for _, h := range holds(prov) {
		if strconv.FormatUint(h.UnbondingID, 10) == Events(resp, "unbond")[0]["unbonding_id"] {
			t.Fatalf("undelegation from a validator that left the consumer is held: %+v", h)
		}
	}
	// The first hold goes when the consumer matures its VSC, after the
	// consumer's unbonding period (10 minutes).
	if !n.Run(1000, func() bool { return !held() }) {
		t.Fatal("hold never released")
	}
	if prov.Time.Before(t0.Add(ConsumerParams().UnbondingPeriod)) {
		t.Fatalf("hold released %s after the undelegation", prov.Time.Sub(t0))
	}
	if CountEvents(prov, "vsc_matured", "consumer_id", id) == 0 {
		t.Fatal("no vsc_matured event")
	}
}

// TestPSSTopN67: a top-N 67 consumer created by governance runs exactly the
// validators holding 67% of the power, ties included; they cannot opt
// out, and other validators may opt in and out.
func TestPSSTopN67(t *testing.T) {
	prov := pssProvider(t, []int64{40, 30, 20, 10}, nil)
	id, cons, path := launchGov(prov, "consumer-1", registry.PowerShapingParameters{TopN: 67}, nil)
	n := net(prov, []*Chain{cons}, []*Path{path})
	if got, want := cometSet(cons), powers(prov, map[int]int64{0: 40, 1: 30}); !sameSet(got, want) {
		t.Fatalf("CometBFT set %v, want the top two %v", got, want)
	}
	d := detail(prov, id)
	if d.TopN != 67 || d.Owner != address.Encode("ics", gov.ModuleAddress()) || len(d.OptedIn) != 2 {
		t.Fatalf("consumer %+v, opted in %v", d.ConsumerJSON, d.OptedIn)
	}
	optOut := func(v int) *registry.MsgOptOut { return &registry.MsgOptOut{Operator: prov.Address(v), ConsumerId: id} }
	for _, v := range []int{0, 1} {
		refusedTx(t, prov, "opt-out of top-N validator "+strconv.Itoa(v), v, provider.ErrOptOutRefused, optOut(v))
	}
	refusedTx(t, prov, "opt-out of a validator not opted in", 3, provider.ErrNotOptedIn, optOut(3))

	// 40/30/30/10: 67% of 110 needs both validators tied at 30.
	prov.MustSucceed(prov.NextBlock(prov.Tx(5, &staking.MsgDelegate{Delegator: prov.Address(5), Validator: prov.Address(2), Amount: 10 * tokensPerPower})))
	want := powers(prov, map[int]int64{0: 40, 1: 30, 2: 30})
	if !n.Run(5*EpochBlocks, func() bool { return sameSet(cometSet(cons), want) }) {
		t.Fatalf("CometBFT set %v, want %v", cometSet(cons), want)
	}
	refusedTx(t, prov, "opt-out of validator 2, now in the top N", 2, provider.ErrOptOutRefused, optOut(2))

	// Validator 3 opts in voluntarily, then out again.
	prov.MustSucceed(prov.NextBlock(prov.Tx(3, &registry.MsgOptIn{Operator: prov.Address(3), ConsumerId: id})))
	want[hex.EncodeToString(consAddr(prov, 3))] = 10
	if !n.Run(5*EpochBlocks, func() bool { return sameSet(cometSet(cons), want) }) {
		t.Fatalf("CometBFT set after validator 3 opted in %v, want %v", cometSet(cons), want)
	}
	prov.MustSucceed(prov.NextBlock(prov.Tx(3, optOut(3))))
	delete(want, hex.EncodeToString(consAddr(prov, 3)))
	if !n.Run(5*EpochBlocks, func() bool { return sameSet(cometSet(cons), want) }) {
		t.Fatalf("CometBFT set after validator 3 opted out %v, want %v", cometSet(cons), want)
	}
}

// TestPSSPowerCap: a power cap of 34% over provider powers 50/30/20 gives
// the consumer 34/34/32. Governance creates the consumer with a
// MsgCreateConsumer carried by a proposal.
func TestPSSPowerCap(t *testing.T) {
	prov := pssProvider(t, []int64{50, 30, 20}, nil)
	PassProposal(prov, &registry.MsgCreateConsumer{Submitter: gov.ModuleAddress(), ChainId: "consumer-1",
		InitializationParameters: initParams(prov, 0), PowerShapingParameters: &registry.PowerShapingParameters{TopN: 100, ValidatorsPowerCap: 34}})
	prov.NextBlock()
	id := ConsumerID(prov, "consumer-1")
	waitPhase(prov, id, "launched", 5)
	if d := detail(prov, id); d.Owner != address.Encode("ics", gov.ModuleAddress()) || d.TopN != 100 || d.PowerShaping.ValidatorsPowerCap != 34 {
		t.Fatalf("consumer %+v", d)
	}
	cons := StartConsumer(prov, "consumer-1", 2)
	net(prov, []*Chain{cons}, []*Path{LinkCCV(cons, prov)})
	got := cometSet(cons)
	if want := powers(prov, map[int]int64{0: 34, 1: 34, 2: 32}); !sameSet(got, want) {
		t.Fatalf("CometBFT set %v, want %v", got, want)
	}
	var total int64
	for _, p := range got {
		total += p
	}
	for a, p := range got {
		if p*100 > total*34 {
			t.Errorf("%s has %d of %d", a, p, total)
		}
	}
	if s := storedSet(prov, id, 0); s[valcons(prov, 0)] != 34 || s[valcons(prov, 1)] != 34 || s[valcons(prov, 2)] != 32 {
		t.Fatalf("provider's set %v", s)
	}
}

// TestPSSSetCap: a set cap of 2 keeps the two highest, or, with a
// prioritylist, its members first: the lowest validator on the
// prioritylist is kept.
func TestPSSSetCap(t *testing.T) {
	prov := pssProvider(t, []int64{40, 30, 20, 10}, nil)
	_, plain, p1 := launchOptIn(prov, "consumer-1", 4, &registry.PowerShapingParameters{ValidatorSetCap: 2}, nil, 0, 1, 2, 3)
	_, prio, p2 := launchOptIn(prov, "consumer-2", 4, &registry.PowerShapingParameters{ValidatorSetCap: 2, Prioritylist: consAddrs(prov, 3)}, nil, 0, 1, 2, 3)
	net(prov, []*Chain{plain, prio}, []*Path{p1, p2})
	if got, want := cometSet(plain), powers(prov, map[int]int64{0: 40, 1: 30}); !sameSet(got, want) {
		t.Fatalf("set cap 2: CometBFT set %v, want %v", got, want)
	}
	if got, want := cometSet(prio), powers(prov, map[int]int64{0: 40, 3: 10}); !sameSet(got, want) {
		t.Fatalf("set cap 2, validator 3 prioritized: CometBFT set %v, want %v", got, want)
	}
}

// TestPSSListsAndMinStake: with every validator opted in, an allowlist, a
// denylist and a minimum stake each exclude the right validator.
func TestPSSListsAndMinStake(t *testing.T) {
	prov := pssProvider(t, []int64{40, 30, 20, 10}, nil)
	cases := []struct {
		name string
		ps   registry.PowerShapingParameters
		want map[int]int64
	}{
		{"allowlist 0,1,3", registry.PowerShapingParameters{Allowlist: consAddrs(prov, 0, 1, 3)}, map[int]int64{0: 40, 1: 30, 3: 10}},
		{"denylist 1", registry.PowerShapingParameters{Denylist: consAddrs(prov, 1)}, map[int]int64{0: 40, 2: 20, 3: 10}},
		{"min stake 15M", registry.PowerShapingParameters{MinStake: 15 * tokensPerPower}, map[int]int64{0: 40, 1: 30, 2: 20}},
	}
	var chains []*Chain
	var paths []*Path
	for i, tc := range cases {
		ps := tc.ps
		_, c, p := launchOptIn(prov, "consumer-"+strconv.Itoa(i+1), 4, &ps, nil, 0, 1, 2, 3)
		chains, paths = append(chains, c), append(paths, p)
	}
	n := net(prov, chains, paths)
	for i, tc := range cases {
		if got, want := cometSet(n.Consumers[i]), powers(prov, tc.want); !sameSet(got, want) {
			t.Errorf("%s: CometBFT set %v, want %v", tc.name, got, want)
		}
	}
}

// TestPSSNotLaunchedWithoutOptIns: a consumer nobody opted in to by its
// spawn time is not launched and goes back to registered, with an event;
// after an opt-in and a new spawn time it launches.
func TestPSSNotLaunchedWithoutOptIns(t *testing.T) {
	prov := pssProvider(t, []int64{100, 100, 100}, nil)
	id := createOptIn(prov, "consumer-1", 3, nil, nil)
	if d := detail(prov, id); d.Phase != "initialized" {
		t.Fatalf("phase %s after creation with a spawn time", d.Phase)
	}
	for i := 0; i < 5; i++ {
		prov.NextBlock()
	}
	if got := CountEvents(prov, "consumer_not_launched", "consumer_id", id); got != 1 {
		t.Fatalf("%d consumer_not_launched events", got)
	}
	if d := detail(prov, id); d.Phase != "registered" || d.ClientID != "" {
		t.Fatalf("consumer not launched: %+v", d.ConsumerJSON)
	}
	if res := prov.Query(interchain.PathConsumerGenesis+id, nil, 0, false); res.Code == 0 {
		t.Fatal("a consumer not launched has a genesis")
	}
	optIn(prov, id, 1)
	prov.MustSucceed(prov.NextBlock(prov.Tx(3, &registry.MsgUpdateConsumer{Owner: prov.Address(3), ConsumerId: id,
		InitializationParameters: initParams(prov, 2*BlockInterval)})))
	if d := detail(prov, id); d.Phase != "initialized" {
		t.Fatalf("phase %s after a new spawn time", d.Phase)
	}
	waitPhase(prov, id, "launched", 5)
	cons := StartConsumer(prov, "consumer-1", 2)
	net(prov, []*Chain{cons}, []*Path{LinkCCV(cons, prov)})
	if got, want := cometSet(cons), powers(prov, map[int]int64{1: 100}); !sameSet(got, want) {
		t.Fatalf("CometBFT set %v, want %v", got, want)
	}
	if d := detail(prov, id); d.Phase != "running" {
		t.Fatalf("phase %s", d.Phase)
	}
}

// TestPSSOwnership: a non-owner can neither update nor remove a launched
// consumer, and changes nothing trying: the app hash after the refused
// message is the one a twin provider, run in lockstep, has after an
// unpayable bank send from the same account (same fee, same nonce). The
// owner hands the consumer over, and is refused afterwards.
func TestPSSOwnership(t *testing.T) {
	const owner, other = 3, 4
	var id string
	chains := make([]*Chain, 2)
	for i := range chains {
		c := pssProvider(t, []int64{100, 100, 100}, nil)
		id = createOptIn(c, "consumer-1", owner, nil, nil, 0, 1)
		waitPhase(c, id, "launched", 10)
		chains[i] = c
	}
	prov, twin := chains[0], chains[1]
	last := func(c *Chain) []byte { return c.Log[len(c.Log)-1].AppHash }
	if !bytes.Equal(last(prov), last(twin)) || prov.Height != twin.Height {
		t.Fatalf("twin providers differ: %X at %d, %X at %d", last(prov), prov.Height, last(twin), twin.Height)
	}
	both := func(signer int, msg gogoproto.Message) {
		for _, c := range chains {
			c.MustSucceed(c.NextBlock(c.Tx(signer, msg)))
		}
	}
	refusedNoChange := func(what string, signer int, want error, msg gogoproto.Message) {
		t.Helper()
		res := prov.NextBlock(prov.Tx(signer, msg))
		ctl := twin.NextBlock(twin.Tx(signer, &bank.MsgSend{From: twin.Address(signer), To: twin.Address(0), Amount: []coin.Coin{{Denom: "stake", Amount: 1 << 62}}}))
		if ctl.TxResults[0].Code == 0 {
			t.Fatalf("%s: the twin's unpayable send passed", what)
		}
		if refused(t, what, res.TxResults[0], want) && !bytes.Equal(res.AppHash, ctl.AppHash) {
			t.Errorf("%s: app hash %X, the twin's %X: the refused message changed the state", what, res.AppHash, ctl.AppHash)
		}
	}
	update := func(as int) *registry.MsgUpdateConsumer {
		return &registry.MsgUpdateConsumer{Owner: prov.Address(as), ConsumerId: id, Metadata: &registry.ConsumerMetadata{Name: "renamed"},
			PowerShapingParameters: &registry.PowerShapingParameters{ValidatorSetCap: 1}}
	}
	remove := func(as int) *registry.MsgRemoveConsumer {
		return &registry.MsgRemoveConsumer{Owner: prov.Address(as), ConsumerId: id}
	}
	refusedNoChange("update by a non-owner", other, provider.ErrNotOwner, update(other))
	refusedNoChange("update in the owner's name, signed by another", other, provider.ErrNotOwner, update(owner))
	refusedNoChange("removal by a non-owner", other, provider.ErrNotOwner, remove(other))
	refusedNoChange("removal in the owner's name, signed by another", other, provider.ErrNotOwner, remove(owner))
	if d := detail(prov, id); d.Owner != address.Encode("ics", prov.Address(owner)) || d.Phase != "launched" || d.PowerShaping.ValidatorSetCap != 0 || strings.Contains(string(d.Metadata), "renamed") {
		t.Fatalf("consumer after refused messages: %+v", d)
	}

	hand := update(owner)
	hand.NewOwner = prov.Address(other)
	both(owner, hand)
	if d := detail(prov, id); d.Owner != address.Encode("ics", prov.Address(other)) || d.PowerShaping.ValidatorSetCap != 1 {
		t.Fatalf("consumer after the handover: %+v", d)
	}
	refusedNoChange("update by the old owner", owner, provider.ErrNotOwner, update(owner))
	refusedNoChange("removal by the old owner", owner, provider.ErrNotOwner, remove(owner))
	both(other, remove(other))
	if d := detail(prov, id); d.Phase != "deleted" {
		t.Fatalf("phase %s after the new owner removed it", d.Phase)
	}
}

// TestPSSRelaunchChainID: once its consumer is removed, a chain id can be
// launched again: the new consumer gets a new consumer id and a working
// CCV channel, and the old one stays deleted.
func TestPSSRelaunchChainID(t *testing.T) {
	prov := pssProvider(t, []int64{100, 100, 100}, nil)
	old, c1, p1 := launchOptIn(prov, "consumer-1", 3, nil, nil, 0, 1, 2)
	n := net(prov, []*Chain{c1}, []*Path{p1})
	n.Step()
	prov.MustSucceed(prov.NextBlock(prov.Tx(3, &registry.MsgRemoveConsumer{Owner: prov.Address(3), ConsumerId: old})))
	if d := detail(prov, old); d.Phase != "deleted" {
		t.Fatalf("removed consumer: phase %s", d.Phase)
	}
	if _, ok := FindConsumer(prov, "consumer-1"); ok {
		t.Fatal("removed consumer still live")
	}
	id, c2, p2 := launchOptIn(prov, "consumer-1", 3, nil, nil, 0, 1)
	if id == old {
		t.Fatalf("relaunch reused consumer id %s", id)
	}
	n = net(prov, []*Chain{c2}, []*Path{p2})
	if p2.B.Channel == p1.B.Channel {
		t.Fatalf("relaunch reused channel %s", p2.B.Channel)
	}
	from := len(prov.Log)
	prov.MustSucceed(prov.NextBlock(prov.Tx(3, &staking.MsgDelegate{Delegator: prov.Address(3), Validator: prov.Address(0), Amount: 20 * tokensPerPower})))
	want := powers(prov, map[int]int64{0: 120, 1: 100})
	if !n.Run(5*EpochBlocks, func() bool { return sameSet(cometSet(c2), want) }) {
		t.Fatalf("relaunched consumer's CometBFT set %v, want %v", cometSet(c2), want)
	}
	if len(vscsSent(t, prov, p2, from)) == 0 {
		t.Fatal("no VSC sent to the relaunched consumer")
	}
	if d := detail(prov, old); d.Phase != "deleted" || len(d.ValidatorSet) != 0 {
		t.Fatalf("old consumer: %+v", d)
	}
	var list []interchain.ConsumerJSON
	prov.QueryJSON(interchain.PathConsumers, &list)
	phases := map[string]string{}
	for _, c := range list {
		if c.ChainID == "consumer-1" {
			phases[c.ConsumerID] = c.Phase
		}
	}
	if len(phases) != 2 || phases[old] != "deleted" || phases[id] != "running" {
		t.Fatalf("consumers of chain id consumer-1: %v", phases)
	}
}

// TestPSSDowntimeInfractionParameters: downtime on an opt-in consumer is
// punished with that consumer's parameters (jailed one hour, 10% slashed),
// not the provider's defaults (ten minutes, no slash).
func TestPSSDowntimeInfractionParameters(t *testing.T) {
	prov := pssProvider(t, []int64{100, 100, 100, 100}, nil)
	ip := &registry.InfractionParameters{
		DoubleSign: registry.InfractionParams{SlashFraction: fraction.New(1, 20), Tombstone: true},
		Downtime:   registry.InfractionParams{SlashFraction: fraction.New(1, 10), JailDuration: time.Hour},
	}
	id, cons, path := launchOptIn(prov, "consumer-1", 4, nil, ip, 0, 1, 2)
	n := net(prov, []*Chain{cons}, []*Path{path})
	before := validator(prov, 2).Tokens
	cons.Absent[string(prov.ValidatorKeys[2].PubKey().Address())] = true
	if !n.Run(300, func() bool { return validator(prov, 2).Jailed }) {
		t.Fatal("validator never jailed")
	}
	var at int64
	for i, resp := range prov.Log {
		for _, e := range Events(resp, "execute_consumer_chain_slash") {
			if e["consumer_id"] == id && at == 0 {
				at = int64(i + 1)
			}
		}
	}
	if at == 0 {
		t.Fatal("no execute_consumer_chain_slash event of the consumer")
	}
	sh, _ := prov.SignedHeader(at)
	if got, want := validatorJailedUntil(prov, 2), sh.Time.Add(time.Hour); !got.Equal(want) {
		t.Fatalf("jailed until %s, want %s (one hour after the block at %d)", got, want, at)
	}
	if got, want := validator(prov, 2).Tokens, before-before/10; got != want {
		t.Fatalf("tokens %d, want %d (10%% of %d slashed)", got, want, before)
	}
	if v := validator(prov, 2); v.Tombstoned {
		t.Fatal("downtime tombstoned")
	}
}

// TestPSSRejectedMessages sends every consumer and opt-in message with a
// wrong owner or signer, an unknown consumer or a bad parameter, as real
// transactions: each fails with the right error and leaves the provider's
// state as it was.
func TestPSSRejectedMessages(t *testing.T) {
	prov := pssProvider(t, []int64{40, 30, 20, 10}, nil)
	const owner, other = 4, 5
	launched := createOptIn(prov, "consumer-1", owner, nil, nil, 0, 1)
	waitPhase(prov, launched, "launched", 10)
	registered := createConsumer(prov, owner, &registry.MsgCreateConsumer{Submitter: prov.Address(owner), ChainId: "consumer-2"})
	gone := createConsumer(prov, owner, &registry.MsgCreateConsumer{Submitter: prov.Address(owner), ChainId: "consumer-3"})
	prov.MustSucceed(prov.NextBlock(prov.Tx(owner, &registry.MsgRemoveConsumer{Owner: prov.Address(owner), ConsumerId: gone})))
	PassProposal(prov, &provider.ConsumerAdditionProposal{ChainId: "consumer-4", SpawnTime: prov.Time.UnixNano(), InitialHeight: 1,
		Params: ConsumerParams(), PowerShaping: registry.PowerShapingParameters{TopN: 100}})
	prov.NextBlock()
	topN := ConsumerID(prov, "consumer-4")
	waitPhase(prov, topN, "launched", 5)

	own, oth := prov.Address(owner), prov.Address(other)
	create := func(edit func(*registry.MsgCreateConsumer)) *registry.MsgCreateConsumer {
		m := &registry.MsgCreateConsumer{Submitter: own, ChainId: "consumer-9", InitializationParameters: initParams(prov, time.Hour)}
		edit(m)
		return m
	}
	shaping := func(ps registry.PowerShapingParameters) func(*registry.MsgCreateConsumer) {
		return func(m *registry.MsgCreateConsumer) { m.PowerShapingParameters = &ps }
	}
	update := func(id string, edit func(*registry.MsgUpdateConsumer)) *registry.MsgUpdateConsumer {
		m := &registry.MsgUpdateConsumer{Owner: own, ConsumerId: id}
		if edit != nil {
			edit(m)
		}
		return m
	}
	updShaping := func(ps registry.PowerShapingParameters) func(*registry.MsgUpdateConsumer) {
		return func(m *registry.MsgUpdateConsumer) { m.PowerShapingParameters = &ps }
	}
	optInMsg := func(v int, id string, key []byte) *registry.MsgOptIn {
		return &registry.MsgOptIn{Operator: prov.Address(v), ConsumerId: id, ConsumerKey: key}
	}
	optOutMsg := func(v int, id string) *registry.MsgOptOut {
		return &registry.MsgOptOut{Operator: prov.Address(v), ConsumerId: id}
	}
	rate := func(v int, id string, r fraction.Fraction) *registry.MsgSetConsumerCommissionRate {
		return &registry.MsgSetConsumerCommissionRate{Operator: prov.Address(v), ConsumerId: id, Rate: r}
	}
	badKey := make([]byte, 31)
	for _, tc := range []struct {
		name   string
		signer int
		msg    gogoproto.Message
		want   error
	}{
		{"create: top_n 30", owner, create(shaping(registry.PowerShapingParameters{TopN: 30})), provider.ErrInvalidConsumer},
		{"create: top_n 1", owner, create(shaping(registry.PowerShapingParameters{TopN: 1})), provider.ErrInvalidConsumer},
		{"create: top_n 101", owner, create(shaping(registry.PowerShapingParameters{TopN: 101})), provider.ErrInvalidConsumer},
		{"create: top_n 67 owned by an account", owner, create(shaping(registry.PowerShapingParameters{TopN: 67})), provider.ErrInvalidConsumer},
		{"create: power cap 101", owner, create(shaping(registry.PowerShapingParameters{ValidatorsPowerCap: 101})), provider.ErrInvalidConsumer},
		{"create: short allowlist address", owner, create(shaping(registry.PowerShapingParameters{Allowlist: [][]byte{{1, 2, 3}}})), provider.ErrInvalidConsumer},
		{"create: allowed and denied", owner, create(shaping(registry.PowerShapingParameters{Allowlist: consAddrs(prov, 1), Denylist: consAddrs(prov, 1)})), provider.ErrInvalidConsumer},
		{"create: empty chain id", owner, create(func(m *registry.MsgCreateConsumer) { m.ChainId = "" }), provider.ErrInvalidConsumer},
		{"create: chain id with a slash", owner, create(func(m *registry.MsgCreateConsumer) { m.ChainId = "a/b" }), provider.ErrInvalidConsumer},
		{"create: chain id of a live consumer", owner, create(func(m *registry.MsgCreateConsumer) { m.ChainId = "consumer-1" }), provider.ErrConsumerExists},
		{"create: the provider's chain id", owner, create(func(m *registry.MsgCreateConsumer) { m.ChainId = prov.ID }), provider.ErrConsumerExists},
		{"create: submitter is not the signer", other, create(func(*registry.MsgCreateConsumer) {}), provider.ErrInvalidConsumer},
		{"create: initial height 0", owner, create(func(m *registry.MsgCreateConsumer) { m.InitializationParameters.InitialHeight = 0 }), provider.ErrInvalidConsumer},
		{"create: negative jail duration", owner, create(func(m *registry.MsgCreateConsumer) {
			m.InfractionParameters = &registry.InfractionParameters{Downtime: registry.InfractionParams{SlashFraction: fraction.New(0, 1), JailDuration: -time.Second},
				DoubleSign: registry.InfractionParams{SlashFraction: fraction.New(0, 1)}}
		}), provider.ErrInvalidConsumer},
		{"create: slash fraction above 1", owner, create(func(m *registry.MsgCreateConsumer) {
			m.InfractionParameters = &registry.InfractionParameters{Downtime: registry.InfractionParams{SlashFraction: fraction.New(0, 1)},
				DoubleSign: registry.InfractionParams{SlashFraction: fraction.New(3, 2)}}
		}), provider.ErrInvalidConsumer},

		{"update: wrong owner", other, update(launched, func(m *registry.MsgUpdateConsumer) { m.Owner = oth }), provider.ErrNotOwner},
		{"update: owner's name, other signer", other, update(launched, nil), provider.ErrNotOwner},
		{"update: gov's consumer by an account", owner, update(topN, nil), provider.ErrNotOwner},
		{"update: unknown consumer", owner, update("99", nil), provider.ErrConsumerNotFound},
		{"update: consumer id not a number", owner, update("abc", nil), provider.ErrConsumerNotFound},
		{"update: deleted consumer", owner, update(gone, nil), provider.ErrConsumerNotFound},
		{"update: top_n 49", owner, update(registered, updShaping(registry.PowerShapingParameters{TopN: 49})), provider.ErrInvalidConsumer},
		{"update: top_n 101", owner, update(registered, updShaping(registry.PowerShapingParameters{TopN: 101})), provider.ErrInvalidConsumer},
		{"update: top_n 60 owned by an account", owner, update(registered, updShaping(registry.PowerShapingParameters{TopN: 60})), provider.ErrInvalidConsumer},
		{"update: power cap 150", owner, update(launched, updShaping(registry.PowerShapingParameters{ValidatorsPowerCap: 150})), provider.ErrInvalidConsumer},
		{"update: init params of a launched consumer", owner, update(launched, func(m *registry.MsgUpdateConsumer) {
			m.InitializationParameters = initParams(prov, time.Hour)
		}), provider.ErrInvalidConsumer},
		{"update: new owner of 5 bytes", owner, update(launched, func(m *registry.MsgUpdateConsumer) { m.NewOwner = []byte{1, 2, 3, 4, 5} }), provider.ErrInvalidConsumer},

		{"remove: wrong owner", other, &registry.MsgRemoveConsumer{Owner: oth, ConsumerId: launched}, provider.ErrNotOwner},
		{"remove: owner's name, other signer", other, &registry.MsgRemoveConsumer{Owner: own, ConsumerId: registered}, provider.ErrNotOwner},
		{"remove: gov's consumer by an account", owner, &registry.MsgRemoveConsumer{Owner: own, ConsumerId: topN}, provider.ErrNotOwner},
		{"remove: unknown consumer", owner, &registry.MsgRemoveConsumer{Owner: own, ConsumerId: "99"}, provider.ErrConsumerNotFound},
		{"remove: deleted consumer", owner, &registry.MsgRemoveConsumer{Owner: own, ConsumerId: gone}, provider.ErrConsumerNotFound},

		{"opt in: signer is not the operator", owner, optInMsg(2, launched, nil), provider.ErrUnauthorized},
		{"opt in: not a validator", owner, optInMsg(owner, launched, nil), provider.ErrValidatorNotFound},
		{"opt in: unknown consumer", 2, optInMsg(2, "99", nil), provider.ErrConsumerNotFound},
		{"opt in: deleted consumer", 2, optInMsg(2, gone, nil), provider.ErrConsumerNotFound},
		{"opt in: 31-byte consumer key", 2, optInMsg(2, launched, badKey), provider.ErrInvalidConsumerKey},
		{"opt in: another validator's key", 2, optInMsg(2, launched, prov.ValidatorKeys[0].PubKey().Bytes()), provider.ErrKeyInUse},

		{"opt out: not opted in", 3, optOutMsg(3, launched), provider.ErrNotOptedIn},
		{"opt out: top-N validator", 0, optOutMsg(0, topN), provider.ErrOptOutRefused},
		{"opt out: unknown consumer", 0, optOutMsg(0, "99"), provider.ErrConsumerNotFound},
		{"opt out: deleted consumer", 0, optOutMsg(0, gone), provider.ErrConsumerNotFound},
		{"opt out: signer is not the operator", owner, optOutMsg(0, launched), provider.ErrUnauthorized},

		{"commission: rate 3/2", 0, rate(0, launched, fraction.New(3, 2)), provider.ErrInvalidConsumer},
		{"commission: unknown consumer", 0, rate(0, "99", fraction.New(1, 10)), provider.ErrConsumerNotFound},
		{"commission: signer is not the operator", owner, rate(0, launched, fraction.New(1, 10)), provider.ErrUnauthorized},
	} {
		refusedTx(t, prov, tc.name, tc.signer, tc.want, tc.msg)
	}
	// A consumer message carried by a proposal must be governance's.
	content, err := gogoproto.Marshal(create(func(*registry.MsgCreateConsumer) {}))
	if err != nil {
		t.Fatal(err)
	}
	refusedTx(t, prov, "proposal: MsgCreateConsumer not from governance", owner, gov.ErrInvalidContent,
		&gov.MsgSubmitProposal{Proposer: own, Content: gov.Content{TypeUrl: auth.TypeURL(&registry.MsgCreateConsumer{}), Value: content},
			InitialDeposit: []coin.Coin{{Denom: "stake", Amount: 1}}, Title: "not governance's"})
	// Nothing above touched the consumers.
	for id, phase := range map[string]string{launched: "launched", registered: "registered", gone: "deleted", topN: "launched"} {
		if d := detail(prov, id); d.Phase != phase {
			t.Errorf("consumer %s: phase %s, want %s", id, d.Phase, phase)
		}
	}
}
