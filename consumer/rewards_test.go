package consumer

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"

	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/state/typed"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/coin"
)

// fakeRewards is a bank kept in the ibc store (so caches behave as with
// the real one), an ICS-20 that moves what it sends to an escrow address,
// and a table of channel ends.
type fakeRewards struct {
	ends    map[string]channeltypes.Channel // "port/channel" -> end
	sent    []fakeTransfer
	sendErr map[string]error // denom -> error of Transfer
}

type fakeTransfer struct {
	channel, receiver, memo string
	token                   coin.Coin
	timeout                 uint64
}

var escrow = address.Module("escrow")

func balKey(addr []byte, denom string) []byte {
	return append(append([]byte("bal/"), addr...), denom...)
}

func (f *fakeRewards) Balances(s state.Store, addr []byte) []coin.Coin {
	var out []coin.Coin
	p := append([]byte("bal/"), addr...)
	it := s.KV(ibcStore).Iterator(p, state.PrefixEnd(p))
	defer it.Close()
	for ; it.Valid(); it.Next() {
		out = append(out, coin.Coin{Denom: string(it.Key()[len(p):]), Amount: typed.DecodeU64(it.Key(), it.Value())})
	}
	return out
}

func (f *fakeRewards) balance(s state.Store, addr []byte, denom string) uint64 {
	v, _ := typed.GetU64(s.KV(ibcStore), balKey(addr, denom))
	return v
}

func (f *fakeRewards) set(s state.Store, addr []byte, denom string, v uint64) {
	if v == 0 {
		s.KV(ibcStore).Delete(balKey(addr, denom))
		return
	}
	s.KV(ibcStore).Set(balKey(addr, denom), typed.U64(v))
}

func (f *fakeRewards) Send(s state.Store, from, to []byte, coins []coin.Coin) error {
	for _, c := range coins {
		have := f.balance(s, from, c.Denom)
		if have < c.Amount {
			return errors.New("fake: insufficient funds")
		}
		f.set(s, from, c.Denom, have-c.Amount)
		f.set(s, to, c.Denom, f.balance(s, to, c.Denom)+c.Amount)
	}
	return nil
}

func (f *fakeRewards) Transfer(s state.Store, height int64, now time.Time, channelID string, sender []byte, token coin.Coin, receiver, memo string, timeoutTimestamp uint64) ([]abci.Event, error) {
	if err := f.sendErr[token.Denom]; err != nil {
		return nil, err
	}
	if err := f.Send(s, sender, escrow, []coin.Coin{token}); err != nil {
		return nil, err
	}
	f.sent = append(f.sent, fakeTransfer{channel: channelID, receiver: receiver, memo: memo, token: token, timeout: timeoutTimestamp})
	return []abci.Event{{Type: "ibc_transfer"}}, nil
}

func (f *fakeRewards) Channel(s state.Store, portID, channelID string) (channeltypes.Channel, bool) {
	c, ok := f.ends[portID+"/"+channelID]
	return c, ok
}

func (f *fakeRewards) Channels(s state.Store) []channeltypes.IdentifiedChannel {
	var out []channeltypes.IdentifiedChannel
	for k, c := range f.ends {
		port, ch, _ := strings.Cut(k, "/")
		out = append(out, channeltypes.NewIdentifiedChannel(port, ch, c))
	}
	slices.SortFunc(out, func(a, b channeltypes.IdentifiedChannel) int {
		return strings.Compare(a.PortId+"/"+a.ChannelId, b.PortId+"/"+b.ChannelId)
	})
	return out
}

func end(order channeltypes.Order, state channeltypes.State, conn string) channeltypes.Channel {
	return channeltypes.Channel{State: state, Ordering: order, ConnectionHops: []string{conn}}
}

var feeCollector = address.Module("fee_collector")

// newRewardsHarness is an initialized consumer with rewards enabled, every
// transmission blocks apart, consumer id "7", and the CCV channel's end
// on providerConn.
func newRewardsHarness(t *testing.T, every int64) (*harness, *fakeRewards) {
	t.Helper()
	h := newBare(t)
	r := &fakeRewards{ends: map[string]channeltypes.Channel{
		ccv.ConsumerPortID + "/" + ccvChannel: end(channeltypes.ORDERED, channeltypes.OPEN, providerConn),
	}}
	h.k.Rewards, h.k.FeeCollector, h.k.ChainID = r, feeCollector, "consumer-1"
	g := genesis(t, 2)
	g.Params.BlocksPerDistributionTransmission = every
	g.ConsumerId = "7"
	if _, err := h.k.InitGenesis(h.s, g, h.height, h.now); err != nil {
		t.Fatal(err)
	}
	return h, r
}

