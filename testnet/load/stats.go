package load

import (
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strings"
	"time"
)

// Percentile returns the p-th percentile (0 < p <= 100) of the ascending
// samples by the nearest-rank method: the smallest sample with at least p%
// of the samples at or below it. It returns 0 for no samples.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

// Block is what the watcher saw of one block.
type Block struct {
	Height int64
	Seen   time.Time // when the client first held the block's results
	Txs    int       // every transaction in the block
	Load   int       // the run's transactions among them
	OK     int       // the run's transactions that succeeded
}

// Window is the stretch of blocks from the first to the last block holding
// load transactions.
type Window struct {
	First, Last int64         // heights; 0 when no block held load
	Blocks      int           // blocks in the window, empty ones included
	Span        time.Duration // from seeing the first to seeing the last
	Rate        float64       // successful transactions per second
	Load        int           // load transactions in the window
	MaxLoad     int           // most load transactions in one block
}

// WindowRate measures blocks (in height order) over the window from the
// first to the last block holding load transactions. The rate counts the
// successful transactions of the blocks after the first, over the time
// between seeing the first and seeing the last: each block's transactions
// are what arrived in the interval before it. With fewer than two blocks
// holding load the rate is 0.
func WindowRate(blocks []Block) Window {
	first, last := -1, -1
	for i, b := range blocks {
		if b.Load > 0 {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	var w Window
	if first < 0 {
		return w
	}
	w.First, w.Last = blocks[first].Height, blocks[last].Height
	w.Blocks = int(w.Last-w.First) + 1
	w.Span = blocks[last].Seen.Sub(blocks[first].Seen)
	ok := 0
	for i := first; i <= last; i++ {
		w.Load += blocks[i].Load
		w.MaxLoad = max(w.MaxLoad, blocks[i].Load)
		if i > first {
			ok += blocks[i].OK
		}
	}
	if last > first && w.Span > 0 {
		w.Rate = float64(ok) / w.Span.Seconds()
	}
	return w
}

// Result is the measurement of one load run. Times are in milliseconds or
// seconds as their names say.
type Result struct {
	Name       string  `json:"name"`
	Workload   string  `json:"workload"`
	Nodes      int     `json:"nodes"`
	TargetRate float64 `json:"target_rate"`
	DurationS  float64 `json:"duration_s"`
	Conns      int     `json:"conns"`

	// Submitted transactions were sent; Accepted passed CheckTx, Rejected
	// did not, and Errors got no answer. Committed succeeded in a block,
	// Failed were in a block with an error code, Pending were accepted and
	// not seen in a block by the end of the drain.
	Submitted int `json:"submitted"`
	Accepted  int `json:"accepted"`
	Rejected  int `json:"rejected"`
	Errors    int `json:"errors"`
	Committed int `json:"committed"`
	Failed    int `json:"failed"`
	Pending   int `json:"pending"`

	// SubmitRate is what the client sent per second while it sent; Missed
	// counts the slots of the target rate it could not send, MissedAccounts
	// those of them when every submitter waited for a free account.
	SubmitRate     float64 `json:"submit_rate"`
	Missed         int     `json:"missed"`
	MissedAccounts int     `json:"missed_no_account"`

	CommittedRate float64 `json:"committed_tx_per_s"`
	WindowS       float64 `json:"window_s"`
	Blocks        int     `json:"blocks"`
	TxsPerBlock   float64 `json:"txs_per_block"`
	MaxTxsPerBlk  int     `json:"max_txs_per_block"`
	BlockS        float64 `json:"block_interval_s"`
	Samples       int     `json:"latency_samples"`
	P50ms         float64 `json:"latency_p50_ms"`
	P99ms         float64 `json:"latency_p99_ms"`
	MaxMs         float64 `json:"latency_max_ms"`
	CallP50ms     float64 `json:"broadcast_p50_ms"`
	CallP99ms     float64 `json:"broadcast_p99_ms"`

	RejectReasons map[string]int `json:"reject_reasons,omitempty"`
	Warnings      []string       `json:"warnings,omitempty"`
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// fill sets the block and latency statistics of r.
func (r *Result) fill(blocks []Block, latencies []time.Duration) {
	w := WindowRate(blocks)
	r.CommittedRate = w.Rate
	r.WindowS = w.Span.Seconds()
	r.Blocks = w.Blocks
	r.MaxTxsPerBlk = w.MaxLoad
	if w.Blocks > 0 {
		r.TxsPerBlock = float64(w.Load) / float64(w.Blocks)
	}
	if w.Blocks > 1 {
		r.BlockS = r.WindowS / float64(w.Blocks-1)
	}
	slices.Sort(latencies)
	r.Samples = len(latencies)
	r.P50ms = ms(Percentile(latencies, 50))
	r.P99ms = ms(Percentile(latencies, 99))
	if n := len(latencies); n > 0 {
		r.MaxMs = ms(latencies[n-1])
	}
}

// Comparison is a run's results side by side: icsd's, the kvstore node's,
// and the ratio of their committed rates.
type Comparison struct {
	ICSD    *Result `json:"icsd,omitempty"`
	KVStore *Result `json:"kvstore,omitempty"`
	Ratio   float64 `json:"icsd_over_kvstore,omitempty"`
}

// NewComparison pairs the results (either may be nil).
func NewComparison(icsd, kv *Result) Comparison {
	c := Comparison{ICSD: icsd, KVStore: kv}
	if icsd != nil && kv != nil && kv.CommittedRate > 0 {
		c.Ratio = icsd.CommittedRate / kv.CommittedRate
	}
	return c
}

// WriteText prints the results as a table, one column per run.
func (c Comparison) WriteText(w io.Writer) {
	var cols []*Result
	for _, r := range []*Result{c.ICSD, c.KVStore} {
		if r != nil {
			cols = append(cols, r)
		}
	}
	if len(cols) == 0 {
		return
	}
	for _, r := range cols {
		fmt.Fprintf(w, "%s: %s, %d node(s), target %.0f tx/s for %s, %d connections\n",
			r.Name, r.Workload, r.Nodes, r.TargetRate, time.Duration(r.DurationS*float64(time.Second)), r.Conns)
	}
	row := func(label string, f func(r *Result) string) {
		fmt.Fprintf(w, "  %-24s", label)
		for _, r := range cols {
			fmt.Fprintf(w, " %14s", f(r))
		}
		fmt.Fprintln(w)
	}
	row("", func(r *Result) string { return r.Name })
	num := func(f func(r *Result) int) func(r *Result) string {
		return func(r *Result) string { return fmt.Sprint(f(r)) }
	}
	row("submitted", num(func(r *Result) int { return r.Submitted }))
	row("submit tx/s (achieved)", func(r *Result) string { return fmt.Sprintf("%.0f", r.SubmitRate) })
	row("missed slots (accounts)", func(r *Result) string { return fmt.Sprintf("%d (%d)", r.Missed, r.MissedAccounts) })
	row("accepted by CheckTx", num(func(r *Result) int { return r.Accepted }))
	row("rejected / no answer", func(r *Result) string { return fmt.Sprintf("%d / %d", r.Rejected, r.Errors) })
	row("committed", num(func(r *Result) int { return r.Committed }))
	row("failed in block", num(func(r *Result) int { return r.Failed }))
	row("pending at the end", num(func(r *Result) int { return r.Pending }))
	row("committed tx/s", func(r *Result) string { return fmt.Sprintf("%.0f", r.CommittedRate) })
	row("window", func(r *Result) string { return fmt.Sprintf("%.1fs", r.WindowS) })
	row("blocks", num(func(r *Result) int { return r.Blocks }))
	row("txs/block mean (max)", func(r *Result) string { return fmt.Sprintf("%.0f (%d)", r.TxsPerBlock, r.MaxTxsPerBlk) })
	row("block interval", func(r *Result) string { return fmt.Sprintf("%.0fms", r.BlockS*1000) })
	row("commit latency p50", func(r *Result) string { return fmt.Sprintf("%.0fms", r.P50ms) })
	row("commit latency p99", func(r *Result) string { return fmt.Sprintf("%.0fms", r.P99ms) })
	row("broadcast call p50/p99", func(r *Result) string { return fmt.Sprintf("%.0f/%.0fms", r.CallP50ms, r.CallP99ms) })
	row("commit latency max", func(r *Result) string { return fmt.Sprintf("%.0fms", r.MaxMs) })
	if c.Ratio > 0 {
		fmt.Fprintf(w, "icsd/kvstore committed tx/s: %.2f\n", c.Ratio)
	}
	for _, r := range cols {
		for _, reason := range sortedReasons(r.RejectReasons) {
			fmt.Fprintf(w, "%s rejected %d: %s\n", r.Name, r.RejectReasons[reason], reason)
		}
		for _, warn := range r.Warnings {
			fmt.Fprintf(w, "%s warning: %s\n", r.Name, warn)
		}
	}
}

// sortedReasons returns the reasons, most frequent first.
func sortedReasons(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool {
		if m[out[i]] != m[out[j]] {
			return m[out[i]] > m[out[j]]
		}
		return out[i] < out[j]
	})
	return out
}

// reason shortens a rejection log to what tells rejections apart: its
// first line, cut before the numbers that differ between transactions.
func reason(log string) string {
	log, _, _ = strings.Cut(log, "\n")
	if i := strings.IndexAny(log, "0123456789"); i > 0 && i > 20 {
		log = log[:i]
	}
	if len(log) > 80 {
		log = log[:80]
	}
	return strings.TrimSpace(log)
}
