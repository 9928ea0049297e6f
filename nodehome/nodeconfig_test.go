package nodehome

import (
	"strings"
	"testing"

	"github.com/abci-ics/ics/app"
	"github.com/abci-ics/ics/types/coin"
)

// TestMempoolAndMetricsConfig: [mempool] minimum-fee, [metrics] enabled
// and [commit] pipeline are read, written back and checked; a home
// without them has no node minimum, icsd's metrics on and the pipelined
// commit.
func TestMempoolAndMetricsConfig(t *testing.T) {
	d := DefaultAppConfig(app.RoleProvider)
	if _, ok := d.Mempool.Fee(); ok || !d.Metrics.Enabled || !d.Commit.Pipeline {
		t.Fatalf("defaults %+v %+v %+v", d.Mempool, d.Metrics, d.Commit)
	}
	c, err := ReadAppConfig(writeAppToml(t, "[mempool]\nminimum-fee = \"10stake\"\n[metrics]\nenabled = false\n[commit]\npipeline = false\n"))
	if err != nil {
		t.Fatal(err)
	}
	if fee, ok := c.Mempool.Fee(); !ok || fee != (coin.Coin{Denom: "stake", Amount: 10}) || c.Metrics.Enabled || c.Commit.Pipeline {
		t.Fatalf("read %+v %+v %+v", c.Mempool, c.Metrics, c.Commit)
	}
	home := t.TempDir()
	if err := WriteAppConfig(home, c); err != nil {
		t.Fatal(err)
	}
	if got, err := ReadAppConfig(home); err != nil || got != c {
		t.Fatalf("wrote %+v, read %+v, %v", c, got, err)
	}
	for _, tc := range []struct{ text, err string }{
		{"[mempool]\nminimum-fee = \"stake\"\n", `mempool: minimum-fee "stake"`},
		{"[mempool]\nminimum-fee = \"10\"\n", `mempool: minimum-fee "10"`},
		{"[mempool]\nminimum-fee = 10\n", "mempool.minimum-fee must be a string"},
		{"[mempool]\nmin-fee = \"1stake\"\n", `unknown setting "mempool.min-fee"`},
		{"[metrics]\nenabled = 1\n", "metrics.enabled must be true or false"},
		{"[metrics]\nport = 1\n", `unknown setting "metrics.port"`},
		{"metrics = true\n", "metrics must be a section"},
		{"[commit]\npipeline = \"yes\"\n", "commit.pipeline must be true or false"},
		{"[commit]\nasync = true\n", `unknown setting "commit.async"`},
	} {
		if _, err := ReadAppConfig(writeAppToml(t, tc.text)); err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%q: error %v, want %q", tc.text, err, tc.err)
		}
	}
}
