package provider

import (
	"bytes"
	"errors"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/cometbft/cometbft/crypto/ed25519"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	cmttypes "github.com/cometbft/cometbft/types"
	ibctm "github.com/cosmos/ibc-go/v10/modules/light-clients/07-tendermint"

	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/provider/registry"
	"github.com/abci-ics/ics/provider/vsc"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/fraction"
)

// TestCreateConsumer checks the two phases a consumer is created in, the
// owner and defaults it gets, that consumer ids count up from "0" in
// creation order, and that a chain id is reusable once its consumer is
// removed, under a new consumer id.
func TestCreateConsumer(t *testing.T) {
	h := newHarness(t, 2, testParams())
	m := &registry.MsgCreateConsumer{Submitter: alice, ChainId: "a", Metadata: registry.ConsumerMetadata{Name: "A"}}
	evs, err := h.k.Registry().HandleCreateConsumer(h.s, h.height, h.now, alice, m)
	if err != nil {
		t.Fatal(err)
	}
	if e := eventsOf(evs, "create_consumer"); len(e) != 1 || attr(e[0], "consumer_id") != "0" || attr(e[0], "chain_id") != "a" ||
		attr(e[0], "owner") != address.Encode("cosmos", alice) || attr(e[0], "phase") != registry.PHASE_REGISTERED.String() {
		t.Fatalf("events %v", evs)
	}
	h.ids["a"] = "0"
	spawn := h.now.Add(time.Hour)
	if id := h.create(&registry.MsgCreateConsumer{Submitter: bob, ChainId: "b", InitializationParameters: initParams(spawn),
		InfractionParameters: customInfraction()}); id != "1" {
		t.Fatalf("second consumer id %q", id)
	}
	h.add("c", spawn)
	if h.id("c") != "2" {
		t.Fatalf("third consumer id %q", h.id("c"))
	}

	p := h.k.Params(h.s)
	a, b, c := h.consumer("a"), h.consumer("b"), h.consumer("c")
	if a.Phase != registry.PHASE_REGISTERED || !bytes.Equal(a.Owner, alice) || a.Metadata.Name != "A" || a.Init.SpawnTime != 0 ||
		a.PowerShaping.TopN != 0 || !reflect.DeepEqual(a.Infraction, DefaultInfractionParameters(p)) {
		t.Fatalf("registered consumer %+v", a)
	}
	if b.Phase != registry.PHASE_INITIALIZED || !bytes.Equal(b.Owner, bob) || b.Init.SpawnTime != spawn.UnixNano() || !reflect.DeepEqual(b.Infraction, *customInfraction()) {
		t.Fatalf("initialized consumer %+v", b)
	}
	if c.Phase != registry.PHASE_INITIALIZED || !bytes.Equal(c.Owner, govAddr) || c.PowerShaping.TopN != 100 {
		t.Fatalf("consumer of a proposal %+v", c)
	}
	// A registered consumer has no spawn time: blocks do not launch it.
	h.block()
	if a := h.consumer("a"); a.Phase != registry.PHASE_REGISTERED || len(h.cl.created) != 0 {
		t.Fatalf("registered consumer in phase %s after a block", a.Phase)
	}

	// Removed before launch, "a" is deleted at once; its chain id is free
	// and the next consumer of it gets the next id.
	if _, err := h.k.HandleRemoveConsumer(h.s, h.height, h.now, alice, &registry.MsgRemoveConsumer{Owner: alice, ConsumerId: "0"}); err != nil {
		t.Fatal(err)
	}
	if id := h.create(&registry.MsgCreateConsumer{Submitter: bob, ChainId: "a"}); id != "3" {
		t.Fatalf("consumer id %q for a reused chain id", id)
	}
	if old, _ := h.k.Consumer(h.s, "0"); old.Phase != registry.PHASE_DELETED || old.ChainId != "a" {
		t.Fatalf("old consumer of a: %+v", old)
	}
	if cur, ok := h.k.ConsumerByChainID(h.s, "a"); !ok || cur.ConsumerId != "3" || !bytes.Equal(cur.Owner, bob) {
		t.Fatalf("live consumer of a: %+v", cur)
	}

	// Ids keep counting past one digit, and Consumers lists them in
	// creation order.
	for i := 4; i < 12; i++ {
		h.create(&registry.MsgCreateConsumer{Submitter: alice, ChainId: "chain-" + strconv.Itoa(i)})
	}
	var ids []string
	for _, c := range h.k.Consumers(h.s) {
		ids = append(ids, c.ConsumerId)
	}
	if want := []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"}; !slices.Equal(ids, want) {
		t.Fatalf("consumer ids %v, want %v", ids, want)
	}
}

