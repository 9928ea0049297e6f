package consumer

import (
	"errors"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"

	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/state"
)

func vscmIDs(t *testing.T, ps []ccv.ConsumerPacketData) []uint64 {
	t.Helper()
	var ids []uint64
	for _, p := range ps {
		if p.Type != ccv.ConsumerPacketTypeVSCM {
			t.Fatalf("sent %s, want VSCMatured", p.Type)
		}
		ids = append(ids, p.VSCMatured.ValsetUpdateID)
	}
	return ids
}

func equalIDs(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestVSCMaturedInOrderWhenDue(t *testing.T) {
	h := newHarness(t, 1, true)
	p, _ := h.k.Params(h.s)
	genesisHeight := h.height

	mustReceive(t, h.recv(vsc(1)))
	t1, h1 := h.now, h.height
	h.block()
	h.now = h.now.Add(10 * time.Minute)
	mustReceive(t, h.recv(vsc(2)))
	mustReceive(t, h.recv(vsc(3)))
	t2, h2 := h.now, h.height
	h.block()

	h.now = t1.Add(p.UnbondingPeriod).Add(-time.Nanosecond)
	if _, evs := h.block(); len(h.ch.sent) != 0 || len(eventsOf(evs, EventTypeVSCMatured)) != 0 {
		t.Fatalf("VSCMatured sent before maturity: %d", len(h.ch.sent))
	}

	h.now = t1.Add(p.UnbondingPeriod)
	sendTime := h.now
	_, evs := h.block()
	if got := vscmIDs(t, h.sentPackets(0)); !equalIDs(got, []uint64{1}) {
		t.Fatalf("sent %v, want [1]", got)
	}
	if ev := eventsOf(evs, EventTypeVSCMatured); len(ev) != 1 || attr(ev[0], AttributeValSetUpdateID) != "1" ||
		attr(ev[0], AttributeModule) != AttributeValueModule || attr(ev[0], AttributeConsumerHeight) == "" {
		t.Errorf("events %v", evs)
	}
	sent := h.ch.sent[0]
	if !sent.TimeoutHeight.IsZero() || sent.TimeoutTimestamp != uint64(sendTime.Add(p.CcvTimeoutPeriod).UnixNano()) ||
		sent.SourcePort != ccv.ConsumerPortID || sent.SourceChannel != ccvChannel {
		t.Errorf("sent packet %+v", sent)
	}
	if len(h.k.PendingPackets(h.s)) != 0 {
		t.Error("a sent VSCMatured packet stayed queued")
	}
	// Pruning: the genesis record is gone, the record of id 1 stays.
	if _, ok := h.k.HeightToVSCID(h.s, genesisHeight); ok {
		t.Error("height record of vscId 0 not pruned")
	}
	if id, ok := h.k.HeightToVSCID(h.s, h1+1); !ok || id != 1 {
		t.Errorf("HeightToVSCID(%d) = %d %v", h1+1, id, ok)
	}
	if id, _ := h.k.HeightToVSCID(h.s, h.height); id != 3 {
		t.Errorf("current vscId %d", id)
	}

	h.now = t2.Add(p.UnbondingPeriod).Add(time.Minute)
	h.block()
	if got := vscmIDs(t, h.sentPackets(1)); !equalIDs(got, []uint64{2, 3}) {
		t.Fatalf("sent %v, want [2 3]", got)
	}
	if id, ok := h.k.HeightToVSCID(h.s, h2+1); !ok || id != 3 {
		t.Errorf("HeightToVSCID(%d) = %d %v", h2+1, id, ok)
	}
	if _, ok := h.k.HeightToVSCID(h.s, h1+1); ok {
		t.Error("height record of vscId 1 not pruned")
	}
	h.now = h.now.Add(100 * time.Hour)
	h.block()
	if len(h.ch.sent) != 3 {
		t.Errorf("%d packets sent, want 3", len(h.ch.sent))
	}
}

func TestSendFailureRetried(t *testing.T) {
	h := newHarness(t, 1, true)
	mustReceive(t, h.recv(vsc(1)))
	mustReceive(t, h.recv(vsc(2)))
	h.block()
	h.now = h.now.Add(2 * time.Hour)
	h.ch.sendErr = errors.New("client expired")
	h.block()
	if len(h.ch.sent) != 0 || len(h.k.PendingPackets(h.s)) != 2 {
		t.Fatalf("sent %d, queued %d", len(h.ch.sent), len(h.k.PendingPackets(h.s)))
	}
	h.ch.sendErr = nil
	h.block()
	if got := vscmIDs(t, h.sentPackets(0)); !equalIDs(got, []uint64{1, 2}) || len(h.k.PendingPackets(h.s)) != 0 {
		t.Fatalf("sent %v", got)
	}
}

// downUntilReported runs blocks in which validator i misses until it is
// reported, and returns the events of that block.
func (h *harness) downUntilReported(i int, power int64) []abci.Event {
	h.t.Helper()
	for range 100 {
		_, evs := h.block(vote(i, power, false))
		if len(eventsOf(evs, EventTypeConsumerSlashRequest)) > 0 {
			return evs
		}
	}
	h.t.Fatalf("validator %d never reported", i)
	return nil
}

func TestSlashBounceRetry(t *testing.T) {
	h := newHarness(t, 3, true)
	p, _ := h.k.Params(h.s)
	mustReceive(t, h.recv(vsc(1)))
	h.block()
	h.downUntilReported(2, 12)
	if len(h.ch.sent) != 1 {
		t.Fatalf("%d packets sent, want the slash", len(h.ch.sent))
	}
	slash := h.ch.sent[0]
	if d := h.sentPackets(0)[0]; d.Type != ccv.ConsumerPacketTypeSlash {
		t.Fatalf("sent %v", d)
	}
	q := h.k.PendingPackets(h.s)
	if len(q) != 1 || q[0].State != PACKET_STATE_SENT || q[0].Sequence != slash.Sequence {
		t.Fatalf("queue %+v", q)
	}

	// VSC 1 matures while the slash is in flight: queued, not sent.
	h.now = h.now.Add(p.UnbondingPeriod)
	h.block()
	if len(h.ch.sent) != 1 || len(h.k.PendingPackets(h.s)) != 2 {
		t.Fatalf("sent %d, queued %d while a slash is in flight", len(h.ch.sent), len(h.k.PendingPackets(h.s)))
	}

	// Bounced: nothing is sent until the retry time.
	bounceTime := h.now
	h.ack(slash, resultAck(ccv.ResultBounced))
	q = h.k.PendingPackets(h.s)
	if q[0].State != PACKET_STATE_BOUNCED || q[0].RetryAtNs != bounceTime.Add(p.RetryDelayPeriod).UnixNano() {
		t.Fatalf("head after bounce %+v", q[0])
	}
	for h.now.Before(bounceTime.Add(p.RetryDelayPeriod)) {
		h.block()
		if len(h.ch.sent) != 1 {
			t.Fatalf("sent at %s, before the retry time", h.now)
		}
		h.now = h.now.Add(time.Minute)
	}
	h.now = bounceTime.Add(p.RetryDelayPeriod)
	h.block()
	if len(h.ch.sent) != 2 {
		t.Fatalf("%d sent, want the slash again", len(h.ch.sent))
	}
	resent := h.ch.sent[1]
	if string(resent.Data) != string(slash.Data) {
		t.Fatal("the retried slash differs")
	}
	h.block()
	if len(h.ch.sent) != 2 {
		t.Fatal("sent behind a slash in flight")
	}

	// A stale acknowledgement (the first send) changes nothing.
	h.ack(slash, resultAck(ccv.ResultHandled))
	if q := h.k.PendingPackets(h.s); len(q) != 2 || q[0].State != PACKET_STATE_SENT {
		t.Fatalf("queue after stale ack %+v", q)
	}

	// Handled: the slash leaves and the VSCMatured flows.
	h.ack(resent, resultAck(ccv.ResultHandled))
	if q := h.k.PendingPackets(h.s); len(q) != 1 || q[0].Kind != PACKET_KIND_VSC_MATURED {
		t.Fatalf("queue after handled %+v", q)
	}
	h.block()
	if got := vscmIDs(t, h.sentPackets(2)); !equalIDs(got, []uint64{1}) {
		t.Fatalf("sent %v", got)
	}
	if len(h.k.PendingPackets(h.s)) != 0 {
		t.Fatal("queue not empty")
	}
	// The VSCMatured acknowledgement needs nothing.
	h.ack(h.ch.sent[2], resultAck(ccv.ResultReceived))
}

func TestSlashResults(t *testing.T) {
	for _, tc := range []struct {
		name    string
		result  []byte
		removed bool
	}{
		{"received", []byte{ccv.ResultReceived}, true},
		{"handled", []byte{ccv.ResultHandled}, true},
		{"bounced", []byte{ccv.ResultBounced}, false},
		{"unknown byte", []byte{9}, false},
		{"two bytes", []byte{ccv.ResultHandled, 0}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, 3, true)
			h.downUntilReported(1, 11)
			h.ack(h.ch.sent[0], channeltypes.NewResultAcknowledgement(tc.result))
			q := h.k.PendingPackets(h.s)
			if tc.removed != (len(q) == 0) {
				t.Fatalf("queue %+v", q)
			}
			if !tc.removed && q[0].State != PACKET_STATE_BOUNCED {
				t.Fatalf("head %+v, want bounced", q[0])
			}
			if h.k.Stopped(h.s) {
				t.Fatal("a result acknowledgement stopped the consumer")
			}
		})
	}
}

