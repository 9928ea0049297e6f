package provider

import (
	"bytes"
	"fmt"
	"slices"
	"sort"
	"testing"
	"time"

	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"

	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/provider/registry"
	"github.com/abci-ics/ics/provider/vsc"
)

func updatesString(us []ccv.ValidatorUpdate) string {
	var b bytes.Buffer
	for _, u := range us {
		fmt.Fprintf(&b, "%x:%d ", u.PubKey[:4], u.Power)
	}
	return b.String()
}

// mustUpdates checks that got is want sorted by key.
func mustUpdates(t *testing.T, got, want []ccv.ValidatorUpdate) {
	t.Helper()
	want = slices.Clone(want)
	sort.Slice(want, func(i, j int) bool { return bytes.Compare(want[i].PubKey, want[j].PubKey) < 0 })
	if updatesString(got) != updatesString(want) {
		t.Fatalf("updates %s, want %s", updatesString(got), updatesString(want))
	}
}

// TestEpochs checks that VSCs are computed only at heights that are a
// multiple of BlocksPerEpoch, that the vsc id moves at every epoch whether
// a VSC was sent or not, and that each id maps to the height after its
// epoch.
func TestEpochs(t *testing.T) {
	p := testParams()
	p.BlocksPerEpoch = 3
	h := newHarness(t, 2, p)
	ch := h.run("consumer") // heights 1 and 2
	nextVal, changed := 10, false
	for h.height <= 20 {
		height, id := h.height, h.k.VSC().VSCID(h.s)
		if height < 12 { // a change in every block until height 12
			h.addValidator(nextVal, 5)
			nextVal++
			changed = true
		}
		sent := len(h.ch.sent)
		h.block()
		vscs := h.ch.vscsTo(t, ch, sent)
		epoch := height%3 == 0
		switch {
		case epoch && changed:
			if len(vscs) != 1 || vscs[0].ValsetUpdateID != id || len(vscs[0].ValidatorUpdates) == 0 {
				t.Fatalf("height %d: VSCs %+v, want id %d", height, vscs, id)
			}
			if pk := h.ch.sent[sent]; pk.TimeoutTimestamp != uint64(h.now.Add(-blockTime).Add(p.CcvTimeoutPeriod).UnixNano()) {
				t.Fatalf("timeout %d", pk.TimeoutTimestamp)
			}
			changed = false
		case len(vscs) != 0:
			t.Fatalf("height %d: VSC sent off epoch or without a change: %+v", height, vscs)
		}
		if epoch {
			if got := h.k.VSC().VSCID(h.s); got != id+1 {
				t.Fatalf("height %d: vsc id %d after epoch, want %d", height, got, id+1)
			}
			if got, ok := h.k.VSC().VSCHeight(h.s, id); !ok || got != height+1 {
				t.Fatalf("vsc %d maps to %d, want %d", id, got, height+1)
			}
		} else if got := h.k.VSC().VSCID(h.s); got != id {
			t.Fatalf("height %d: vsc id moved off epoch", height)
		}
	}
	// Epochs at 3, 6, ..., 18: ids 1 to 6, the next is 7.
	if id := h.k.VSC().VSCID(h.s); id != 7 {
		t.Fatalf("vsc id %d", id)
	}
}

// TestLaunchedAtEpochWaits checks that a consumer launched in an epoch
// block gets no VSC in that block (its genesis already has the set).
func TestLaunchedAtEpochWaits(t *testing.T) {
	h := newHarness(t, 2, testParams())
	h.blocksUntil(5)
	h.add("consumer", h.now)
	h.addValidator(5, 10) // before the launch: in the genesis
	h.block()
	if vscs := h.k.VSC().PendingVSCs(h.s, h.id("consumer")); len(vscs) != 0 {
		t.Fatalf("VSC queued in the launch block: %+v", vscs)
	}
	if g, _ := h.k.ConsumerGenesis(h.s, h.id("consumer")); len(g.InitialValidators) != 3 {
		t.Fatalf("genesis has %d validators", len(g.InitialValidators))
	}
}

