package cmd

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

// TestBenchReport: a short run's JSON report carries the whole-run figures,
// a window per --window blocks and the peak RSS, and --csv and --plot write
// a row per block and a PNG.
func TestBenchReport(t *testing.T) {
	dir := t.TempDir()
	csvPath, plotPath := filepath.Join(dir, "b.csv"), filepath.Join(dir, "b.png")
	c := benchCmd()
	var out bytes.Buffer
	c.SetOut(&out)
	c.SetArgs([]string{"--accounts", "200", "--txs", "20", "--blocks", "12", "--window", "5", "--db", "memdb",
		"--kvstore=false", "--csv", csvPath, "--plot", plotPath, "-o", "json"})
	if err := c.Execute(); err != nil {
		t.Fatal(err)
	}
	var rep benchReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("%v in %s", err, out.String())
	}
	if rep.Icsd.Txs != 240 || rep.Icsd.Failed != 0 || rep.Icsd.TxPerSec <= 0 || rep.Icsd.AppHash == "" {
		t.Fatalf("whole run: %+v", rep.Icsd)
	}
	ws := rep.Icsd.Windows
	if len(ws) != 3 || ws[0].FromHeight != 2 || ws[0].ToHeight != 6 || ws[2].FromHeight != 12 || ws[2].ToHeight != 13 || ws[2].Txs != 40 {
		t.Fatalf("windows: %+v", ws)
	}
	for _, w := range ws {
		if w.TxPerSec <= 0 || w.P99ms < w.P50ms || w.RSSMB <= 0 || w.HeapMB <= 0 || w.LiveMB <= 0 {
			t.Errorf("window %+v", w)
		}
	}
	if rep.Icsd.PeakRSSMB < ws[2].RSSMB {
		t.Errorf("peak RSS %.1f MB below the last window's %.1f", rep.Icsd.PeakRSSMB, ws[2].RSSMB)
	}

	f, err := os.Open(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 13 || rows[1][0] != "2" || rows[12][0] != "13" || rows[12][1] != "20" {
		t.Fatalf("csv rows: %v", rows)
	}

	p, err := os.Open(plotPath)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if _, err := png.Decode(p); err != nil {
		t.Fatalf("plot: %v", err)
	}
}

// TestBenchWindowsOnlyForLongRuns: a run no longer than --window has no
// windows.
func TestBenchWindowsOnlyForLongRuns(t *testing.T) {
	c := benchCmd()
	var out bytes.Buffer
	c.SetOut(&out)
	c.SetArgs([]string{"--accounts", "200", "--txs", "10", "--blocks", "3", "--db", "memdb", "--kvstore=false", "-o", "json"})
	if err := c.Execute(); err != nil {
		t.Fatal(err)
	}
	var rep benchReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Icsd.Windows) != 0 || rep.Icsd.Txs != 30 {
		t.Fatalf("report %+v", rep.Icsd)
	}
}
