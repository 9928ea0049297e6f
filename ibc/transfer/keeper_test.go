package transfer

import (
	"crypto/sha256"
	"errors"
	"reflect"
	"testing"

	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"

	"github.com/abci-ics/ics/ibc/channel"
	"github.com/abci-ics/ics/types/coin"
	"github.com/abci-ics/ics/types/event"
)

func TestKeysFrozen(t *testing.T) {
	for got, want := range map[string]string{
		string(ParamsKey()):             "transfer/params",
		string(DenomTraceKey("x/y")):    "transfer/denomTraces/x/y",
		string(TotalEscrowKey("stake")): "transfer/totalEscrowForDenom/stake",
		StoreName:                       "ibc",
		PortID:                          "transfer",
		Version:                         "ics20-1",
	} {
		if got != want {
			t.Errorf("%q, want %q", got, want)
		}
	}
}

func TestEscrowAddress(t *testing.T) {
	h := sha256.Sum256([]byte("ics20-1\x00transfer/channel-0"))
	if got := EscrowAddress("transfer", "channel-0"); string(got) != string(h[:20]) {
		t.Fatalf("escrow address %X, want %X", got, h[:20])
	}
	if string(EscrowAddress("transfer", "channel-1")) == string(EscrowAddress("transfer", "channel-0")) {
		t.Fatal("two channels share an escrow account")
	}
}

func TestPacketDataEncoding(t *testing.T) {
	d := FungibleTokenPacketData{Denom: "transfer/channel-0/stake", Amount: "100", Sender: "cons1abc", Receiver: "prov1def"}
	if got, want := string(d.GetBytes()), `{"denom":"transfer/channel-0/stake","amount":"100","sender":"cons1abc","receiver":"prov1def"}`; got != want {
		t.Fatalf("%s\nwant\n%s", got, want)
	}
	d.Memo = `{"a":"<b>"}`
	if got, want := string(d.GetBytes()), `{"denom":"transfer/channel-0/stake","amount":"100","sender":"cons1abc","receiver":"prov1def","memo":"{\"a\":\"\u003cb\u003e\"}"}`; got != want {
		t.Fatalf("%s\nwant\n%s", got, want)
	}
	back, amount, err := DecodePacketData(d.GetBytes())
	if err != nil || back != d || amount != 100 {
		t.Fatalf("decoded %+v %d %v", back, amount, err)
	}
}

func TestSplitDenom(t *testing.T) {
	for _, tc := range []struct{ denom, path, base string }{
		{"stake", "", "stake"},
		{"transfer/channel-0/stake", "transfer/channel-0", "stake"},
		{"transfer/channel-1/transfer/channel-7/uatom", "transfer/channel-1/transfer/channel-7", "uatom"},
		{"transfer/channel-0/gamm/pool/1", "transfer/channel-0", "gamm/pool/1"},
		{"transfer/channel-0", "", "transfer/channel-0"},
		{"transfer/channel-0/transfer/channel-1", "transfer/channel-0", "transfer/channel-1"},
		{"factory/osmo1x/foo", "", "factory/osmo1x/foo"},
		{"transfer/channel-01/x", "", "transfer/channel-01/x"},
		{"transfer/channel-/x", "", "transfer/channel-/x"},
		{"other/channel-3/x", "other/channel-3", "x"},
	} {
		path, base := SplitDenom(tc.denom)
		if path != tc.path || base != tc.base {
			t.Errorf("SplitDenom(%q) = %q, %q; want %q, %q", tc.denom, path, base, tc.path, tc.base)
		}
	}
}

func TestParseAmount(t *testing.T) {
	for s, want := range map[string]uint64{"1": 1, "18446744073709551615": 1<<64 - 1, "100": 100} {
		if got, err := parseAmount(s); err != nil || got != want {
			t.Errorf("parseAmount(%q) = %d, %v", s, got, err)
		}
	}
	for _, s := range []string{"", "0", "00", "01", "-1", "+1", "1e3", "0x10", "1_000", "18446744073709551616", "١"} {
		if _, err := parseAmount(s); !errors.Is(err, ErrInvalidAmount) {
			t.Errorf("parseAmount(%q): %v", s, err)
		}
	}
}

