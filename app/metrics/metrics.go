// Package metrics exports what a running icsd node does as Prometheus
// metrics, named icsd_*, on the registry CometBFT serves at its
// instrumentation address (config.toml [instrumentation], :26660/metrics
// when prometheus = true).
//
// Two parts, neither inside the deterministic cores:
//
//   - Instrument wraps the ABCI application the node runs: it times
//     FinalizeBlock and Commit, counts the block's transactions by result
//     code, CheckTx rejections by code, and the CCV events of each block
//     (packets sent and received, maturities, slash requests, slashes);
//   - a collector reads, at each scrape, the latest committed state through
//     the application's own queries: on a provider its consumers by phase,
//     the last VSC sent and matured and the VSCs queued per consumer, the
//     held unbonding entries and the slash meter; on a consumer the highest
//     VSC applied, the packets queued for the provider, and whether it
//     stopped.
//
// The names, as the README lists them:
//
//	icsd_txs_total{code}                      transactions in blocks, by result code (0: success)
//	icsd_mempool_rejections_total{code}       CheckTx refusals, by code
//	icsd_finalize_block_seconds               FinalizeBlock time (histogram)
//	icsd_commit_seconds                       Commit time (histogram)
//	icsd_ccv_events_total{type}               CCV events of blocks: ccv_packet, vsc_matured,
//	                                          consumer_slash_request, execute_consumer_chain_slash, ...
//	icsd_provider_consumers{phase}            consumers by phase
//	icsd_provider_vsc_sent{consumer_id,chain_id}     last VSC id sent to a consumer
//	icsd_provider_vsc_matured{consumer_id,chain_id}  last VSC id the consumer matured
//	icsd_provider_vsc_queued{consumer_id,chain_id}   VSCs waiting for its CCV channel
//	icsd_provider_held_unbondings             unbonding entries held by consumers
//	icsd_provider_slash_meter                 the slash throttle's meter
//	icsd_consumer_highest_vsc                 the highest VSC id the consumer applied
//	icsd_consumer_pending_packets             packets queued for the provider
//	icsd_consumer_stopped                     1 once the consumer stopped
package metrics

import (
	"context"
	"encoding/json"
	"strconv"
	"sync"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/abci-ics/ics/interchain"
)

// CCVEvents are the event types icsd_ccv_events_total counts.
var CCVEvents = []string{"ccv_packet", "vsc_matured", "consumer_slash_request", "execute_consumer_chain_slash",
	"channel_established", "consumer_stopped", "timeout", "fee_distribution", "consumer_rewards_distributed"}

// Metrics are the node's icsd_* metrics.
type Metrics struct {
	txs        *prometheus.CounterVec
	rejections *prometheus.CounterVec
	finalize   prometheus.Histogram
	commit     prometheus.Histogram
	events     *prometheus.CounterVec
	state      *collector
}

// New returns the metrics of an application that answers queries through
// query (the App's Query, on its latest committed state).
func New(query func(path string) ([]byte, error)) *Metrics {
	buckets := []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}
	return &Metrics{
		txs: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "icsd_txs_total",
			Help: "Transactions in blocks, by result code (0: success)."}, []string{"code"}),
		rejections: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "icsd_mempool_rejections_total",
			Help: "Transactions CheckTx refused, by code."}, []string{"code"}),
		finalize: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "icsd_finalize_block_seconds",
			Help: "Time FinalizeBlock took.", Buckets: buckets}),
		commit: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "icsd_commit_seconds",
			Help: "Time Commit took.", Buckets: buckets}),
		events: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "icsd_ccv_events_total",
			Help: "CCV events of blocks, by type."}, []string{"type"}),
		state: newCollector(query),
	}
}

// Register registers every metric with r.
func (m *Metrics) Register(r prometheus.Registerer) error {
	for _, c := range []prometheus.Collector{m.txs, m.rejections, m.finalize, m.commit, m.events, m.state} {
		if err := r.Register(c); err != nil {
			return err
		}
	}
	return nil
}

// Instrument returns app with its calls measured by m.
func (m *Metrics) Instrument(app abcitypes.Application) abcitypes.Application {
	return &instrumented{Application: app, m: m}
}

type instrumented struct {
	abcitypes.Application
	m *Metrics
}

func (a *instrumented) CheckTx(ctx context.Context, req *abcitypes.RequestCheckTx) (*abcitypes.ResponseCheckTx, error) {
	res, err := a.Application.CheckTx(ctx, req)
	if err == nil && res.Code != 0 {
		a.m.rejections.WithLabelValues(strconv.FormatUint(uint64(res.Code), 10)).Inc()
	}
	return res, err
}

func (a *instrumented) FinalizeBlock(ctx context.Context, req *abcitypes.RequestFinalizeBlock) (*abcitypes.ResponseFinalizeBlock, error) {
	start := time.Now()
	res, err := a.Application.FinalizeBlock(ctx, req)
	if err != nil {
		return res, err
	}
	a.m.finalize.Observe(time.Since(start).Seconds())
	for _, r := range res.TxResults {
		a.m.txs.WithLabelValues(strconv.FormatUint(uint64(r.Code), 10)).Inc()
		a.m.countEvents(r.Events)
	}
	a.m.countEvents(res.Events)
	return res, nil
}

