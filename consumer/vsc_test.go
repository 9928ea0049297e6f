package consumer

import (
	"bytes"
	"reflect"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cmttypes "github.com/cometbft/cometbft/types"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"

	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/types/address"
)

// powers returns the validator set as index -> power for validators
// 0..n-1 that are in it.
func (h *harness) powers(n int) map[int]int64 {
	out := map[int]int64{}
	for i := range n {
		if v, ok := h.k.Validator(h.s, addrOf(i)); ok {
			out[i] = v.Power
		}
	}
	return out
}

func checkUpdates(t *testing.T, got []abci.ValidatorUpdate, want ...ccv.ValidatorUpdate) {
	t.Helper()
	w := append([]ccv.ValidatorUpdate(nil), want...)
	sortUpdates(w)
	if !reflect.DeepEqual(got, ccv.ABCIValidatorUpdates(w)) {
		t.Fatalf("updates\n%v\nwant\n%v", got, ccv.ABCIValidatorUpdates(w))
	}
}

func TestVSCApply(t *testing.T) {
	h := newHarness(t, 3, true)
	mustReceive(t, h.recv(vsc(1, upd(0, 50), upd(5, 7), upd(1, 0))))
	if got := h.k.PendingChanges(h.s); len(got) != 3 {
		t.Fatalf("%d pending changes", len(got))
	}
	if !reflect.DeepEqual(h.powers(6), map[int]int64{0: 10, 1: 11, 2: 12}) {
		t.Fatal("the set changed before EndBlock")
	}
	recvHeight := h.height
	ups, _ := h.block()
	checkUpdates(t, ups, upd(0, 50), upd(5, 7), upd(1, 0))
	if got := h.powers(6); !reflect.DeepEqual(got, map[int]int64{0: 50, 2: 12, 5: 7}) {
		t.Fatalf("set %v", got)
	}
	if v, _ := h.k.Validator(h.s, addrOf(5)); !bytes.Equal(v.PubKey, pubKey(5)) || !bytes.Equal(v.Address, addrOf(5)) {
		t.Errorf("new validator stored as %+v", v)
	}
	if len(h.k.PendingChanges(h.s)) != 0 {
		t.Error("pending changes not cleared")
	}
	if id, ok := h.k.HighestVSCID(h.s); !ok || id != 1 {
		t.Errorf("highest %d %v", id, ok)
	}
	if id, _ := h.k.HeightToVSCID(h.s, recvHeight); id != 0 {
		t.Errorf("vscId at the receive height %d, want 0", id)
	}
	if id, _ := h.k.HeightToVSCID(h.s, recvHeight+1); id != 1 {
		t.Errorf("vscId at the next height %d, want 1", id)
	}
	if ups, _ := h.block(); ups != nil {
		t.Errorf("updates returned twice: %v", ups)
	}
}

func TestVSCAccumulation(t *testing.T) {
	h := newHarness(t, 2, true)
	mustReceive(t, h.recv(vsc(1, upd(0, 20), upd(5, 3))))
	mustReceive(t, h.recv(vsc(2, upd(5, 0), upd(0, 30), upd(6, 4))))
	mustReceive(t, h.recv(vsc(4, upd(6, 9), upd(6, 11), upd(1, 11))))
	ups, _ := h.block()
	// Validator 5 came and went within the block: CometBFT never hears of
	// it. Validator 1 keeps its power: no update. Last update wins.
	checkUpdates(t, ups, upd(0, 30), upd(6, 11))
	seen := map[string]bool{}
	for _, u := range ups {
		k := string(u.PubKey.GetEd25519())
		if seen[k] {
			t.Fatal("duplicate key in updates")
		}
		seen[k] = true
	}
	if got := h.powers(7); !reflect.DeepEqual(got, map[int]int64{0: 30, 1: 11, 6: 11}) {
		t.Fatalf("set %v", got)
	}
	if id, _ := h.k.HighestVSCID(h.s); id != 4 {
		t.Errorf("highest %d", id)
	}
}

