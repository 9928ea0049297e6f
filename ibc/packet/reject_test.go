package packet

import (
	"bytes"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"

	"github.com/abci-ics/ics/ibc/commitment"
	"github.com/abci-ics/ics/state"
)

// TestRecvRejections breaks a valid MsgRecvPacket one rule at a time; each
// must fail with its sentinel error and change nothing on B.
func TestRecvRejections(t *testing.T) {
	for _, order := range []channeltypes.Order{channeltypes.ORDERED, channeltypes.UNORDERED} {
		t.Run(order.String(), func(t *testing.T) {
			l := newLink(t, order)
			b := l.b
			p1 := l.send("one")
			p2 := l.send("two")
			good := l.recvMsg(p1)
			// A height at which A had not committed p1 yet, and the proof
			// of p2's commitment.
			early := l.a.height - 3
			earlyProof, _ := l.a.proveAt(commitment.PacketCommitmentPath(appPort, l.chanA, 1), early)
			otherKey := l.recvMsg(p2)

			edit := func(f func(m *MsgRecvPacket, p *channeltypes.Packet)) *MsgRecvPacket {
				m := *good
				p := p1
				f(&m, &p)
				if m.Packet == nil {
					m.Packet = mustMarshalT(t, &p)
				}
				return &m
			}
			repacked := func(f func(p *channeltypes.Packet)) *MsgRecvPacket {
				return edit(func(m *MsgRecvPacket, p *channeltypes.Packet) {
					f(p)
					m.Packet = nil
				})
			}
			cases := []struct {
				name string
				m    *MsgRecvPacket
				want error
			}{
				{"tampered proof", edit(func(m *MsgRecvPacket, _ *channeltypes.Packet) {
					m.ProofCommitment = bytes.Clone(m.ProofCommitment)
					m.ProofCommitment[len(m.ProofCommitment)-40] ^= 0x10
				}), ErrInvalidProof},
				{"proof of another key", edit(func(m *MsgRecvPacket, _ *channeltypes.Packet) {
					m.ProofCommitment = otherKey.ProofCommitment
				}), ErrInvalidProof},
				{"proof claimed at another height", edit(func(m *MsgRecvPacket, _ *channeltypes.Packet) {
					m.ProofRevisionHeight--
				}), ErrInvalidProof},
				{"proof from a height before the send", edit(func(m *MsgRecvPacket, _ *channeltypes.Packet) {
					m.ProofCommitment, m.ProofRevisionHeight = earlyProof, uint64(early)
				}), ErrInvalidProof},
				{"unknown proof height", edit(func(m *MsgRecvPacket, _ *channeltypes.Packet) {
					m.ProofRevisionHeight += 100
				}), ErrInvalidProof},
				{"zero proof height", edit(func(m *MsgRecvPacket, _ *channeltypes.Packet) {
					m.ProofRevisionNumber, m.ProofRevisionHeight = 0, 0
				}), ErrInvalidHeight},
				{"forged data", repacked(func(p *channeltypes.Packet) { p.Data = []byte("ONE") }), ErrInvalidProof},
				{"forged timeout", repacked(func(p *channeltypes.Packet) { p.TimeoutTimestamp++ }), ErrInvalidProof},
				{"unknown channel", repacked(func(p *channeltypes.Packet) { p.DestinationChannel = "channel-99" }), ErrChannelNotFound},
				{"wrong source channel", repacked(func(p *channeltypes.Packet) { p.SourceChannel = "channel-5" }), ErrInvalidPacket},
				{"wrong source port", repacked(func(p *channeltypes.Packet) { p.SourcePort = otherPort }), ErrInvalidPacket},
				{"sequence zero", repacked(func(p *channeltypes.Packet) { p.Sequence = 0 }), ErrInvalidPacket},
				{"no timeout", repacked(func(p *channeltypes.Packet) { p.TimeoutTimestamp = 0 }), ErrInvalidTimeout},
				{"empty data", repacked(func(p *channeltypes.Packet) { p.Data = nil }), ErrInvalidPacket},
				{"bad port id", repacked(func(p *channeltypes.Packet) { p.DestinationPort = "ap/p" }), ErrInvalidIdentifier},
				{"packet does not decode", edit(func(m *MsgRecvPacket, _ *channeltypes.Packet) { m.Packet = []byte{0xff, 0xff} }), ErrInvalidMessage},
				{"no packet", edit(func(m *MsgRecvPacket, _ *channeltypes.Packet) { m.Packet = []byte{} }), ErrInvalidMessage},
				{"other signer", edit(func(m *MsgRecvPacket, _ *channeltypes.Packet) { m.Signer = []byte("another-relayer-0000") }), ErrUnauthorized},
			}
			if order == channeltypes.ORDERED {
				cases = append(cases, struct {
					name string
					m    *MsgRecvPacket
					want error
				}{"out of order", otherKey, ErrPacketOutOfOrder})
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					b.unchanged(t, c.want, func(s state.Store) ([]abci.Event, error) {
						return b.k.HandleRecvPacket(s, b.height, b.now, relayer, c.m)
					})
				})
			}
			t.Run("client not active", func(t *testing.T) {
				b.clients.status = "Expired"
				defer func() { b.clients.status = StatusActive }()
				b.unchanged(t, ErrClientNotActive, func(s state.Store) ([]abci.Event, error) {
					return b.k.HandleRecvPacket(s, b.height, b.now, relayer, good)
				})
			})

			// The valid message works once; a replay is refused, also
			// after a commit and with a fresh proof.
			b.mustTx(func(s state.Store) ([]abci.Event, error) {
				return b.k.HandleRecvPacket(s, b.height, b.now, relayer, good)
			})
			b.unchanged(t, ErrPacketAlreadyReceived, func(s state.Store) ([]abci.Event, error) {
				return b.k.HandleRecvPacket(s, b.height, b.now, relayer, good)
			})
			b.commit()
			l.a.commit()
			b.unchanged(t, ErrPacketAlreadyReceived, func(s state.Store) ([]abci.Event, error) {
				return b.k.HandleRecvPacket(s, b.height, b.now, relayer, l.recvMsg(p1))
			})
			if len(b.ms.Working().KV(appStore).Get(appKey("recv", 1))) == 0 {
				t.Fatal("the valid receive did not reach the app")
			}
			// p2 is next now.
			b.mustTx(func(s state.Store) ([]abci.Event, error) {
				return b.k.HandleRecvPacket(s, b.height, b.now, relayer, l.recvMsg(p2))
			})
		})
	}
}