// TestUpdateConsumer checks what an owner can change: a registered
// consumer becomes initialized with a spawn time (and registered again
// without one), the owner hands the consumer over, and once it is
// launched only its initialization parameters are frozen.
func TestUpdateConsumer(t *testing.T) {
	h := newHarness(t, 2, testParams())
	id := h.create(&registry.MsgCreateConsumer{Submitter: alice, ChainId: "a"})
	spawn := h.now.Add(3 * blockTime)
	if err := h.update(&registry.MsgUpdateConsumer{Owner: alice, ConsumerId: id, InitializationParameters: initParams(spawn),
		Metadata: &registry.ConsumerMetadata{Name: "A", Description: "chain a"}}); err != nil {
		t.Fatal(err)
	}
	if c := h.consumer("a"); c.Phase != registry.PHASE_INITIALIZED || c.Init.SpawnTime != spawn.UnixNano() || c.Metadata.Description != "chain a" {
		t.Fatalf("consumer with a spawn time: %+v", c)
	}
	if err := h.update(&registry.MsgUpdateConsumer{Owner: alice, ConsumerId: id, InitializationParameters: initParams(time.Time{})}); err != nil {
		t.Fatal(err)
	}
	if c := h.consumer("a"); c.Phase != registry.PHASE_REGISTERED || c.Init.SpawnTime != 0 {
		t.Fatalf("consumer without a spawn time: %+v", c)
	}

	// Alice hands the consumer to bob: she can no longer change it, he can.
	if err := h.update(&registry.MsgUpdateConsumer{Owner: alice, ConsumerId: id, NewOwner: bob}); err != nil {
		t.Fatal(err)
	}
	if c := h.consumer("a"); !bytes.Equal(c.Owner, bob) || c.Metadata.Name != "A" {
		t.Fatalf("consumer after the handover: %+v", c)
	}
	before := h.hash()
	if err := h.update(&registry.MsgUpdateConsumer{Owner: alice, ConsumerId: id, Metadata: &registry.ConsumerMetadata{Name: "mine"}}); !errors.Is(err, ErrNotOwner) {
		t.Fatalf("update by the previous owner: %v", err)
	}
	if _, err := h.k.HandleRemoveConsumer(h.s, h.height, h.now, alice, &registry.MsgRemoveConsumer{Owner: alice, ConsumerId: id}); !errors.Is(err, ErrNotOwner) {
		t.Fatalf("removal by the previous owner: %v", err)
	}
	h.mustUnchanged(before, "the previous owner's messages")
	if err := h.update(&registry.MsgUpdateConsumer{Owner: bob, ConsumerId: id, InitializationParameters: initParams(spawn),
		PowerShapingParameters: &registry.PowerShapingParameters{ValidatorSetCap: 1}}); err != nil {
		t.Fatal(err)
	}
	h.optIn(0, "a", nil)
	h.optIn(1, "a", nil)
	for h.now.Before(spawn) {
		h.block()
	}
	h.block()
	c := h.consumer("a")
	if c.Phase != registry.PHASE_LAUNCHED {
		t.Fatalf("consumer in phase %s after its spawn time", c.Phase)
	}
	if set := h.setOf("a"); len(set) != 1 {
		t.Fatalf("set %v under a set cap of 1", set)
	}

	// Launched: the initialization parameters are frozen, the rest is not.
	before = h.hash()
	if err := h.update(&registry.MsgUpdateConsumer{Owner: bob, ConsumerId: id, Metadata: &registry.ConsumerMetadata{Name: "B"},
		InitializationParameters: initParams(h.now)}); !errors.Is(err, ErrInvalidConsumer) {
		t.Fatalf("initialization parameters of a launched consumer: %v", err)
	}
	h.mustUnchanged(before, "a refused update")
	if err := h.update(&registry.MsgUpdateConsumer{Owner: bob, ConsumerId: id, Metadata: &registry.ConsumerMetadata{Name: "B"},
		PowerShapingParameters: &registry.PowerShapingParameters{ValidatorSetCap: 2}, InfractionParameters: customInfraction()}); err != nil {
		t.Fatal(err)
	}
	got := h.consumer("a")
	if got.Phase != registry.PHASE_LAUNCHED || got.Metadata.Name != "B" || got.PowerShaping.ValidatorSetCap != 2 ||
		!reflect.DeepEqual(got.Infraction, *customInfraction()) || !reflect.DeepEqual(got.Init, c.Init) || got.ClientId != c.ClientId {
		t.Fatalf("launched consumer after an update: %+v", got)
	}
}

