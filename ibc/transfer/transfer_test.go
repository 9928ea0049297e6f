package transfer

import (
	"errors"
	"reflect"
	"testing"

	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"

	"github.com/abci-ics/ics/chain/bank"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/coin"
	"github.com/abci-ics/ics/types/event"
)

const voucherAB = "transfer/channel-0/stake"

// twoChains returns chains A and B joined by channel-0 on both sides, with
// 1000stake for alice on A.
func twoChains(t *testing.T) (a, b *chain) {
	a, b = newChain(t, "chaina"), newChain(t, "chainb")
	connect(a, "channel-0", b, "channel-0")
	alice, _ := a.user("alice")
	a.mint(alice, coin.Coin{Denom: "stake", Amount: 1000})
	return a, b
}

func TestNativeRoundTrip(t *testing.T) {
	a, b := twoChains(t)
	alice, aliceBech := a.user("alice")
	bob, bobBech := b.user("bob")

	p := a.mustSend(transferMsg(alice, "channel-0", "stake", 100, bobBech))
	want := `{"denom":"stake","amount":"100","sender":"` + aliceBech + `","receiver":"` + bobBech + `"}`
	if string(p.Data) != want {
		t.Fatalf("packet data\n%s\nwant\n%s", p.Data, want)
	}
	if p.Sequence != 1 || p.SourceChannel != "channel-0" || p.DestinationChannel != "channel-0" || p.DestinationPort != PortID {
		t.Fatalf("packet %+v", p)
	}
	if a.s.KV(StoreName).Get([]byte("commitments/ports/transfer/channels/channel-0/sequences/1")) == nil {
		t.Fatal("the channel keeper's writes were not kept")
	}
	wantBalance(t, a, alice, "stake", 900)
	wantEscrow(t, a, "channel-0", "stake", 100, 100)
	wantSupply(t, a, "stake", 1000)

	wantSuccessAck(t, b.recv(p))
	a.ack(p, channeltypes.NewResultAcknowledgement([]byte{1}))
	wantBalance(t, b, bob, voucherAB, 100)
	wantSupply(t, b, voucherAB, 100)
	wantBalance(t, a, alice, "stake", 900)
	wantEscrow(t, a, "channel-0", "stake", 100, 100)
	wantSupply(t, a, "stake", 1000)
	traces := b.k.DenomTraces(b.s)
	wantTraces := []DenomTrace{{Denom: voucherAB, Path: "transfer/channel-0", BaseDenom: "stake"}}
	if !reflect.DeepEqual(traces, wantTraces) {
		t.Fatalf("traces %v, want %v", traces, wantTraces)
	}
	if tr, ok := b.k.DenomTrace(b.s, voucherAB); !ok || tr != wantTraces[0] {
		t.Fatalf("DenomTrace: %v %v", tr, ok)
	}
	if len(a.k.DenomTraces(a.s)) != 0 {
		t.Fatal("the sender recorded a trace")
	}

	// Part of it goes back: burned on B, released on A.
	p = b.mustSend(transferMsg(bob, "channel-0", voucherAB, 40, aliceBech))
	if d, _, err := DecodePacketData(p.Data); err != nil || d.Denom != voucherAB || d.Amount != "40" || d.Sender != bobBech {
		t.Fatalf("packet data %s: %v", p.Data, err)
	}
	wantBalance(t, b, bob, voucherAB, 60)
	wantSupply(t, b, voucherAB, 60)
	wantSuccessAck(t, relay(b, a))
	wantBalance(t, a, alice, "stake", 940)
	wantEscrow(t, a, "channel-0", "stake", 60, 60)
	wantSupply(t, a, "stake", 1000)

	// The rest goes back: everything is as before the first transfer.
	b.mustSend(transferMsg(bob, "channel-0", voucherAB, 60, aliceBech))
	wantSuccessAck(t, relay(b, a))
	wantBalance(t, a, alice, "stake", 1000)
	wantEscrow(t, a, "channel-0", "stake", 0, 0)
	wantSupply(t, a, "stake", 1000)
	wantBalance(t, b, bob, voucherAB, 0)
	wantSupply(t, b, voucherAB, 0)
	if got := a.k.TotalEscrows(a.s); len(got) != 0 {
		t.Fatalf("total escrows %v, want none", got)
	}
	if got := b.bank.TotalSupply(b.s); len(got) != 0 {
		t.Fatalf("B's supply %v, want none", got)
	}
}

func TestEventOfTransfer(t *testing.T) {
	a, _ := twoChains(t)
	alice, aliceBech := a.user("alice")
	m := transferMsg(alice, "channel-0", "stake", 7, "someone")
	m.Memo = "hi"
	evs, err := a.k.HandleTransfer(a.s, 1, now, alice, m)
	if err != nil {
		t.Fatal(err)
	}
	want := event.New(EventTypeTransfer, "sender", aliceBech, "receiver", "someone", "denom", "stake", "amount", "7", "memo", "hi")
	// The transfer's own event, then the channel's send_packet.
	if len(evs) != 2 || !reflect.DeepEqual(evs[0], want) || evs[1].Type != "send_packet" {
		t.Fatalf("events %v, want %v and send_packet", evs, want)
	}
}

