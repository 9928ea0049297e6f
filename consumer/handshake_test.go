package consumer

import (
	"bytes"
	"errors"
	"testing"

	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"

	"github.com/abci-ics/ics/ccv"
)

func TestHandshake(t *testing.T) {
	h := newHarness(t, 2, false)
	v, err := h.k.OnChanOpenInit(h.s, channeltypes.ORDERED, []string{providerConn}, ccv.ConsumerPortID, ccvChannel,
		channeltypes.NewCounterparty(ccv.ProviderPortID, ""), ccv.Version)
	if err != nil || v != ccv.Version {
		t.Fatalf("OnChanOpenInit = %q, %v", v, err)
	}
	if _, ok := h.k.ProviderChannel(h.s); ok {
		t.Fatal("channel established before the ack")
	}
	if err := h.k.OnChanOpenAck(h.s, ccv.ConsumerPortID, ccvChannel, providerCh, metadata(ccv.Version)); err != nil {
		t.Fatal(err)
	}
	if ch, ok := h.k.ProviderChannel(h.s); !ok || ch != ccvChannel {
		t.Errorf("provider channel %q %v", ch, ok)
	}
	if a, ok := h.k.ProviderFeePoolAddr(h.s); !ok || a != feePool {
		t.Errorf("fee pool %q %v", a, ok)
	}
	// A second channel is refused, even on the right connection.
	if _, err := h.k.OnChanOpenInit(h.s, channeltypes.ORDERED, []string{providerConn}, ccv.ConsumerPortID, "channel-1",
		channeltypes.NewCounterparty(ccv.ProviderPortID, ""), ""); !errors.Is(err, ErrDuplicateChannel) {
		t.Errorf("second init: %v", err)
	}
	if err := h.k.OnChanOpenAck(h.s, ccv.ConsumerPortID, ccvChannel, providerCh, metadata(ccv.Version)); !errors.Is(err, ErrDuplicateChannel) {
		t.Errorf("second ack: %v", err)
	}
}