// TestRemoveConsumer checks removal by the owner: a consumer not launched
// is deleted at once, its record kept in phase deleted; a running one
// stops now and at the end of the block loses its state, its holds and
// its channel.
func TestRemoveConsumer(t *testing.T) {
	h := newHarness(t, 3, testParams())
	h.create(&registry.MsgCreateConsumer{Submitter: alice, ChainId: "early", InitializationParameters: initParams(h.now.Add(time.Hour))})
	key := consumerKeyOf(0, 1)
	h.optIn(0, "early", key)
	if _, err := h.k.Registry().HandleSetConsumerCommissionRate(h.s, h.height, h.now, operatorOf(0),
		&registry.MsgSetConsumerCommissionRate{Operator: operatorOf(0), ConsumerId: h.id("early"), Rate: fraction.New(1, 20)}); err != nil {
		t.Fatal(err)
	}
	evs, err := h.k.HandleRemoveConsumer(h.s, h.height, h.now, alice, &registry.MsgRemoveConsumer{Owner: alice, ConsumerId: h.id("early")})
	if err != nil {
		t.Fatal(err)
	}
	if e := eventsOf(evs, "consumer_stopped"); len(e) != 1 || attr(e[0], "reason") != "removed before launch" {
		t.Fatalf("events %v", evs)
	}
	mustNoTrace(t, h, "early")
	if c := h.consumer("early"); !bytes.Equal(c.Owner, alice) || c.StopReason != "removed before launch" {
		t.Fatalf("record of the removed consumer: %+v", c)
	}
	if h.k.IsKeyReserved(h.s, key) {
		t.Fatal("consumer key of a deleted consumer still reserved")
	}

	ch := h.runOptIn("late", alice, registry.PowerShapingParameters{}, nil, 0, 1)
	id := h.id("late")
	h.ub.entries[1] = consAddrOf(0)
	h.ub.entries[2] = consAddrOf(2) // not in the set: not held
	for _, e := range []uint64{1, 2} {
		if err := h.k.AfterUnbondingInitiated(h.s, e); err != nil {
			t.Fatal(err)
		}
	}
	if held := h.ub.heldBy(vsc.Holder(id)); !slices.Equal(held, []uint64{1}) {
		t.Fatalf("held %v", held)
	}
	evs, err = h.k.HandleRemoveConsumer(h.s, h.height, h.now, alice, &registry.MsgRemoveConsumer{Owner: alice, ConsumerId: id})
	if err != nil {
		t.Fatal(err)
	}
	if e := eventsOf(evs, "remove_consumer"); len(e) != 1 || attr(e[0], "consumer_id") != id {
		t.Fatalf("events %v", evs)
	}
	if c := h.consumer("late"); c.Phase != registry.PHASE_STOPPED || c.StopReason != "removed by its owner" {
		t.Fatalf("removed running consumer: %+v", c)
	}
	// Stopped: no message reaches it any more, but its state waits for the
	// end of the block.
	before := h.hash()
	if _, err := h.k.HandleRemoveConsumer(h.s, h.height, h.now, alice, &registry.MsgRemoveConsumer{Owner: alice, ConsumerId: id}); !errors.Is(err, ErrConsumerNotFound) {
		t.Fatalf("second removal: %v", err)
	}
	if _, err := h.k.Registry().HandleOptIn(h.s, h.height, h.now, operatorOf(2), &registry.MsgOptIn{Operator: operatorOf(2), ConsumerId: id}); !errors.Is(err, ErrConsumerNotFound) {
		t.Fatalf("opt-in to a stopped consumer: %v", err)
	}
	h.mustUnchanged(before, "messages to a stopped consumer")
	if len(h.ch.closed) != 0 || len(h.ub.releases) != 0 || !registry.IsOptedIn(h.s, id, consAddrOf(0)) {
		t.Fatal("stopped consumer's state went before the end of the block")
	}
	evs = h.block()
	if !slices.Equal(h.ch.closed, []string{"provider/" + ch}) {
		t.Fatalf("closed %v", h.ch.closed)
	}
	if len(h.ub.releases) != 1 || h.ub.releases[0] != (holdCall{1, vsc.Holder(id)}) || len(h.ub.heldBy(vsc.Holder(id))) != 0 {
		t.Fatalf("releases %v", h.ub.releases)
	}
	if e := eventsOf(evs, "consumer_stopped"); len(e) != 1 || attr(e[0], "consumer_id") != id || attr(e[0], "reason") != "removed by its owner" {
		t.Fatalf("events %v", evs)
	}
	mustNoTrace(t, h, "late")
	if c := h.consumer("late"); c.ChannelId != ch || c.ClientId == "" || c.LaunchHeight == 0 {
		t.Fatalf("record of the deleted consumer: %+v", c)
	}
}

