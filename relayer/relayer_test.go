package relayer

import (
	"bytes"
	"encoding/hex"
	"strconv"
	"testing"

	abcitypes "github.com/cometbft/cometbft/abci/types"

	"github.com/abci-ics/ics/ibc/channel"
)

func packetEvent(typ, srcPort, srcChannel, dstPort, dstChannel string, seq uint64, data []byte) abcitypes.Event {
	kv := [][2]string{
		{channel.AttrPacketSrcPort, srcPort}, {channel.AttrPacketSrcChannel, srcChannel},
		{channel.AttrPacketDstPort, dstPort}, {channel.AttrPacketDstChannel, dstChannel},
		{channel.AttrPacketSequence, strconv.FormatUint(seq, 10)}, {channel.AttrPacketDataHex, hex.EncodeToString(data)},
		{channel.AttrPacketTimeoutHeight, "0-0"}, {channel.AttrPacketTimeoutTimestamp, "99"},
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
	want := packetEvent(channel.EventSendPacket, "provider", "channel-1", "consumer", "channel-0", 7, []byte("vsc 7"))
	others := []abcitypes.Event{
		packetEvent(channel.EventSendPacket, "provider", "channel-1", "consumer", "channel-0", 8, []byte("vsc 8")),
		packetEvent(channel.EventSendPacket, "provider", "channel-2", "consumer", "channel-0", 7, []byte("other consumer")),
		packetEvent(channel.EventSendPacket, "transfer", "channel-1", "transfer", "channel-0", 7, []byte("transfer")),
		packetEvent(channel.EventRecvPacket, "provider", "channel-1", "consumer", "channel-0", 7, []byte("received")),
		{Type: channel.EventSendPacket, Attributes: []abcitypes.EventAttribute{{Key: channel.AttrPacketSequence, Value: "seven"}}},
	}
	for _, order := range [][]abcitypes.Event{append(append([]abcitypes.Event(nil), others...), want), append([]abcitypes.Event{want}, others...)} {
		e, ok := matchPacketEvent(order, channel.EventSendPacket, "src", "provider", "channel-1", 7)
		if !ok {
			t.Fatal("packet 7 not found")
		}
		p, _, err := PacketFromEvent(e)
		if err != nil || !bytes.Equal(p.Data, []byte("vsc 7")) || p.TimeoutTimestamp != 99 || p.DestinationChannel != "channel-0" {
			t.Fatalf("found %+v, %v", p, err)
		}
	}
	if e, ok := matchPacketEvent([]abcitypes.Event{want}, channel.EventSendPacket, "dst", "consumer", "channel-0", 7); !ok || e.Type != channel.EventSendPacket {
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
		if _, ok := matchPacketEvent(append(others, want), channel.EventSendPacket, tc.side, tc.port, tc.ch, tc.seq); ok {
			t.Errorf("%+v matched", tc)
		}
	}
}