func TestErrorAckCloses(t *testing.T) {
	h := newHarness(t, 3, true)
	mustReceive(t, h.recv(vsc(1)))
	h.block()
	h.downUntilReported(2, 12)
	errAck := channeltypes.NewErrorAcknowledgement(errors.New("boom"))
	h.ack(h.ch.sent[0], errAck)
	if !h.k.Stopped(h.s) || len(h.ch.closed) != 1 || h.ch.closed[0] != ccv.ConsumerPortID+"/"+ccvChannel {
		t.Fatalf("stopped %v, closed %v", h.k.Stopped(h.s), h.ch.closed)
	}
	// Nothing more is sent or detected; the set stays.
	h.now = h.now.Add(100 * time.Hour)
	for range 20 {
		ups, evs := h.block(vote(1, 11, false))
		if ups != nil || len(evs) != 0 {
			t.Fatalf("a stopped consumer returned %v %v", ups, evs)
		}
	}
	if len(h.ch.sent) != 1 || len(h.k.ValidatorSet(h.s)) != 3 {
		t.Fatalf("sent %d after stopping", len(h.ch.sent))
	}
	evs := AckEvents(h.ch.sent[0], errAck)
	if len(evs) != 1 || attr(evs[0], AttributeKeyAckSuccess) != "false" || attr(evs[0], AttributeKeyAckError) == "" ||
		attr(evs[0], AttributeKeyAck) != string(errAck.Acknowledgement()) {
		t.Errorf("ack events %v", evs)
	}
}

