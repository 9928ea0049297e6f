package ibctest_test

import (
	"errors"
	"testing"
	"time"

	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"

	"github.com/abci-ics/ics/app"
	"github.com/abci-ics/ics/app/ibctest"
	"github.com/abci-ics/ics/ibc/channel"
	"github.com/abci-ics/ics/ibc/client"
	"github.com/abci-ics/ics/ibc/commitment"
	"github.com/abci-ics/ics/ibc/packet"
	"github.com/abci-ics/ics/ibc/transfer"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/coin"
)

var start = time.Unix(1_700_000_000, 0).UTC()

func link(t *testing.T) *ibctest.Path {
	clock := &ibctest.Clock{Now: start}
	a := ibctest.NewChain(t, clock, "chain-a", 4, 4)
	b := ibctest.NewChain(t, clock, "chain-b", 4, 4)
	p := ibctest.NewPath(a, b)
	p.Link(transfer.PortID, channeltypes.UNORDERED, transfer.Version)
	return p
}

func transferMsg(p *ibctest.Path, from *ibctest.End, to *ibctest.End, acct int, coin coin.Coin, timeout uint64) *transfer.MsgTransfer {
	return &transfer.MsgTransfer{
		Sender: from.Chain.Address(acct), SourcePort: from.Port, SourceChannel: from.Channel, Token: coin,
		Receiver: address.Encode("ics", to.Chain.Address(acct)), TimeoutTimestamp: timeout,
	}
}

// TestTransferRoundTrip: A -> B mints a voucher on B, B -> A burns it and
// releases the escrow on A; supply of A's native denom never changes.
func TestTransferRoundTrip(t *testing.T) {
	p := link(t)
	a, b := p.A.Chain, p.B.Chain
	supplyA := a.Supply("stake")
	before := a.Balance(a.Address(1), "stake")
	far := uint64(start.Add(time.Hour).UnixNano())

	resp := a.MustSucceed(a.NextBlock(a.Tx(1, transferMsg(p, p.A, p.B, 1, coin.Coin{Denom: "stake", Amount: 1000}, far))))
	acks := p.Relay(a, resp)
	if len(acks) != 1 || string(acks[0]) != `{"result":"AQ=="}` {
		t.Fatalf("acks %q", acks)
	}
	voucher := "transfer/" + p.B.Channel + "/stake"
	if got := b.Balance(b.Address(1), voucher); got != 1000 {
		t.Fatalf("voucher balance %d", got)
	}
	if got := a.Balance(a.Address(1), "stake"); got != before-1000-1 {
		t.Fatalf("sender balance %d", got)
	}
	if a.Supply("stake") != supplyA || b.Supply(voucher) != 1000 {
		t.Fatal("supply changed")
	}

	resp = b.MustSucceed(b.NextBlock(b.Tx(1, transferMsg(p, p.B, p.A, 1, coin.Coin{Denom: voucher, Amount: 1000}, far))))
	p.Relay(b, resp)
	if got := a.Balance(a.Address(1), "stake"); got != before-1 {
		t.Fatalf("balance after the round trip %d, want %d", got, before-1)
	}
	if b.Supply(voucher) != 0 || a.Supply("stake") != supplyA {
		t.Fatal("supply after the round trip")
	}
}