func TestHandshake(t *testing.T) {
	var k Keeper
	cp := channeltypes.Counterparty{PortId: PortID, ChannelId: "channel-4"}
	hops := []string{"connection-0"}

	v, err := k.OnChanOpenInit(nil, channeltypes.UNORDERED, hops, PortID, "channel-0", cp, "")
	if err != nil || v != Version {
		t.Fatalf("init with no version: %q %v", v, err)
	}
	v, err = k.OnChanOpenInit(nil, channeltypes.UNORDERED, hops, PortID, "channel-0", cp, Version)
	if err != nil || v != Version {
		t.Fatalf("init: %q %v", v, err)
	}
	v, err = k.OnChanOpenTry(nil, channeltypes.UNORDERED, hops, PortID, "channel-0", cp, Version)
	if err != nil || v != Version {
		t.Fatalf("try: %q %v", v, err)
	}
	if err := k.OnChanOpenAck(nil, PortID, "channel-0", "channel-4", Version); err != nil {
		t.Fatal(err)
	}
	if err := k.OnChanOpenConfirm(nil, PortID, "channel-0"); err != nil {
		t.Fatal(err)
	}
	if err := k.OnChanCloseConfirm(nil, PortID, "channel-0"); err != nil {
		t.Fatal(err)
	}

	type open func(order channeltypes.Order, port, channel, version string) (string, error)
	init := func(o channeltypes.Order, p, c, v string) (string, error) {
		return k.OnChanOpenInit(nil, o, hops, p, c, cp, v)
	}
	try := func(o channeltypes.Order, p, c, v string) (string, error) {
		return k.OnChanOpenTry(nil, o, hops, p, c, cp, v)
	}
	for name, f := range map[string]open{"init": init, "try": try} {
		for _, tc := range []struct {
			order             channeltypes.Order
			port, ch, version string
			want              error
		}{
			{channeltypes.ORDERED, PortID, "channel-0", Version, ErrInvalidOrder},
			{channeltypes.NONE, PortID, "channel-0", Version, ErrInvalidOrder},
			{channeltypes.UNORDERED, "consumer", "channel-0", Version, ErrInvalidPort},
			{channeltypes.UNORDERED, PortID, "chan-0", Version, ErrInvalidChannel},
			{channeltypes.UNORDERED, PortID, "channel-0", "ics20-2", ErrInvalidVersion},
			{channeltypes.UNORDERED, PortID, "channel-0", "{\"fee_version\":\"ics29-1\"}", ErrInvalidVersion},
		} {
			if v, err := f(tc.order, tc.port, tc.ch, tc.version); !errors.Is(err, tc.want) || v != "" {
				t.Errorf("%s %v: %q, %v; want %v", name, tc, v, err, tc.want)
			}
		}
	}
	if _, err := try(channeltypes.UNORDERED, PortID, "channel-0", ""); !errors.Is(err, ErrInvalidVersion) {
		t.Errorf("try with no version: %v", err)
	}
	if err := k.OnChanOpenAck(nil, PortID, "channel-0", "channel-4", "ics20-2"); !errors.Is(err, ErrInvalidVersion) {
		t.Errorf("ack: %v", err)
	}
	if err := k.OnChanOpenAck(nil, "consumer", "channel-0", "channel-4", Version); !errors.Is(err, ErrInvalidPort) {
		t.Errorf("ack: %v", err)
	}
	if err := k.OnChanOpenConfirm(nil, "consumer", "channel-0"); !errors.Is(err, ErrInvalidPort) {
		t.Errorf("confirm: %v", err)
	}
}

func TestParams(t *testing.T) {
	c := newChain(t, "chaina")
	if p := c.k.Params(c.s); p != DefaultParams() || !p.SendEnabled || !p.ReceiveEnabled {
		t.Fatalf("default params %v", p)
	}
	c.k.SetParams(c.s, Params{})
	if p := c.k.Params(c.s); p != (Params{}) {
		t.Fatalf("params %v", p)
	}
	if _, err := c.ms.Commit(); err != nil {
		t.Fatal(err)
	}
	if p := c.k.Params(c.s); p != (Params{}) {
		t.Fatalf("params after commit %v", p)
	}
}

