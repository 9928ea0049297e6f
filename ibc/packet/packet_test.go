package packet

import (
	"bytes"
	"slices"
	"strconv"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"

	"github.com/abci-ics/ics/ibc/channel"
	"github.com/abci-ics/ics/ibc/commitment"
	"github.com/abci-ics/ics/state"
)

var successAck = []byte(`{"result":"AQ=="}`)

func TestPacketLifecycle(t *testing.T) {
	for _, order := range []channeltypes.Order{channeltypes.ORDERED, channeltypes.UNORDERED} {
		t.Run(order.String(), func(t *testing.T) {
			l := newLink(t, order)
			a, b := l.a, l.b
			var packets []channeltypes.Packet
			for i, data := range []string{"one", "two", "three"} {
				p := l.send(data)
				if p.Sequence != uint64(i+1) || p.DestinationChannel != l.chanB || p.DestinationPort != appPort || string(p.Data) != data {
					t.Fatalf("sent packet %+v", p)
				}
				if got := a.k.PacketCommitment(a.store(), appPort, l.chanA, p.Sequence); !bytes.Equal(got, channeltypes.CommitPacket(p)) {
					t.Fatalf("commitment %X", got)
				}
				packets = append(packets, p)
			}
			if got := a.k.PacketCommitments(a.store(), appPort, l.chanA); !slices.Equal(got, []uint64{1, 2, 3}) {
				t.Fatalf("commitments %v", got)
			}
			if seq, _ := a.k.NextSequenceSend(a.store(), appPort, l.chanA); seq != 4 {
				t.Fatalf("next send %d", seq)
			}
			if got, _ := b.k.UnreceivedPackets(b.store(), appPort, l.chanB, []uint64{1, 2, 3}); !slices.Equal(got, []uint64{1, 2, 3}) {
				t.Fatalf("unreceived %v", got)
			}

			var acks [][]byte
			for _, p := range packets {
				ack := l.recv(p)
				if !bytes.Equal(ack, successAck) {
					t.Fatalf("ack %s", ack)
				}
				acks = append(acks, ack)
				if got := b.ms.Working().KV(appStore).Get(appKey("recv", p.Sequence)); !bytes.Equal(got, p.Data) {
					t.Fatalf("app did not keep packet %d: %q", p.Sequence, got)
				}
				if got := b.k.PacketAcknowledgement(b.store(), appPort, l.chanB, p.Sequence); !bytes.Equal(got, channeltypes.CommitAcknowledgement(ack)) {
					t.Fatalf("ack commitment %X", got)
				}
			}
			if got, _ := b.k.UnreceivedPackets(b.store(), appPort, l.chanB, []uint64{1, 2, 3, 4}); !slices.Equal(got, []uint64{4}) {
				t.Fatalf("unreceived after receive %v", got)
			}
			next, _ := b.k.NextSequenceRecv(b.store(), appPort, l.chanB)
			if order == channeltypes.ORDERED {
				if next != 4 || b.k.PacketReceipt(b.store(), appPort, l.chanB, 1) {
					t.Fatalf("ordered: next recv %d", next)
				}
			} else if next != 1 || !b.k.PacketReceipt(b.store(), appPort, l.chanB, 2) {
				t.Fatalf("unordered: next recv %d, receipt %v", next, b.k.PacketReceipt(b.store(), appPort, l.chanB, 2))
			}

			for i, p := range packets {
				ev := a.mustTx(func(s state.Store) ([]abci.Event, error) {
					return a.k.HandleAcknowledgement(s, a.height, a.now, relayer, l.ackMsg(p, acks[i]))
				})
				if len(ev) != 1 || ev[0].Type != EventAcknowledgePacket || attr(t, ev[0], AttrPacketSequence) != string(rune('1'+i)) {
					t.Fatalf("ack events %v", ev)
				}
				if a.k.PacketCommitment(a.store(), appPort, l.chanA, p.Sequence) != nil {
					t.Fatalf("commitment %d not deleted", p.Sequence)
				}
				if got := a.app.acks[p.Sequence]; !got.Success() {
					t.Fatalf("app ack %v", got)
				}
			}
			if got := a.k.PacketCommitments(a.store(), appPort, l.chanA); len(got) != 0 {
				t.Fatalf("commitments left %v", got)
			}
			if got := a.k.UnreceivedAcks(a.store(), appPort, l.chanA, []uint64{1, 2, 3}); len(got) != 0 {
				t.Fatalf("unreceived acks %v", got)
			}
			wantAck := uint64(1)
			if order == channeltypes.ORDERED {
				wantAck = 4
			}
			if seq, _ := a.k.NextSequenceAck(a.store(), appPort, l.chanA); seq != wantAck {
				t.Fatalf("next ack %d, want %d", seq, wantAck)
			}
			// A second acknowledgement of the same packet is refused.
			a.unchanged(t, ErrPacketCommitmentNotFound, func(s state.Store) ([]abci.Event, error) {
				return a.k.HandleAcknowledgement(s, a.height, a.now, relayer, l.ackMsg(packets[0], acks[0]))
			})
		})
	}
}

