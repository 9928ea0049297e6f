package relay

import (
	"fmt"
	"io"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/abci-ics/ics/relayer"
	"github.com/abci-ics/ics/relayer/metrics"
)

// totals are the counts of a channel's passes since the relayer started.
type totals struct{ received, acked, timedOut, updatesA, updatesB int }

// add adds p's counts to t and returns the line that reports p with the
// totals.
func (t *totals) add(p relayer.Progress) string {
	t.received += p.Received
	t.acked += p.Acked
	t.timedOut += p.TimedOut
	t.updatesA += p.UpdatesA
	t.updatesB += p.UpdatesB
	return fmt.Sprintf("%s; since start: received %d, acked %d, timed out %d, client updates %d/%d",
		p, t.received, t.acked, t.timedOut, t.updatesA, t.updatesB)
}

// serveMetrics serves the relayer's metrics on http://addr/metrics, on a
// registry of their own, and returns them with the function that stops
// the server; no metrics and nothing to stop when addr is empty.
func serveMetrics(w io.Writer, addr string) (*metrics.Metrics, func(), error) {
	if addr == "" {
		return nil, func() {}, nil
	}
	m := metrics.New()
	reg := prometheus.NewRegistry()
	if err := m.Register(reg); err != nil {
		return nil, nil, err
	}
	srv, err := metrics.Serve(addr, reg)
	if err != nil {
		return nil, nil, fmt.Errorf("--metrics: %w", err)
	}
	fmt.Fprintf(w, "serving relayer metrics on http://%s/metrics\n", srv.Addr())
	return m, func() { _ = srv.Close() }, nil
}

// reporter prints the passes of a link and records them in its metrics.
type reporter struct {
	w       io.Writer
	rec     *metrics.Link // nil without --metrics
	link    totals
	channel totals // the transfer channel's
}

// pass reports a pass of the link's Run: the ones that did something or
// failed are printed.
func (r *reporter) pass(p relayer.Progress, err error) {
	now := time.Now()
	if r.rec != nil {
		r.rec.Pass(p, err, now)
	}
	switch {
	case err != nil:
		fmt.Fprintf(r.w, "%s relay error: %v\n", now.Format("15:04:05"), err)
	case p.Did():
		fmt.Fprintf(r.w, "%s %s\n", now.Format("15:04:05"), r.link.add(p))
	}
}

// transfer reports a pass over the transfer channel t relayed on the
// link's clients.
func (r *reporter) transfer(t *relayer.Link, p relayer.Progress) {
	if r.rec != nil {
		r.rec.Channel(t, p)
	}
	if p.Did() {
		fmt.Fprintf(r.w, "%s transfer %s <-> %s: %s\n", time.Now().Format("15:04:05"), t.A.Channel, t.B.Channel, r.channel.add(p))
	}
}