// A batch that would empty the set (or overflow CometBFT's power limit)
// is kept pending instead of halting the chain, and applied with later
// updates once the result is valid.
func TestInvalidSetKeptPending(t *testing.T) {
	h := newHarness(t, 2, true)
	mustReceive(t, h.recv(vsc(1, upd(0, 0), upd(1, 0))))
	if ups, _ := h.block(); ups != nil {
		t.Fatalf("emptying updates applied: %v", ups)
	}
	if len(h.k.ValidatorSet(h.s)) != 2 || len(h.k.PendingChanges(h.s)) != 2 {
		t.Fatal("state changed")
	}
	mustReceive(t, h.recv(vsc(2, upd(9, 5))))
	ups, _ := h.block()
	checkUpdates(t, ups, upd(0, 0), upd(1, 0), upd(9, 5))
	if got := h.powers(10); !reflect.DeepEqual(got, map[int]int64{9: 5}) {
		t.Fatalf("set %v", got)
	}

	mustReceive(t, h.recv(vsc(3, upd(3, cmttypes.MaxTotalVotingPower-5), upd(4, 1))))
	if ups, _ := h.block(); ups != nil {
		t.Fatalf("overflowing updates applied: %v", ups)
	}
	mustReceive(t, h.recv(vsc(4, upd(4, 0))))
	ups, _ = h.block()
	checkUpdates(t, ups, upd(3, cmttypes.MaxTotalVotingPower-5))
}

func TestVSCRejects(t *testing.T) {
	const (
		textData    = "ABCI code: 2: error handling packet: see events for details"
		textChannel = "ABCI code: 5: error handling packet: see events for details"
		textVSCID   = "ABCI code: 11: error handling packet: see events for details"
	)
	good := vsc(5, upd(0, 1)).Bytes()
	cases := []struct {
		name   string
		setup  func(h *harness)
		packet func(h *harness) channeltypes.Packet
		want   string
	}{
		{"not JSON", nil, func(h *harness) channeltypes.Packet { return h.vscPacket([]byte("{")) }, textData},
		{"a consumer packet", nil, func(h *harness) channeltypes.Packet {
			return h.vscPacket(ccv.NewVSCMaturedPacket(ccv.VSCMaturedPacketData{ValsetUpdateID: 9}).Bytes())
		}, textData},
		{"negative power", nil, func(h *harness) channeltypes.Packet {
			return h.vscPacket(bytes.Replace(good, []byte(`"power":"1"`), []byte(`"power":"-1"`), 1))
		}, textData},
		{"power above limit", nil, func(h *harness) channeltypes.Packet {
			return h.vscPacket(vsc(5, upd(0, cmttypes.MaxTotalVotingPower+1)).Bytes())
		}, textData},
		{"wrong channel", nil, func(h *harness) channeltypes.Packet {
			p := h.vscPacket(good)
			p.DestinationChannel = "channel-1"
			return p
		}, textChannel},
		{"wrong port", nil, func(h *harness) channeltypes.Packet {
			p := h.vscPacket(good)
			p.DestinationPort = "transfer"
			return p
		}, textChannel},
		{"stopped", func(h *harness) { h.k.stop(h.s, "test") }, func(h *harness) channeltypes.Packet { return h.vscPacket(good) }, textChannel},
		{"same id", nil, func(h *harness) channeltypes.Packet { return h.vscPacket(vsc(3, upd(0, 1)).Bytes()) }, textVSCID},
		{"lower id", nil, func(h *harness) channeltypes.Packet { return h.vscPacket(vsc(2, upd(0, 1)).Bytes()) }, textVSCID},
		// A vscId of 0 is invalid packet data (ccv's Validate, as the
		// reference's), whatever the highest id received.
		{"id zero", nil, func(h *harness) channeltypes.Packet { return h.vscPacket(vsc(0).Bytes()) }, textData},
		{"id zero with updates", nil, func(h *harness) channeltypes.Packet { return h.vscPacket(vsc(0, upd(4, 1)).Bytes()) }, textData},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, 2, true)
			mustReceive(t, h.recv(vsc(3, upd(7, 1))))
			if tc.setup != nil {
				tc.setup(h)
			}
			before := h.ms.WorkingHash()
			ack, _ := h.k.OnRecvPacket(h.s, h.height, h.now, tc.packet(h), nil)
			e, ok := ack.Response.(*channeltypes.Acknowledgement_Error)
			if !ok || e.Error != tc.want {
				t.Fatalf("ack %v, want error %q", ack, tc.want)
			}
			if !bytes.Equal(before, h.ms.WorkingHash()) {
				t.Fatal("a refused packet changed the store")
			}
		})
	}
	t.Run("first id zero", func(t *testing.T) {
		h := newHarness(t, 2, true)
		ack := h.recv(vsc(0, upd(4, 1)))
		if e, ok := ack.Response.(*channeltypes.Acknowledgement_Error); !ok || e.Error != textData {
			t.Fatalf("ack %v", ack)
		}
		mustReceive(t, h.recv(vsc(1, upd(4, 1))))
	})
	t.Run("channel not established", func(t *testing.T) {
		h := newHarness(t, 2, false)
		before := h.ms.WorkingHash()
		ack, _ := h.k.OnRecvPacket(h.s, h.height, h.now, h.vscPacket(good), nil)
		if e, ok := ack.Response.(*channeltypes.Acknowledgement_Error); !ok || e.Error != textChannel {
			t.Fatalf("ack %v", ack)
		}
		if !bytes.Equal(before, h.ms.WorkingHash()) {
			t.Fatal("store changed")
		}
	})
}

