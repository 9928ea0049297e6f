package transfer

import (
	"strings"
	"testing"

	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"

	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/coin"
)

// recvFixture is chain B after receiving 100stake from A over channel-0,
// so that B holds vouchers and A holds an escrow; packets to either can be
// forged from here.
func recvFixture(t testing.TB) (a, b *chain) {
	a, b = newChain(t, "chaina"), newChain(t, "chainb")
	connect(a, "channel-0", b, "channel-0")
	alice, _ := a.user("alice")
	_, bobBech := b.user("bob")
	a.mint(alice, coin.Coin{Denom: "stake", Amount: 1000})
	a.mustSend(transferMsg(alice, "channel-0", "stake", 100, bobBech))
	relay(a, b)
	return a, b
}

// packetTo builds a packet from the other end of channel-0 to c.
func packetTo(data []byte) channeltypes.Packet {
	return channeltypes.Packet{Sequence: 9, SourcePort: PortID, SourceChannel: "channel-0", DestinationPort: PortID, DestinationChannel: "channel-0", Data: data}
}

func TestRecvRejectsBadPacketData(t *testing.T) {
	a, b := recvFixture(t)
	_, aliceBech := a.user("alice")
	_, bobBech := b.user("bob")
	valid := FungibleTokenPacketData{Denom: "atom", Amount: "5", Sender: aliceBech, Receiver: bobBech}
	with := func(edit func(d *FungibleTokenPacketData)) []byte {
		d := valid
		edit(&d)
		return d.GetBytes()
	}
	cases := []struct {
		name string
		to   *chain
		data []byte
		code uint32
	}{
		{"not JSON", b, []byte("transfer 5 atom"), 12},
		{"JSON array", b, []byte(`["atom","5"]`), 12},
		{"trailing data", b, append(valid.GetBytes(), '}'), 12},
		{"amount as number", b, []byte(`{"denom":"atom","amount":5,"sender":"x","receiver":"` + bobBech + `"}`), 12},
		{"empty", b, nil, 12},
		{"no sender", b, with(func(d *FungibleTokenPacketData) { d.Sender = "" }), 12},
		{"no receiver", b, with(func(d *FungibleTokenPacketData) { d.Receiver = " " }), 12},
		{"no denom", b, with(func(d *FungibleTokenPacketData) { d.Denom = "" }), 3},
		{"denom starts with a digit", b, with(func(d *FungibleTokenPacketData) { d.Denom = "1atom" }), 3},
		{"denom with a space", b, with(func(d *FungibleTokenPacketData) { d.Denom = "at om" }), 3},
		{"empty denom segment", b, with(func(d *FungibleTokenPacketData) { d.Denom = "gamm//1" }), 3},
		{"denom ends in a slash", b, with(func(d *FungibleTokenPacketData) { d.Denom = "gamm/" }), 3},
		{"trace too long", b, with(func(d *FungibleTokenPacketData) { d.Denom = "a" + strings.Repeat("x", 109) }), 3},
		{"home denom invalid", a, with(func(d *FungibleTokenPacketData) { d.Denom = "transfer/channel-0/1x"; d.Receiver = aliceBech }), 3},
		{"no amount", b, with(func(d *FungibleTokenPacketData) { d.Amount = "" }), 5},
		{"zero amount", b, with(func(d *FungibleTokenPacketData) { d.Amount = "0" }), 5},
		{"negative amount", b, with(func(d *FungibleTokenPacketData) { d.Amount = "-5" }), 5},
		{"signed amount", b, with(func(d *FungibleTokenPacketData) { d.Amount = "+5" }), 5},
		{"leading zero", b, with(func(d *FungibleTokenPacketData) { d.Amount = "05" }), 5},
		{"fraction", b, with(func(d *FungibleTokenPacketData) { d.Amount = "5.0" }), 5},
		{"amount with space", b, with(func(d *FungibleTokenPacketData) { d.Amount = " 5" }), 5},
		{"amount over 64 bits", b, with(func(d *FungibleTokenPacketData) { d.Amount = "18446744073709551616" }), 5},
		{"huge amount", b, with(func(d *FungibleTokenPacketData) { d.Amount = strings.Repeat("9", 80) }), 5},
		{"receiver of another chain", b, with(func(d *FungibleTokenPacketData) { d.Receiver = aliceBech }), 5},
		{"receiver not bech32", b, with(func(d *FungibleTokenPacketData) { d.Receiver = "bob" }), 5},
		{"receiver bad checksum", b, with(func(d *FungibleTokenPacketData) { d.Receiver = bobBech[:len(bobBech)-1] + "q" }), 5},
		{"receiver is the escrow", b, with(func(d *FungibleTokenPacketData) {
			d.Receiver = address.Encode("chainb", EscrowAddress(PortID, "channel-0"))
		}), 5},
		{"home token to the escrow", a, with(func(d *FungibleTokenPacketData) {
			d.Denom, d.Receiver = "transfer/channel-0/stake", address.Encode("chaina", EscrowAddress(PortID, "channel-0"))
		}), 5},
		{"more than escrowed", a, with(func(d *FungibleTokenPacketData) {
			d.Denom, d.Amount, d.Receiver = "transfer/channel-0/stake", "101", aliceBech
		}), 5},
		{"nothing escrowed", a, with(func(d *FungibleTokenPacketData) {
			d.Denom, d.Receiver = "transfer/channel-0/atom", aliceBech
		}), 5},
		{"voucher supply would overflow", b, with(func(d *FungibleTokenPacketData) { d.Denom, d.Amount = "stake", "18446744073709551600" }), 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			hash := tc.to.ms.WorkingHash()
			// Run on the store itself, not a cache: a refused packet must
			// not write anything even when the caller would keep it.
			ack, _ := tc.to.k.OnRecvPacket(tc.to.s, 1, now, packetTo(tc.data), relayer)
			wantErrorAck(t, ack, tc.code)
			if string(hash) != string(tc.to.ms.WorkingHash()) {
				t.Fatal("a refused packet wrote state")
			}
		})
	}
	// The fixture itself is accepted.
	wantSuccessAck(t, b.recv(packetTo(valid.GetBytes())))
}

