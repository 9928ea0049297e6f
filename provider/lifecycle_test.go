package provider

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"

	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/provider/registry"
	"github.com/abci-ics/ics/provider/vsc"
	"github.com/abci-ics/ics/types/fraction"
)

// TestAdditionValidation breaks a valid addition proposal one rule at a
// time: each is refused with its error and changes nothing.
func TestAdditionValidation(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(p *ConsumerAdditionProposal)
		want   error
	}{
		{"empty chain id", func(p *ConsumerAdditionProposal) { p.ChainId = "" }, ErrInvalidProposal},
		{"chain id of 51 bytes", func(p *ConsumerAdditionProposal) { p.ChainId = strings.Repeat("c", 51) }, ErrInvalidProposal},
		{"chain id with a slash", func(p *ConsumerAdditionProposal) { p.ChainId = "cons/umer" }, ErrInvalidProposal},
		{"chain id with a space", func(p *ConsumerAdditionProposal) { p.ChainId = "cons umer" }, ErrInvalidProposal},
		{"chain id with a control byte", func(p *ConsumerAdditionProposal) { p.ChainId = "consumer\x00" }, ErrInvalidProposal},
		{"chain id outside ASCII", func(p *ConsumerAdditionProposal) { p.ChainId = "cönsumer" }, ErrInvalidProposal},
		{"zero initial height", func(p *ConsumerAdditionProposal) { p.InitialHeight = 0 }, ErrInvalidProposal},
		{"no spawn time", func(p *ConsumerAdditionProposal) { p.SpawnTime = 0 }, ErrInvalidProposal},
		{"negative spawn time", func(p *ConsumerAdditionProposal) { p.SpawnTime = -1 }, ErrInvalidProposal},
		{"zero unbonding period", func(p *ConsumerAdditionProposal) { p.Params.UnbondingPeriod = 0 }, ErrInvalidProposal},
		{"negative CCV timeout", func(p *ConsumerAdditionProposal) { p.Params.CcvTimeoutPeriod = -time.Second }, ErrInvalidProposal},
		{"zero signed blocks window", func(p *ConsumerAdditionProposal) { p.Params.SignedBlocksWindow = 0 }, ErrInvalidProposal},
		{"zero blocks per transmission", func(p *ConsumerAdditionProposal) { p.Params.BlocksPerDistributionTransmission = 0 }, ErrInvalidProposal},
		{"redistribution fraction above one", func(p *ConsumerAdditionProposal) {
			p.Params.ConsumerRedistributionFraction = fraction.New(3, 2)
		}, ErrInvalidProposal},
		{"zero denominator", func(p *ConsumerAdditionProposal) { p.Params.MinSignedPerWindow = fraction.New(1, 0) }, ErrInvalidProposal},
		{"duplicate chain id", func(p *ConsumerAdditionProposal) { p.ChainId = "existing" }, ErrConsumerExists},
		{"the provider's own chain id", func(p *ConsumerAdditionProposal) { p.ChainId = providerChainID }, ErrConsumerExists},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, 2, testParams())
			h.add("existing", t0.Add(time.Hour))
			p := proposal("consumer", t0.Add(time.Hour))
			c.mutate(&p)
			content := mustMarshal(&p)
			before := h.hash()
			_, err := h.k.ExecuteAddition(h.s, h.height, h.now, content)
			if !errors.Is(err, c.want) {
				t.Fatalf("ExecuteAddition: %v, want %v", err, c.want)
			}
			h.mustUnchanged(before, "a refused addition")
			// The gov content check refuses what it can know statelessly.
			if err := CheckAddition(content); (c.want == ErrInvalidProposal) != (err != nil) {
				t.Fatalf("CheckAddition: %v", err)
			}
		})
	}
	t.Run("undecodable content", func(t *testing.T) {
		h := newHarness(t, 2, testParams())
		before := h.hash()
		if _, err := h.k.ExecuteAddition(h.s, h.height, h.now, []byte{0xff, 0xff}); !errors.Is(err, ErrInvalidProposal) {
			t.Fatalf("ExecuteAddition: %v", err)
		}
		if err := CheckAddition([]byte{0xff, 0xff}); !errors.Is(err, ErrInvalidProposal) {
			t.Fatalf("CheckAddition: %v", err)
		}
		h.mustUnchanged(before, "a refused addition")
	})
	t.Run("valid", func(t *testing.T) {
		h := newHarness(t, 2, testParams())
		id := strings.Repeat("c", registry.MaxChainIDLen)
		h.add(id, t0.Add(time.Hour))
		if c := h.consumer(id); c.Phase != registry.PHASE_INITIALIZED || c.Init.InitialHeight != 1 {
			t.Fatalf("consumer %+v", c)
		}
	})
}

