// Package metrics exports what a running relayer (`icsd relay start`) does
// as Prometheus metrics, named icsd_relayer_*, on a registry of its own
// that Serve answers on http://ADDR/metrics.
//
// The relayer keeps no state and the metrics read none: they are recorded
// from the relayer.Progress of each pass and the error it failed with, on
// the goroutine that relays. Every series is labelled by link, the name
// the command knows the link by (its link file); packet series also by
// channel ("port/channel" of the link's A end: a CCV link relays the
// ICS-20 channel beside the CCV channel on the same clients), and client
// series by chain.
//
// The names, as the README lists them:
//
//	icsd_relayer_packets_total{link,channel,kind}   packets relayed, by kind: received, acked, timed_out
//	icsd_relayer_packets_pending{link,channel}      packets still committed on either side after the last pass
//	icsd_relayer_client_updates_total{link,chain}   client updates sent to chain (in transactions that succeeded)
//	icsd_relayer_client_lag_blocks{link,chain}      chain's latest height minus the height of the
//	                                                counterparty's client of chain, after the last pass
//	icsd_relayer_errors_total{link,kind}            failed passes, by kind of error: rpc, tx, query, other
//	icsd_relayer_passes_total{link}                 relay passes
//	icsd_relayer_last_success_timestamp_seconds{link}  unix time of the last pass that did not fail
package metrics

import (
	"context"
	"errors"
	"net"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/abci-ics/ics/ibc/commitment"
	"github.com/abci-ics/ics/relayer"
)

// The kinds of errors icsd_relayer_errors_total counts (Kind).
const (
	// KindRPC is a node down, unreachable or too slow: an error of the
	// network or a deadline.
	KindRPC = "rpc"
	// KindTx is a transaction a chain refused (relayer.ErrTxFailed).
	KindTx = "tx"
	// KindQuery is a query or proof a node answered with an error
	// (relayer.ErrQueryFailed), a proof that does not decode
	// (commitment.ErrInvalidProof), or a packet event the node has not
	// indexed (relayer.ErrEventNotFound).
	KindQuery = "query"
	// KindOther is any other error.
	KindOther = "other"
)

// Kinds are the kinds of errors, in the order Kind tries them.
var Kinds = []string{KindRPC, KindTx, KindQuery, KindOther}

// Kind classifies one error by what the relayer returns: the sentinel
// errors of packages relayer and commitment, and the network errors
// (net.Error) of the node's client or a deadline.
// A relayer.ErrTxFailed or ErrQueryFailed is an answer of a node, so it
// wins over a network error found deeper in the same chain.
func Kind(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, relayer.ErrTxFailed):
		return KindTx
	case errors.Is(err, relayer.ErrQueryFailed), errors.Is(err, relayer.ErrEventNotFound), errors.Is(err, commitment.ErrInvalidProof):
		return KindQuery
	case errors.As(err, &ne), errors.Is(err, context.DeadlineExceeded):
		return KindRPC
	}
	return KindOther
}

// Packet kinds of icsd_relayer_packets_total.
const (
	PacketsReceived = "received"
	PacketsAcked    = "acked"
	PacketsTimedOut = "timed_out"
)

// Metrics are the relayer's icsd_relayer_* metrics.
type Metrics struct {
	packets  *prometheus.CounterVec
	pending  *prometheus.GaugeVec
	updates  *prometheus.CounterVec
	lag      *prometheus.GaugeVec
	errors   *prometheus.CounterVec
	passes   *prometheus.CounterVec
	lastPass *prometheus.GaugeVec
}

// New returns the relayer's metrics, registered nowhere yet.
func New() *Metrics {
	return &Metrics{
		packets: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "icsd_relayer_packets_total",
			Help: "Packets relayed, by kind: received, acked, timed_out."}, []string{"link", "channel", "kind"}),
		pending: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "icsd_relayer_packets_pending",
			Help: "Packets still committed on either side of a channel after the last pass."}, []string{"link", "channel"}),
		updates: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "icsd_relayer_client_updates_total",
			Help: "Client updates the relayer sent to a chain, in transactions that succeeded."}, []string{"link", "chain"}),
		lag: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "icsd_relayer_client_lag_blocks",
			Help: "A chain's latest height minus the height of its counterparty's client of it, after the last pass."}, []string{"link", "chain"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "icsd_relayer_errors_total",
			Help: "Errors of relay passes, by kind: rpc, tx, query, other."}, []string{"link", "kind"}),
		passes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "icsd_relayer_passes_total",
			Help: "Relay passes."}, []string{"link"}),
		lastPass: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "icsd_relayer_last_success_timestamp_seconds",
			Help: "Unix time of the last relay pass that did not fail."}, []string{"link"}),
	}
}