// TestVSCDiff checks the updates of a VSC: a rotated key leaves with power
// 0 and the new key enters with the validator's power, a jailed validator
// gets power 0, changed and new powers are sent, unchanged ones are not,
// and no key appears twice.
func TestVSCDiff(t *testing.T) {
	h := newHarness(t, 4, testParams())
	ch := h.run("consumer")
	h.blocksUntil(5)

	h.assign(0, "consumer", consumerKeyOf(0, 1))
	h.assign(3, "consumer", consumerKeyOf(3, 1)) // replaced before the epoch:
	h.assign(3, "consumer", consumerKeyOf(3, 2)) // the first key never reaches the consumer
	if err := h.st.update(h.s, consAddrOf(1), func(v *Validator) { v.Jailed = true }); err != nil {
		t.Fatal(err)
	}
	if err := h.st.update(h.s, consAddrOf(2), func(v *Validator) { v.Power = 25 }); err != nil {
		t.Fatal(err)
	}
	h.addValidator(4, 7)
	sent := len(h.ch.sent)
	h.block() // epoch 5
	vscs := h.ch.vscsTo(t, ch, sent)
	if len(vscs) != 1 {
		t.Fatalf("VSCs %+v", vscs)
	}
	mustUpdates(t, vscs[0].ValidatorUpdates, []ccv.ValidatorUpdate{
		{PubKey: pubKeyOf(0), Power: 0}, {PubKey: consumerKeyOf(0, 1), Power: 10},
		{PubKey: pubKeyOf(1), Power: 0},
		{PubKey: pubKeyOf(2), Power: 25},
		{PubKey: pubKeyOf(3), Power: 0}, {PubKey: consumerKeyOf(3, 2), Power: 10},
		{PubKey: pubKeyOf(4), Power: 7},
	})
	set := h.k.VSC().ValidatorSet(h.s, h.id("consumer"))
	if len(set) != 4 {
		t.Fatalf("set %+v", set)
	}
	for _, m := range set {
		if bytes.Equal(m.ProviderAddr, consAddrOf(1)) {
			t.Fatal("jailed validator kept in the set")
		}
	}

	// Nothing changed: no VSC.
	sent = len(h.ch.sent)
	h.blocksUntil(11)
	if vscs := h.ch.vscsTo(t, ch, sent); len(vscs) != 0 {
		t.Fatalf("VSC without a change: %+v", vscs)
	}

	// Back to the provider key; the jailed validator returns.
	h.assign(0, "consumer", pubKeyOf(0))
	if err := h.st.update(h.s, consAddrOf(1), func(v *Validator) { v.Jailed, v.Bonded = false, true }); err != nil {
		t.Fatal(err)
	}
	sent = len(h.ch.sent)
	h.blocksUntil(16) // epoch 15
	vscs = h.ch.vscsTo(t, ch, sent)
	if len(vscs) != 1 {
		t.Fatalf("VSCs %+v", vscs)
	}
	mustUpdates(t, vscs[0].ValidatorUpdates, []ccv.ValidatorUpdate{
		{PubKey: consumerKeyOf(0, 1), Power: 0}, {PubKey: pubKeyOf(0), Power: 10},
		{PubKey: pubKeyOf(1), Power: 10},
	})
}

// holdsOf returns the holds of chainID as (vsc id, unbonding id) pairs.
func holdsOf(h *harness, chainID string) [][2]uint64 {
	var out [][2]uint64
	for _, e := range h.k.VSC().Holds(h.s) {
		if e.ConsumerID == h.id(chainID) {
			out = append(out, [2]uint64{e.VSCID, e.UnbondingID})
		}
	}
	return out
}

func (h *harness) unbond(id uint64, val int) {
	h.t.Helper()
	h.ub.entries[id] = consAddrOf(val)
	if err := h.k.AfterUnbondingInitiated(h.s, id); err != nil {
		h.t.Fatal(err)
	}
}