// TestLaunchAtSpawnTime checks that a consumer launches in the first block
// at or after its spawn time, not before, with the client and genesis of
// SPEC 1.2.
func TestLaunchAtSpawnTime(t *testing.T) {
	h := newHarness(t, 4, testParams())
	spawn := t0.Add(5 * blockTime)
	h.add("consumer-1", spawn)
	for h.now.Before(spawn) {
		h.block()
		if c := h.consumer("consumer-1"); c.Phase != registry.PHASE_INITIALIZED || len(h.cl.created) != 0 {
			t.Fatalf("launched at %s, before spawn time %s", h.now, spawn)
		}
		if _, ok := h.k.ConsumerGenesis(h.s, h.id("consumer-1")); ok {
			t.Fatal("genesis before spawn time")
		}
	}
	if !h.now.Equal(spawn) {
		t.Fatalf("clock %s", h.now)
	}
	launchHeader := h.header()
	evs := h.block()
	c := h.consumer("consumer-1")
	if c.Phase != registry.PHASE_LAUNCHED || c.ClientId != "07-tendermint-0" || c.LaunchHeight != launchHeader.Height || c.LaunchTime != spawn.UnixNano() {
		t.Fatalf("consumer after spawn %+v", c)
	}
	if e := eventsOf(evs, "consumer_client_created"); len(e) != 1 || attr(e[0], "client_id") != "07-tendermint-0" {
		t.Fatalf("events %v", evs)
	}

	// The provider's client of the consumer.
	if len(h.cl.created) != 1 {
		t.Fatalf("%d clients created", len(h.cl.created))
	}
	cs, cons := h.cl.created[0], h.cl.consensus[0]
	cp := ccv.DefaultConsumerParams()
	if cs.ChainId != "consumer-1" || cs.LatestHeight != clienttypes.NewHeight(1, 1) ||
		cs.UnbondingPeriod != cp.UnbondingPeriod || cs.TrustingPeriod != cp.UnbondingPeriod*66/100 {
		t.Fatalf("client state %+v", cs)
	}
	if !cons.Timestamp.Equal(spawn) || len(cons.NextValidatorsHash) != 32 {
		t.Fatalf("consensus state %+v", cons)
	}

	// The genesis: the provider's header of the launch block, the bonded
	// validators with their provider keys, the proposal's parameters.
	g, ok := h.k.ConsumerGenesis(h.s, h.id("consumer-1"))
	if !ok {
		t.Fatal("no genesis")
	}
	pcs, pcons, err := g.Decode()
	if err != nil {
		t.Fatal(err)
	}
	if pcs.ChainId != providerChainID || pcs.LatestHeight != clienttypes.NewHeight(1, uint64(launchHeader.Height)) ||
		pcs.UnbondingPeriod != unbondingPeriod || pcs.TrustingPeriod != unbondingPeriod*66/100 {
		t.Fatalf("provider client state %+v", pcs)
	}
	if !pcons.Timestamp.Equal(spawn) || !bytes.Equal(pcons.Root.Hash, launchHeader.AppHash) ||
		!bytes.Equal(pcons.NextValidatorsHash, launchHeader.NextValidatorsHash) {
		t.Fatalf("provider consensus state %+v", pcons)
	}
	if g.Params != cp || len(g.InitialValidators) != 4 {
		t.Fatalf("genesis %+v", g)
	}
	var keys [][]byte
	for _, v := range g.InitialValidators {
		if v.Power != 10 {
			t.Fatalf("initial power %d", v.Power)
		}
		keys = append(keys, v.PubKey)
	}
	for i := range 4 {
		if !slices.ContainsFunc(keys, func(k []byte) bool { return bytes.Equal(k, pubKeyOf(i)) }) {
			t.Fatalf("validator %d missing from the genesis", i)
		}
	}
	if set := h.k.VSC().ValidatorSet(h.s, h.id("consumer-1")); len(set) != 4 {
		t.Fatalf("stored set %+v", set)
	}
	if got := kv(h.s).Get(ClientKey("07-tendermint-0")); string(got) != h.id("consumer-1") {
		t.Fatalf("client index %q", got)
	}
}

