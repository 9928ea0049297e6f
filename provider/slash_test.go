package provider

import (
	"bytes"
	"slices"
	"sort"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/fraction"
)

// throttleModel is the reference of SPEC 7 for validators of equal power:
// a downtime packet for a validator already jailed (or no longer bonded)
// is handled; otherwise it is handled while the meter is not negative,
// and subtracts the power, else it is bounced.
type throttleModel struct {
	meter  int64
	jailed map[int]bool
	power  int64
}

func (m *throttleModel) deliver(v int) byte {
	switch {
	case m.jailed[v]:
		return ccv.ResultHandled
	case m.meter >= 0:
		m.jailed[v] = true
		m.meter -= m.power
		return ccv.ResultHandled
	}
	return ccv.ResultBounced
}

type delivery struct {
	ch  string
	val int
}

// TestSlashFloodThrottled floods the provider with 500 downtime packets in
// one block from two consumers (SPEC 7): exactly the packets the meter
// allows are handled, the others are bounced and change nothing, each
// validator is jailed once, and the retries after a replenish period are
// handled up to the new allowance.
func TestSlashFloodThrottled(t *testing.T) {
	h := newHarness(t, 200, testParams())
	if m := h.k.SlashMeter(h.s); m.Meter != 100 || m.Allowance != 100 || m.LastReplenish != t0.UnixNano() {
		t.Fatalf("meter after genesis %+v, want 100/100", m)
	}
	chA, chB := h.run("consumer-a"), h.run("consumer-b")
	if h.height%testParams().BlocksPerEpoch != 0 {
		t.Fatalf("the flood block %d must be an epoch boundary", h.height)
	}

	// 200 distinct validators, then 300 repeats, alternating consumers.
	var flood []delivery
	for j := range 500 {
		v := j
		if j >= 200 {
			v = (j * 7) % 200
		}
		flood = append(flood, delivery{[]string{chA, chB}[j%2], v})
	}
	model := &throttleModel{meter: 100, jailed: map[int]bool{}, power: 10}
	acked := map[string]map[int]bool{chA: {}, chB: {}}
	var bounced []delivery
	for _, d := range flood {
		before, calls, jails := h.hash(), h.st.calls(), len(h.st.jails)
		want := model.deliver(d.val)
		got := result(t, h.recv(d.ch, downtime(d.val)))
		if got != want {
			t.Fatalf("packet for validator %d: result %d, want %d (meter %d)", d.val, got, want, h.k.SlashMeter(h.s).Meter)
		}
		switch {
		case got == ccv.ResultBounced:
			h.mustUnchanged(before, "a bounced packet")
			if h.st.calls() != calls {
				t.Fatal("a bounced packet called staking")
			}
			bounced = append(bounced, d)
		case len(h.st.jails) > jails:
			if !bytes.Equal(h.st.jails[jails], consAddrOf(d.val)) || !h.st.jailUntil[jails].Equal(h.now.Add(10*time.Minute)) {
				t.Fatalf("jailed %X until %s", h.st.jails[jails], h.st.jailUntil[jails])
			}
			acked[d.ch][d.val] = true
		default:
			acked[d.ch][d.val] = true // already jailed: handled, acknowledged again, not jailed twice
		}
		if len(h.st.slashes) != 0 {
			t.Fatal("downtime slashed with a zero fraction")
		}
	}
	// The meter allows a packet while it is >= 0: 100, 90, ..., 0 is
	// eleven packets, leaving it at -10.
	mustJailed(t, h, 0, 11)
	if m := h.k.SlashMeter(h.s); m.Meter != -10 || m.Allowance != 100 {
		t.Fatalf("meter after the flood %+v, want -10/100", m)
	}
	if len(bounced) != 500-11-countRepeatsOfJailed(flood, 11) {
		t.Fatalf("%d bounced", len(bounced))
	}
	evs := h.takeEvents()
	if n := len(eventsOf(evs, "execute_consumer_chain_slash")); n != 11 {
		t.Fatalf("%d slash events, want 11", n)
	}
	if n := len(eventsOf(evs, "consumer_slash_request")); n != len(bounced) {
		t.Fatalf("%d bounce events, want %d", n, len(bounced))
	}

	// The epoch's VSC removes the jailed validators and acknowledges the
	// slash packets handled on each consumer.
	sent := len(h.ch.sent)
	h.block()
	for _, ch := range []string{chA, chB} {
		vscs := h.ch.vscsTo(t, ch, sent)
		if len(vscs) != 1 || vscs[0].ValsetUpdateID != 1 {
			t.Fatalf("VSCs to %s: %+v", ch, vscs)
		}
		var wantUpdates []ccv.ValidatorUpdate
		for v := range 11 {
			wantUpdates = append(wantUpdates, ccv.ValidatorUpdate{PubKey: pubKeyOf(v), Power: 0})
		}
		sort.Slice(wantUpdates, func(i, j int) bool { return bytes.Compare(wantUpdates[i].PubKey, wantUpdates[j].PubKey) < 0 })
		if !slices.EqualFunc(vscs[0].ValidatorUpdates, wantUpdates, func(a, b ccv.ValidatorUpdate) bool {
			return bytes.Equal(a.PubKey, b.PubKey) && a.Power == b.Power
		}) {
			t.Fatalf("updates to %s: %+v", ch, vscs[0].ValidatorUpdates)
		}
		var wantAcks []string
		for v := range acked[ch] {
			wantAcks = append(wantAcks, address.Encode("cosmosvalcons", consAddrOf(v)))
		}
		got := slices.Clone(vscs[0].SlashAcks)
		slices.Sort(got)
		slices.Sort(wantAcks)
		if !slices.Equal(got, wantAcks) {
			t.Fatalf("slash acks to %s: %v, want %v", ch, got, wantAcks)
		}
	}
	if m := h.k.SlashMeter(h.s); m.Meter != -10 {
		t.Fatalf("meter refilled before the period: %+v", m)
	}

	// One period after genesis the meter refills by 5% of the power left
	// bonded (1890 -> 94), from -10 to 84.
	h.now = t0.Add(time.Hour)
	h.block()
	if m := h.k.SlashMeter(h.s); m.Meter != 84 || m.Allowance != 94 || m.LastReplenish != t0.Add(time.Hour).UnixNano() {
		t.Fatalf("meter after one period %+v, want 84/94", m)
	}
	model.meter = 84
	retry := bounced
	bounced = nil
	for _, d := range retry {
		before := h.hash()
		want := model.deliver(d.val)
		if got := result(t, h.recv(d.ch, downtime(d.val))); got != want {
			t.Fatalf("retry for validator %d: result %d, want %d", d.val, got, want)
		}
		if want == ccv.ResultBounced {
			h.mustUnchanged(before, "a bounced retry")
			bounced = append(bounced, d)
		}
	}
	// 84, 74, ..., 4 is nine more packets, leaving the meter at -6.
	mustJailed(t, h, 0, 20)
	if m := h.k.SlashMeter(h.s); m.Meter != -6 {
		t.Fatalf("meter after the retries %+v, want -6", m)
	}

	// Packets for validators jailed in an earlier block (now unbonded) are
	// handled and change nothing, even with the meter negative.
	h.block()
	before := h.hash()
	for v := range 20 {
		if got := result(t, h.recv(chA, downtime(v))); got != ccv.ResultHandled {
			t.Fatalf("packet for jailed validator %d: result %d", v, got)
		}
	}
	h.mustUnchanged(before, "packets for unbonded validators")
	mustJailed(t, h, 0, 20)

	// Double signing is never throttled and never jails by packet.
	mustDoubleSignHandled(t, h, chA, 150, 0)
	mustDoubleSignHandled(t, h, chB, 151, 1)

	// The next period refills from -6 by 5% of 1800.
	h.now = t0.Add(2 * time.Hour)
	h.block()
	if m := h.k.SlashMeter(h.s); m.Meter != 84 || m.Allowance != 90 {
		t.Fatalf("meter after two periods %+v, want 84/90", m)
	}
	// A full meter stays capped at the allowance.
	h.now = t0.Add(3 * time.Hour)
	h.block()
	h.now = t0.Add(4 * time.Hour)
	h.block()
	if m := h.k.SlashMeter(h.s); m.Meter != 90 || m.Allowance != 90 {
		t.Fatalf("meter after four periods %+v, want 90/90", m)
	}
}