// TestHolds checks SPEC 3: an unbonding entry is held only by launched
// consumers whose set contains its validator, under the current vsc id; a
// VSC is sent for an id with holds even without changes; VSCMatured(v)
// releases exactly the holds under ids up to v; the VSCs queued for a
// consumer whose channel is not open are sent in order once it opens.
func TestHolds(t *testing.T) {
	h := newHarness(t, 3, testParams())
	chB := h.run("b")     // heights 1, 2: validators 0, 1, 2
	h.addValidator(3, 10) // height 3
	h.launch("a")         // validators 0..3; b still has 0..2 until epoch 5
	h.add("registered", h.now.Add(time.Hour))

	h.unbond(1, 3) // only a's set has validator 3
	h.unbond(2, 0) // both
	h.ub.entries[3] = consAddrOf(9)
	for _, id := range []uint64{3, 4} { // a validator in no set; an unknown entry
		if err := h.k.AfterUnbondingInitiated(h.s, id); err != nil {
			t.Fatal(err)
		}
	}
	if got := holdsOf(h, "a"); !slices.Equal(got, [][2]uint64{{1, 1}, {1, 2}}) {
		t.Fatalf("holds of a %v", got)
	}
	if got := holdsOf(h, "b"); !slices.Equal(got, [][2]uint64{{1, 2}}) {
		t.Fatalf("holds of b %v", got)
	}
	if len(holdsOf(h, "registered")) != 0 || len(h.ub.puts) != 3 {
		t.Fatalf("puts %v", h.ub.puts)
	}

	h.blocksUntil(6) // epoch 5: VSC 1 (validator 3 joins b)
	h.unbond(5, 1)   // vsc id 2
	sent := len(h.ch.sent)
	h.blocksUntil(11) // epoch 10: VSC 2, no change but a hold
	vscs := h.ch.vscsTo(t, chB, sent)
	if len(vscs) != 1 || vscs[0].ValsetUpdateID != 2 || len(vscs[0].ValidatorUpdates) != 0 {
		t.Fatalf("VSCs %+v, want VSC 2 without updates", vscs)
	}
	sent = len(h.ch.sent)
	h.blocksUntil(16) // epoch 15: vsc id 3, nothing to send
	if vscs := h.ch.vscsTo(t, chB, sent); len(vscs) != 0 {
		t.Fatalf("VSCs %+v", vscs)
	}
	h.unbond(6, 2) // vsc id 4
	h.blocksUntil(21)
	if got := holdsOf(h, "b"); !slices.Equal(got, [][2]uint64{{1, 2}, {2, 5}, {4, 6}}) {
		t.Fatalf("holds of b %v", got)
	}

	mature := func(v uint64, want ...uint64) {
		t.Helper()
		n := len(h.ub.releases)
		if got := result(t, h.recv(chB, maturedData(v))); got != ccv.ResultReceived {
			t.Fatalf("result %d", got)
		}
		var got []uint64
		for _, r := range h.ub.releases[n:] {
			if r.holder != vsc.Holder(h.id("b")) {
				t.Fatalf("released for %s", r.holder)
			}
			got = append(got, r.id)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("VSCMatured(%d) released %v, want %v", v, got, want)
		}
	}
	mature(2, 2, 5)
	mature(3)
	if got := holdsOf(h, "b"); !slices.Equal(got, [][2]uint64{{4, 6}}) {
		t.Fatalf("holds of b %v", got)
	}
	if sent, matured := h.k.VSC().Progress(h.s, h.id("b")); sent != 4 || matured != 3 {
		t.Fatalf("b's progress: last sent %d, matured %d; want 4, 3", sent, matured)
	}
	mature(4, 6)
	mature(4)
	mature(1) // an old id: the last matured stays 4
	if sent, matured := h.k.VSC().Progress(h.s, h.id("b")); sent != 4 || matured != 4 {
		t.Fatalf("b's progress: last sent %d, matured %d; want 4, 4", sent, matured)
	}
	if got := h.ub.heldBy(vsc.Holder(h.id("a"))); !slices.Equal(got, []uint64{1, 2, 5, 6}) {
		t.Fatalf("a holds %v", got)
	}

	// a's VSCs waited for its channel: 1, 2 and 4, each without a change
	// (a's genesis already had validator 3) but with holds.
	pending := h.k.VSC().PendingVSCs(h.s, h.id("a"))
	var ids []uint64
	for _, p := range pending {
		ids = append(ids, p.ValsetUpdateID)
	}
	if !slices.Equal(ids, []uint64{1, 2, 4}) {
		t.Fatalf("pending VSCs of a %v", ids)
	}
	chA := h.tryChannel("a")
	h.confirm(chA)
	sent = len(h.ch.sent)
	h.block()
	vscs = h.ch.vscsTo(t, chA, sent)
	ids = nil
	for _, v := range vscs {
		ids = append(ids, v.ValsetUpdateID)
	}
	if !slices.Equal(ids, []uint64{1, 2, 4}) || len(h.k.VSC().PendingVSCs(h.s, h.id("a"))) != 0 {
		t.Fatalf("sent to a %v", ids)
	}
	if sent, matured := h.k.VSC().Progress(h.s, h.id("a")); sent != 4 || matured != 0 {
		t.Fatalf("a's progress: last sent %d, matured %d; want 4, 0", sent, matured)
	}
}

