package packet

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"

	"github.com/abci-ics/ics/ibc/commitment"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/state/typed"
)

// TestPathsFrozen freezes the ICS-24 paths of packets: the counterparty
// proves these exact keys. (Package channel freezes those of channel
// ends.)
func TestPathsFrozen(t *testing.T) {
	for got, want := range map[string]string{
		commitment.NextSequenceSendPath("transfer", "channel-1"):          "nextSequenceSend/ports/transfer/channels/channel-1",
		commitment.NextSequenceRecvPath("transfer", "channel-1"):          "nextSequenceRecv/ports/transfer/channels/channel-1",
		commitment.NextSequenceAckPath("transfer", "channel-1"):           "nextSequenceAck/ports/transfer/channels/channel-1",
		commitment.PacketCommitmentPath("transfer", "channel-1", 12):      "commitments/ports/transfer/channels/channel-1/sequences/12",
		commitment.PacketReceiptPath("transfer", "channel-1", 12):         "receipts/ports/transfer/channels/channel-1/sequences/12",
		commitment.PacketAcknowledgementPath("transfer", "channel-1", 12): "acks/ports/transfer/channels/channel-1/sequences/12",
		string(commitmentsPrefix("transfer", "channel-1")):                "commitments/ports/transfer/channels/channel-1/sequences/",
		fmt.Sprintf("%x", typed.U64(258)):                                 "0000000000000102",
		fmt.Sprintf("%x", receiptValue):                                   "01",
	} {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}

// TestStoreLayout lists the whole IBC store of both chains after a
// handshake and one packet round trip on an ordered and an unordered
// channel: nothing else is stored, and values have the documented form.
func TestStoreLayout(t *testing.T) {
	l := newLink(t, channeltypes.UNORDERED)
	chanOrdA, chanOrdB, _ := openChannel(t, l.a, l.b, l.connA, channeltypes.ORDERED)
	p := l.send("u")
	ack := l.recv(p)
	l.a.mustTx(func(s state.Store) ([]abci.Event, error) {
		return l.a.k.HandleAcknowledgement(s, l.a.height, l.a.now, relayer, l.ackMsg(p, ack))
	})
	pending := l.send("pending")

	dump := func(c *chain) []string {
		var out []string
		it := c.ms.Working().KV(StoreName).Iterator(nil, nil)
		defer it.Close()
		for ; it.Valid(); it.Next() {
			if bytes.HasPrefix(it.Key(), []byte("\x00test/")) {
				continue
			}
			out = append(out, strings.ReplaceAll(string(it.Key()), "\x00", `\0`))
		}
		return out
	}
	wantA := []string{
		`\0channel/nextChannelSequence`,
		`\0channel/nextConnectionSequence`,
		"channelEnds/ports/app/channels/" + l.chanA,
		"channelEnds/ports/app/channels/" + chanOrdA,
		"commitments/ports/app/channels/" + l.chanA + "/sequences/2",
		"connections/" + l.connA,
		"nextSequenceAck/ports/app/channels/" + l.chanA,
		"nextSequenceAck/ports/app/channels/" + chanOrdA,
		"nextSequenceRecv/ports/app/channels/" + l.chanA,
		"nextSequenceRecv/ports/app/channels/" + chanOrdA,
		"nextSequenceSend/ports/app/channels/" + l.chanA,
		"nextSequenceSend/ports/app/channels/" + chanOrdA,
	}
	wantB := []string{
		`\0channel/nextChannelSequence`,
		`\0channel/nextConnectionSequence`,
		"acks/ports/app/channels/" + l.chanB + "/sequences/1",
		"channelEnds/ports/app/channels/" + l.chanB,
		"channelEnds/ports/app/channels/" + chanOrdB,
		"connections/" + l.connB,
		"nextSequenceAck/ports/app/channels/" + l.chanB,
		"nextSequenceAck/ports/app/channels/" + chanOrdB,
		"nextSequenceRecv/ports/app/channels/" + l.chanB,
		"nextSequenceRecv/ports/app/channels/" + chanOrdB,
		"nextSequenceSend/ports/app/channels/" + l.chanB,
		"nextSequenceSend/ports/app/channels/" + chanOrdB,
		"receipts/ports/app/channels/" + l.chanB + "/sequences/1",
	}
	if got := dump(l.a); !slices.Equal(got, wantA) {
		t.Errorf("A store:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantA, "\n"))
	}
	if got := dump(l.b); !slices.Equal(got, wantB) {
		t.Errorf("B store:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantB, "\n"))
	}
	kvA, kvB := l.a.ms.Working().KV(StoreName), l.b.ms.Working().KV(StoreName)
	if got := kvA.Get([]byte(commitment.PacketCommitmentPath(appPort, l.chanA, 2))); !bytes.Equal(got, channeltypes.CommitPacket(pending)) {
		t.Errorf("commitment value %X", got)
	}
	if got := kvA.Get([]byte(commitment.NextSequenceSendPath(appPort, l.chanA))); !bytes.Equal(got, typed.U64(3)) {
		t.Errorf("next send value %X", got)
	}
	if got := kvB.Get([]byte(commitment.PacketReceiptPath(appPort, l.chanB, 1))); !bytes.Equal(got, []byte{1}) {
		t.Errorf("receipt value %X", got)
	}
	if got := kvB.Get([]byte(commitment.PacketAcknowledgementPath(appPort, l.chanB, 1))); !bytes.Equal(got, channeltypes.CommitAcknowledgement(successAck)) {
		t.Errorf("ack value %X", got)
	}
	ch, _ := l.b.chans.Channel(l.b.store(), appPort, l.chanB)
	if got := kvB.Get([]byte(commitment.ChannelPath(appPort, l.chanB))); !bytes.Equal(got, mustMarshalT(t, &ch)) {
		t.Errorf("channel value %X", got)
	}
}