func TestRecvDisabled(t *testing.T) {
	_, b := recvFixture(t)
	_, bobBech := b.user("bob")
	b.k.SetParams(b.s, Params{SendEnabled: true})
	hash := b.ms.WorkingHash()
	ack, _ := b.k.OnRecvPacket(b.s, 1, now, packetTo(FungibleTokenPacketData{Denom: "atom", Amount: "1", Sender: "x", Receiver: bobBech}.GetBytes()), relayer)
	wantErrorAck(t, ack, 8)
	if string(hash) != string(b.ms.WorkingHash()) {
		t.Fatal("a refused packet wrote state")
	}
}

func TestRecvAcceptsForeignForms(t *testing.T) {
	_, b := recvFixture(t)
	bob, bobBech := b.user("bob")
	cases := []struct {
		data    string
		voucher string
		amount  uint64
	}{
		// Sorted fields and a memo, as older ibc-go versions write them.
		{`{"amount":"7","denom":"uatom","memo":"m","receiver":"` + bobBech + `","sender":"cosmos1x"}`, "transfer/channel-0/uatom", 7},
		// An upper-case receiver is the same bech32 address.
		{`{"denom":"gamm/pool/1","amount":"18446744073709551615","sender":"osmo1x","receiver":"` + strings.ToUpper(bobBech) + `"}`, "transfer/channel-0/gamm/pool/1", 18446744073709551615},
		// Unknown fields are ignored, as ibc-go ignores them.
		{`{"denom":"transfer/channel-7/uosmo","amount":"3","sender":"s","receiver":"` + bobBech + `","extra":1}`, "transfer/channel-0/transfer/channel-7/uosmo", 3},
		// The longest trace the bank accepts.
		{`{"denom":"a` + strings.Repeat("x", 108) + `","amount":"1","sender":"s","receiver":"` + bobBech + `"}`, "transfer/channel-0/a" + strings.Repeat("x", 108), 1},
	}
	for _, tc := range cases {
		wantSuccessAck(t, b.recv(packetTo([]byte(tc.data))))
		wantBalance(t, b, bob, tc.voucher, tc.amount)
	}
	got := b.k.DenomTraces(b.s)
	want := map[string][2]string{
		"transfer/channel-0/gamm/pool/1": {"transfer/channel-0", "gamm/pool/1"},
		voucherAB:                        {"transfer/channel-0", "stake"},
		"transfer/channel-0/transfer/channel-7/uosmo":     {"transfer/channel-0/transfer/channel-7", "uosmo"},
		"transfer/channel-0/uatom":                        {"transfer/channel-0", "uatom"},
		"transfer/channel-0/a" + strings.Repeat("x", 108): {"transfer/channel-0", "a" + strings.Repeat("x", 108)},
	}
	if len(got) != len(want) {
		t.Fatalf("traces %v", got)
	}
	for i, tr := range got {
		if w, ok := want[tr.Denom]; !ok || w != [2]string{tr.Path, tr.BaseDenom} || i > 0 && got[i-1].Denom >= tr.Denom {
			t.Fatalf("traces %v", got)
		}
	}
}

