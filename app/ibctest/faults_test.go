package ibctest_test

import (
	"math/rand/v2"
	"testing"
	"time"

	gogoproto "github.com/cosmos/gogoproto/proto"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"

	"github.com/abci-ics/ics/app/ibctest"
	"github.com/abci-ics/ics/ibc/packet"
	"github.com/abci-ics/ics/types/coin"
)

// TestFaultyRelayer relays 40 transfers through a relayer that drops,
// duplicates, delays, reorders and tampers with packets, at random from a
// fixed seed. Bad datagrams fail as whole transactions and change nothing;
// in the end every packet is received exactly once and acknowledged, and
// the native supply never moves.
func TestFaultyRelayer(t *testing.T) {
	p := link(t)
	a, b := p.A.Chain, p.B.Chain
	rng := rand.New(rand.NewPCG(7, 7))
	supply := a.Supply("stake")
	far := uint64(start.Add(24 * time.Hour).UnixNano())

	var pending []channeltypes.Packet
	sent := uint64(0)
	for i := 0; i < 8; i++ {
		var txs [][]byte
		for j := 0; j < 5; j++ {
			amt := uint64(1 + rng.IntN(100))
			sent += amt
			txs = append(txs, a.Tx(1+j%3, transferMsg(p, p.A, p.B, 1+j%3, coin.Coin{Denom: "stake", Amount: amt}, far)))
		}
		resp := a.MustSucceed(a.NextBlock(txs...))
		packets, _ := ibctest.PacketsIn(t, resp, packet.EventSendPacket)
		pending = append(pending, packets...)
	}
	if len(pending) != 40 {
		t.Fatalf("%d packets sent", len(pending))
	}
	received := map[uint64]bool{}
	var acked int
	deliver := func(pk channeltypes.Packet, tamper bool) {
		msgs := p.RecvMsgs(a, []channeltypes.Packet{pk})
		if tamper {
			m := *(msgs[1].(*packet.MsgRecvPacket))
			m.ProofCommitment = append([]byte(nil), m.ProofCommitment...)
			m.ProofCommitment[len(m.ProofCommitment)/2] ^= 0x40
			msgs[1] = &m
		}
		resp := b.NextBlock(b.Tx(0, msgs...))
		ok := resp.TxResults[0].Code == 0
		switch {
		case tamper && ok:
			t.Fatalf("tampered packet %d accepted", pk.Sequence)
		case !tamper && received[pk.Sequence] && ok:
			t.Fatalf("packet %d received twice", pk.Sequence)
		case !tamper && !received[pk.Sequence] && !ok:
			t.Fatalf("packet %d refused: %s", pk.Sequence, resp.TxResults[0].Log)
		}
		if !ok {
			return
		}
		received[pk.Sequence] = true
		acks, ackd := ibctest.PacketsIn(t, resp, packet.EventWriteAck)
		a.MustSucceed(a.NextBlock(a.Tx(0, append([]gogoproto.Message(nil), p.AckMsgs(b, acks, ackd)...)...)))
		acked++
	}
	for round := 0; len(pending) > 0 && round < 200; round++ {
		rng.Shuffle(len(pending), func(i, j int) { pending[i], pending[j] = pending[j], pending[i] }) // reorder
		pk := pending[0]
		switch f := rng.IntN(5); f {
		case 0: // drop: the packet stays pending
		case 1: // delay: time passes on both chains first
			a.NextBlock()
			b.NextBlock()
		case 2: // tamper
			deliver(pk, true)
		case 3: // duplicate: deliver, then deliver again
			deliver(pk, false)
			deliver(pk, false)
			pending = pending[1:]
		default:
			deliver(pk, false)
			pending = pending[1:]
		}
		if a.Supply("stake") != supply {
			t.Fatalf("round %d: supply moved", round)
		}
	}
	for _, pk := range pending {
		deliver(pk, false)
	}
	if len(received) != 40 || acked != 40 {
		t.Fatalf("received %d, acked %d", len(received), acked)
	}
	var left []uint64
	a.QueryJSON("/ibc/commitments/transfer/"+p.A.Channel, &left)
	if len(left) != 0 {
		t.Fatalf("commitments left: %v", left)
	}
	voucher := "transfer/" + p.B.Channel + "/stake"
	if got := b.Supply(voucher); got != sent {
		t.Fatalf("vouchers %d, sent %d", got, sent)
	}
}

// BenchmarkRelay measures packets per second through two in-process
// chains: send, receive with proof and acknowledge with proof, 30 packets
// per block.
func BenchmarkRelay(b *testing.B) {
	clock := &ibctest.Clock{Now: start}
	ca := ibctest.NewChain(b, clock, "chain-a", 4, 4)
	cb := ibctest.NewChain(b, clock, "chain-b", 4, 4)
	p := ibctest.NewPath(ca, cb)
	p.Link("transfer", channeltypes.UNORDERED, "ics20-1")
	far := uint64(start.Add(1000 * time.Hour).UnixNano())
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var msgs []gogoproto.Message
		for j := 0; j < 30; j++ {
			msgs = append(msgs, transferMsg(p, p.A, p.B, 1, coin.Coin{Denom: "stake", Amount: 1}, far))
		}
		resp := ca.MustSucceed(ca.NextBlock(ca.Tx(1, msgs...)))
		if acks := p.Relay(ca, resp); len(acks) != 30 {
			b.Fatalf("%d acks", len(acks))
		}
	}
	b.ReportMetric(float64(30*b.N)/b.Elapsed().Seconds(), "packets/s")
}
