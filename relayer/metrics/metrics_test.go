package metrics_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/abci-ics/ics/ibc/commitment"
	"github.com/abci-ics/ics/relayer"
	"github.com/abci-ics/ics/relayer/metrics"
)

// scrape returns the text exposition at http://addr/metrics.
func scrape(t *testing.T, addr string) string {
	t.Helper()
	res, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	bz, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("scrape: %d %v", res.StatusCode, err)
	}
	return string(bz)
}

// value returns the value of the series of name with exactly labels
// (name="value" pairs in the exposition's order, by label name) in text,
// and whether text has it.
func value(text, name string, labels ...string) (float64, bool) {
	want := name
	if len(labels) > 0 {
		want += "{" + strings.Join(labels, ",") + "}"
	}
	for _, line := range strings.Split(text, "\n") {
		series, v, ok := strings.Cut(line, " ")
		if ok && series == want {
			f, err := strconv.ParseFloat(v, 64)
			return f, err == nil
		}
	}
	return 0, false
}

// fixture is a link between chains a-1 and b-1 over transfer/channel-0,
// with a second channel on the same connection.
func fixture() (*relayer.Link, *relayer.Link) {
	l := &relayer.Link{
		A: &relayer.End{Chain: &relayer.Chain{ID: "a-1"}, Port: "transfer", Channel: "channel-0"},
		B: &relayer.End{Chain: &relayer.Chain{ID: "b-1"}, Port: "transfer", Channel: "channel-3"},
	}
	return l, l.OnConnection("other", "channel-1", "other", "channel-4")
}

// TestKind: the errors the relayer returns are told apart by their
// sentinels and types, through wrapping, and an answer of a node wins
// over a network error of another node in the same chain.
func TestKind(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	for _, tc := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("receive on b-1: b-1: %w with code 5: out of gas", relayer.ErrTxFailed), metrics.KindTx},
		{fmt.Errorf("a-1: query /ibc/commitments: %w: unknown path", relayer.ErrQueryFailed), metrics.KindQuery},
		{fmt.Errorf("%w: send_packet of transfer/channel-0 sequence 4 on a-1", relayer.ErrEventNotFound), metrics.KindQuery},
		{fmt.Errorf("receive on b-1: %w: ops prove \"x\" in store \"acc\"", commitment.ErrInvalidProof), metrics.KindQuery},
		{fmt.Errorf("a-1: status: post failed: %w", refused), metrics.KindRPC},
		{fmt.Errorf("every node failed: %w", errors.Join(fmt.Errorf("tcp://x: %w", refused), fmt.Errorf("tcp://y: %w", context.DeadlineExceeded))), metrics.KindRPC},
		{fmt.Errorf("b-1: %w", context.DeadlineExceeded), metrics.KindRPC},
		{errors.Join(fmt.Errorf("tcp://x: %w", refused), fmt.Errorf("tcp://y: %w", relayer.ErrTxFailed)), metrics.KindTx},
		{errors.New("a-1: no client 07-tendermint-9"), metrics.KindOther},
	} {
		if got := metrics.Kind(tc.err); got != tc.want {
			t.Errorf("Kind(%v) = %s, want %s", tc.err, got, tc.want)
		}
	}
}