// TestOptInWithConsumerKey checks that an opt-in with a consumer key
// assigns it: the validator joins the consumer's genesis under that key,
// and a validator opting in to a running consumer joins it at the next
// epoch under its key.
func TestOptInWithConsumerKey(t *testing.T) {
	h := newHarness(t, 4, testParams())
	h.create(&registry.MsgCreateConsumer{Submitter: alice, ChainId: "c", InitializationParameters: initParams(h.now)})
	id := h.id("c")
	h.optIn(0, "c", consumerKeyOf(0, 1))
	h.optIn(1, "c", nil)
	if k, ok := h.k.VSC().AssignedKey(h.s, id, consAddrOf(0)); !ok || !bytes.Equal(k, consumerKeyOf(0, 1)) {
		t.Fatalf("assigned key %x, %v", k, ok)
	}
	if _, ok := h.k.VSC().AssignedKey(h.s, id, consAddrOf(1)); ok {
		t.Fatal("opt-in without a key assigned one")
	}
	if got := registry.OptedIn(h.s, id); len(got) != 2 {
		t.Fatalf("opted in %x", got)
	}
	h.block()
	g, ok := h.k.ConsumerGenesis(h.s, id)
	if !ok {
		t.Fatal("no genesis")
	}
	initial := map[string]int64{}
	for _, v := range g.InitialValidators {
		initial[string(v.PubKey)] = v.Power
	}
	if want := map[string]int64{string(consumerKeyOf(0, 1)): 10, string(pubKeyOf(1)): 10}; !maps.Equal(initial, want) {
		t.Fatalf("initial validators %v", g.InitialValidators)
	}

	ch := h.openChannel("c")
	h.optIn(2, "c", consumerKeyOf(2, 1))
	if _, in := h.setOf("c")[string(consAddrOf(2))]; in {
		t.Fatal("opted in before the epoch")
	}
	vscs := h.nextEpoch(t, ch)
	if len(vscs) != 1 {
		t.Fatalf("VSCs %+v", vscs)
	}
	mustUpdates(t, vscs[0].ValidatorUpdates, []ccv.ValidatorUpdate{{PubKey: consumerKeyOf(2, 1), Power: 10}})
	if owner, ok := h.k.VSC().KeyOwner(h.s, id, addrOfKey(consumerKeyOf(2, 1))); !ok || !bytes.Equal(owner.ProviderAddr, consAddrOf(2)) {
		t.Fatalf("owner of validator 2's consumer key: %+v, %v", owner, ok)
	}
}