// TestRecvOnClosedChannel: a packet to a closed channel is refused.
func TestRecvOnClosedChannel(t *testing.T) {
	l := newLink(t, channeltypes.UNORDERED)
	p := l.send("late")
	l.b.mustTx(func(s state.Store) ([]abci.Event, error) {
		return l.b.chans.ChanCloseInit(s, l.b.now, appPort, l.chanB)
	})
	l.b.unchanged(t, ErrChannelClosed, func(s state.Store) ([]abci.Event, error) {
		return l.b.k.HandleRecvPacket(s, l.b.height, l.b.now, relayer, l.recvMsg(p))
	})
}

// TestAckRejections breaks a valid MsgAcknowledgement one rule at a time.
func TestAckRejections(t *testing.T) {
	for _, order := range []channeltypes.Order{channeltypes.ORDERED, channeltypes.UNORDERED} {
		t.Run(order.String(), func(t *testing.T) {
			l := newLink(t, order)
			a := l.a
			p1, p2 := l.send("one"), l.send("two")
			ack1, ack2 := l.recv(p1), l.recv(p2)
			good := l.ackMsg(p1, ack1)
			edit := func(f func(m *MsgAcknowledgement)) *MsgAcknowledgement {
				m := *good
				f(&m)
				return &m
			}
			forged := channeltypes.NewResultAcknowledgement([]byte{2})
			errAck := channeltypes.Acknowledgement{Response: &channeltypes.Acknowledgement_Error{Error: "refused"}}
			cases := []struct {
				name string
				m    *MsgAcknowledgement
				want error
			}{
				{"forged success ack", edit(func(m *MsgAcknowledgement) { m.Acknowledgement = forged.Acknowledgement() }), ErrInvalidProof},
				{"forged error ack", edit(func(m *MsgAcknowledgement) { m.Acknowledgement = errAck.Acknowledgement() }), ErrInvalidProof},
				{"proof of another packet's ack", edit(func(m *MsgAcknowledgement) { m.ProofAcked = l.ackMsg(p2, ack2).ProofAcked }), ErrInvalidProof},
				{"tampered proof", edit(func(m *MsgAcknowledgement) {
					m.ProofAcked = bytes.Clone(m.ProofAcked)
					m.ProofAcked[len(m.ProofAcked)-40] ^= 1
				}), ErrInvalidProof},
				{"ack not json", edit(func(m *MsgAcknowledgement) { m.Acknowledgement = []byte("ok") }), ErrInvalidAcknowledgement},
				{"ack not canonical", edit(func(m *MsgAcknowledgement) { m.Acknowledgement = []byte(`{ "result":"AQ=="}`) }), ErrInvalidAcknowledgement},
				{"ack empty result", edit(func(m *MsgAcknowledgement) { m.Acknowledgement = []byte(`{"result":""}`) }), ErrInvalidAcknowledgement},
				{"packet not sent", edit(func(m *MsgAcknowledgement) {
					p := p1
					p.Sequence = 9
					m.Packet = mustMarshalT(t, &p)
				}), ErrPacketCommitmentNotFound},
				{"packet altered", edit(func(m *MsgAcknowledgement) {
					p := p1
					p.Data = []byte("ONE")
					m.Packet = mustMarshalT(t, &p)
				}), ErrInvalidPacket},
				{"wrong destination", edit(func(m *MsgAcknowledgement) {
					p := p1
					p.DestinationChannel = "channel-7"
					m.Packet = mustMarshalT(t, &p)
				}), ErrInvalidPacket},
				{"unknown channel", edit(func(m *MsgAcknowledgement) {
					p := p1
					p.SourceChannel = "channel-7"
					m.Packet = mustMarshalT(t, &p)
				}), ErrChannelNotFound},
				{"other signer", edit(func(m *MsgAcknowledgement) { m.Signer = nil }), ErrUnauthorized},
			}
			if order == channeltypes.ORDERED {
				cases = append(cases, struct {
					name string
					m    *MsgAcknowledgement
					want error
				}{"out of order", l.ackMsg(p2, ack2), ErrPacketOutOfOrder})
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					a.unchanged(t, c.want, func(s state.Store) ([]abci.Event, error) {
						return a.k.HandleAcknowledgement(s, a.height, a.now, relayer, c.m)
					})
				})
			}
			a.mustTx(func(s state.Store) ([]abci.Event, error) {
				return a.k.HandleAcknowledgement(s, a.height, a.now, relayer, good)
			})
		})
	}
}