func TestCloseFailureRetried(t *testing.T) {
	h := newHarness(t, 2, true)
	h.downUntilReported(1, 11)
	h.ch.closeErr = errors.New("client expired")
	h.ack(h.ch.sent[0], channeltypes.NewErrorAcknowledgement(errors.New("boom")))
	if !h.k.Stopped(h.s) || len(h.ch.closed) != 0 {
		t.Fatal("not stopped, or closed despite the error")
	}
	h.block()
	h.ch.closeErr = nil
	_, evs := h.block()
	if len(h.ch.closed) != 1 || len(evs) != 1 {
		t.Fatalf("closed %v, events %v", h.ch.closed, evs)
	}
	h.block()
	if len(h.ch.closed) != 1 {
		t.Fatal("closed twice")
	}
}

func TestTimeoutStops(t *testing.T) {
	h := newHarness(t, 2, true)
	mustReceive(t, h.recv(vsc(1, upd(4, 9))))
	h.downUntilReported(1, 11)
	if _, err := h.k.OnTimeoutPacket(h.s, h.height, h.now, h.ch.sent[0], nil); err != nil {
		t.Fatal(err)
	}
	if !h.k.Stopped(h.s) {
		t.Fatal("timeout did not stop the consumer")
	}
	h.now = h.now.Add(100 * time.Hour)
	h.block()
	if len(h.ch.sent) != 1 || len(h.ch.closed) != 0 {
		t.Fatalf("sent %d, closed %v after a timeout", len(h.ch.sent), h.ch.closed)
	}
	if _, ok := h.k.Validator(h.s, addrOf(4)); !ok {
		t.Fatal("the last validator set was lost")
	}
	if evs := TimeoutEvents(h.ch.sent[0]); len(evs) != 1 || evs[0].Type != EventTypeTimeout {
		t.Errorf("timeout events %v", evs)
	}
	// A timeout on another channel is not ours.
	h2 := newHarness(t, 2, true)
	p := h.ch.sent[0]
	p.SourceChannel = "channel-9"
	if _, err := h2.k.OnTimeoutPacket(h2.s, h2.height, h2.now, p, nil); err != nil || h2.k.Stopped(h2.s) {
		t.Fatalf("foreign timeout: %v, stopped %v", err, h2.k.Stopped(h2.s))
	}
}

