package consumer

import (
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/types/fraction"
)

func TestDowntimeOnePerEpisode(t *testing.T) {
	h := newHarness(t, 3, true)
	var reports []abci.Event
	for n := 1; n <= 40; n++ {
		_, evs := h.block(vote(0, 10, true), vote(1, 11, true), vote(2, 99, false))
		if ev := eventsOf(evs, EventTypeConsumerSlashRequest); len(ev) > 0 {
			if n < 10 {
				t.Fatalf("reported after %d blocks, before the window filled", n)
			}
			reports = append(reports, ev...)
		}
	}
	if len(reports) != 1 {
		t.Fatalf("%d reports, want 1", len(reports))
	}
	ev := reports[0]
	if attr(ev, AttributeValidatorAddress) != bech(addrOf(2)) || attr(ev, AttributeValSetUpdateID) != "0" ||
		attr(ev, AttributeInfractionType) != "INFRACTION_TYPE_DOWNTIME" || attr(ev, AttributeModule) != AttributeValueModule {
		t.Errorf("event %v", ev)
	}
	ps := h.sentPackets(0)
	if len(ps) != 1 || ps[0].Type != ccv.ConsumerPacketTypeSlash {
		t.Fatalf("sent %v", ps)
	}
	want := ccv.SlashPacketData{Validator: ccv.Validator{Address: addrOf(2), Power: 99}, ValsetUpdateID: 0, Infraction: ccv.InfractionDowntime}
	if got := *ps[0].Slash; string(got.Validator.Address) != string(want.Validator.Address) || got.Validator.Power != 99 ||
		got.ValsetUpdateID != 0 || got.Infraction != ccv.InfractionDowntime {
		t.Errorf("slash %+v, want %+v", got, want)
	}
	if !h.k.Outstanding(h.s, addrOf(2)) || h.k.Outstanding(h.s, addrOf(1)) {
		t.Error("outstanding flags wrong")
	}

	// The provider handles it: still outstanding, no new report.
	h.ack(h.ch.sent[0], resultAck(ccv.ResultHandled))
	for range 20 {
		if _, evs := h.block(vote(2, 99, false)); len(eventsOf(evs, EventTypeConsumerSlashRequest)) > 0 {
			t.Fatal("reported again while outstanding")
		}
	}
	// The provider acknowledges it in a VSC: the window kept counting, so
	// the next BeginBlock reports again, for a height where vscId 8 was
	// not yet in force.
	d := vsc(8)
	d.SlashAcks = []string{bech(addrOf(2))}
	mustReceive(t, h.recv(d))
	_, evs := h.block(vote(2, 99, false))
	ev2 := eventsOf(evs, EventTypeConsumerSlashRequest)
	if len(ev2) != 1 || attr(ev2[0], AttributeValSetUpdateID) != "0" {
		t.Fatalf("second report: %v", evs)
	}
	if h.sentPackets(1)[0].Slash.ValsetUpdateID != 0 {
		t.Fatal("second slash packet under the wrong vscId")
	}
	// The third report, after another acknowledgement, names vscId 8.
	h.ack(h.ch.sent[1], resultAck(ccv.ResultHandled))
	d = vsc(9)
	d.SlashAcks = []string{bech(addrOf(2))}
	mustReceive(t, h.recv(d))
	h.downUntilReported(2, 99)
	if got := h.sentPackets(2)[0].Slash.ValsetUpdateID; got != 9 {
		t.Fatalf("third slash under vscId %d, want 9", got)
	}
}

func TestDowntimeVSCID(t *testing.T) {
	h := newHarness(t, 3, true)
	mustReceive(t, h.recv(vsc(7)))
	h.block()
	h.downUntilReported(1, 11)
	ps := h.sentPackets(0)
	if len(ps) != 1 || ps[0].Slash.ValsetUpdateID != 7 {
		t.Fatalf("sent %v, want a slash under vscId 7", ps)
	}
	q := h.k.PendingPackets(h.s)
	if len(q) != 1 || q[0].ValsetUpdateId != 7 || q[0].Kind != PACKET_KIND_SLASH || q[0].Infraction != ccv.InfractionDowntime ||
		string(q[0].ValidatorAddress) != string(addrOf(1)) || q[0].ValidatorPower != 11 {
		t.Fatalf("queue %+v", q)
	}
}