// TestSendPacketEvent checks every attribute of send_packet, the event
// the relayer finds packets by.
func TestSendPacketEvent(t *testing.T) {
	l := newLink(t, channeltypes.ORDERED)
	a := l.a
	ts := uint64(l.b.now.Add(time.Hour).UnixNano())
	ev := a.mustTx(func(s state.Store) ([]abci.Event, error) {
		_, evs, err := a.k.SendPacket(s, a.height, a.now, appPort, l.chanA, clienttypes.NewHeight(revision, 1000), ts, []byte{0xAB, 0xCD})
		return evs, err
	})
	if len(ev) != 1 {
		t.Fatalf("events %v", ev)
	}
	want := map[string]string{
		AttrPacketDataHex: "abcd", AttrPacketTimeoutHeight: "1-1000", AttrPacketTimeoutTimestamp: strconv.FormatUint(ts, 10),
		AttrPacketSequence: "1", AttrPacketSrcPort: appPort, AttrPacketSrcChannel: l.chanA,
		AttrPacketDstPort: appPort, AttrPacketDstChannel: l.chanB, AttrPacketChannelOrdering: "ORDER_ORDERED",
		AttrPacketConnection: l.connA, channel.AttrConnectionID: l.connA,
	}
	if ev[0].Type != EventSendPacket || len(ev[0].Attributes) != len(want) {
		t.Fatalf("event %v", ev[0])
	}
	for k, v := range want {
		if got := attr(t, ev[0], k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
}

// TestErrorAckKeepsNoAppState: an error acknowledgement is written and
// the packet counts as received, but what the application wrote (and
// sent) is dropped.
func TestErrorAckKeepsNoAppState(t *testing.T) {
	for _, data := range []string{"fail", "echo-fail"} {
		t.Run(data, func(t *testing.T) {
			l := newLink(t, channeltypes.UNORDERED)
			b := l.b
			p := l.send(data)
			ack := l.recv(p) // exactly recv_packet and write_acknowledgement: no send_packet of the dropped echo
			if string(ack) != `{"error":"refused"}` {
				t.Fatalf("ack %s", ack)
			}
			if got := b.ms.Working().KV(appStore).Get(appKey("recv", p.Sequence)); got != nil {
				t.Fatalf("app state kept after an error ack: %q", got)
			}
			if !b.k.PacketReceipt(b.store(), appPort, l.chanB, p.Sequence) {
				t.Fatal("no receipt")
			}
			if got := b.k.PacketCommitments(b.store(), appPort, l.chanB); len(got) != 0 {
				t.Fatalf("echo packet kept: %v", got)
			}
			if seq, _ := b.k.NextSequenceSend(b.store(), appPort, l.chanB); seq != 1 {
				t.Fatalf("next send %d", seq)
			}
			// The error ack is delivered to A like any other.
			l.a.mustTx(func(s state.Store) ([]abci.Event, error) {
				return l.a.k.HandleAcknowledgement(s, l.a.height, l.a.now, relayer, l.ackMsg(p, ack))
			})
			if got := l.a.app.acks[p.Sequence]; got.Success() || got.GetError() != "refused" {
				t.Fatalf("A got ack %v", got)
			}
		})
	}
}

func TestTimeoutUnordered(t *testing.T) {
	for _, byTime := range []bool{false, true} {
		name := map[bool]string{false: "height", true: "timestamp"}[byTime]
		t.Run(name, func(t *testing.T) {
			l := newLink(t, channeltypes.UNORDERED)
			a, b := l.a, l.b
			th, ts := clienttypes.NewHeight(revision, uint64(b.height+2)), uint64(0)
			if byTime {
				th, ts = clienttypes.ZeroHeight(), uint64(b.now.Add(2*blockTime).UnixNano())
			}
			p := l.sendWithTimeout("coins", th, ts)
			// B's client on A is not past the timeout yet.
			b.commit()
			a.unchanged(t, ErrTimeoutNotReached, func(s state.Store) ([]abci.Event, error) {
				return a.k.HandleTimeout(s, a.height, a.now, relayer, l.timeoutMsg(p))
			})
			b.commit()
			b.commit()
			// Receiving now is too late.
			b.unchanged(t, ErrTimeoutElapsed, func(s state.Store) ([]abci.Event, error) {
				return b.k.HandleRecvPacket(s, b.height, b.now, relayer, l.recvMsg(p))
			})
			ev := a.mustTx(func(s state.Store) ([]abci.Event, error) {
				return a.k.HandleTimeout(s, a.height, a.now, relayer, l.timeoutMsg(p))
			})
			if len(ev) != 1 || ev[0].Type != EventTimeoutPacket {
				t.Fatalf("timeout events %v", ev)
			}
			if got := a.ms.Working().KV(appStore).Get(appKey("refund", p.Sequence)); !bytes.Equal(got, p.Data) {
				t.Fatalf("no refund: %q", got)
			}
			if !slices.Equal(a.app.timeouts, []uint64{1}) || a.k.PacketCommitment(a.store(), appPort, l.chanA, 1) != nil {
				t.Fatalf("timeouts %v", a.app.timeouts)
			}
			if ch, _ := a.chans.Channel(a.store(), appPort, l.chanA); ch.State != channeltypes.OPEN {
				t.Fatalf("unordered channel %s after a timeout", ch.State)
			}
			// No double refund.
			a.unchanged(t, ErrPacketCommitmentNotFound, func(s state.Store) ([]abci.Event, error) {
				return a.k.HandleTimeout(s, a.height, a.now, relayer, l.timeoutMsg(p))
			})
			// The channel still works.
			p2 := l.send("more")
			l.recv(p2)
		})
	}
}

func TestTimeoutOrderedClosesChannel(t *testing.T) {
	l := newLink(t, channeltypes.ORDERED)
	a, b := l.a, l.b
	p1 := l.send("first")
	l.recv(p1)
	p2 := l.sendWithTimeout("second", clienttypes.NewHeight(revision, uint64(b.height+1)), 0)
	p3 := l.sendWithTimeout("third", clienttypes.NewHeight(revision, uint64(b.height+1)), 0)
	b.commit()
	b.commit()

	// A relayer claiming that B's next receive sequence is past p2 is
	// told p2 was received; claiming another value than the proven one
	// fails the proof.
	m := l.timeoutMsg(p2)
	m.NextSequenceRecv = 3
	a.unchanged(t, ErrPacketAlreadyReceived, func(s state.Store) ([]abci.Event, error) {
		return a.k.HandleTimeout(s, a.height, a.now, relayer, m)
	})
	m.NextSequenceRecv = 1 // the proof says 2
	a.unchanged(t, ErrInvalidProof, func(s state.Store) ([]abci.Event, error) {
		return a.k.HandleTimeout(s, a.height, a.now, relayer, m)
	})

	ev := a.mustTx(func(s state.Store) ([]abci.Event, error) {
		return a.k.HandleTimeout(s, a.height, a.now, relayer, l.timeoutMsg(p2))
	})
	if got := eventTypes(ev); !slices.Equal(got, []string{EventChannelClosed, EventTimeoutPacket}) {
		t.Fatalf("events %v", got)
	}
	ch, _ := a.chans.Channel(a.store(), appPort, l.chanA)
	if ch.State != channeltypes.CLOSED {
		t.Fatalf("ordered channel %s after a timeout", ch.State)
	}
	a.commit()
	// Sending on the closed channel fails; the other packet in flight
	// can still be timed out (and refunded).
	a.unchanged(t, ErrChannelClosed, func(s state.Store) ([]abci.Event, error) {
		_, _, err := a.k.SendPacket(s, a.height, a.now, appPort, l.chanA, clienttypes.ZeroHeight(), uint64(a.now.Add(time.Hour).UnixNano()), []byte("x"))
		return nil, err
	})
	a.mustTx(func(s state.Store) ([]abci.Event, error) {
		return a.k.HandleTimeout(s, a.height, a.now, relayer, l.timeoutMsg(p3))
	})
	if !slices.Equal(a.app.timeouts, []uint64{2, 3}) {
		t.Fatalf("timeouts %v", a.app.timeouts)
	}
	a.commit()

	// B learns that A closed and closes too; then it refuses packets.
	proof, h := a.prove(commitment.ChannelPath(appPort, l.chanA))
	b.mustTx(func(s state.Store) ([]abci.Event, error) {
		return b.chans.ChanCloseConfirm(s, b.now, appPort, l.chanB, proof, h)
	})
	b.unchanged(t, ErrChannelClosed, func(s state.Store) ([]abci.Event, error) {
		return b.k.HandleRecvPacket(s, b.height, b.now, relayer, l.recvMsg(p2))
	})
}

// TestAckAppError: an application error fails the acknowledgement and
// keeps the commitment, so the ack can be relayed again.
func TestAckAppError(t *testing.T) {
	l := newLink(t, channeltypes.ORDERED)
	p := l.send("x")
	ack := l.recv(p)
	l.a.app.failAck = errTest
	l.a.unchanged(t, ErrAppRejected, func(s state.Store) ([]abci.Event, error) {
		return l.a.k.HandleAcknowledgement(s, l.a.height, l.a.now, relayer, l.ackMsg(p, ack))
	})
	l.a.app.failAck = nil
	l.a.mustTx(func(s state.Store) ([]abci.Event, error) {
		return l.a.k.HandleAcknowledgement(s, l.a.height, l.a.now, relayer, l.ackMsg(p, ack))
	})
}

var errTest = errorString("test failure")

type errorString string

func (e errorString) Error() string { return string(e) }