// FuzzOnRecvPacket delivers arbitrary packet data to a chain that holds an
// escrow and vouchers: OnRecvPacket never panics, answers with exactly one
// of the two acknowledgement kinds, and on success has credited the
// receiver exactly what the packet says, conserving the native supply.
func FuzzOnRecvPacket(f *testing.F) {
	a, b := recvFixture(f)
	_, aliceBech := a.user("alice")
	_, bobBech := b.user("bob")
	f.Add([]byte(FungibleTokenPacketData{Denom: "atom", Amount: "5", Sender: "x", Receiver: bobBech}.GetBytes()), false)
	f.Add([]byte(FungibleTokenPacketData{Denom: "transfer/channel-0/stake", Amount: "100", Sender: "x", Receiver: aliceBech}.GetBytes()), true)
	f.Add([]byte(FungibleTokenPacketData{Denom: "transfer/channel-0/stake", Amount: "101", Sender: "x", Receiver: aliceBech}.GetBytes()), true)
	f.Add([]byte(`{"denom":"a/channel-1/b","amount":"1","sender":"s","receiver":"`+bobBech+`","memo":"\u0000"}`), false)
	f.Add([]byte(`{"denom":null}`), false)
	f.Add([]byte{0xff, '{'}, true)
	f.Fuzz(func(t *testing.T, data []byte, toA bool) {
		c := b
		if toA {
			c = a
		}
		cache := state.NewCache(c.s)
		stakeSupply := c.bank.Supply(cache, "stake")
		ack, _ := c.k.OnRecvPacket(cache, 1, now, packetTo(data), relayer)
		switch r := ack.Response.(type) {
		case *channeltypes.Acknowledgement_Error:
			ok := false
			for _, code := range []ackCode{ackCodeInternal, ackCodeInvalidDenom, ackCodeInvalid, ackCodeDisabled, ackCodeInvalidType} {
				want := channeltypes.NewErrorAcknowledgement(code)
				ok = ok || r.Error == want.GetError()
			}
			if !ok {
				t.Fatalf("error ack %q", r.Error)
			}
			return
		case *channeltypes.Acknowledgement_Result:
			if string(r.Result) != "\x01" {
				t.Fatalf("result %x", r.Result)
			}
		default:
			t.Fatalf("ack %v", ack)
		}
		d, amount, err := DecodePacketData(data)
		if err != nil {
			t.Fatalf("accepted undecodable data: %v", err)
		}
		receiver, err := address.Decode(c.k.Prefix, d.Receiver)
		if err != nil {
			t.Fatalf("accepted receiver %q", d.Receiver)
		}
		denom, home := strings.CutPrefix(d.Denom, "transfer/channel-0/")
		if !home {
			denom = "transfer/channel-0/" + d.Denom
		}
		if got, before := c.bank.Balance(cache, receiver, denom), c.bank.Balance(c.s, receiver, denom); got-before != amount {
			t.Fatalf("receiver got %d %s, packet says %d", got-before, denom, amount)
		}
		if c.bank.Supply(cache, "stake") != stakeSupply {
			t.Fatal("the native supply changed")
		}
	})
}
