package transfer

import (
	"bytes"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"

	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/types/coin"
)

// TestAfterRecv: the hook sees every successful receive, after the coins
// are credited, with the voucher (or the released native token) as this
// chain names it, and its events follow the receive's; a refused packet
// does not reach it.
func TestAfterRecv(t *testing.T) {
	a, b := twoChains(t)
	type call struct {
		memo     string
		receiver []byte
		credited coin.Coin
		balance  uint64
	}
	var calls []call
	hook := func(c *chain) func(state.Store, int64, channeltypes.Packet, FungibleTokenPacketData, []byte, coin.Coin) []abci.Event {
		return func(s state.Store, _ int64, _ channeltypes.Packet, data FungibleTokenPacketData, receiver []byte, credited coin.Coin) []abci.Event {
			calls = append(calls, call{data.Memo, receiver, credited, c.bank.Balance(s, receiver, credited.Denom)})
			return []abci.Event{{Type: "after_recv"}}
		}
	}
	a.k.AfterRecv, b.k.AfterRecv = hook(a), hook(b)
	alice, aliceBech := a.user("alice")
	bob, bobBech := b.user("bob")

	m := transferMsg(alice, "channel-0", "stake", 100, bobBech)
	m.Memo = "hello"
	p := a.mustSend(m)
	cache := state.NewCache(b.s)
	ack, evs := b.k.OnRecvPacket(cache, 20, now, p, relayer)
	if !ack.Success() || len(evs) == 0 || evs[len(evs)-1].Type != "after_recv" {
		t.Fatalf("ack %v, events %v", ack, evs)
	}
	cache.Write()
	if len(calls) != 1 || calls[0].memo != "hello" || !bytes.Equal(calls[0].receiver, bob) ||
		calls[0].credited != (coin.Coin{Denom: voucherAB, Amount: 100}) || calls[0].balance != 100 {
		t.Fatalf("calls %+v", calls)
	}

	a.ack(a.pop(), ack)

	// Home again: the hook sees the released native token.
	calls = nil
	b.mustSend(transferMsg(bob, "channel-0", voucherAB, 40, aliceBech))
	wantSuccessAck(t, relay(b, a))
	if len(calls) != 1 || calls[0].credited != (coin.Coin{Denom: "stake", Amount: 40}) || !bytes.Equal(calls[0].receiver, alice) {
		t.Fatalf("calls %+v", calls)
	}

	// A refused packet (a receiver that is not an address) does not reach it.
	calls = nil
	a.mustSend(transferMsg(alice, "channel-0", "stake", 1, "not-an-address"))
	if ack := relay(a, b); ack.Success() || len(calls) != 0 {
		t.Fatalf("ack %v, calls %+v", ack, calls)
	}
}