// countRepeatsOfJailed counts the deliveries for validators below n after
// their first one.
func countRepeatsOfJailed(ds []delivery, n int) int {
	seen := map[int]bool{}
	c := 0
	for _, d := range ds {
		if d.val < n {
			if seen[d.val] {
				c++
			}
			seen[d.val] = true
		}
	}
	return c
}

// mustJailed checks that staking jailed exactly validators lo..hi-1, in
// order, once each.
func mustJailed(t *testing.T, h *harness, lo, hi int) {
	t.Helper()
	if len(h.st.jails) != hi-lo {
		t.Fatalf("%d jail calls, want %d", len(h.st.jails), hi-lo)
	}
	for i, a := range h.st.jails {
		if !bytes.Equal(a, consAddrOf(lo+i)) {
			t.Fatalf("jail call %d for %X, want validator %d", i, a, lo+i)
		}
	}
}

func mustDoubleSignHandled(t *testing.T, h *harness, ch string, v int, vscID uint64) {
	t.Helper()
	before, calls, meter := h.hash(), h.st.calls(), h.k.SlashMeter(h.s)
	if got := result(t, h.recv(ch, slashData(consAddrOf(v), vscID, ccv.InfractionDoubleSign))); got != ccv.ResultHandled {
		t.Fatalf("double-sign packet: result %d", got)
	}
	h.mustUnchanged(before, "a double-sign packet")
	if h.st.calls() != calls || h.k.SlashMeter(h.s) != meter {
		t.Fatal("a double-sign packet punished or moved the meter")
	}
}