func TestGenesisRoundTrip(t *testing.T) {
	a, b, c := newChain(t, "chaina"), newChain(t, "chainb"), newChain(t, "chainc")
	connect(a, "channel-0", b, "channel-0")
	connect(b, "channel-1", c, "channel-0")
	alice, _ := a.user("alice")
	bob, bobBech := b.user("bob")
	_, carolBech := c.user("carol")
	a.mint(alice, coin.Coin{Denom: "stake", Amount: 1000})
	a.mustSend(transferMsg(alice, "channel-0", "stake", 100, bobBech))
	relay(a, b)
	b.mint(bob, coin.Coin{Denom: "ubob", Amount: 50})
	b.mustSend(transferMsg(bob, "channel-1", "ubob", 50, carolBech))
	b.mustSend(transferMsg(bob, "channel-1", voucherAB, 20, carolBech))
	b.k.SetParams(b.s, Params{SendEnabled: true})

	gs := b.k.ExportGenesis(b.s)
	want := &GenesisState{
		Params:      Params{SendEnabled: true},
		DenomTraces: []DenomTrace{{Denom: voucherAB, Path: "transfer/channel-0", BaseDenom: "stake"}},
		TotalEscrow: []coin.Coin{{Denom: voucherAB, Amount: 20}, {Denom: "ubob", Amount: 50}},
	}
	if !reflect.DeepEqual(gs, want) {
		t.Fatalf("genesis %v\nwant %v", gs, want)
	}
	fresh := newChain(t, "chainb")
	if err := fresh.k.InitGenesis(fresh.s, gs); err != nil {
		t.Fatal(err)
	}
	if got := fresh.k.ExportGenesis(fresh.s); !reflect.DeepEqual(got, want) {
		t.Fatalf("re-exported %v", got)
	}
	if got := newChain(t, "x").k.ExportGenesis(newChain(t, "x").s); !reflect.DeepEqual(got, DefaultGenesis()) {
		t.Fatalf("empty chain exports %v", got)
	}
}

func TestValidateGenesis(t *testing.T) {
	valid := func() *GenesisState {
		return &GenesisState{
			Params:      DefaultParams(),
			DenomTraces: []DenomTrace{{Denom: voucherAB, Path: "transfer/channel-0", BaseDenom: "stake"}},
			TotalEscrow: []coin.Coin{{Denom: "stake", Amount: 5}},
		}
	}
	if err := ValidateGenesis(valid()); err != nil {
		t.Fatal(err)
	}
	for name, edit := range map[string]func(gs *GenesisState){
		"native trace":    func(gs *GenesisState) { gs.DenomTraces[0] = DenomTrace{Denom: "stake", BaseDenom: "stake"} },
		"wrong path":      func(gs *GenesisState) { gs.DenomTraces[0].Path = "transfer/channel-1" },
		"wrong base":      func(gs *GenesisState) { gs.DenomTraces[0].BaseDenom = "atom" },
		"invalid denom":   func(gs *GenesisState) { gs.DenomTraces[0].Denom = "transfer/channel-0//x" },
		"duplicate trace": func(gs *GenesisState) { gs.DenomTraces = append(gs.DenomTraces, gs.DenomTraces[0]) },
		"zero escrow":     func(gs *GenesisState) { gs.TotalEscrow[0].Amount = 0 },
		"duplicate escrow": func(gs *GenesisState) {
			gs.TotalEscrow = append(gs.TotalEscrow, gs.TotalEscrow[0])
		},
	} {
		gs := valid()
		edit(gs)
		if err := ValidateGenesis(gs); !errors.Is(err, ErrInvalidGenesis) {
			t.Errorf("%s: %v", name, err)
		}
		c := newChain(t, "chaina")
		if err := c.k.InitGenesis(c.s, gs); !errors.Is(err, ErrInvalidGenesis) {
			t.Errorf("%s: InitGenesis: %v", name, err)
		}
	}
}

func TestPacketEvents(t *testing.T) {
	d := FungibleTokenPacketData{Denom: "stake", Amount: "5", Sender: "s1", Receiver: "r1", Memo: "m"}
	p := packetTo(d.GetBytes())
	ev := RecvEvents(p, errorAck(ErrInvalidAmount))
	want := event.New(EventTypePacket, "sender", "s1", "receiver", "r1", "denom", "stake", "amount", "5", "memo", "m", "success", "false",
		"error", "ABCI code: 5: error handling packet: see events for details")
	if len(ev) != 1 || !reflect.DeepEqual(ev[0], want) {
		t.Fatalf("recv events %v\nwant %v", ev, want)
	}
	ev = AckEvents(p, successAck())
	want = event.New(EventTypePacket, "sender", "s1", "receiver", "r1", "denom", "stake", "amount", "5", "memo", "m", "success", "true")
	if len(ev) != 1 || !reflect.DeepEqual(ev[0], want) {
		t.Fatalf("ack events %v\nwant %v", ev, want)
	}
	ev = TimeoutEvents(p)
	want = event.New(EventTypeTimeout, "refund_receiver", "s1", "refund_tokens", "5stake", "memo", "m")
	if len(ev) != 1 || !reflect.DeepEqual(ev[0], want) {
		t.Fatalf("timeout events %v\nwant %v", ev, want)
	}
	if ev := RecvEvents(packetTo([]byte("junk")), errorAck(ErrInvalidPacketData)); len(ev) != 1 || ev[0].Attributes[0].Value != "" {
		t.Fatalf("events of junk %v", ev)
	}
}

// Keeper is an application the channel keeper can bind a port to.
var _ channel.App = Keeper{}