// TestVSCTimeout checks that a consumer that has not matured a VSC within
// VscTimeoutPeriod of sending it is stopped, its holds released and its
// channel closed, while one that matured in time keeps running.
func TestVSCTimeout(t *testing.T) {
	h := newHarness(t, 3, testParams())
	slow := h.run("slow")
	fast := h.run("fast")
	h.unbond(1, 0)
	sentAt := h.now
	h.block() // epoch 5: VSC 1 to both (a hold)
	if got := result(t, h.recv(fast, maturedData(1))); got != ccv.ResultReceived {
		t.Fatal(got)
	}
	timeout := testParams().VscTimeoutPeriod
	h.now = sentAt.Add(timeout)
	h.block()
	if c := h.consumer("slow"); c.Phase != registry.PHASE_RUNNING {
		t.Fatalf("stopped at exactly the timeout: %s", c.StopReason)
	}
	h.now = sentAt.Add(timeout + time.Nanosecond)
	evs := h.block()
	if ok := h.live("slow"); ok {
		t.Fatal("slow consumer not stopped")
	}
	if e := eventsOf(evs, "consumer_stopped"); len(e) != 1 || attr(e[0], "chain_id") != "slow" {
		t.Fatalf("events %v", evs)
	}
	if !slices.Equal(h.ch.closed, []string{"provider/" + slow}) {
		t.Fatalf("closed %v", h.ch.closed)
	}
	if held := h.ub.heldBy(vsc.Holder(h.id("slow"))); len(held) != 0 {
		t.Fatalf("slow still holds %v", held)
	}
	mustNoTrace(t, h, "slow")
	if c := h.consumer("fast"); c.Phase != registry.PHASE_RUNNING {
		t.Fatalf("fast consumer %s", c.Phase)
	}
}

// TestPacketFailuresStop checks that a timed-out VSC packet or an error
// acknowledgement stops the consumer at the end of the block, and that a
// result acknowledgement does not.
func TestPacketFailuresStop(t *testing.T) {
	for _, c := range []struct {
		name string
		fail func(h *harness, p channeltypes.Packet) error
		stop bool
	}{
		{"timeout", func(h *harness, p channeltypes.Packet) error {
			_, err := h.k.OnTimeoutPacket(h.s, h.height, h.now, p, nil)
			return err
		}, true},
		{"error ack", func(h *harness, p channeltypes.Packet) error {
			_, err := h.k.OnAcknowledgementPacket(h.s, h.height, h.now, p, channeltypes.NewErrorAcknowledgement(fmt.Errorf("bad")), nil)
			return err
		}, true},
		{"result ack", func(h *harness, p channeltypes.Packet) error {
			_, err := h.k.OnAcknowledgementPacket(h.s, h.height, h.now, p, channeltypes.NewResultAcknowledgement([]byte{ccv.ResultReceived}), nil)
			return err
		}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, 2, testParams())
			h.run("consumer")
			h.addValidator(2, 10)
			h.blocksUntil(6)
			if len(h.ch.sent) != 1 {
				t.Fatalf("sent %d", len(h.ch.sent))
			}
			if err := c.fail(h, h.ch.sent[0]); err != nil {
				t.Fatal(err)
			}
			h.block()
			if ok := h.live("consumer"); ok == c.stop {
				t.Fatalf("consumer kept %v, want stopped %v", ok, c.stop)
			}
		})
	}
}

// TestSendFailureKeepsVSCQueued checks that a VSC the channel refuses to
// send stays queued, in order with the later ones, without failing the
// block, and goes out once the channel takes it.
func TestSendFailureKeepsVSCQueued(t *testing.T) {
	h := newHarness(t, 2, testParams())
	ch := h.run("consumer")
	h.ch.sendErr = fmt.Errorf("fake: client expired")
	h.addValidator(2, 10)
	h.blocksUntil(6) // epoch 5: VSC 1 refused
	h.addValidator(3, 10)
	h.blocksUntil(11) // epoch 10: VSC 2 queued behind it
	var ids []uint64
	for _, p := range h.k.VSC().PendingVSCs(h.s, h.id("consumer")) {
		ids = append(ids, p.ValsetUpdateID)
	}
	if !slices.Equal(ids, []uint64{1, 2}) || len(h.ch.sent) != 0 {
		t.Fatalf("pending %v, sent %d", ids, len(h.ch.sent))
	}
	if _, ok := h.k.VSC().OldestUnmatured(h.s, h.id("consumer")); ok {
		t.Fatal("a refused VSC counts as sent")
	}
	h.ch.sendErr = nil
	h.block()
	vscs := h.ch.vscsTo(t, ch, 0)
	if len(vscs) != 2 || vscs[0].ValsetUpdateID != 1 || vscs[1].ValsetUpdateID != 2 || len(h.k.VSC().PendingVSCs(h.s, h.id("consumer"))) != 0 {
		t.Fatalf("sent %+v", vscs)
	}
}