// TestSlashPacketInfractionHeight checks what a handled downtime packet
// asks of staking: the infraction height is the height its vsc id maps to
// (the init height for id 0), the power is the validator's, and the
// fraction and jail duration are the parameters'.
func TestSlashPacketInfractionHeight(t *testing.T) {
	p := testParams()
	p.DowntimeSlashFraction = fraction.New(1, 10)
	p.DowntimeJailDuration = time.Hour
	p.SlashMeterReplenishFraction = fraction.New(1, 1)
	h := newHarness(t, 4, p)
	ch := h.run("consumer")
	initHeight := h.consumer("consumer").InitHeight
	h.blocksUntil(11) // epochs at 5 and 10: vsc ids 1 and 2
	if got, ok := h.k.VSC().VSCHeight(h.s, 2); !ok || got != 11 {
		t.Fatalf("vsc 2 maps to height %d, %v; want 11", got, ok)
	}
	for _, c := range []struct {
		val        int
		vscID      uint64
		infraction int64
	}{{0, 0, initHeight}, {1, 1, 6}, {2, 2, 11}} {
		n := len(h.st.slashes)
		if got := result(t, h.recv(ch, slashData(consAddrOf(c.val), c.vscID, ccv.InfractionDowntime))); got != ccv.ResultHandled {
			t.Fatalf("result %d", got)
		}
		if len(h.st.slashes) != n+1 {
			t.Fatalf("validator %d not slashed", c.val)
		}
		s := h.st.slashes[n]
		if !bytes.Equal(s.addr, consAddrOf(c.val)) || s.infractionHeight != c.infraction || s.power != 10 ||
			s.frac != p.DowntimeSlashFraction || s.height != h.height {
			t.Fatalf("slash %+v, want infraction height %d", s, c.infraction)
		}
		if until := h.st.jailUntil[len(h.st.jailUntil)-1]; !until.Equal(h.now.Add(time.Hour)) {
			t.Fatalf("jailed until %s", until)
		}
	}
	// The meter subtracts the power before the slash.
	if m := h.k.SlashMeter(h.s); m.Meter != m.Allowance-30 {
		t.Fatalf("meter %+v", m)
	}
	// The next VSC acknowledges the three packets and removes the three
	// validators.
	sent := len(h.ch.sent)
	h.blocksUntil(16)
	vscs := h.ch.vscsTo(t, ch, sent)
	if len(vscs) != 1 {
		t.Fatalf("VSCs %+v", vscs)
	}
	var want []string
	for v := range 3 {
		want = append(want, address.Encode("cosmosvalcons", consAddrOf(v)))
	}
	got := slices.Clone(vscs[0].SlashAcks)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) || len(vscs[0].ValidatorUpdates) != 3 {
		t.Fatalf("VSC %+v, want acks %v", vscs[0], want)
	}
}