func (a *instrumented) Commit(ctx context.Context, req *abcitypes.RequestCommit) (*abcitypes.ResponseCommit, error) {
	start := time.Now()
	res, err := a.Application.Commit(ctx, req)
	if err == nil {
		a.m.commit.Observe(time.Since(start).Seconds())
	}
	return res, err
}

func (m *Metrics) countEvents(evs []abcitypes.Event) {
	for _, e := range evs {
		for _, t := range CCVEvents {
			if e.Type == t {
				m.events.WithLabelValues(t).Inc()
			}
		}
	}
}

// collector reads the CCV gauges from the committed state at each scrape.
type collector struct {
	query func(path string) ([]byte, error)
	mu    sync.Mutex // one scrape at a time

	consumers, sent, matured, queued, held, meter, highest, pending, stopped *prometheus.Desc
}

func newCollector(query func(path string) ([]byte, error)) *collector {
	cons := []string{"consumer_id", "chain_id"}
	return &collector{query: query,
		consumers: prometheus.NewDesc("icsd_provider_consumers", "Consumers of the provider, by phase.", []string{"phase"}, nil),
		sent:      prometheus.NewDesc("icsd_provider_vsc_sent", "The last VSC id the provider sent to a consumer.", cons, nil),
		matured:   prometheus.NewDesc("icsd_provider_vsc_matured", "The last VSC id a consumer matured.", cons, nil),
		queued:    prometheus.NewDesc("icsd_provider_vsc_queued", "VSCs waiting for a consumer's CCV channel.", cons, nil),
		held:      prometheus.NewDesc("icsd_provider_held_unbondings", "Unbonding entries held by consumers.", nil, nil),
		meter:     prometheus.NewDesc("icsd_provider_slash_meter", "The slash throttle's meter.", nil, nil),
		highest:   prometheus.NewDesc("icsd_consumer_highest_vsc", "The highest VSC id the consumer applied.", nil, nil),
		pending:   prometheus.NewDesc("icsd_consumer_pending_packets", "Packets the consumer queued for the provider.", nil, nil),
		stopped:   prometheus.NewDesc("icsd_consumer_stopped", "1 once the consumer stopped.", nil, nil),
	}
}

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.consumers, c.sent, c.matured, c.queued, c.held, c.meter, c.highest, c.pending, c.stopped} {
		ch <- d
	}
}

// Collect answers with the gauges of the role the chain has now (a chain
// changes role at a transition): the queries a chain does not answer are
// left out.
func (c *collector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var list []interchain.ConsumerJSON
	if c.get(interchain.PathConsumers, &list) {
		phases := map[string]int{}
		for _, k := range list {
			phases[k.Phase]++
			if k.Phase == "launched" || k.Phase == "running" {
				ch <- prometheus.MustNewConstMetric(c.sent, prometheus.GaugeValue, float64(k.LastVSCSent), k.ConsumerID, k.ChainID)
				ch <- prometheus.MustNewConstMetric(c.matured, prometheus.GaugeValue, float64(k.LastVSCMatured), k.ConsumerID, k.ChainID)
				ch <- prometheus.MustNewConstMetric(c.queued, prometheus.GaugeValue, float64(k.QueuedVSCs), k.ConsumerID, k.ChainID)
			}
		}
		for _, p := range []string{"registered", "initialized", "launched", "running", "stopped", "deleted"} {
			ch <- prometheus.MustNewConstMetric(c.consumers, prometheus.GaugeValue, float64(phases[p]), p)
		}
		var holds []json.RawMessage
		if c.get(interchain.PathHolds, &holds) {
			ch <- prometheus.MustNewConstMetric(c.held, prometheus.GaugeValue, float64(len(holds)))
		}
		var meter struct {
			Meter int64 `json:"meter"`
		}
		if c.get(interchain.PathThrottle, &meter) {
			ch <- prometheus.MustNewConstMetric(c.meter, prometheus.GaugeValue, float64(meter.Meter))
		}
	}
	var st interchain.ConsumerStatusJSON
	if c.get(interchain.PathConsumerStatus, &st) {
		ch <- prometheus.MustNewConstMetric(c.highest, prometheus.GaugeValue, float64(st.HighestVSCID))
		ch <- prometheus.MustNewConstMetric(c.pending, prometheus.GaugeValue, float64(st.PendingPackets))
		stopped := 0.0
		if st.Stopped {
			stopped = 1
		}
		ch <- prometheus.MustNewConstMetric(c.stopped, prometheus.GaugeValue, stopped)
	}
}

// get runs a query into out; false when the chain does not answer it.
func (c *collector) get(path string, out any) bool {
	bz, err := c.query(path)
	return err == nil && json.Unmarshal(bz, out) == nil
}