func TestHandshakeRejects(t *testing.T) {
	type initArgs struct {
		order   channeltypes.Order
		hops    []string
		port    string
		cp      channeltypes.Counterparty
		version string
	}
	good := func() initArgs {
		return initArgs{channeltypes.ORDERED, []string{providerConn}, ccv.ConsumerPortID, channeltypes.NewCounterparty(ccv.ProviderPortID, ""), ""}
	}
	cases := []struct {
		name  string
		setup func(h *harness)
		brk   func(a *initArgs)
		want  error
	}{
		{"unordered", nil, func(a *initArgs) { a.order = channeltypes.UNORDERED }, ErrInvalidOrder},
		{"no order", nil, func(a *initArgs) { a.order = channeltypes.NONE }, ErrInvalidOrder},
		{"wrong port", nil, func(a *initArgs) { a.port = "transfer" }, ErrInvalidPort},
		{"wrong counterparty port", nil, func(a *initArgs) { a.cp.PortId = "consumer" }, ErrInvalidPort},
		{"wrong version", nil, func(a *initArgs) { a.version = "2" }, ErrInvalidVersion},
		{"metadata as version", nil, func(a *initArgs) { a.version = metadata(ccv.Version) }, ErrInvalidVersion},
		{"two hops", nil, func(a *initArgs) { a.hops = []string{providerConn, otherConn} }, ErrInvalidConnectionHops},
		{"no hops", nil, func(a *initArgs) { a.hops = nil }, ErrInvalidConnectionHops},
		{"other client", nil, func(a *initArgs) { a.hops = []string{otherConn} }, ErrInvalidClient},
		{"unknown connection", nil, func(a *initArgs) { a.hops = []string{"connection-9"} }, ErrInvalidClient},
		{"channel being opened", func(h *harness) {
			a := good()
			if _, err := h.k.OnChanOpenInit(h.s, a.order, a.hops, a.port, "channel-3", a.cp, a.version); err != nil {
				h.t.Fatal(err)
			}
		}, nil, ErrDuplicateChannel},
		{"channel established", func(h *harness) { h.open() }, nil, ErrDuplicateChannel},
		{"stopped", func(h *harness) { h.k.stop(h.s, "test") }, nil, ErrDuplicateChannel},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, 2, false)
			if tc.setup != nil {
				tc.setup(h)
			}
			a := good()
			if tc.brk != nil {
				tc.brk(&a)
			}
			before := h.ms.WorkingHash()
			if _, err := h.k.OnChanOpenInit(h.s, a.order, a.hops, a.port, "channel-5", a.cp, a.version); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if !bytes.Equal(before, h.ms.WorkingHash()) {
				t.Error("a refused init changed the store")
			}
		})
	}

	t.Run("uninitialized", func(t *testing.T) {
		h := newBare(t)
		a := good()
		if _, err := h.k.OnChanOpenInit(h.s, a.order, a.hops, a.port, ccvChannel, a.cp, a.version); !errors.Is(err, ErrInvalidClient) {
			t.Fatalf("got %v", err)
		}
	})

	t.Run("try and confirm refused", func(t *testing.T) {
		h := newHarness(t, 2, false)
		if _, err := h.k.OnChanOpenTry(h.s, channeltypes.ORDERED, []string{providerConn}, ccv.ConsumerPortID, ccvChannel,
			channeltypes.NewCounterparty(ccv.ProviderPortID, providerCh), ccv.Version); !errors.Is(err, ErrInvalidChannelFlow) {
			t.Errorf("try: %v", err)
		}
		if err := h.k.OnChanOpenConfirm(h.s, ccv.ConsumerPortID, ccvChannel); !errors.Is(err, ErrInvalidChannelFlow) {
			t.Errorf("confirm: %v", err)
		}
	})

	acks := []struct {
		name, port, channel, version string
		want                         error
	}{
		{"bad metadata", ccv.ConsumerPortID, ccvChannel, "1", ErrInvalidHandshakeMetadata},
		{"metadata with extra field", ccv.ConsumerPortID, ccvChannel, `{"provider_fee_pool_addr":"a","version":"1","x":""}`, ErrInvalidHandshakeMetadata},
		{"empty metadata", ccv.ConsumerPortID, ccvChannel, "", ErrInvalidHandshakeMetadata},
		{"wrong metadata version", ccv.ConsumerPortID, ccvChannel, metadata("2"), ErrInvalidVersion},
		{"not the channel being opened", ccv.ConsumerPortID, "channel-9", metadata(ccv.Version), ErrDuplicateChannel},
		{"wrong port", "transfer", ccvChannel, metadata(ccv.Version), ErrInvalidPort},
	}
	for _, tc := range acks {
		t.Run("ack "+tc.name, func(t *testing.T) {
			h := newHarness(t, 2, false)
			if _, err := h.k.OnChanOpenInit(h.s, channeltypes.ORDERED, []string{providerConn}, ccv.ConsumerPortID, ccvChannel,
				channeltypes.NewCounterparty(ccv.ProviderPortID, ""), ""); err != nil {
				t.Fatal(err)
			}
			before := h.ms.WorkingHash()
			if err := h.k.OnChanOpenAck(h.s, tc.port, tc.channel, providerCh, tc.version); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if !bytes.Equal(before, h.ms.WorkingHash()) {
				t.Error("a refused ack changed the store")
			}
		})
	}
	t.Run("ack without init", func(t *testing.T) {
		h := newHarness(t, 2, false)
		if err := h.k.OnChanOpenAck(h.s, ccv.ConsumerPortID, ccvChannel, providerCh, metadata(ccv.Version)); !errors.Is(err, ErrDuplicateChannel) {
			t.Fatalf("got %v", err)
		}
	})
}

func TestChanCloseConfirm(t *testing.T) {
	// Closing the channel being opened lets a new one be opened.
	h := newHarness(t, 2, false)
	if _, err := h.k.OnChanOpenInit(h.s, channeltypes.ORDERED, []string{providerConn}, ccv.ConsumerPortID, "channel-3",
		channeltypes.NewCounterparty(ccv.ProviderPortID, ""), ""); err != nil {
		t.Fatal(err)
	}
	if err := h.k.OnChanCloseConfirm(h.s, ccv.ConsumerPortID, "channel-3"); err != nil {
		t.Fatal(err)
	}
	if h.k.Stopped(h.s) {
		t.Error("closing an unestablished channel stopped the consumer")
	}
	h.open()

	// Closing another channel changes nothing; closing the CCV channel stops.
	if err := h.k.OnChanCloseConfirm(h.s, ccv.ConsumerPortID, "channel-3"); err != nil || h.k.Stopped(h.s) {
		t.Fatalf("closing another channel: %v, stopped %v", err, h.k.Stopped(h.s))
	}
	if err := h.k.OnChanCloseConfirm(h.s, ccv.ConsumerPortID, ccvChannel); err != nil || !h.k.Stopped(h.s) {
		t.Fatalf("closing the CCV channel: %v, stopped %v", err, h.k.Stopped(h.s))
	}
	if ack := h.recv(vsc(1, upd(5, 3))); ack.Success() {
		t.Error("a stopped consumer received a VSC")
	}
}