// TestRecord: passes of a link and of a second channel on its clients
// add up in the counters; the gauges hold what the last pass read, a pass
// that failed before its end leaves them, and only a pass without an
// error moves the time of the last success; each joined error counts once
// by its kind. The exposition names every metric.
func TestRecord(t *testing.T) {
	l, other := fixture()
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
	r := m.Link("/home/r/ccv.json", l)

	// Before any pass the counters are there, at zero.
	text := scrape(t, srv.Addr())
	for _, s := range [][]string{
		{"icsd_relayer_passes_total", `link="/home/r/ccv.json"`},
		{"icsd_relayer_packets_total", `channel="transfer/channel-0"`, `kind="received"`, `link="/home/r/ccv.json"`},
		{"icsd_relayer_client_updates_total", `chain="b-1"`, `link="/home/r/ccv.json"`},
		{"icsd_relayer_errors_total", `kind="rpc"`, `link="/home/r/ccv.json"`},
	} {
		if v, ok := value(text, s[0], s[1:]...); !ok || v != 0 {
			t.Fatalf("%v before any pass: %v %v", s, v, ok)
		}
	}

	t0 := time.Unix(1_800_000_000, 0)
	r.Pass(relayer.Progress{Received: 2, Acked: 1, TimedOut: 1, Pending: 3, UpdatesA: 1, UpdatesB: 2, HeightA: 10, HeightB: 20, LagA: 4, LagB: -1}, nil, t0)
	r.Channel(other, relayer.Progress{Received: 5, Pending: 1, UpdatesB: 1, HeightA: 11, HeightB: 21, LagA: 0, LagB: 7})
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	failed := errors.Join(fmt.Errorf("receive on b-1: %w", relayer.ErrTxFailed),
		errors.Join(fmt.Errorf("a-1: status: %w", refused), fmt.Errorf("transfer/channel-1: %w", relayer.ErrQueryFailed)))
	r.Pass(relayer.Progress{Received: 1, UpdatesB: 1}, failed, t0.Add(time.Minute))
	r.Pass(relayer.Progress{}, errors.New("a-1: no client 07-tendermint-9"), t0.Add(2*time.Minute))

	text = scrape(t, srv.Addr())
	link := `link="/home/r/ccv.json"`
	for _, tc := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"icsd_relayer_passes_total", []string{link}, 3},
		{"icsd_relayer_packets_total", []string{`channel="transfer/channel-0"`, `kind="received"`, link}, 3},
		{"icsd_relayer_packets_total", []string{`channel="transfer/channel-0"`, `kind="acked"`, link}, 1},
		{"icsd_relayer_packets_total", []string{`channel="transfer/channel-0"`, `kind="timed_out"`, link}, 1},
		{"icsd_relayer_packets_total", []string{`channel="other/channel-1"`, `kind="received"`, link}, 5},
		{"icsd_relayer_packets_total", []string{`channel="other/channel-1"`, `kind="acked"`, link}, 0},
		{"icsd_relayer_packets_pending", []string{`channel="transfer/channel-0"`, link}, 3},
		{"icsd_relayer_packets_pending", []string{`channel="other/channel-1"`, link}, 1},
		{"icsd_relayer_client_updates_total", []string{`chain="a-1"`, link}, 1},
		{"icsd_relayer_client_updates_total", []string{`chain="b-1"`, link}, 4},
		{"icsd_relayer_client_lag_blocks", []string{`chain="a-1"`, link}, 0},
		{"icsd_relayer_client_lag_blocks", []string{`chain="b-1"`, link}, 7},
		{"icsd_relayer_errors_total", []string{`kind="tx"`, link}, 1},
		{"icsd_relayer_errors_total", []string{`kind="rpc"`, link}, 1},
		{"icsd_relayer_errors_total", []string{`kind="query"`, link}, 1},
		{"icsd_relayer_errors_total", []string{`kind="other"`, link}, 1},
		{"icsd_relayer_last_success_timestamp_seconds", []string{link}, float64(t0.Unix())},
	} {
		if got, ok := value(text, tc.name, tc.labels...); !ok || got != tc.want {
			t.Errorf("%s%v = %v (found %v), want %v", tc.name, tc.labels, got, ok, tc.want)
		}
	}
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "# HELP ") && !strings.HasPrefix(line, "# HELP icsd_relayer_") {
			t.Errorf("the relayer's registry serves %q", line)
		}
	}
}

// TestServeRefuses: an address that is not host:port, a port that is
// not one, and a port in use are refused at once, naming the address.
func TestServeRefuses(t *testing.T) {
	srv, err := metrics.Serve("127.0.0.1:0", prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	for _, addr := range []string{"26680", "127.0.0.1", "127.0.0.1:metrics", "127.0.0.1:70000", srv.Addr()} {
		s, err := metrics.Serve(addr, prometheus.NewRegistry())
		if err == nil {
			s.Close()
			t.Errorf("%q served", addr)
			continue
		}
		if !strings.Contains(err.Error(), fmt.Sprintf("%q", addr)) {
			t.Errorf("%q: the error does not name the address: %v", addr, err)
		}
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := http.Get("http://" + srv.Addr() + "/metrics"); err == nil {
		t.Fatal("a closed server answers")
	}
}
