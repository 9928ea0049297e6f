package bench

import (
	"bytes"
	"encoding/csv"
	"runtime"
	"testing"
	"time"
)

// statsOf returns n blocks from height 2, block i taking times[i%len] ms and
// holding txs transfers, with RSS rising by 1 MiB a block, heap by half and
// live heap by a quarter of that.
func statsOf(n, txs int, times ...int) []BlockStat {
	out := make([]BlockStat, n)
	for i := range out {
		out[i] = BlockStat{Height: int64(i + 2), Txs: txs, Time: time.Duration(times[i%len(times)]) * time.Millisecond,
			RSS: uint64(i+1) * MiB, Heap: uint64(i+1) * MiB / 2, Live: uint64(i+1) * MiB / 4}
	}
	return out
}

func TestWindows(t *testing.T) {
	// 250 blocks of 1,000 txs; in every 100, block times 1..100 ms.
	ramp := make([]int, 100)
	for i := range ramp {
		ramp[i] = i + 1
	}
	stats := statsOf(250, 1000, ramp...)
	ws := Windows(stats, 100)
	want := []Window{
		{From: 2, To: 101, Blocks: 100, Txs: 100_000, Elapsed: 5050 * time.Millisecond, P50: 51 * time.Millisecond, P99: 100 * time.Millisecond, RSS: 100 * MiB, Heap: 50 * MiB, Live: 25 * MiB},
		{From: 102, To: 201, Blocks: 100, Txs: 100_000, Elapsed: 5050 * time.Millisecond, P50: 51 * time.Millisecond, P99: 100 * time.Millisecond, RSS: 200 * MiB, Heap: 100 * MiB, Live: 50 * MiB},
		{From: 202, To: 251, Blocks: 50, Txs: 50_000, Elapsed: 1275 * time.Millisecond, P50: 26 * time.Millisecond, P99: 50 * time.Millisecond, RSS: 250 * MiB, Heap: 125 * MiB, Live: 250 * MiB / 4},
	}
	if len(ws) != len(want) {
		t.Fatalf("%d windows, want %d: %+v", len(ws), len(want), ws)
	}
	for i := range want {
		if ws[i] != want[i] {
			t.Errorf("window %d:\n got %+v\nwant %+v", i, ws[i], want[i])
		}
	}
	if got, want := ws[0].TxPerSec(), 100_000/5.05; got < want-1e-6 || got > want+1e-6 {
		t.Errorf("tx/s %f, want %f", got, want)
	}
	// The window figures do not disturb the order of the run's stats.
	if stats[0].Time != time.Millisecond || stats[99].Time != 100*time.Millisecond {
		t.Error("Windows reordered its input")
	}
}

func TestWindowsOnlyWhenMoreBlocksThanWindow(t *testing.T) {
	for _, tc := range []struct{ blocks, n, want int }{
		{100, 100, 0}, {99, 100, 0}, {101, 100, 2}, {200, 100, 2}, {201, 100, 3},
		{5, 1, 5}, {5, 0, 0}, {5, -1, 0}, {0, 100, 0},
	} {
		if got := len(Windows(statsOf(tc.blocks, 1, 7), tc.n)); got != tc.want {
			t.Errorf("%d blocks, window %d: %d windows, want %d", tc.blocks, tc.n, got, tc.want)
		}
	}
}

func TestPercentiles(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for i, x := range v {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	for _, tc := range []struct {
		in       []time.Duration
		p50, p99 time.Duration
	}{
		{nil, 0, 0},
		{ms(5), 5 * time.Millisecond, 5 * time.Millisecond},
		{ms(3, 1, 2), 2 * time.Millisecond, 3 * time.Millisecond},
		{ms(4, 3, 2, 1), 3 * time.Millisecond, 4 * time.Millisecond},
	} {
		p50, p99 := percentiles(tc.in)
		if p50 != tc.p50 || p99 != tc.p99 {
			t.Errorf("%v: p50 %s p99 %s, want %s %s", tc.in, p50, p99, tc.p50, tc.p99)
		}
	}
}

func TestWriteCSV(t *testing.T) {
	stats := []BlockStat{
		{Height: 2, Txs: 1000, Failed: 1, Time: 120500 * time.Microsecond, Commit: 20250 * time.Microsecond, RSS: 1536 * MiB, Heap: 512 * MiB, Live: 256 * MiB},
		{Height: 3, Txs: 1000, Time: 99 * time.Millisecond, Commit: 9 * time.Millisecond, RSS: 1600 * MiB, Heap: 600 * MiB, Live: 300 * MiB},
	}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, stats); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"height", "txs", "failed", "block_ms", "finalize_ms", "commit_ms", "rss_mb", "heap_mb", "live_mb"},
		{"2", "1000", "1", "120.500", "100.250", "20.250", "1536.0", "512.0", "256.0"},
		{"3", "1000", "0", "99.000", "90.000", "9.000", "1600.0", "600.0", "300.0"},
	}
	if len(rows) != len(want) {
		t.Fatalf("%d rows, want %d", len(rows), len(want))
	}
	for i := range want {
		for j := range want[i] {
			if rows[i][j] != want[i][j] {
				t.Errorf("row %d col %d: %q, want %q", i, j, rows[i][j], want[i][j])
			}
		}
	}
}

func TestStatusKB(t *testing.T) {
	status := []byte("Name:\ticsd\nVmPeak:\t 9000 kB\nVmHWM:\t   2048 kB\nVmRSS:\t    1024 kB\nThreads:\t7\nBroken:\tx kB\n")
	for _, tc := range []struct {
		key  string
		want uint64
	}{
		{"VmRSS:", 1 << 20}, {"VmHWM:", 2 << 20}, {"VmSwap:", 0}, {"Broken:", 0},
	} {
		if got := statusKB(status, tc.key); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.key, got, tc.want)
		}
	}
}

func TestReadMem(t *testing.T) {
	m := ReadMem()
	if m.Heap == 0 || m.Live == 0 || m.Live > m.Heap {
		t.Errorf("heap in use %d, live %d", m.Heap, m.Live)
	}
	if runtime.GOOS != "linux" {
		return
	}
	if m.RSS == 0 || m.PeakRSS < m.RSS || m.RSS < m.Heap/2 {
		t.Errorf("implausible reading %+v", m)
	}
}