// TestRejections: a replayed packet and a tampered proof are refused with
// the channel's errors, and change nothing.
func TestRejections(t *testing.T) {
	p := link(t)
	a, b := p.A.Chain, p.B.Chain
	far := uint64(start.Add(time.Hour).UnixNano())
	resp := a.MustSucceed(a.NextBlock(a.Tx(1, transferMsg(p, p.A, p.B, 1, coin.Coin{Denom: "stake", Amount: 5}, far))))
	packets, _ := ibctest.PacketsIn(t, resp, packet.EventSendPacket)
	msgs := p.RecvMsgs(a, packets)

	tampered := *(msgs[1].(*packet.MsgRecvPacket))
	tampered.ProofCommitment = append([]byte(nil), tampered.ProofCommitment...)
	tampered.ProofCommitment[len(tampered.ProofCommitment)-5] ^= 1
	res := b.NextBlock(b.Tx(0, msgs[0], &tampered))
	if r := res.TxResults[0]; !errors.Is(codeErr(r.Code), channel.ErrInvalidProof) {
		t.Fatalf("tampered proof: code %d: %s", r.Code, r.Log)
	}
	b.MustSucceed(b.NextBlock(b.Tx(0, msgs...)))
	res = b.NextBlock(b.Tx(0, msgs[1]))
	if r := res.TxResults[0]; !errors.Is(codeErr(r.Code), packet.ErrPacketAlreadyReceived) {
		t.Fatalf("replay: code %d: %s", r.Code, r.Log)
	}
	voucher := "transfer/" + p.B.Channel + "/stake"
	if got := b.Balance(b.Address(1), voucher); got != 5 {
		t.Fatalf("voucher balance %d after a replay", got)
	}
}

// TestTimeoutRefunds: a packet not received before its timeout is timed
// out on the sender with a proof of absence, and refunded.
func TestTimeoutRefunds(t *testing.T) {
	p := link(t)
	a, b := p.A.Chain, p.B.Chain
	before := a.Balance(a.Address(2), "stake")
	soon := uint64(a.Time.Add(30 * time.Second).UnixNano())
	resp := a.MustSucceed(a.NextBlock(a.Tx(2, transferMsg(p, p.A, p.B, 2, coin.Coin{Denom: "stake", Amount: 77}, soon))))
	packets, _ := ibctest.PacketsIn(t, resp, packet.EventSendPacket)
	if len(packets) != 1 {
		t.Fatalf("%d packets", len(packets))
	}
	pk := packets[0]
	timeoutMsg := func() []any {
		proof, h, up := ibctest.Prove(p.A, b, commitment.PacketReceiptPath(pk.DestinationPort, pk.DestinationChannel, pk.Sequence))
		return []any{up, &packet.MsgTimeout{Packet: ibctest.Marshal(&pk), ProofUnreceived: proof, ProofRevisionNumber: h.RevisionNumber,
			ProofRevisionHeight: h.RevisionHeight, NextSequenceRecv: pk.Sequence, Signer: a.Address(0)}}
	}
	// Too early: B's time has not passed the timeout yet.
	m := timeoutMsg()
	res := a.NextBlock(a.Tx(0, m[0].(*client.MsgUpdateClient), m[1].(*packet.MsgTimeout)))
	if r := res.TxResults[0]; !errors.Is(codeErr(r.Code), packet.ErrTimeoutNotReached) {
		t.Fatalf("early timeout: code %d: %s", r.Code, r.Log)
	}
	for b.Time.UnixNano() <= int64(soon) {
		b.NextBlock()
	}
	m = timeoutMsg()
	a.MustSucceed(a.NextBlock(a.Tx(0, m[0].(*client.MsgUpdateClient), m[1].(*packet.MsgTimeout))))
	if got := a.Balance(a.Address(2), "stake"); got != before-1 {
		t.Fatalf("balance after the refund %d, want %d", got, before-1)
	}
	// The late packet is refused on B.
	recv := p.RecvMsgs(a, packets)
	if r := b.NextBlock(b.Tx(0, recv...)).TxResults[0]; !errors.Is(codeErr(r.Code), packet.ErrTimeoutElapsed) {
		t.Fatalf("late packet: code %d: %s", r.Code, r.Log)
	}
}

// codeErr maps an ABCI code back to the error the table gives it.
func codeErr(code uint32) error {
	for _, e := range []error{packet.ErrTimeoutNotReached, channel.ErrInvalidProof, packet.ErrPacketAlreadyReceived, packet.ErrTimeoutElapsed} {
		if app.Code(e) == code {
			return e
		}
	}
	return nil
}