// TestThrottleProperty runs random sequences of downtime packets, blocks
// and waits against a reference of SPEC 7 with validators of random
// power: every result and the meter after every step agree with it.
func TestThrottleProperty(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		powers := rapid.SliceOfN(rapid.Int64Range(1, 50), 1, 12).Draw(rt, "powers")
		percent := rapid.Uint64Range(1, 100).Draw(rt, "replenish_percent")
		p := testParams()
		p.BlocksPerEpoch = 1000
		p.SlashMeterReplenishFraction = fraction.New(percent, 100)
		h := newHarnessWith(t, powers, p)
		ch := h.run("consumer")

		// The reference.
		jailed, unbonded := map[int]bool{}, map[int]bool{}
		allowanceOf := func() int64 {
			var total int64
			for i, pw := range powers {
				if !unbonded[i] {
					total += pw
				}
			}
			return max(total*int64(percent)/100, 1)
		}
		allowance := allowanceOf()
		meter, last := allowance, t0

		for step := range rapid.IntRange(1, 60).Draw(rt, "steps") {
			switch rapid.IntRange(0, 3).Draw(rt, "action") {
			case 0, 1: // a downtime packet
				v := rapid.IntRange(0, len(powers)-1).Draw(rt, "validator")
				want := ccv.ResultBounced
				switch {
				case unbonded[v] || jailed[v]:
					want = ccv.ResultHandled
				case meter >= 0:
					want = ccv.ResultHandled
					jailed[v] = true
					meter -= powers[v]
				}
				if got := result(rt, h.recv(ch, downtime(v))); got != want {
					rt.Fatalf("step %d: packet for validator %d: result %d, want %d", step, v, got, want)
				}
			case 2: // the end of a block
				for v := range jailed {
					unbonded[v] = true
				}
				if !h.now.Before(last.Add(p.SlashMeterReplenishPeriod)) {
					allowance = allowanceOf()
					meter = min(meter+allowance, allowance)
					last = h.now
				}
				h.block()
			case 3: // time passes
				h.now = h.now.Add(time.Duration(rapid.Int64Range(0, int64(2*time.Hour)).Draw(rt, "wait")))
			}
			if m := h.k.SlashMeter(h.s); m.Meter != meter || m.Allowance != allowance {
				rt.Fatalf("step %d: meter %d/%d, want %d/%d", step, m.Meter, m.Allowance, meter, allowance)
			}
		}
		for i := range powers {
			n := 0
			for _, a := range h.st.jails {
				if bytes.Equal(a, consAddrOf(i)) {
					n++
				}
			}
			if n > 1 || (n == 1) != jailed[i] {
				rt.Fatalf("validator %d jailed %d times, reference %v", i, n, jailed[i])
			}
		}
	})
}