// TestTimeoutRejections covers timeouts that must not be accepted.
func TestTimeoutRejections(t *testing.T) {
	l := newLink(t, channeltypes.UNORDERED)
	a, b := l.a, l.b
	received := l.sendWithTimeout("got-it", clienttypes.NewHeight(revision, uint64(b.height+2)), 0)
	l.recv(received)
	pending := l.sendWithTimeout("pending", clienttypes.NewHeight(revision, uint64(b.height+1)), 0)
	b.commit()
	b.commit()
	good := l.timeoutMsg(pending)

	// The receipt of a received packet exists: no absence proof.
	recvProof, h := b.prove(commitment.PacketReceiptPath(appPort, l.chanB, received.Sequence))
	fakeTimeout := &MsgTimeout{Packet: mustMarshalT(t, &received), ProofUnreceived: recvProof,
		ProofRevisionNumber: h.RevisionNumber, ProofRevisionHeight: h.RevisionHeight, Signer: relayer}
	edit := func(f func(m *MsgTimeout)) *MsgTimeout {
		m := *good
		f(&m)
		return &m
	}
	for _, c := range []struct {
		name string
		m    *MsgTimeout
		want error
	}{
		{"packet was received", fakeTimeout, ErrInvalidProof},
		{"proof from before the timeout", edit(func(m *MsgTimeout) {
			m.ProofUnreceived, _ = b.proveAt(commitment.PacketReceiptPath(appPort, l.chanB, pending.Sequence), b.height-3)
			m.ProofRevisionHeight = uint64(b.height - 3)
		}), ErrTimeoutNotReached},
		{"proof height without consensus state", edit(func(m *MsgTimeout) { m.ProofRevisionHeight += 50 }), ErrConsensusStateNotFound},
		{"tampered proof", edit(func(m *MsgTimeout) {
			m.ProofUnreceived = bytes.Clone(m.ProofUnreceived)
			m.ProofUnreceived[len(m.ProofUnreceived)-40] ^= 4
		}), ErrInvalidProof},
		{"membership proof of another key", edit(func(m *MsgTimeout) { m.ProofUnreceived = recvProof }), ErrInvalidProof},
		{"altered packet", edit(func(m *MsgTimeout) {
			p := pending
			p.TimeoutHeight = clienttypes.NewHeight(revision, 1)
			m.Packet = mustMarshalT(t, &p)
		}), ErrInvalidPacket},
	} {
		t.Run(c.name, func(t *testing.T) {
			a.unchanged(t, c.want, func(s state.Store) ([]abci.Event, error) {
				return a.k.HandleTimeout(s, a.height, a.now, relayer, c.m)
			})
		})
	}
	a.mustTx(func(s state.Store) ([]abci.Event, error) {
		return a.k.HandleTimeout(s, a.height, a.now, relayer, good)
	})
}

