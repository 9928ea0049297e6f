package channel

import (
	"fmt"
	"testing"

	"github.com/abci-ics/ics/ibc/commitment"
	"github.com/abci-ics/ics/ibc/connection"
	"github.com/abci-ics/ics/state/typed"
)

// TestPathsFrozen freezes the ICS-24 paths: the counterparty proves these
// exact keys.
func TestPathsFrozen(t *testing.T) {
	for got, want := range map[string]string{
		commitment.ConnectionPath("connection-0"):                "connections/connection-0",
		commitment.ChannelPath("transfer", "channel-1"):          "channelEnds/ports/transfer/channels/channel-1",
		commitment.NextSequenceSendPath("transfer", "channel-1"): "nextSequenceSend/ports/transfer/channels/channel-1",
		commitment.NextSequenceRecvPath("transfer", "channel-1"): "nextSequenceRecv/ports/transfer/channels/channel-1",
		commitment.NextSequenceAckPath("transfer", "channel-1"):  "nextSequenceAck/ports/transfer/channels/channel-1",
		string(keyNextChannelSeq):                                "\x00channel/nextChannelSequence",
		string(channelEndsPrefix()) + "p/channels/c":             "channelEnds/ports/p/channels/c",
		fmt.Sprintf("%x", typed.U64(258)):                        "0000000000000102",
		string(connection.Prefix().KeyPrefix):                    "ibc",
		formatID(channelPrefix, 4):                               "channel-4",
	} {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
	for _, key := range [][]byte{keyNextChannelSeq} {
		if key[0] != 0 {
			t.Errorf("counter key %q does not start with 0x00", key)
		}
	}
	if p, c, ok := parseChannelKey([]byte("channelEnds/ports/transfer/channels/channel-1")); !ok || p != "transfer" || c != "channel-1" {
		t.Errorf("parseChannelKey: %q %q %v", p, c, ok)
	}
	for _, bad := range []string{"channelEnds/ports/transfer", "channelEnds/ports//channels/c", "connections/x", "channelEnds/ports/p/channels/c/d"} {
		if _, _, ok := parseChannelKey([]byte(bad)); ok {
			t.Errorf("parseChannelKey(%q) accepted", bad)
		}
	}
}