func TestFeeSplitEveryBlock(t *testing.T) {
	h, r := newRewardsHarness(t, 1000)
	r.set(h.s, feeCollector, "stake", 1003)
	r.set(h.s, feeCollector, "uatom", 7)
	h.block()
	want := map[string][2]uint64{"stake": {752, 251}, "uatom": {5, 2}}
	for denom, w := range want {
		if got := r.balance(h.s, RedistributeAddress(), denom); got != w[0] {
			t.Errorf("redistribute %s = %d, want %d", denom, got, w[0])
		}
		if got := r.balance(h.s, ToProviderAddress(), denom); got != w[1] {
			t.Errorf("to provider %s = %d, want %d", denom, got, w[1])
		}
	}
	if fc := r.Balances(h.s, feeCollector); len(fc) != 0 {
		t.Errorf("fee collector keeps %v", fc)
	}
	// The next block's fees add up.
	r.set(h.s, feeCollector, "stake", 1)
	h.block()
	if got := r.balance(h.s, ToProviderAddress(), "stake"); got != 252 {
		t.Errorf("to provider after a second block = %d, want 252", got)
	}
	if got := h.k.PendingRewards(h.s); !slices.Equal(got, []coin.Coin{{Denom: "stake", Amount: 252}, {Denom: "uatom", Amount: 2}}) {
		t.Errorf("PendingRewards = %v", got)
	}
}

func TestFeeSplitToConfiguredAddress(t *testing.T) {
	h := newBare(t)
	r := &fakeRewards{ends: map[string]channeltypes.Channel{}}
	h.k.Rewards, h.k.FeeCollector = r, feeCollector
	to := address.Module("treasury")
	g := genesis(t, 1)
	g.Params.ConsumerRedistributionAddress = address.Encode("cosmos", to)
	if _, err := h.k.InitGenesis(h.s, g, h.height, h.now); err != nil {
		t.Fatal(err)
	}
	r.set(h.s, feeCollector, "stake", 100)
	h.block()
	if got := r.balance(h.s, to, "stake"); got != 75 {
		t.Errorf("configured address = %d, want 75", got)
	}
	if got := r.balance(h.s, RedistributeAddress(), "stake"); got != 0 {
		t.Errorf("redistribute account = %d, want 0", got)
	}

	bad := newBare(t)
	g = genesis(t, 1)
	g.Params.ConsumerRedistributionAddress = address.Encode("osmo", to)
	if _, err := bad.k.InitGenesis(bad.s, g, 1, t0); !errors.Is(err, ccv.ErrInvalidGenesis) {
		t.Errorf("InitGenesis with a foreign address: %v", err)
	}
}

// TestFeeSplitKeepInFeeCollector: with KeepInFeeCollector the consumer's
// share stays in the fee collector, even with a redistribution address
// configured, and only the provider's share moves.
func TestFeeSplitKeepInFeeCollector(t *testing.T) {
	h := newBare(t)
	r := &fakeRewards{ends: map[string]channeltypes.Channel{}}
	h.k.Rewards, h.k.FeeCollector, h.k.KeepInFeeCollector = r, feeCollector, true
	to := address.Module("treasury")
	g := genesis(t, 1)
	g.Params.ConsumerRedistributionAddress = address.Encode("cosmos", to)
	if _, err := h.k.InitGenesis(h.s, g, h.height, h.now); err != nil {
		t.Fatal(err)
	}
	r.set(h.s, feeCollector, "stake", 1003)
	h.block()
	if got := r.balance(h.s, feeCollector, "stake"); got != 752 {
		t.Errorf("fee collector = %d, want the consumer's 752", got)
	}
	if got := r.balance(h.s, ToProviderAddress(), "stake"); got != 251 {
		t.Errorf("to provider = %d, want 251", got)
	}
	if got := r.balance(h.s, to, "stake") + r.balance(h.s, RedistributeAddress(), "stake"); got != 0 {
		t.Errorf("redistribution accounts got %d", got)
	}
}