// TestLaunchEmptySet checks that a consumer whose first validator set is
// empty is not launched and goes back to registered (SPEC 6).
func TestLaunchEmptySet(t *testing.T) {
	h := newHarness(t, 2, testParams())
	for i := range 2 {
		if err := h.st.update(h.s, consAddrOf(i), func(v *Validator) { v.Jailed = true }); err != nil {
			t.Fatal(err)
		}
	}
	h.add("consumer", h.now)
	evs := h.block()
	if c := h.consumer("consumer"); c.Phase != registry.PHASE_REGISTERED {
		t.Fatalf("consumer with an empty set in phase %s", c.Phase)
	}
	if len(h.cl.created) != 0 {
		t.Fatal("client created")
	}
	if _, ok := h.k.ConsumerGenesis(h.s, h.id("consumer")); ok {
		t.Fatal("genesis stored")
	}
	if e := eventsOf(evs, "consumer_not_launched"); len(e) != 1 || attr(e[0], "chain_id") != "consumer" {
		t.Fatalf("events %v", evs)
	}
	h.block()
	if c := h.consumer("consumer"); c.Phase != registry.PHASE_REGISTERED || len(h.cl.created) != 0 {
		t.Fatalf("a registered consumer launched: %s", c.Phase)
	}
}

// TestLaunchFailure checks that a consumer whose launch fails (here: a
// client the client keeper refuses, from parameters every proposal check
// accepts) is not launched and is deleted, without failing the block or
// the other launches.
func TestLaunchFailure(t *testing.T) {
	for _, c := range []struct {
		name   string
		mutate func(p *ConsumerAdditionProposal)
	}{
		{"trusting period rounds to zero", func(p *ConsumerAdditionProposal) { p.Params.UnbondingPeriod = 1 }},
		{"initial height above the largest block height", func(p *ConsumerAdditionProposal) { p.InitialHeight = 1 << 63 }},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, 2, testParams())
			p := proposal("bad", h.now)
			c.mutate(&p)
			if err := CheckAddition(mustMarshal(&p)); err != nil {
				t.Fatalf("CheckAddition: %v", err)
			}
			if _, err := h.k.ExecuteAddition(h.s, h.height, h.now, mustMarshal(&p)); err != nil {
				t.Fatal(err)
			}
			h.created("bad")
			h.assign(0, "bad", consumerKeyOf(0, 1))
			h.add("good", h.now)
			h.st.endBlock(h.s)
			evs, err := h.k.EndBlock(h.s, h.header())
			if err != nil {
				t.Fatalf("EndBlock: %v", err)
			}
			if ok := h.live("bad"); ok {
				t.Fatal("consumer that failed to launch kept")
			}
			mustNoTrace(t, h, "bad")
			if h.k.IsKeyReserved(h.s, consumerKeyOf(0, 1)) {
				t.Fatal("key of the failed consumer still reserved")
			}
			if e := eventsOf(evs, "consumer_not_launched"); len(e) != 1 || attr(e[0], "chain_id") != "bad" {
				t.Fatalf("events %v", evs)
			}
			if c := h.consumer("good"); c.Phase != registry.PHASE_LAUNCHED {
				t.Fatalf("good consumer %s", c.Phase)
			}
		})
	}
}