func TestSlashAcksClearOutstanding(t *testing.T) {
	h := newHarness(t, 3, true)
	for i := range 3 {
		kv(h.s).Set(OutstandingKey(addrOf(i)), marker)
	}
	d := vsc(1)
	d.SlashAcks = []string{
		bech(addrOf(0)),
		address.Encode("othervalcons", addrOf(1)), // any prefix
		"garbage",
		"cosmos1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq",
		"",
	}
	mustReceive(t, h.recv(d))
	if h.k.Outstanding(h.s, addrOf(0)) || h.k.Outstanding(h.s, addrOf(1)) {
		t.Error("acknowledged addresses still outstanding")
	}
	if !h.k.Outstanding(h.s, addrOf(2)) {
		t.Error("an address not acknowledged was cleared")
	}
}

func TestRecvEvents(t *testing.T) {
	h := newHarness(t, 1, true)
	p := h.vscPacket(vsc(3).Bytes())
	ack := h.recvRaw(p)
	evs := RecvEvents(p, ack)
	if len(evs) != 1 || evs[0].Type != EventTypePacket || attr(evs[0], AttributeModule) != AttributeValueModule ||
		attr(evs[0], AttributeKeyAckSuccess) != "true" || attr(evs[0], AttributeValSetUpdateID) != "3" {
		t.Errorf("events %v", evs)
	}
	bad := h.vscPacket([]byte("x"))
	evs = RecvEvents(bad, h.recvRaw(bad))
	if attr(evs[0], AttributeKeyAckSuccess) != "false" || attr(evs[0], AttributeValSetUpdateID) != "" {
		t.Errorf("events %v", evs)
	}
}

// The maturity of a VSC is recorded at receive time + UnbondingPeriod.
func TestMaturityRecorded(t *testing.T) {
	h := newHarness(t, 1, true)
	mustReceive(t, h.recv(vsc(2)))
	p, _ := h.k.Params(h.s)
	if !kv(h.s).Has(MaturityKey(h.now.Add(p.UnbondingPeriod).UnixNano(), 2)) {
		t.Fatal("no maturity record")
	}
	if maturityNs(time.Unix(0, 1<<62), 1<<62) <= 0 {
		t.Fatal("maturity time overflows")
	}
}