// TestSendRejections covers SendPacket's refusals.
func TestSendRejections(t *testing.T) {
	l := newLink(t, channeltypes.UNORDERED)
	a := l.a
	later := uint64(l.b.now.Add(time.Hour).UnixNano())
	latest := a.clients.LatestHeight(nil, clientID)
	for _, c := range []struct {
		name    string
		channel string
		th      clienttypes.Height
		ts      uint64
		data    []byte
		want    error
	}{
		{"unknown channel", "channel-9", clienttypes.ZeroHeight(), later, []byte("x"), ErrChannelNotFound},
		{"no timeout", l.chanA, clienttypes.ZeroHeight(), 0, []byte("x"), ErrInvalidTimeout},
		{"height already past on the counterparty", l.chanA, latest, 0, []byte("x"), ErrTimeoutElapsed},
		{"time already past on the counterparty", l.chanA, clienttypes.ZeroHeight(), uint64(l.b.now.Add(-2 * blockTime).UnixNano()), []byte("x"), ErrTimeoutElapsed},
		{"empty data", l.chanA, clienttypes.ZeroHeight(), later, nil, ErrInvalidPacket},
		{"data too large", l.chanA, clienttypes.ZeroHeight(), later, make([]byte, MaxPacketDataLen+1), ErrInvalidPacket},
	} {
		t.Run(c.name, func(t *testing.T) {
			a.unchanged(t, c.want, func(s state.Store) ([]abci.Event, error) {
				_, _, err := a.k.SendPacket(s, a.height, a.now, appPort, c.channel, c.th, c.ts, c.data)
				return nil, err
			})
		})
	}
	t.Run("frozen client", func(t *testing.T) {
		a.clients.status = "Frozen"
		defer func() { a.clients.status = StatusActive }()
		a.unchanged(t, ErrClientNotActive, func(s state.Store) ([]abci.Event, error) {
			_, _, err := a.k.SendPacket(s, a.height, a.now, appPort, l.chanA, clienttypes.ZeroHeight(), later, []byte("x"))
			return nil, err
		})
	})
}

func TestDecodeAcknowledgement(t *testing.T) {
	for _, c := range []struct {
		in   string
		ok   bool
		succ bool
	}{
		{`{"result":"AQ=="}`, true, true},
		{`{"error":"refused"}`, true, false},
		{`{"result":"AQ==","error":"x"}`, false, false},
		{`{"error":""}`, false, false},
		{`{"error":"  "}`, false, false},
		{`{"result":null}`, false, false},
		{`{"result":"AQ"}`, false, false},
		{`{"other":"AQ=="}`, false, false},
		{`{}`, false, false},
		{`[]`, false, false},
		{``, false, false},
		{`{"result":"AQ=="} `, false, false},
	} {
		ack, err := DecodeAcknowledgement([]byte(c.in))
		if (err == nil) != c.ok || (c.ok && ack.Success() != c.succ) {
			t.Errorf("%q: %v %v", c.in, ack, err)
		}
	}
}