// mustNoTrace fails if any key of the provider store but the consumer's
// record carries the id part of chainID's consumer, or any value is its
// id (the channel and client indexes); the record must be deleted.
func mustNoTrace(t *testing.T, h *harness, chainID string) {
	t.Helper()
	id := h.id(chainID)
	part := string(vsc.IDPart(id))
	for k, v := range dump(h.s) {
		if k == string(registry.ConsumerKey(id)) {
			continue
		}
		if strings.Contains(k, part) || v == id {
			t.Fatalf("key %x (value %q) of %s left", k, v, chainID)
		}
	}
	if c := h.consumer(chainID); c.Phase != registry.PHASE_DELETED || c.ChainId != chainID {
		t.Fatalf("record of %s: %+v", chainID, c)
	}
}

// live returns the consumers neither stopped nor deleted.
func live(cs []registry.Consumer) []registry.Consumer {
	var out []registry.Consumer
	for _, c := range cs {
		if c.Live() {
			out = append(out, c)
		}
	}
	return out
}

// TestInitTimeout checks that launched consumers whose channel did not
// open within the init timeout are stopped, their holds released, and
// that a consumer that opened in time is not.
func TestInitTimeout(t *testing.T) {
	h := newHarness(t, 3, testParams())
	launchTime := h.now
	h.add("silent", h.now)
	h.add("opening", h.now)
	h.add("ok", h.now)
	h.block()
	h.tryChannel("opening") // never confirmed
	h.confirm(h.tryChannel("ok"))
	h.ub.entries[1] = consAddrOf(0)
	if err := h.k.AfterUnbondingInitiated(h.s, 1); err != nil {
		t.Fatal(err)
	}
	if n := len(h.ub.puts); n != 3 {
		t.Fatalf("%d holds, want one per consumer", n)
	}
	timeout := testParams().InitTimeoutPeriod
	h.now = launchTime.Add(timeout)
	h.block()
	for _, id := range []string{"silent", "opening", "ok"} {
		h.consumer(id) // still there at exactly the timeout
	}
	h.now = launchTime.Add(timeout + time.Nanosecond)
	evs := h.block()
	for _, id := range []string{"silent", "opening"} {
		if _, ok := h.k.Consumer(h.s, id); ok {
			t.Fatalf("%s not stopped after the init timeout", id)
		}
		mustNoTrace(t, h, id)
		if held := h.ub.heldBy(vsc.Holder(id)); len(held) != 0 {
			t.Fatalf("%s still holds %v", id, held)
		}
	}
	if c := h.consumer("ok"); c.Phase != registry.PHASE_RUNNING {
		t.Fatalf("running consumer in phase %s", c.Phase)
	}
	if len(h.ch.closed) != 0 {
		t.Fatalf("closed %v: no stopped consumer had an open channel", h.ch.closed)
	}
	if e := eventsOf(evs, "consumer_stopped"); len(e) != 2 || !strings.HasPrefix(attr(e[0], "reason"), "init timeout") {
		t.Fatalf("events %v", e)
	}
}

