package bench

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"io"
	"os"
	"runtime/metrics"
	"slices"
	"strconv"
	"time"
)

// MiB is the unit of every memory figure the harness prints.
const MiB = 1 << 20

// BlockStat is the measurement of one replayed block.
type BlockStat struct {
	Height int64
	Txs    int
	Failed int
	// Time is FinalizeBlock plus Commit; Commit is the Commit part alone.
	Time, Commit time.Duration
	// RSS is the process's resident memory, Heap the Go heap in use and
	// Live the heap the last garbage collection found live (bytes), all read
	// right after the block committed.
	RSS, Heap, Live uint64
}

// Window aggregates consecutive blocks, heights From to To inclusive.
type Window struct {
	From, To int64
	Blocks   int
	Txs      int
	Elapsed  time.Duration
	P50, P99 time.Duration
	// RSS, Heap and Live are those of the window's last block.
	RSS, Heap, Live uint64
}

// TxPerSec is the throughput of the window's blocks.
func (w Window) TxPerSec() float64 {
	if w.Elapsed <= 0 {
		return 0
	}
	return float64(w.Txs) / w.Elapsed.Seconds()
}

// Windows splits stats into windows of n blocks; the last one holds what
// remains and may be shorter. It returns nil when n < 1 or when stats has no
// more than n blocks, since a single window would only repeat the whole run.
func Windows(stats []BlockStat, n int) []Window {
	if n < 1 || len(stats) <= n {
		return nil
	}
	return split(stats, n)
}

// split cuts stats into windows of n >= 1 blocks, whatever their number.
func split(stats []BlockStat, n int) []Window {
	var out []Window
	for lo := 0; lo < len(stats); lo += n {
		part := stats[lo:min(lo+n, len(stats))]
		last := part[len(part)-1]
		w := Window{From: part[0].Height, To: last.Height, Blocks: len(part), RSS: last.RSS, Heap: last.Heap, Live: last.Live}
		times := make([]time.Duration, len(part))
		for i, s := range part {
			w.Txs += s.Txs
			w.Elapsed += s.Time
			times[i] = s.Time
		}
		w.P50, w.P99 = percentiles(times)
		out = append(out, w)
	}
	return out
}

// percentiles returns the p50 and p99 of ds (sorting ds), nearest rank
// below: of 100 values, p99 is the largest.
func percentiles(ds []time.Duration) (p50, p99 time.Duration) {
	if len(ds) == 0 {
		return 0, 0
	}
	slices.Sort(ds)
	return ds[len(ds)/2], ds[min(len(ds)-1, len(ds)*99/100)]
}

// WriteCSV writes one row per block: height, txs, failed txs, block time
// (FinalizeBlock plus Commit), FinalizeBlock and Commit times in
// milliseconds, resident memory, Go heap in use and live Go heap in MiB.
func WriteCSV(w io.Writer, stats []BlockStat) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"height", "txs", "failed", "block_ms", "finalize_ms", "commit_ms", "rss_mb", "heap_mb", "live_mb"}); err != nil {
		return err
	}
	for _, s := range stats {
		row := []string{
			strconv.FormatInt(s.Height, 10), strconv.Itoa(s.Txs), strconv.Itoa(s.Failed),
			ms(s.Time), ms(s.Time - s.Commit), ms(s.Commit),
			mb(s.RSS), mb(s.Heap), mb(s.Live),
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// mb formats b bytes in MiB to a tenth.
func mb(b uint64) string { return strconv.FormatFloat(float64(b)/MiB, 'f', 1, 64) }

// ms formats d in milliseconds to the microsecond.
func ms(d time.Duration) string { return strconv.FormatFloat(Millis(d), 'f', 3, 64) }

// Millis is d in milliseconds, to the microsecond.
func Millis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// Mem is a reading of the process's memory, in bytes. RSS and PeakRSS are
// zero where /proc/self/status cannot be read (outside Linux).
type Mem struct {
	// RSS is the resident set (VmRSS), PeakRSS its high-water mark since the
	// process started (VmHWM), Heap the Go heap in use (HeapInuse: live
	// objects, dead ones not yet swept, and free space in their spans), Live
	// the heap that the last garbage collection marked live, which moves
	// with what the application holds rather than with the collector's
	// phase.
	RSS, PeakRSS, Heap, Live uint64
}

// memSamples are the runtime metrics ReadMem reads: the first two sum to
// the heap in use, the third is the live heap. Reading them does not stop
// the world as runtime.ReadMemStats does.
var memSamples = []string{"/memory/classes/heap/objects:bytes", "/memory/classes/heap/unused:bytes", "/gc/heap/live:bytes"}

// ReadMem reads the process's memory now.
func ReadMem() Mem {
	var m Mem
	samples := make([]metrics.Sample, len(memSamples))
	for i, name := range memSamples {
		samples[i].Name = name
	}
	metrics.Read(samples)
	u := func(i int) uint64 {
		if samples[i].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return samples[i].Value.Uint64()
	}
	m.Heap, m.Live = u(0)+u(1), u(2)
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return m
	}
	m.RSS, m.PeakRSS = statusKB(status, "VmRSS:"), statusKB(status, "VmHWM:")
	return m
}

// statusKB returns the value in bytes of the "Key:  N kB" line of a
// /proc/PID/status file, or 0 when it is absent.
func statusKB(status []byte, key string) uint64 {
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		rest, ok := bytes.CutPrefix(sc.Bytes(), []byte(key))
		if !ok {
			continue
		}
		f := bytes.Fields(rest)
		if len(f) == 0 {
			return 0
		}
		kb, err := strconv.ParseUint(string(f[0]), 10, 64)
		if err != nil {
			return 0
		}
		return kb << 10
	}
	return 0
}