// TestTopNOptInEveryEpoch checks that the top N of a top-N consumer are
// opted in at launch and at every epoch: a validator that grows into the
// top N is opted in at the next epoch, and one that drops out of it stays
// opted in, and may then opt out.
func TestTopNOptInEveryEpoch(t *testing.T) {
	h := newHarnessWith(t, []int64{40, 30, 20, 10}, testParams())
	ch := h.runOptIn("top", govAddr, registry.PowerShapingParameters{TopN: 50}, nil)
	id := h.id("top")
	// 40+30 is the smallest head of the powers that reaches half of 100.
	for i, want := range []bool{true, true, false, false} {
		if got := registry.IsOptedIn(h.s, id, consAddrOf(i)); got != want {
			t.Fatalf("validator %d opted in: %v", i, got)
		}
	}
	if got := h.setOf("top"); !maps.Equal(got, wantSet(0, 40, 1, 30)) {
		t.Fatalf("set %v", got)
	}
	before := h.hash()
	if err := h.optOut(1, "top"); !errors.Is(err, ErrOptOutRefused) {
		t.Fatalf("opt-out of a top-N validator: %v", err)
	}
	h.mustUnchanged(before, "a refused opt-out")

	// Validator 3 grows to 100 of 190: alone in the top half.
	h.setPower(3, 100)
	if err := h.optOut(3, "top"); !errors.Is(err, ErrNotOptedIn) {
		t.Fatalf("opt-out before the epoch: %v", err)
	}
	vscs := h.nextEpoch(t, ch)
	if !registry.IsOptedIn(h.s, id, consAddrOf(3)) {
		t.Fatal("validator 3 not opted in at the epoch")
	}
	if len(vscs) != 1 {
		t.Fatalf("VSCs %+v", vscs)
	}
	mustUpdates(t, vscs[0].ValidatorUpdates, []ccv.ValidatorUpdate{upd(3, 100)})
	if got := h.setOf("top"); !maps.Equal(got, wantSet(0, 40, 1, 30, 3, 100)) {
		t.Fatalf("set %v", got)
	}
	// Validators 0 and 1 left the top N but stay opted in; now they may
	// opt out, and validator 3 may not.
	if !registry.IsOptedIn(h.s, id, consAddrOf(0)) || !registry.IsOptedIn(h.s, id, consAddrOf(1)) {
		t.Fatal("validators that left the top N were opted out")
	}
	if err := h.optOut(3, "top"); !errors.Is(err, ErrOptOutRefused) {
		t.Fatalf("opt-out of the new top-N validator: %v", err)
	}
	if err := h.optOut(1, "top"); err != nil {
		t.Fatalf("opt-out of a validator out of the top N: %v", err)
	}
	vscs = h.nextEpoch(t, ch)
	if len(vscs) != 1 {
		t.Fatalf("VSCs %+v", vscs)
	}
	mustUpdates(t, vscs[0].ValidatorUpdates, []ccv.ValidatorUpdate{upd(1, 0)})
	if registry.IsOptedIn(h.s, id, consAddrOf(1)) {
		t.Fatal("validator 1 opted in again at the epoch")
	}
}

