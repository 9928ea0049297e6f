package ibctest_test

import (
	"errors"
	"testing"
	"time"

	gogoproto "github.com/cosmos/gogoproto/proto"

	"github.com/abci-ics/ics/app"
	"github.com/abci-ics/ics/app/ibctest"
	"github.com/abci-ics/ics/ibc/channel"
	"github.com/abci-ics/ics/ibc/client"
	"github.com/abci-ics/ics/ibc/packet"
	"github.com/abci-ics/ics/types/coin"
)

// failsWith submits msgs on c and requires the transaction to fail with
// the ABCI code of want, leaving the app hash as an empty block would.
func failsWith(t *testing.T, c *ibctest.Chain, want error, msgs ...gogoproto.Message) {
	t.Helper()
	r := c.NextBlock(c.Tx(0, msgs...)).TxResults[0]
	if r.Code != app.Code(want) {
		t.Fatalf("code %d (%s), want %d (%v)", r.Code, r.Log, app.Code(want), want)
	}
}

// TestRejectedDatagrams breaks a valid MsgRecvPacket, MsgAcknowledgement
// or client update one rule at a time, between two real chains.
func TestRejectedDatagrams(t *testing.T) {
	p := link(t)
	a, b := p.A.Chain, p.B.Chain
	far := uint64(start.Add(time.Hour).UnixNano())
	resp := a.MustSucceed(a.NextBlock(a.Tx(1, transferMsg(p, p.A, p.B, 1, coin.Coin{Denom: "stake", Amount: 9}, far), transferMsg(p, p.A, p.B, 1, coin.Coin{Denom: "stake", Amount: 8}, far))))
	packets, _ := ibctest.PacketsIn(t, resp, packet.EventSendPacket)
	msgs := p.RecvMsgs(a, packets)
	recv0, recv1 := msgs[1].(*packet.MsgRecvPacket), msgs[2].(*packet.MsgRecvPacket)
	up := msgs[0]
	b.MustSucceed(b.NextBlock(b.Tx(0, up)))

	// The proof of packet 2 offered for packet 1 (another key).
	other := *recv0
	other.ProofCommitment = recv1.ProofCommitment
	failsWith(t, b, channel.ErrInvalidProof, &other)
	// The proof cited at another height.
	early := *recv0
	early.ProofRevisionHeight--
	failsWith(t, b, client.ErrConsensusStateNotFound, &early)
	// A packet for a channel that does not exist.
	pk := packets[0]
	pk.DestinationChannel = "channel-9"
	unknown := *recv0
	unknown.Packet = ibctest.Marshal(&pk)
	failsWith(t, b, channel.ErrChannelNotFound, &unknown)

	// Deliver both, then forge the acknowledgement of the first.
	recv := b.MustSucceed(b.NextBlock(b.Tx(0, recv0, recv1)))
	acked, acks := ibctest.PacketsIn(t, recv, packet.EventWriteAck)
	ackMsgs := p.AckMsgs(b, acked, acks)
	forged := *(ackMsgs[1].(*packet.MsgAcknowledgement))
	forged.Acknowledgement = []byte(`{"error":"forged"}`)
	failsWith(t, a, channel.ErrInvalidProof, ackMsgs[0], &forged)
	a.MustSucceed(a.NextBlock(a.Tx(0, ackMsgs...)))

	// A header of another chain for B's client on A.
	c := ibctest.NewChain(t, a.Clock(), "chain-c", 4, 4)
	for c.Height < b.Height+2 {
		c.NextBlock()
	}
	up2, _ := ibctest.UpdateMsg(p.A, c)
	failsWith(t, a, client.ErrChainIDMismatch, up2)

	// After the trusting period B's client on A has expired.
	b.NextBlock()
	stale, _ := ibctest.UpdateMsg(p.A, b)
	ibctest.AdvanceClock(a, 15*24*time.Hour)
	r := a.NextBlock(a.Tx(0, stale)).TxResults[0]
	if !errors.Is(codeToErr(r.Code), client.ErrTrustingPeriodExpired) && !errors.Is(codeToErr(r.Code), client.ErrClientNotActive) {
		t.Fatalf("update of an expired client: code %d: %s", r.Code, r.Log)
	}
}

func codeToErr(code uint32) error {
	for _, e := range []error{client.ErrTrustingPeriodExpired, client.ErrClientNotActive} {
		if app.Code(e) == code {
			return e
		}
	}
	return nil
}
