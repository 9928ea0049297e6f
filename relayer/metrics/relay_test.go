package metrics_test

import (
	"context"
	"testing"
	"time"

	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/abci-ics/ics/app/ibctest"
	"github.com/abci-ics/ics/ibc/transfer"
	"github.com/abci-ics/ics/relayer"
	"github.com/abci-ics/ics/relayer/metrics"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/coin"
)

// TestRelayMetrics runs the relay loop over two in-process chains, as
// `icsd relay start --metrics` does, and scrapes the metrics while it
// relays two transfers: the packets are counted received and acked,
// nothing stays pending, each chain got client updates, each chain's lag
// behind its counterparty's client is served, and passes ran without
// errors.
func TestRelayMetrics(t *testing.T) {
	clock := &ibctest.Clock{Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	a, b := ibctest.NewChain(t, clock, "chain-a", 4, 4), ibctest.NewChain(t, clock, "chain-b", 4, 4)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	l, err := relayer.NewLink(ctx, a.Relayer(), b.Relayer(), transfer.PortID, channeltypes.UNORDERED, transfer.Version, ibctest.ClientOptions)
	if err != nil {
		t.Fatal(err)
	}
	timeout := uint64(a.Time.Add(24 * time.Hour).UnixNano())
	for _, amount := range []uint64{3, 4} {
		a.MustSucceed(a.NextBlock(a.Tx(1, &transfer.MsgTransfer{Sender: a.Address(1), SourcePort: l.A.Port, SourceChannel: l.A.Channel,
			Token: coin.Coin{Denom: "stake", Amount: amount}, Receiver: address.Encode("ics", b.Address(1)), TimeoutTimestamp: timeout})))
	}

	m := metrics.New()
	reg := prometheus.NewRegistry()
	if err := m.Register(reg); err != nil {
		t.Fatal(err)
	}
	srv, err := metrics.Serve("127.0.0.1:0", reg)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	rec := m.Link("link.json", l)
	// The chains are touched by the relay loop only, until it returns.
	done := make(chan struct{})
	go func() {
		defer close(done)
		l.Run(ctx, 5*time.Millisecond, time.Hour, func(p relayer.Progress, err error) { rec.Pass(p, err, time.Now()) })
	}()
	link, ch := `link="link.json"`, `channel="transfer/`+l.A.Channel+`"`
	var text string
	for deadline := time.Now().Add(time.Minute); ; {
		text = scrape(t, srv.Addr())
		acked, _ := value(text, "icsd_relayer_packets_total", ch, `kind="acked"`, link)
		pending, ok := value(text, "icsd_relayer_packets_pending", ch, link)
		if acked == 2 && ok && pending == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no acknowledgements relayed after a minute:\n%s", text)
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	<-done
	if got, _ := value(text, "icsd_relayer_packets_total", ch, `kind="received"`, link); got != 2 {
		t.Errorf("%v packets received, want 2", got)
	}
	if got := b.Balance(b.Address(1), "transfer/"+l.B.Channel+"/stake"); got != 7 {
		t.Errorf("voucher balance %d, want 7", got)
	}
	for _, chain := range []string{a.ID, b.ID} {
		if got, _ := value(text, "icsd_relayer_client_updates_total", `chain="`+chain+`"`, link); got < 1 {
			t.Errorf("%v client updates sent to %s", got, chain)
		}
		if got, ok := value(text, "icsd_relayer_client_lag_blocks", `chain="`+chain+`"`, link); !ok || got < 0 {
			t.Errorf("lag of %s: %v (served %v)", chain, got, ok)
		}
	}
	if got, _ := value(text, "icsd_relayer_passes_total", link); got < 1 {
		t.Errorf("%v passes", got)
	}
	if got, ok := value(text, "icsd_relayer_last_success_timestamp_seconds", link); !ok || got <= 0 {
		t.Errorf("last success %v (served %v)", got, ok)
	}
	for _, kind := range metrics.Kinds {
		if got, _ := value(text, "icsd_relayer_errors_total", `kind="`+kind+`"`, link); got != 0 {
			t.Errorf("%v errors of kind %s", got, kind)
		}
	}
}