func TestErrorAckRefundsEscrow(t *testing.T) {
	a, b := twoChains(t)
	alice, _ := a.user("alice")
	_, bobBech := b.user("bob")
	b.k.SetParams(b.s, Params{SendEnabled: true, ReceiveEnabled: false})

	a.mustSend(transferMsg(alice, "channel-0", "stake", 100, bobBech))
	wantEscrow(t, a, "channel-0", "stake", 100, 100)
	wantErrorAck(t, relay(a, b), 8)
	wantBalance(t, a, alice, "stake", 1000)
	wantEscrow(t, a, "channel-0", "stake", 0, 0)
	wantSupply(t, a, "stake", 1000)
	if got := b.bank.TotalSupply(b.s); len(got) != 0 {
		t.Fatalf("B minted %v", got)
	}
}

func TestErrorAckAndTimeoutRemintVouchers(t *testing.T) {
	a, b := twoChains(t)
	alice, aliceBech := a.user("alice")
	bob, bobBech := b.user("bob")
	a.mustSend(transferMsg(alice, "channel-0", "stake", 100, bobBech))
	relay(a, b)

	// Error acknowledgement: A refuses the voucher coming home.
	a.k.SetParams(a.s, Params{SendEnabled: true, ReceiveEnabled: false})
	b.mustSend(transferMsg(bob, "channel-0", voucherAB, 30, aliceBech))
	wantSupply(t, b, voucherAB, 70)
	wantErrorAck(t, relay(b, a), 8)
	wantBalance(t, b, bob, voucherAB, 100)
	wantSupply(t, b, voucherAB, 100)
	wantEscrow(t, a, "channel-0", "stake", 100, 100)

	// Timeout.
	p := b.mustSend(transferMsg(bob, "channel-0", voucherAB, 100, aliceBech))
	wantBalance(t, b, bob, voucherAB, 0)
	b.timeout(p)
	wantBalance(t, b, bob, voucherAB, 100)
	wantSupply(t, b, voucherAB, 100)
	wantEscrow(t, a, "channel-0", "stake", 100, 100)
	wantSupply(t, a, "stake", 1000)
}

func TestTimeoutRefundsEscrow(t *testing.T) {
	a, b := twoChains(t)
	alice, _ := a.user("alice")
	_, bobBech := b.user("bob")
	p1 := a.mustSend(transferMsg(alice, "channel-0", "stake", 100, bobBech))
	p2 := a.mustSend(transferMsg(alice, "channel-0", "stake", 50, bobBech))
	wantBalance(t, a, alice, "stake", 850)
	wantEscrow(t, a, "channel-0", "stake", 150, 150)
	a.timeout(p2)
	wantBalance(t, a, alice, "stake", 900)
	wantEscrow(t, a, "channel-0", "stake", 100, 100)
	wantSuccessAck(t, b.recv(p1))
	a.ack(p1, channeltypes.NewResultAcknowledgement([]byte{1}))
	wantBalance(t, a, alice, "stake", 900)
	wantEscrow(t, a, "channel-0", "stake", 100, 100)
	wantSupply(t, a, "stake", 1000)
	wantSupply(t, b, voucherAB, 100)
}

// TestTwoHops sends stake A -> B -> C and back, over channels whose ends
// have different identifiers, so that every prefix decision is checked.
func TestTwoHops(t *testing.T) {
	a, b, c := newChain(t, "chaina"), newChain(t, "chainb"), newChain(t, "chainc")
	connect(a, "channel-0", b, "channel-3")
	connect(b, "channel-5", c, "channel-9")
	alice, aliceBech := a.user("alice")
	bob, bobBech := b.user("bob")
	carol, carolBech := c.user("carol")
	a.mint(alice, coin.Coin{Denom: "stake", Amount: 1000})

	const onB = "transfer/channel-3/stake"
	const onC = "transfer/channel-9/transfer/channel-3/stake"

	a.mustSend(transferMsg(alice, "channel-0", "stake", 100, bobBech))
	wantSuccessAck(t, relay(a, b))
	wantBalance(t, b, bob, onB, 100)

	p := b.mustSend(transferMsg(bob, "channel-5", onB, 60, carolBech))
	if d, _, _ := DecodePacketData(p.Data); d.Denom != onB {
		t.Fatalf("packet denom %q, want %q", d.Denom, onB)
	}
	wantEscrow(t, b, "channel-5", onB, 60, 60)
	wantSupply(t, b, onB, 100)
	wantSuccessAck(t, c.recv(p))
	b.ack(p, channeltypes.NewResultAcknowledgement([]byte{1}))
	wantBalance(t, c, carol, onC, 60)
	tr, ok := c.k.DenomTrace(c.s, onC)
	if !ok || tr.Path != "transfer/channel-9/transfer/channel-3" || tr.BaseDenom != "stake" {
		t.Fatalf("trace on C: %v %v", tr, ok)
	}

	// Back from C to B: burned on C, released from B's escrow for channel-5.
	c.mustSend(transferMsg(carol, "channel-9", onC, 60, bobBech))
	wantSupply(t, c, onC, 0)
	wantSuccessAck(t, relay(c, b))
	wantBalance(t, b, bob, onB, 100)
	wantEscrow(t, b, "channel-5", onB, 0, 0)

	// Back from B to A.
	b.mustSend(transferMsg(bob, "channel-3", onB, 100, aliceBech))
	wantSuccessAck(t, relay(b, a))
	wantBalance(t, a, alice, "stake", 1000)
	wantEscrow(t, a, "channel-0", "stake", 0, 0)
	wantSupply(t, a, "stake", 1000)
	wantSupply(t, b, onB, 0)

	// A voucher of B sent back over the wrong channel is escrowed, not
	// burned, and becomes a longer voucher on A.
	a.mustSend(transferMsg(alice, "channel-0", "stake", 10, bobBech))
	relay(a, b)
	connect(b, "channel-6", a, "channel-2")
	b.mustSend(transferMsg(bob, "channel-6", onB, 10, aliceBech))
	wantSuccessAck(t, relay(b, a))
	wantBalance(t, a, alice, "transfer/channel-2/transfer/channel-3/stake", 10)
	wantEscrow(t, b, "channel-6", onB, 10, 10)
}