func TestDowntimeThreshold(t *testing.T) {
	for _, tc := range []struct {
		name     string
		missed   int // of the first window of 10
		reported bool
	}{
		{"half", 5, false},
		{"more than half", 6, true},
		{"none", 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, 3, true)
			var got bool
			for n := range 30 {
				_, evs := h.block(vote(2, 12, n%10 >= tc.missed))
				if len(eventsOf(evs, EventTypeConsumerSlashRequest)) > 0 {
					if n != 9 {
						t.Fatalf("reported at block %d", n)
					}
					got = true
				}
			}
			if got != tc.reported {
				t.Fatalf("reported %v, want %v", got, tc.reported)
			}
		})
	}
	// MinSignedPerWindow 0 tolerates everything but missing the whole window.
	h := newBare(t)
	g := genesis(t, 2)
	g.Params.MinSignedPerWindow = fraction.New(0, 1)
	if _, err := h.k.InitGenesis(h.s, g, 1, t0); err != nil {
		t.Fatal(err)
	}
	for range 30 {
		if _, evs := h.block(vote(1, 11, false)); len(evs) != 0 {
			t.Fatal("reported with MinSignedPerWindow 0")
		}
	}
}

func TestDowntimeIgnoresNonMembers(t *testing.T) {
	h := newHarness(t, 2, true)
	for range 30 {
		if _, evs := h.block(vote(9, 10, false)); len(evs) != 0 {
			t.Fatalf("events for a non-member: %v", evs)
		}
	}
	if _, ok := h.k.SigningInfo(h.s, addrOf(9)); ok {
		t.Fatal("window state for a non-member")
	}
	odd := abci.VoteInfo{Validator: abci.Validator{Address: []byte{1, 2, 3}, Power: -5}}
	if _, err := h.k.BeginBlock(h.s, h.height, h.now, abci.CommitInfo{Votes: []abci.VoteInfo{odd, {}}}); err != nil {
		t.Fatal(err)
	}
}

func TestRemovedValidatorLosesWindow(t *testing.T) {
	h := newHarness(t, 3, true)
	h.downUntilReported(2, 12)
	for range 3 {
		h.block(vote(2, 12, false))
	}
	if _, ok := h.k.SigningInfo(h.s, addrOf(2)); !ok || !h.k.Outstanding(h.s, addrOf(2)) {
		t.Fatal("no window state")
	}
	mustReceive(t, h.recv(vsc(1, upd(2, 0))))
	h.block()
	if _, ok := h.k.SigningInfo(h.s, addrOf(2)); ok || h.k.Outstanding(h.s, addrOf(2)) {
		t.Fatal("a removed validator kept its window or flag")
	}
	p := []byte{prefixMissed}
	it := kv(h.s).Iterator(p, state.PrefixEnd(p))
	defer it.Close()
	if it.Valid() {
		t.Fatalf("missed-block key %x left", it.Key())
	}
}

// TestDowntimeWithoutPowerNotReported: a member reported by CometBFT with
// no power is never put in a slash packet, which the provider would refuse
// (power 0 is invalid, ccv.SlashPacketData.Validate) with an error
// acknowledgement that stops the consumer.
func TestDowntimeWithoutPowerNotReported(t *testing.T) {
	h := newHarness(t, 3, true)
	for range 30 {
		if _, evs := h.block(vote(2, 0, false)); len(eventsOf(evs, EventTypeConsumerSlashRequest)) > 0 {
			t.Fatal("reported a validator without power")
		}
	}
	if len(h.k.PendingPackets(h.s)) != 0 || len(h.ch.sent) != 0 {
		t.Fatal("a slash packet was queued or sent")
	}
	// With its power, the same validator is reported at once: its window is full.
	h.downUntilReported(2, 12)
	if p := h.sentPackets(0); len(p) != 1 || p[0].Slash.Validator.Power != 12 {
		t.Fatalf("sent %v", p)
	}
}