// Packets queued before the channel is established wait for it.
func TestPacketsWaitForChannel(t *testing.T) {
	h := newHarness(t, 3, false)
	h.downUntilReported(2, 12)
	if len(h.ch.sent) != 0 || len(h.k.PendingPackets(h.s)) != 1 {
		t.Fatalf("sent %d, queued %d", len(h.ch.sent), len(h.k.PendingPackets(h.s)))
	}
	h.open()
	h.block()
	if ps := h.sentPackets(0); len(ps) != 1 || ps[0].Type != ccv.ConsumerPacketTypeSlash {
		t.Fatalf("sent %v", ps)
	}
}

func TestQueueBound(t *testing.T) {
	h := newHarness(t, 3, false)
	for i := range MaxPendingPackets {
		if !h.k.enqueue(h.s, PendingPacket{Kind: PACKET_KIND_VSC_MATURED, ValsetUpdateId: uint64(i)}) {
			t.Fatalf("packet %d refused", i)
		}
	}
	if h.k.enqueue(h.s, PendingPacket{Kind: PACKET_KIND_VSC_MATURED}) {
		t.Fatal("queue grew past its bound")
	}
	// A downtime that does not fit is neither flagged nor forgotten.
	for range 30 {
		h.block(vote(2, 12, false))
	}
	if h.k.Outstanding(h.s, addrOf(2)) || len(h.k.PendingPackets(h.s)) != MaxPendingPackets {
		t.Fatal("a slash beyond the bound was queued or flagged")
	}
	info, _ := h.k.SigningInfo(h.s, addrOf(2))
	if info.MissedBlocks != 10 {
		t.Fatalf("window %+v, want full", info)
	}
	// A maturity that does not fit keeps its record.
	h.open()
	h.ch.sendErr = errors.New("down")
	mustReceive(t, h.recv(vsc(1)))
	h.now = h.now.Add(2 * time.Hour)
	h.block()
	var n int
	it := kv(h.s).Iterator([]byte{prefixMaturity}, state.PrefixEnd([]byte{prefixMaturity}))
	for ; it.Valid(); it.Next() {
		n++
	}
	it.Close()
	if n != 1 {
		t.Fatalf("%d maturity records, want the one that did not fit", n)
	}
	// Once the queue drains, both follow.
	h.ch.sendErr = nil
	h.block()
	h.block()
	h.block(vote(2, 12, false))
	ps := h.sentPackets(MaxPendingPackets)
	if len(ps) != 2 || ps[0].Type != ccv.ConsumerPacketTypeVSCM || ps[0].VSCMatured.ValsetUpdateID != 1 || ps[1].Type != ccv.ConsumerPacketTypeSlash {
		t.Fatalf("after draining sent %v", ps)
	}
}