func TestTransmissionSchedule(t *testing.T) {
	h, r := newRewardsHarness(t, 5)
	r.set(h.s, feeCollector, "stake", 400)
	h.block() // height 1: no CCV channel, the split still runs
	if _, ok := h.k.NextTransmissionHeight(h.s); ok {
		t.Fatal("a transmission is scheduled before the CCV channel")
	}
	h.open()
	r.ends[TransferPort+"/channel-3"] = end(channeltypes.UNORDERED, channeltypes.OPEN, otherConn)
	r.ends[TransferPort+"/channel-4"] = end(channeltypes.ORDERED, channeltypes.OPEN, providerConn)
	r.ends[TransferPort+"/channel-5"] = end(channeltypes.UNORDERED, channeltypes.INIT, providerConn)
	h.block() // height 2: the CCV channel is established; counting starts
	if next, ok := h.k.NextTransmissionHeight(h.s); !ok || next != 7 {
		t.Fatalf("NextTransmissionHeight = %d, %v; want 7", next, ok)
	}
	if _, ok := h.k.TransmissionChannel(h.s); ok {
		t.Fatal("a channel on another connection, an ordered one or one not open was taken")
	}
	r.ends[TransferPort+"/channel-5"] = end(channeltypes.UNORDERED, channeltypes.OPEN, providerConn)
	_, evs := h.block()
	if e := eventsOf(evs, EventFeeTransferChannel); len(e) != 1 || attr(e[0], "channel_id") != "channel-5" {
		t.Errorf("fee_transfer_channel_opened events = %v", e)
	}
	for h.height < 7 {
		h.block()
	}
	if ch, ok := h.k.TransmissionChannel(h.s); !ok || ch != "channel-5" {
		t.Fatalf("TransmissionChannel = %q, %v; want channel-5", ch, ok)
	}
	if len(r.sent) != 0 {
		t.Fatalf("sent before height 7: %v", r.sent)
	}
	r.set(h.s, feeCollector, "uatom", 9)
	_, evs = h.block() // height 7
	want := []fakeTransfer{
		{channel: "channel-5", receiver: feePool, token: coin.Coin{Denom: "stake", Amount: 100}},
		{channel: "channel-5", receiver: feePool, token: coin.Coin{Denom: "uatom", Amount: 3}},
	}
	if len(r.sent) != len(want) {
		t.Fatalf("sent %v, want %v", r.sent, want)
	}
	for i, w := range want {
		got := r.sent[i]
		if got.channel != w.channel || got.receiver != w.receiver || got.token != w.token {
			t.Errorf("transfer %d = %+v, want %+v", i, got, w)
		}
		if got.memo != `{"provider":{"consumerId":"7","chainId":"consumer-1","memo":"ICS rewards"}}` {
			t.Errorf("memo = %s", got.memo)
		}
		if wantTimeout := uint64(t0.Add(6*blockTime + time.Hour).UnixNano()); got.timeout != wantTimeout {
			t.Errorf("timeout = %d, want %d", got.timeout, wantTimeout)
		}
	}
	if len(h.k.PendingRewards(h.s)) != 0 {
		t.Errorf("pending after the transmission: %v", h.k.PendingRewards(h.s))
	}
	if e := eventsOf(evs, EventFeeDistribution); len(e) != 1 || attr(e[0], "provider_amount") != "100stake,3uatom" ||
		attr(e[0], "current_distribution_height") != "7" || attr(e[0], "next_distribution_height") != "12" {
		t.Errorf("fee_distribution events = %v", e)
	}
	if next, _ := h.k.NextTransmissionHeight(h.s); next != 12 {
		t.Errorf("next transmission = %d, want 12", next)
	}

	// A denomination that fails to send stays, an event says so, and the
	// block goes on; it is sent at the next transmission.
	r.set(h.s, feeCollector, "stake", 8)
	r.set(h.s, feeCollector, "uatom", 8)
	r.sendErr = map[string]error{"uatom": errors.New("channel full")}
	for h.height < 12 {
		h.block()
	}
	_, evs = h.block() // height 12
	if got := r.balance(h.s, ToProviderAddress(), "uatom"); got != 2 {
		t.Errorf("uatom left after a failed send = %d, want 2", got)
	}
	if e := eventsOf(evs, EventRewardTransferFailed); len(e) != 1 || attr(e[0], "amount") != "2uatom" {
		t.Errorf("reward_transfer_failed events = %v", e)
	}
	r.sendErr = nil
	for h.height <= 17 {
		h.block()
	}
	if last := r.sent[len(r.sent)-1]; last.token != (coin.Coin{Denom: "uatom", Amount: 2}) {
		t.Errorf("last transfer = %+v, want the 2uatom left over", last)
	}
}

func TestTransmissionConfiguredChannel(t *testing.T) {
	h, r := newRewardsHarness(t, 2)
	p, _ := h.k.Params(h.s)
	p.DistributionTransmissionChannel = "channel-9"
	typed.Set(kv(h.s), []byte{keyParams}, &p)
	r.ends[TransferPort+"/channel-1"] = end(channeltypes.UNORDERED, channeltypes.OPEN, providerConn)
	h.open()
	r.set(h.s, feeCollector, "stake", 40)
	_, evs := h.block()
	for h.height <= 3 {
		_, e := h.block()
		evs = append(evs, e...)
	}
	if len(r.sent) != 0 || len(eventsOf(evs, EventTransmissionSkipped)) != 1 {
		t.Fatalf("configured channel not open: sent %v, events %v", r.sent, evs)
	}
	if ch, _ := h.k.TransmissionChannel(h.s); ch != "channel-9" {
		t.Errorf("TransmissionChannel = %q, want the configured channel-9", ch)
	}
	r.ends[TransferPort+"/channel-9"] = end(channeltypes.UNORDERED, channeltypes.OPEN, providerConn)
	h.block()
	h.block()
	if len(r.sent) != 1 || r.sent[0].channel != "channel-9" || r.sent[0].token.Amount != 10 {
		t.Errorf("sent %v, want 10stake on channel-9", r.sent)
	}
}