// doubleVote returns a double vote at height 5 of chainID by the consumer
// key priv, with a header whose validator set is that key alone.
func doubleVote(t *testing.T, chainID string, priv ed25519.PrivKey, now time.Time) (votes, header []byte) {
	t.Helper()
	vs := cmttypes.NewValidatorSet([]*cmttypes.Validator{cmttypes.NewValidator(priv.PubKey(), 10)})
	vsp, err := vs.ToProto()
	if err != nil {
		t.Fatal(err)
	}
	hdr := &ibctm.Header{SignedHeader: &cmtproto.SignedHeader{Header: &cmtproto.Header{ChainID: chainID, Height: 5, Time: now,
		ValidatorsHash: vs.Hash()}}, ValidatorSet: vsp}
	vote := func(tag string) *cmtproto.Vote {
		bh := bytes.Repeat([]byte(tag), 32)
		v := &cmtproto.Vote{Type: cmtproto.PrecommitType, Height: 5, Timestamp: now, ValidatorAddress: priv.PubKey().Address(),
			BlockID: cmtproto.BlockID{Hash: bh, PartSetHeader: cmtproto.PartSetHeader{Total: 1, Hash: bh}}}
		if err := cmttypes.NewMockPVWithParams(priv, false, false).SignVote(chainID, v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	ev := &cmtproto.DuplicateVoteEvidence{VoteA: vote("a"), VoteB: vote("b"), TotalVotingPower: 10, ValidatorPower: 10, Timestamp: now}
	return mustMarshal(ev), mustMarshal(hdr)
}

// TestConsumerInfractionParameters checks that the downtime and double
// sign punishments are those of the consumer's infraction parameters: on
// a consumer with custom ones a double signer is slashed their fraction
// and jailed for their duration, not tombstoned; another consumer keeps
// the provider's defaults.
func TestConsumerInfractionParameters(t *testing.T) {
	p := testParams()
	p.SlashMeterReplenishFraction = fraction.New(1, 1) // no bouncing
	h := newHarness(t, 4, p)
	priv := ed25519.GenPrivKeyFromSecret([]byte("double signer"))
	h.create(&registry.MsgCreateConsumer{Submitter: alice, ChainId: "custom", InitializationParameters: initParams(h.now),
		InfractionParameters: customInfraction()})
	h.optIn(0, "custom", nil)
	h.optIn(2, "custom", priv.PubKey().Bytes())
	h.block()
	custom := h.openChannel("custom")
	def := h.runOptIn("default", alice, registry.PowerShapingParameters{}, nil, 1)

	if got := result(t, h.recv(custom, downtime(0))); got != ccv.ResultHandled {
		t.Fatalf("downtime on custom: result %d", got)
	}
	if got := result(t, h.recv(def, downtime(1))); got != ccv.ResultHandled {
		t.Fatalf("downtime on default: result %d", got)
	}
	// The default downtime fraction is 0: validator 1 is jailed only.
	if len(h.st.slashes) != 1 || len(h.st.jails) != 2 || len(h.st.tombstones) != 0 || p.DowntimeSlashFraction.Numerator != 0 {
		t.Fatalf("slashes %d, jails %d, tombstones %d", len(h.st.slashes), len(h.st.jails), len(h.st.tombstones))
	}
	if s := h.st.slashes[0]; !bytes.Equal(s.addr, consAddrOf(0)) || s.frac != fraction.New(1, 10) {
		t.Fatalf("downtime slash on custom %+v", s)
	}
	if !bytes.Equal(h.st.jails[0], consAddrOf(0)) || !h.st.jailUntil[0].Equal(h.now.Add(time.Hour)) {
		t.Fatalf("jailed until %s on custom, want %s", h.st.jailUntil[0], h.now.Add(time.Hour))
	}
	if !bytes.Equal(h.st.jails[1], consAddrOf(1)) || !h.st.jailUntil[1].Equal(h.now.Add(p.DowntimeJailDuration)) {
		t.Fatalf("jailed until %s on default, want %s", h.st.jailUntil[1], h.now.Add(p.DowntimeJailDuration))
	}

	votes, hdr := doubleVote(t, "custom", priv, h.now)
	m := &MsgSubmitConsumerDoubleVoting{Submitter: bob, ConsumerId: h.id("custom"), DuplicateVoteEvidence: votes, InfractionBlockHeader: hdr}
	evs, err := h.k.HandleSubmitConsumerDoubleVoting(h.s, h.height, h.now, bob, m)
	if err != nil {
		t.Fatal(err)
	}
	if e := eventsOf(evs, "submit_consumer_double_voting"); len(e) != 1 || attr(e[0], "validator_address") != address.Encode("cosmosvalcons", consAddrOf(2)) {
		t.Fatalf("events %v", evs)
	}
	if len(h.st.slashes) != 2 || len(h.st.jails) != 3 || len(h.st.tombstones) != 0 {
		t.Fatalf("slashes %d, jails %d, tombstones %d", len(h.st.slashes), len(h.st.jails), len(h.st.tombstones))
	}
	if s := h.st.slashes[1]; !bytes.Equal(s.addr, consAddrOf(2)) || s.frac != fraction.New(1, 5) || s.power != 10 {
		t.Fatalf("double-sign slash %+v", s)
	}
	if !h.st.jailUntil[2].Equal(h.now.Add(2 * time.Hour)) {
		t.Fatalf("double signer jailed until %s, want %s", h.st.jailUntil[2], h.now.Add(2*time.Hour))
	}
	if v, _ := h.st.ValidatorByConsAddr(h.s, consAddrOf(2)); v.Tombstoned || !v.Jailed {
		t.Fatalf("double signer %+v", v)
	}
	// Not tombstoned, the validator is still punished only once for that
	// double vote: the same evidence again is refused and changes nothing.
	before := h.hash()
	if _, err := h.k.HandleSubmitConsumerDoubleVoting(h.s, h.height, h.now, bob, m); !errors.Is(err, ErrEvidenceHandled) {
		t.Fatalf("resubmitted evidence: %v", err)
	}
	h.mustUnchanged(before, "resubmitted evidence")
	if len(h.st.slashes) != 2 {
		t.Fatalf("slashed %d times", len(h.st.slashes))
	}
}

// TestPowerShapingSets changes the power shaping of a running opt-in
// consumer that every validator opted in to, one rule at a time: each
// takes effect at the next epoch, with the VSC that turns the old set into
// the shaped one.
func TestPowerShapingSets(t *testing.T) {
	h := newHarnessWith(t, []int64{10, 20, 30, 40}, testParams())
	for i, power := range []int64{10, 20, 30, 40} {
		h.setPower(i, power) // tokens too, for min_stake
	}
	ch := h.runOptIn("c", alice, registry.PowerShapingParameters{}, nil, 0, 1, 2, 3)
	if got := h.setOf("c"); !maps.Equal(got, wantSet(0, 10, 1, 20, 2, 30, 3, 40)) {
		t.Fatalf("set at launch %v", got)
	}
	for _, step := range []struct {
		name    string
		ps      registry.PowerShapingParameters
		updates []ccv.ValidatorUpdate
		set     map[string]int64
	}{
		{"set cap 2: the two largest", registry.PowerShapingParameters{ValidatorSetCap: 2},
			[]ccv.ValidatorUpdate{upd(0, 0), upd(1, 0)}, wantSet(2, 30, 3, 40)},
		{"set cap 2, validator 0 first in the priority list", registry.PowerShapingParameters{ValidatorSetCap: 2, Prioritylist: [][]byte{consAddrOf(0)}},
			[]ccv.ValidatorUpdate{upd(0, 10), upd(2, 0)}, wantSet(0, 10, 3, 40)},
		{"validator 3 denied", registry.PowerShapingParameters{Denylist: [][]byte{consAddrOf(3)}},
			[]ccv.ValidatorUpdate{upd(1, 20), upd(2, 30), upd(3, 0)}, wantSet(0, 10, 1, 20, 2, 30)},
		{"validator 3 denied, power cap 40%", registry.PowerShapingParameters{Denylist: [][]byte{consAddrOf(3)}, ValidatorsPowerCap: 40},
			[]ccv.ValidatorUpdate{upd(0, 12), upd(1, 24), upd(2, 24)}, wantSet(0, 12, 1, 24, 2, 24)},
		{"validators 0 and 1 allowed", registry.PowerShapingParameters{Allowlist: [][]byte{consAddrOf(0), consAddrOf(1)}},
			[]ccv.ValidatorUpdate{upd(0, 10), upd(1, 20), upd(2, 0)}, wantSet(0, 10, 1, 20)},
		{"min stake 25", registry.PowerShapingParameters{MinStake: 25},
			[]ccv.ValidatorUpdate{upd(0, 0), upd(1, 0), upd(2, 30), upd(3, 40)}, wantSet(2, 30, 3, 40)},
		{"no rule", registry.PowerShapingParameters{},
			[]ccv.ValidatorUpdate{upd(0, 10), upd(1, 20)}, wantSet(0, 10, 1, 20, 2, 30, 3, 40)},
	} {
		old := h.setOf("c")
		if err := h.update(&registry.MsgUpdateConsumer{Owner: alice, ConsumerId: h.id("c"), PowerShapingParameters: &step.ps}); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if got := h.setOf("c"); !maps.Equal(got, old) {
			t.Fatalf("%s: set changed before the epoch: %v", step.name, got)
		}
		vscs := h.nextEpoch(t, ch)
		if len(vscs) != 1 {
			t.Fatalf("%s: VSCs %+v", step.name, vscs)
		}
		t.Run(step.name, func(t *testing.T) { mustUpdates(t, vscs[0].ValidatorUpdates, step.updates) })
		if got := h.setOf("c"); !maps.Equal(got, step.set) {
			t.Fatalf("%s: set %v", step.name, got)
		}
	}
}

// TestOptOutKeepsHolds checks that opting out removes the validator from
// the set at the next epoch but keeps the holds its unbondings already
// have until the consumer matures the VSC they wait for; unbondings that
// start after it left are not held.
func TestOptOutKeepsHolds(t *testing.T) {
	h := newHarness(t, 2, testParams())
	ch := h.runOptIn("c", alice, registry.PowerShapingParameters{}, nil, 0, 1)
	holder := vsc.Holder(h.id("c"))
	h.ub.entries[1] = consAddrOf(0)
	if err := h.k.AfterUnbondingInitiated(h.s, 1); err != nil {
		t.Fatal(err)
	}
	heldUnder := h.k.VSC().VSCID(h.s)
	if err := h.optOut(0, "c"); err != nil {
		t.Fatal(err)
	}
	if registry.IsOptedIn(h.s, h.id("c"), consAddrOf(0)) {
		t.Fatal("still opted in")
	}
	if held := h.ub.heldBy(holder); !slices.Equal(held, []uint64{1}) {
		t.Fatalf("held after the opt-out %v", held)
	}
	vscs := h.nextEpoch(t, ch)
	if len(vscs) != 1 || vscs[0].ValsetUpdateID != heldUnder {
		t.Fatalf("VSCs %+v, want id %d", vscs, heldUnder)
	}
	mustUpdates(t, vscs[0].ValidatorUpdates, []ccv.ValidatorUpdate{upd(0, 0)})
	if held := h.ub.heldBy(holder); !slices.Equal(held, []uint64{1}) || len(h.ub.releases) != 0 {
		t.Fatalf("held after the VSC %v, releases %v", held, h.ub.releases)
	}
	h.ub.entries[2] = consAddrOf(0)
	if err := h.k.AfterUnbondingInitiated(h.s, 2); err != nil {
		t.Fatal(err)
	}
	if held := h.ub.heldBy(holder); !slices.Equal(held, []uint64{1}) {
		t.Fatalf("an unbonding of a validator out of the set is held: %v", held)
	}
	if got := result(t, h.recv(ch, maturedData(heldUnder))); got != ccv.ResultReceived {
		t.Fatalf("matured: result %d", got)
	}
	if held := h.ub.heldBy(holder); len(held) != 0 {
		t.Fatalf("held after maturity %v", held)
	}
}

// TestInactiveValidators checks that a validator outside the provider's
// active set (bonded false, power positive) validates only the consumers
// that allow inactive validators, and is never opted in as a top-N
// validator while it is inactive.
func TestInactiveValidators(t *testing.T) {
	h := newHarness(t, 2, testParams())
	h.st.put(h.s, operatorOf(4), Validator{ConsAddr: consAddrOf(4), PubKey: pubKeyOf(4), Power: 5, Tokens: 5})
	h.create(&registry.MsgCreateConsumer{Submitter: alice, ChainId: "open", InitializationParameters: initParams(h.now),
		PowerShapingParameters: &registry.PowerShapingParameters{AllowInactiveVals: true}})
	h.create(&registry.MsgCreateConsumer{Submitter: alice, ChainId: "closed", InitializationParameters: initParams(h.now)})
	for _, c := range []string{"open", "closed"} {
		h.optIn(0, c, nil)
		h.optIn(4, c, nil)
	}
	h.add("top", h.now)
	h.block()
	if got := h.setOf("open"); !maps.Equal(got, wantSet(0, 10, 4, 5)) {
		t.Fatalf("set of the consumer that allows inactive validators: %v", got)
	}
	if got := h.setOf("closed"); !maps.Equal(got, wantSet(0, 10)) {
		t.Fatalf("set of the consumer that does not: %v", got)
	}
	if got := h.setOf("top"); !maps.Equal(got, wantSet(0, 10, 1, 10)) || registry.IsOptedIn(h.s, h.id("top"), consAddrOf(4)) {
		t.Fatalf("top-N set %v", got)
	}
	// Once active, validator 4 joins the consumer that does not allow
	// inactive validators, and the top N, at the next epoch.
	if err := h.st.update(h.s, consAddrOf(4), func(v *Validator) { v.Bonded = true }); err != nil {
		t.Fatal(err)
	}
	h.blocksUntil(6)
	if got := h.setOf("closed"); !maps.Equal(got, wantSet(0, 10, 4, 5)) {
		t.Fatalf("set once active: %v", got)
	}
	if got := h.setOf("top"); !maps.Equal(got, wantSet(0, 10, 1, 10, 4, 5)) || !registry.IsOptedIn(h.s, h.id("top"), consAddrOf(4)) {
		t.Fatalf("top-N set once active: %v", got)
	}
}