func TestVoucherFromOtherChannelIsEscrowed(t *testing.T) {
	a, b := twoChains(t)
	alice, _ := a.user("alice")
	bob, bobBech := b.user("bob")
	a.mustSend(transferMsg(alice, "channel-0", "stake", 5, bobBech))
	relay(a, b)
	connect(b, "channel-1", newChain(t, "chainc"), "channel-0")
	p := b.mustSend(transferMsg(bob, "channel-1", voucherAB, 5, "x"))
	wantSupply(t, b, voucherAB, 5)
	wantEscrow(t, b, "channel-1", voucherAB, 5, 5)
	b.timeout(p)
	wantBalance(t, b, bob, voucherAB, 5)
	wantEscrow(t, b, "channel-1", voucherAB, 0, 0)
}

func TestRefundOfForeignPacketFails(t *testing.T) {
	a, _ := twoChains(t)
	p := channeltypes.Packet{Sequence: 1, SourcePort: PortID, SourceChannel: "channel-0", DestinationPort: PortID, DestinationChannel: "channel-0",
		Data: FungibleTokenPacketData{Denom: "stake", Amount: "5", Sender: "not an address", Receiver: "x"}.GetBytes()}
	hash := a.ms.WorkingHash()
	if _, err := a.k.OnTimeoutPacket(a.s, 1, now, p, relayer); !errors.Is(err, ErrInvalidAddress) {
		t.Fatalf("err %v, want ErrInvalidAddress", err)
	}
	_, aliceBech := a.user("alice")
	p.Data = FungibleTokenPacketData{Denom: "stake", Amount: "5", Sender: aliceBech, Receiver: "x"}.GetBytes()
	if _, err := a.k.OnTimeoutPacket(a.s, 1, now, p, relayer); !errors.Is(err, ErrInsufficientEscrow) {
		t.Fatalf("err %v, want ErrInsufficientEscrow", err)
	}
	p.Data = []byte("{")
	if _, err := a.k.OnAcknowledgementPacket(a.s, 1, now, p, channeltypes.NewErrorAcknowledgement(ackCodeInvalid), relayer); !errors.Is(err, ErrInvalidPacketData) {
		t.Fatalf("err %v, want ErrInvalidPacketData", err)
	}
	// A success acknowledgement is not even decoded.
	if _, err := a.k.OnAcknowledgementPacket(a.s, 1, now, p, successAck(), relayer); err != nil {
		t.Fatal(err)
	}
	if string(hash) != string(a.ms.WorkingHash()) {
		t.Fatal("a failed refund wrote state")
	}
}

func TestModuleSendsWithTransfer(t *testing.T) {
	a, _ := twoChains(t)
	pool := address.Module("fee_pool")
	a.mint(pool, coin.Coin{Denom: "stake", Amount: 10})
	m := transferMsg(pool, "channel-0", "stake", 10, "provider1xyz")
	m.Memo = `{"consumer":"c1"}`
	seq, _, err := a.k.Transfer(a.s, 1, now, m)
	if err != nil || seq != 1 {
		t.Fatalf("seq %d, err %v", seq, err)
	}
	seq, _, err = a.k.Transfer(a.s, 1, now, m)
	if !errors.Is(err, bank.ErrInsufficientFunds) || seq != 0 {
		t.Fatalf("seq %d, err %v", seq, err)
	}
	if d, _, _ := DecodePacketData(a.pop().Data); d.Memo != m.Memo {
		t.Fatalf("memo %q", d.Memo)
	}
}