// Register registers every metric with r.
func (m *Metrics) Register(r prometheus.Registerer) error {
	for _, c := range []prometheus.Collector{m.packets, m.pending, m.updates, m.lag, m.errors, m.passes, m.lastPass} {
		if err := r.Register(c); err != nil {
			return err
		}
	}
	return nil
}

// Link records the passes of link l under the name the command knows it
// by. Its counters start at zero, so that they are scraped before the
// first pass.
func (m *Metrics) Link(name string, l *relayer.Link) *Link {
	r := &Link{m: m, name: name, ch: channelOf(l), a: l.A.Chain.ID, b: l.B.Chain.ID}
	r.channel(r.ch)
	for _, chain := range []string{r.a, r.b} {
		m.updates.WithLabelValues(name, chain)
	}
	for _, k := range Kinds {
		m.errors.WithLabelValues(name, k)
	}
	m.passes.WithLabelValues(name)
	return r
}

// Link records the passes of one link. Its methods are for the goroutine
// that relays; the metrics themselves are safe to scrape meanwhile.
type Link struct {
	m       *Metrics
	name    string
	ch      string // the link's channel
	a, b    string // the chain ids of A and B
	started map[string]bool
}

func channelOf(l *relayer.Link) string { return l.A.Port + "/" + l.A.Channel }

// channel starts the packet counters of channel at zero.
func (r *Link) channel(ch string) {
	if r.started[ch] {
		return
	}
	if r.started == nil {
		r.started = map[string]bool{}
	}
	r.started[ch] = true
	for _, k := range []string{PacketsReceived, PacketsAcked, PacketsTimedOut} {
		r.m.packets.WithLabelValues(r.name, ch, k)
	}
}

// Pass records a pass of relayer.Link.Run over r's link: one pass, its packets and client updates, the pending packets and the
// lag it read at its end (when it got that far), and its error, one count
// per error errors.Join put together (the pass's and its tasks'); a pass
// without an error sets the time of the last success to now.
func (r *Link) Pass(p relayer.Progress, err error, now time.Time) {
	r.m.passes.WithLabelValues(r.name).Inc()
	r.record(r.ch, p)
	for _, e := range split(err) {
		r.m.errors.WithLabelValues(r.name, Kind(e)).Inc()
	}
	if err == nil {
		r.m.lastPass.WithLabelValues(r.name).Set(float64(now.UnixNano()) / 1e9)
	}
}

// Channel records a pass over a channel l on r's clients, such as the
// ICS-20 channel a relayer.Link.Task relays beside a CCV channel: its
// packets and pending packets, its client updates and the lag it read.
func (r *Link) Channel(l *relayer.Link, p relayer.Progress) { r.record(channelOf(l), p) }

func (r *Link) record(ch string, p relayer.Progress) {
	r.channel(ch)
	r.m.packets.WithLabelValues(r.name, ch, PacketsReceived).Add(float64(p.Received))
	r.m.packets.WithLabelValues(r.name, ch, PacketsAcked).Add(float64(p.Acked))
	r.m.packets.WithLabelValues(r.name, ch, PacketsTimedOut).Add(float64(p.TimedOut))
	r.m.updates.WithLabelValues(r.name, r.a).Add(float64(p.UpdatesA))
	r.m.updates.WithLabelValues(r.name, r.b).Add(float64(p.UpdatesB))
	if p.HeightA == 0 && p.HeightB == 0 {
		return // the pass failed before its end: nothing read
	}
	r.m.pending.WithLabelValues(r.name, ch).Set(float64(p.Pending))
	if p.LagA >= 0 {
		r.m.lag.WithLabelValues(r.name, r.a).Set(float64(p.LagA))
	}
	if p.LagB >= 0 {
		r.m.lag.WithLabelValues(r.name, r.b).Set(float64(p.LagB))
	}
}

// split returns the errors errors.Join put together in err, itself when
// it is a single error, none when nil.
func split(err error) []error {
	if err == nil {
		return nil
	}
	j, ok := err.(interface{ Unwrap() []error })
	if !ok {
		return []error{err}
	}
	var out []error
	for _, e := range j.Unwrap() {
		out = append(out, split(e)...)
	}
	return out
}