// TestRemovalBeforeLaunch checks that a registered consumer removed before
// its spawn time is deleted at its stop time, with its assigned keys.
func TestRemovalBeforeLaunch(t *testing.T) {
	h := newHarness(t, 2, testParams())
	h.add("consumer", t0.Add(time.Hour))
	k := consumerKeyOf(0, 1)
	h.assign(0, "consumer", k)
	if !h.k.IsKeyReserved(h.s, k) {
		t.Fatal("assigned key not reserved")
	}
	stop := t0.Add(3 * blockTime)
	h.remove("consumer", stop)
	for h.now.Before(stop) {
		h.block()
		h.consumer("consumer")
	}
	evs := h.block()
	if c, ok := h.k.Consumer(h.s, h.id("consumer")); !ok || c.Phase != registry.PHASE_DELETED {
		t.Fatal("consumer not deleted at its stop time")
	}
	if e := eventsOf(evs, "consumer_stopped"); len(e) != 1 || attr(e[0], "reason") != "removed before launch" {
		t.Fatalf("events %v", evs)
	}
	if h.k.IsKeyReserved(h.s, k) {
		t.Fatal("key of a deleted consumer still reserved")
	}
	mustNoTrace(t, h, "consumer")
	if len(h.cl.created) != 0 {
		t.Fatal("a removed consumer launched")
	}

	p := ConsumerRemovalProposal{ConsumerId: h.id("consumer"), StopTime: h.now.UnixNano()}
	if _, err := h.k.ExecuteRemoval(h.s, h.height, h.now, mustMarshal(&p)); !errors.Is(err, ErrConsumerNotFound) {
		t.Fatalf("removal of a deleted consumer: %v", err)
	}
	for _, bad := range []ConsumerRemovalProposal{{ConsumerId: "", StopTime: 1}, {ConsumerId: "01", StopTime: 1}, {ConsumerId: h.id("consumer"), StopTime: 0}} {
		if _, err := h.k.ExecuteRemoval(h.s, h.height, h.now, mustMarshal(&bad)); !errors.Is(err, ErrInvalidProposal) {
			t.Fatalf("removal %+v: %v", bad, err)
		}
		if err := CheckRemoval(mustMarshal(&bad)); !errors.Is(err, ErrInvalidProposal) {
			t.Fatalf("check removal %+v: %v", bad, err)
		}
	}
}

// TestRemovalOfRunningConsumer stops a running consumer with every kind of
// state at its stop time: its channel is closed, every hold released and
// no key of it left; the other consumer (whose chain id starts with the
// same letters) is untouched.
func TestRemovalOfRunningConsumer(t *testing.T) {
	h := newHarness(t, 4, testParams())
	ch := h.run("consumer")
	ch2 := h.run("consumer-2")
	// A key rotation (old key kept for pruning, new key reserved), holds
	// under two vsc ids, a VSC sent and not matured, a slash ack waiting.
	h.assign(1, "consumer", consumerKeyOf(1, 1))
	h.assign(2, "consumer", consumerKeyOf(2, 1))
	for id := uint64(1); id <= 4; id++ {
		h.ub.entries[id] = consAddrOf(int(id - 1))
	}
	for _, id := range []uint64{1, 2} {
		if err := h.k.AfterUnbondingInitiated(h.s, id); err != nil {
			t.Fatal(err)
		}
	}
	h.blocksUntil(6) // epoch 5: VSC 1 with the rotations
	for _, id := range []uint64{3, 4} {
		if err := h.k.AfterUnbondingInitiated(h.s, id); err != nil {
			t.Fatal(err)
		}
	}
	if got := result(t, h.recv(ch, slashData(addrOfKey(consumerKeyOf(1, 1)), 1, ccv.InfractionDowntime))); got != ccv.ResultHandled {
		t.Fatalf("slash result %d", got)
	}
	h.assign(2, "consumer", pubKeyOf(2)) // back to the provider key: consumerKeyOf(2, 1) is no longer reserved but still in use
	held := h.ub.heldBy(vsc.Holder(h.id("consumer")))
	if !slices.Equal(held, []uint64{1, 2, 3, 4}) {
		t.Fatalf("holds %v", held)
	}
	if _, ok := h.k.VSC().KeyOwner(h.s, h.id("consumer"), consAddrOf(1)); !ok {
		t.Fatal("old key of validator 1 not kept")
	}
	if _, ok := h.k.VSC().OldestUnmatured(h.s, h.id("consumer")); !ok {
		t.Fatal("no unmatured VSC")
	}

	stop := h.now.Add(2 * blockTime)
	h.remove("consumer", stop)
	for h.now.Before(stop) {
		h.block()
		if len(h.ch.closed) != 0 {
			t.Fatal("closed before the stop time")
		}
	}
	other := func() map[string]string {
		out := map[string]string{}
		for k, v := range dump(h.s) {
			if strings.Contains(k, string(vsc.IDPart(h.id("consumer-2")))) || v == h.id("consumer-2") {
				out[k] = v
			}
		}
		return out
	}
	before := other()
	releases := len(h.ub.releases)
	if h.height%testParams().BlocksPerEpoch == 0 {
		t.Fatal("the stop block must not be an epoch boundary")
	}
	evs := h.block()

	if !slices.Equal(h.ch.closed, []string{"provider/" + ch}) {
		t.Fatalf("closed %v", h.ch.closed)
	}
	var released []uint64
	for _, r := range h.ub.releases[releases:] {
		if r.holder != vsc.Holder(h.id("consumer")) {
			t.Fatalf("released a hold of %s", r.holder)
		}
		released = append(released, r.id)
	}
	if slices.Sort(released); !slices.Equal(released, []uint64{1, 2, 3, 4}) {
		t.Fatalf("released %v", released)
	}
	mustNoTrace(t, h, "consumer")
	for _, k := range [][]byte{consumerKeyOf(1, 1), consumerKeyOf(2, 1)} {
		if h.k.IsKeyReserved(h.s, k) {
			t.Fatalf("key %x still reserved", k)
		}
	}
	if after := other(); len(after) != len(before) {
		t.Fatalf("consumer-2 had %d keys, now %d", len(before), len(after))
	} else {
		for k, v := range before {
			if after[k] != v {
				t.Fatalf("key %x of consumer-2 changed", k)
			}
		}
	}
	if cs := live(h.k.Consumers(h.s)); len(cs) != 1 || cs[0].ChainId != "consumer-2" || cs[0].Phase != registry.PHASE_RUNNING {
		t.Fatalf("consumers %+v", cs)
	}
	if e := eventsOf(evs, "consumer_stopped"); len(e) != 1 || attr(e[0], "reason") != "removal proposal" {
		t.Fatalf("events %v", evs)
	}
	if a := h.recv(ch, maturedData(1)); a.Success() {
		t.Fatal("packet on the closed channel accepted")
	}
	if got := result(t, h.recv(ch2, maturedData(1))); got != ccv.ResultReceived {
		t.Fatalf("consumer-2 result %d", got)
	}
}

