package metrics

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/abci-ics/ics/interchain"
)

type fakeApp struct{ abcitypes.BaseApplication }

func (fakeApp) FinalizeBlock(context.Context, *abcitypes.RequestFinalizeBlock) (*abcitypes.ResponseFinalizeBlock, error) {
	return &abcitypes.ResponseFinalizeBlock{
		TxResults: []*abcitypes.ExecTxResult{{Code: 0, Events: []abcitypes.Event{{Type: "vsc_matured"}}}, {Code: 0}, {Code: 5}},
		Events:    []abcitypes.Event{{Type: "ccv_packet"}, {Type: "ccv_packet"}, {Type: "transfer"}},
	}, nil
}

func (fakeApp) CheckTx(_ context.Context, req *abcitypes.RequestCheckTx) (*abcitypes.ResponseCheckTx, error) {
	return &abcitypes.ResponseCheckTx{Code: uint32(len(req.Tx))}, nil
}

func answers(m map[string]any) func(string) ([]byte, error) {
	return func(path string) ([]byte, error) {
		v, ok := m[path]
		if !ok {
			return nil, errors.New("unknown query path")
		}
		return json.Marshal(v)
	}
}

// TestInstrument: blocks' transactions are counted by code and their CCV
// events by type; CheckTx refusals by code; both calls are timed.
func TestInstrument(t *testing.T) {
	m := New(answers(nil))
	reg := prometheus.NewRegistry()
	if err := m.Register(reg); err != nil {
		t.Fatal(err)
	}
	a := m.Instrument(fakeApp{})
	for range 2 {
		if _, err := a.FinalizeBlock(context.Background(), &abcitypes.RequestFinalizeBlock{}); err != nil {
			t.Fatal(err)
		}
	}
	for _, tx := range []string{"", "abc", "abc"} {
		if _, err := a.CheckTx(context.Background(), &abcitypes.RequestCheckTx{Tx: []byte(tx)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a.Commit(context.Background(), &abcitypes.RequestCommit{}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		c    prometheus.Collector
		want float64
	}{
		{m.txs.WithLabelValues("0"), 4}, {m.txs.WithLabelValues("5"), 2},
		{m.events.WithLabelValues("ccv_packet"), 4}, {m.events.WithLabelValues("vsc_matured"), 2},
		{m.rejections.WithLabelValues("3"), 2},
	} {
		if got := testutil.ToFloat64(c.c); got != c.want {
			t.Errorf("%v = %v, want %v", c.c, got, c.want)
		}
	}
	if n := testutil.CollectAndCount(m.events); n != 2 {
		t.Errorf("%d event types counted, want 2 (transfer is not a CCV event)", n)
	}
	if testutil.CollectAndCount(m.finalize) != 1 || testutil.CollectAndCount(m.commit) != 1 {
		t.Error("timings not collected")
	}
}

// TestCollector: on a provider the gauges come from its consumers, holds
// and throttle; on a consumer from its status; a chain answering neither
// gives none.
func TestCollector(t *testing.T) {
	prov := newCollector(answers(map[string]any{
		interchain.PathConsumers: []interchain.ConsumerJSON{
			{ConsumerID: "0", ChainID: "c-1", Phase: "running", LastVSCSent: 9, LastVSCMatured: 7, QueuedVSCs: 1},
			{ConsumerID: "1", ChainID: "c-2", Phase: "registered"},
		},
		interchain.PathHolds:    []map[string]any{{"vsc_id": "8"}, {"vsc_id": "9"}},
		interchain.PathThrottle: map[string]any{"meter": 42},
	}))
	want := `
# HELP icsd_provider_vsc_matured The last VSC id a consumer matured.
# TYPE icsd_provider_vsc_matured gauge
icsd_provider_vsc_matured{chain_id="c-1",consumer_id="0"} 7
# HELP icsd_provider_held_unbondings Unbonding entries held by consumers.
# TYPE icsd_provider_held_unbondings gauge
icsd_provider_held_unbondings 2
# HELP icsd_provider_slash_meter The slash throttle's meter.
# TYPE icsd_provider_slash_meter gauge
icsd_provider_slash_meter 42
`
	if err := testutil.CollectAndCompare(prov, strings.NewReader(want), "icsd_provider_vsc_matured", "icsd_provider_held_unbondings", "icsd_provider_slash_meter"); err != nil {
		t.Fatal(err)
	}
	if n := testutil.CollectAndCount(prov, "icsd_provider_consumers"); n != 6 {
		t.Fatalf("%d phase gauges", n)
	}
	cons := newCollector(answers(map[string]any{interchain.PathConsumerStatus: interchain.ConsumerStatusJSON{HighestVSCID: 12, PendingPackets: 3, Stopped: true}}))
	want = `
# HELP icsd_consumer_highest_vsc The highest VSC id the consumer applied.
# TYPE icsd_consumer_highest_vsc gauge
icsd_consumer_highest_vsc 12
# HELP icsd_consumer_pending_packets Packets the consumer queued for the provider.
# TYPE icsd_consumer_pending_packets gauge
icsd_consumer_pending_packets 3
# HELP icsd_consumer_stopped 1 once the consumer stopped.
# TYPE icsd_consumer_stopped gauge
icsd_consumer_stopped 1
`
	if err := testutil.CollectAndCompare(cons, strings.NewReader(want)); err != nil {
		t.Fatal(err)
	}
	if n := testutil.CollectAndCount(newCollector(answers(nil))); n != 0 {
		t.Fatalf("%d gauges from a chain that answers nothing", n)
	}
}
