package relayer

import (
	"bytes"
	"encoding/hex"
	"strconv"
	"testing"

	abcitypes "github.com/cometbft/cometbft/abci/types"

	"github.com/abci-ics/ics/ibc/packet"
)

func packetEvent(typ, srcPort, srcChannel, dstPort, dstChannel string, seq uint64, data []byte) abcitypes.Event {
	kv := [][2]string{
		{packet.AttrPacketSrcPort, srcPort}, {packet.AttrPacketSrcChannel, srcChannel},
		{packet.AttrPacketDstPort, dstPort}, {packet.AttrPacketDstChannel, dstChannel},
		{packet.AttrPacketSequence, strconv.FormatUint(seq, 10)}, {packet.AttrPacketDataHex, hex.EncodeToString(data)},
		{packet.AttrPacketTimeoutHeight, "0-0"}, {packet.AttrPacketTimeoutTimestamp, "99"},
	}
	e := abcitypes.Event{Type: typ}
	for _, a := range kv {
		e.Attributes = append(e.Attributes, abcitypes.EventAttribute{Key: a[0], Value: a[1], Index: true})
	}
	return e
}

// TestMatchPacketEvent checks that the event of a packet is told apart from
// the events of other packets in the same transaction or block: another
// sequence, another channel, another port, the other side, another type.
func TestMatchPacketEvent(t *testing.T) {
	want := packetEvent(packet.EventSendPacket, "provider", "channel-1", "consumer", "channel-0", 7, []byte("vsc 7"))
	others := []abcitypes.Event{
		packetEvent(packet.EventSendPacket, "provider", "channel-1", "consumer", "channel-0", 8, []byte("vsc 8")),
		packetEvent(packet.EventSendPacket, "provider", "channel-2", "consumer", "channel-0", 7, []byte("other consumer")),
		packetEvent(packet.EventSendPacket, "transfer", "channel-1", "transfer", "channel-0", 7, []byte("transfer")),
		packetEvent(packet.EventRecvPacket, "provider", "channel-1", "consumer", "channel-0", 7, []byte("received")),
		{Type: packet.EventSendPacket, Attributes: []abcitypes.EventAttribute{{Key: packet.AttrPacketSequence, Value: "seven"}}},
	}
	for _, order := range [][]abcitypes.Event{append(append([]abcitypes.Event(nil), others...), want), append([]abcitypes.Event{want}, others...)} {
		e, ok := matchPacketEvent(order, packet.EventSendPacket, "src", "provider", "channel-1", 7)
		if !ok {
			t.Fatal("packet 7 not found")
		}
		p, _, err := PacketFromEvent(e)
		if err != nil || !bytes.Equal(p.Data, []byte("vsc 7")) || p.TimeoutTimestamp != 99 || p.DestinationChannel != "channel-0" {
			t.Fatalf("found %+v, %v", p, err)
		}
	}
	if e, ok := matchPacketEvent([]abcitypes.Event{want}, packet.EventSendPacket, "dst", "consumer", "channel-0", 7); !ok || e.Type != packet.EventSendPacket {
		t.Fatal("packet 7 not found by its destination")
	}
	for _, tc := range []struct {
		side, port, ch string
		seq            uint64
	}{
		{"src", "provider", "channel-1", 9},
		{"src", "provider", "channel-3", 7},
		{"src", "consumer", "channel-0", 7},
		{"dst", "provider", "channel-1", 7},
	} {
		if _, ok := matchPacketEvent(append(others, want), packet.EventSendPacket, tc.side, tc.port, tc.ch, tc.seq); ok {
			t.Errorf("%+v matched", tc)
		}
	}
}

// TestProgress: a pass that closed a channel end did something and says
// where; so did a pass that only updated a client.
func TestProgress(t *testing.T) {
	p := Progress{Pending: 2, HeightA: 5, HeightB: 7}
	if p.Did() || p.String() != "received 0, acked 0, timed out 0, pending 2, client updates 0/0 (heights 5/7)" {
		t.Fatalf("idle pass: %v %q", p.Did(), p)
	}
	p.ClosedOn = "provider-1"
	if !p.Did() || p.String() != "received 0, acked 0, timed out 0, pending 2, client updates 0/0 (heights 5/7), channel closed on provider-1" {
		t.Fatalf("closing pass: %v %q", p.Did(), p)
	}
	if p := (Progress{UpdatesB: 1}); !p.Did() {
		t.Fatal("a pass that updated a client did nothing")
	}
}