// TestHandshakeRejections opens CCV channels the provider must refuse:
// each is refused with ErrInvalidHandshake and changes nothing.
func TestHandshakeRejections(t *testing.T) {
	type try struct {
		order   channeltypes.Order
		hops    []string
		port    string
		cpPort  string
		version string
	}
	valid := func() try {
		return try{channeltypes.ORDERED, []string{connOf("launched")}, ccv.ProviderPortID, ccv.ConsumerPortID, ccv.Version}
	}
	cases := []struct {
		name   string
		mutate func(*try)
	}{
		{"unordered", func(c *try) { c.order = channeltypes.UNORDERED }},
		{"no order", func(c *try) { c.order = channeltypes.NONE }},
		{"wrong port", func(c *try) { c.port = "transfer" }},
		{"wrong counterparty port", func(c *try) { c.cpPort = "transfer" }},
		{"ports swapped", func(c *try) { c.port, c.cpPort = ccv.ConsumerPortID, ccv.ProviderPortID }},
		{"wrong version", func(c *try) { c.version = "2" }},
		{"empty version", func(c *try) { c.version = "" }},
		{"no hop", func(c *try) { c.hops = nil }},
		{"two hops", func(c *try) { c.hops = []string{connOf("launched"), connOf("launched")} }},
		{"unknown connection", func(c *try) { c.hops = []string{"connection-9"} }},
		{"client of no consumer", func(c *try) { c.hops = []string{"connection-other"} }},
		{"second channel of a running consumer", func(c *try) { c.hops = []string{connOf("running")} }},
		{"second channel of a consumer being opened", func(c *try) { c.hops = []string{connOf("opening")} }},
	}
	fixture := func(t *testing.T) *harness {
		h := newHarness(t, 2, testParams())
		h.run("running")
		h.launch("opening")
		h.tryChannel("opening")
		h.launch("launched")
		h.ch.conns[connOf("launched")] = h.consumer("launched").ClientId
		h.ch.conns["connection-other"] = "07-tendermint-9"
		return h
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := fixture(t)
			tr := valid()
			c.mutate(&tr)
			before := h.hash()
			v, err := h.k.OnChanOpenTry(h.s, tr.order, tr.hops, tr.port, "channel-9", channeltypes.NewCounterparty(tr.cpPort, "channel-c"), tr.version)
			if !errors.Is(err, ErrInvalidHandshake) || v != "" {
				t.Fatalf("OnChanOpenTry = %q, %v", v, err)
			}
			h.mustUnchanged(before, "a refused try")
		})
	}
	t.Run("valid", func(t *testing.T) {
		h := fixture(t)
		tr := valid()
		if _, err := h.k.OnChanOpenTry(h.s, tr.order, tr.hops, tr.port, "channel-9", channeltypes.NewCounterparty(tr.cpPort, "channel-c"), tr.version); err != nil {
			t.Fatal(err)
		}
		if c := h.consumer("launched"); c.ChannelId != "channel-9" || c.Phase != registry.PHASE_LAUNCHED {
			t.Fatalf("consumer %+v", c)
		}
	})
	t.Run("other steps", func(t *testing.T) {
		h := fixture(t)
		before := h.hash()
		if _, err := h.k.OnChanOpenInit(h.s, channeltypes.ORDERED, []string{connOf("launched")}, ccv.ProviderPortID, "channel-9",
			channeltypes.NewCounterparty(ccv.ConsumerPortID, ""), ccv.Version); !errors.Is(err, ErrInvalidHandshake) {
			t.Fatalf("OnChanOpenInit: %v", err)
		}
		if err := h.k.OnChanOpenAck(h.s, ccv.ProviderPortID, "channel-9", "channel-c", ccv.Version); !errors.Is(err, ErrInvalidHandshake) {
			t.Fatalf("OnChanOpenAck: %v", err)
		}
		for _, ch := range []string{"channel-9", "channel-0"} { // unknown; already running
			if err := h.k.OnChanOpenConfirm(h.s, ccv.ProviderPortID, ch); !errors.Is(err, ErrInvalidHandshake) {
				t.Fatalf("OnChanOpenConfirm(%s): %v", ch, err)
			}
		}
		if err := h.k.OnChanCloseConfirm(h.s, ccv.ProviderPortID, "channel-9"); err != nil {
			t.Fatal(err)
		}
		h.mustUnchanged(before, "refused handshake steps")
	})
}

// TestLaunchChangeover checks that a consumer added as the changeover of a
// running chain launches with its genesis marked so (chain id and
// height), and that the provider's client of it trusts the first set from
// the initial height + 1: the last height the chain's own set signs, whose
// next validators are the first set.
func TestLaunchChangeover(t *testing.T) {
	h := newHarness(t, 4, testParams())
	p := proposal("standalone-1", h.now)
	p.InitialHeight, p.Changeover = 500, true
	if _, err := h.k.ExecuteAddition(h.s, h.height, h.now, mustMarshal(&p)); err != nil {
		t.Fatal(err)
	}
	h.created("standalone-1")
	h.block()
	if c := h.consumer("standalone-1"); c.Phase != registry.PHASE_LAUNCHED || !c.Init.Changeover {
		t.Fatalf("consumer %+v", c)
	}
	g, ok := h.k.ConsumerGenesis(h.s, h.id("standalone-1"))
	if !ok || g.Changeover == nil || g.Changeover.ChainId != "standalone-1" || g.Changeover.Height != 500 {
		t.Fatalf("genesis changeover %+v", g.Changeover)
	}
	if cs := h.cl.created[0]; cs.LatestHeight != clienttypes.NewHeight(1, 501) {
		t.Fatalf("client of the consumer at %s, want 1-501", cs.LatestHeight)
	}

	// An ordinary consumer's genesis has none, and a changeover needs a
	// height of the running chain.
	h.add("consumer-1", h.now)
	h.block()
	if g, _ := h.k.ConsumerGenesis(h.s, h.id("consumer-1")); g.Changeover != nil {
		t.Fatalf("new chain's genesis with changeover %+v", g.Changeover)
	}
	p = proposal("standalone-2", h.now)
	p.InitialHeight, p.Changeover = 1, true
	if err := p.Validate(); err == nil {
		t.Fatal("a changeover at height 1 validated")
	}
}
