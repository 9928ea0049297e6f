package nodehome

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/abci-ics/ics/app"
)

func writeAppToml(t *testing.T, text string) string {
	t.Helper()
	home := t.TempDir()
	if err := os.MkdirAll(filepath.Join(home, "config"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(appConfigFile(home), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return home
}

func TestPruningStrategies(t *testing.T) {
	cases := []struct {
		p              Pruning
		keep, interval int64
		err            string
	}{
		{p: Pruning{Strategy: PruneDefault}, keep: 362_880, interval: 10},
		{p: Pruning{Strategy: PruneEverything}, keep: 2, interval: 10},
		{p: Pruning{Strategy: PruneNothing}},
		{p: Pruning{Strategy: PruneCustom, KeepRecent: 2, Interval: 1}, keep: 2, interval: 1},
		{p: DefaultPruning(), keep: 10_000, interval: 1},
		{p: Pruning{Strategy: PruneCustom, KeepRecent: 1, Interval: 10}, err: "keep-recent 1: keep at least 2"},
		{p: Pruning{Strategy: PruneCustom, KeepRecent: 0, Interval: 10}, err: "keep-recent 0"},
		{p: Pruning{Strategy: PruneCustom, KeepRecent: 100, Interval: 0}, err: "interval 0: must be at least 1"},
		{p: Pruning{Strategy: PruneCustom, KeepRecent: 100, Interval: -3}, err: "interval -3"},
		{p: Pruning{Strategy: PruneEverything, KeepRecent: 100}, err: `strategy "everything" sets its own`},
		{p: Pruning{Strategy: PruneNothing, Interval: 5}, err: `strategy "nothing" sets its own`},
		{p: Pruning{Strategy: "sometimes"}, err: `unknown strategy "sometimes"`},
		{p: Pruning{}, err: `unknown strategy ""`},
	}
	for _, tc := range cases {
		keep, interval, err := tc.p.Resolve()
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%+v: error %v, want one with %q", tc.p, err, tc.err)
			}
			continue
		}
		if err != nil || keep != tc.keep || interval != tc.interval {
			t.Errorf("%+v: %d, %d, %v; want %d, %d", tc.p, keep, interval, err, tc.keep, tc.interval)
		}
	}
}

func TestAppConfigRoundTrip(t *testing.T) {
	for _, c := range []AppConfig{
		DefaultAppConfig(app.RoleProvider),
		DefaultAppConfig(app.RoleConsumer),
		{Role: app.RoleProvider, Pruning: Pruning{Strategy: PruneNothing}, Memory: DefaultMemory(), GRPC: DefaultGRPC()},
		{Role: app.RoleConsumer, Pruning: Pruning{Strategy: PruneEverything}, Memory: Memory{Limit: 0, GCPercent: 100, NodeCache: 1000}, GRPC: DefaultGRPC()},
		{Role: app.RoleProvider, Pruning: Pruning{Strategy: PruneDefault}, Memory: Memory{Limit: 1500 << 20, GCPercent: 400, NodeCache: 2_000_000}, GRPC: DefaultGRPC()},
		{Role: app.RoleProvider, Pruning: Pruning{Strategy: PruneCustom, KeepRecent: 100, Interval: 1}, Memory: Memory{Limit: 3_000_000_001, GCPercent: 50, NodeCache: 250_000}, GRPC: DefaultGRPC()},
		{Role: app.RoleProvider, Pruning: DefaultPruning(), Memory: DefaultMemory(), Snapshots: Snapshots{Interval: 1000, KeepRecent: 3}, GRPC: DefaultGRPC()},
	} {
		home := t.TempDir()
		if err := WriteAppConfig(home, c); err != nil {
			t.Fatal(err)
		}
		got, err := ReadAppConfig(home)
		if err != nil || got != c {
			t.Errorf("wrote %+v, read %+v, %v", c, got, err)
		}
		text, _ := os.ReadFile(appConfigFile(home))
		if !strings.Contains(string(text), "# strategy is one of") || !strings.Contains(string(text), "# interval is how often, in blocks, a snapshot is taken") {
			t.Errorf("app.toml without comments:\n%s", text)
		}
	}
	if err := WriteAppConfig(t.TempDir(), AppConfig{Role: app.RoleProvider, Pruning: Pruning{Strategy: PruneCustom, KeepRecent: 1, Interval: 1}}); err == nil {
		t.Error("WriteAppConfig wrote an invalid pruning")
	}
	if err := WriteAppConfig(t.TempDir(), AppConfig{Pruning: DefaultPruning()}); err == nil {
		t.Error("WriteAppConfig wrote a config without role")
	}
}

// TestAppConfigDefaults checks the homes that predate settings: no file,
// a file with only the role, a [pruning] section with some keys.
func TestAppConfigDefaults(t *testing.T) {
	c, err := ReadAppConfig(t.TempDir())
	if err != nil || c != DefaultAppConfig(app.RoleProvider) {
		t.Fatalf("without app.toml: %+v, %v", c, err)
	}
	cases := []struct {
		text string
		want AppConfig
	}{
		{"# old home\nrole = \"consumer\"\n", DefaultAppConfig(app.RoleConsumer)},
		{"", DefaultAppConfig(app.RoleProvider)},
		{"[pruning]\nkeep-recent = 500\n", cfg(Pruning{PruneCustom, 500, 1}, DefaultMemory(), DefaultSnapshots())},
		{"[pruning]\ninterval = 3\n", cfg(Pruning{PruneCustom, 10_000, 3}, DefaultMemory(), DefaultSnapshots())},
		{"role = \"provider\"\n[pruning]\nstrategy = \"nothing\"\n", cfg(Pruning{Strategy: PruneNothing}, DefaultMemory(), DefaultSnapshots())},
		{"[pruning]\nstrategy = \"custom\"\nkeep-recent = 2\ninterval = 1\n", cfg(Pruning{PruneCustom, 2, 1}, DefaultMemory(), DefaultSnapshots())},
		{"[memory]\nlimit = \"1GiB\"\n", cfg(DefaultPruning(), Memory{1 << 30, DefaultMemory().GCPercent, DefaultMemory().NodeCache}, DefaultSnapshots())},
		{"[memory]\nlimit = 0\ngc-percent = 100\n", cfg(DefaultPruning(), Memory{0, 100, DefaultMemory().NodeCache}, DefaultSnapshots())},
		{"[memory]\nlimit = \"800MB\"\n", cfg(DefaultPruning(), Memory{800_000_000, DefaultMemory().GCPercent, DefaultMemory().NodeCache}, DefaultSnapshots())},
		{"[memory]\nnode-cache = 1000000\n", cfg(DefaultPruning(), Memory{DefaultMemory().Limit, DefaultMemory().GCPercent, 1_000_000}, DefaultSnapshots())},
		{"[snapshots]\ninterval = 10\n", cfg(DefaultPruning(), DefaultMemory(), Snapshots{10, 2})},
		{"[snapshots]\ninterval = 500\nkeep-recent = 5\n", cfg(DefaultPruning(), DefaultMemory(), Snapshots{500, 5})},
		{"[snapshots]\nkeep-recent = 0\n", cfg(DefaultPruning(), DefaultMemory(), Snapshots{0, 0})},
		{"[snapshots]\n", DefaultAppConfig(app.RoleProvider)},
	}
	for _, tc := range cases {
		c, err := ReadAppConfig(writeAppToml(t, tc.text))
		if err != nil || c != tc.want {
			t.Errorf("%q: %+v, %v; want %+v", tc.text, c, err, tc.want)
		}
	}
}

func TestAppConfigBadValues(t *testing.T) {
	cases := []struct{ text, err string }{
		{"[pruning]\nkeep-recent = 1\n", "keep-recent 1"},
		{"[pruning]\ninterval = 0\n", "interval 0"},
		{"[pruning]\nstrategy = \"sometimes\"\n", `unknown strategy "sometimes"`},
		{"[pruning]\nstrategy = \"everything\"\nkeep-recent = 5\n", `strategy "everything" sets its own`},
		{"[pruning]\nkeep-recent = \"ten\"\n", "pruning.keep-recent must be an integer, not ten"},
		{"[pruning]\ninterval = 1.5\n", "pruning.interval must be an integer, not 1.5"},
		{"[pruning]\nkeep_recent = 5\n", `unknown setting "pruning.keep_recent"`},
		{"[pruning]\nstrategy = 3\n", "pruning.strategy must be a string"},
		{"role = 1\n", "role must be a string"},
		{"pruning = \"default\"\n", "pruning must be a section"},
		{"role = \"validator\"\n", `unknown role "validator"`},
		{"role = provider\n", "app.toml:1:"},
		{"color = \"blue\"\n", `unknown setting "color"`},
		{"[pruning\n", "app.toml:1:"},
		{"[memory]\nlimit = \"lots\"\n", `memory.limit: size "lots"`},
		{"[memory]\nlimit = \"2TB\"\n", `memory.limit: size "2TB"`},
		{"[memory]\nlimit = \"100MiB\"\n", "at least 256MiB"},
		{"[memory]\nlimit = -1\n", "memory: limit -1"},
		{"[memory]\ngc-percent = 5\n", "gc-percent 5"},
		{"[memory]\ngc-percent = \"high\"\n", "memory.gc-percent must be an integer"},
		{"[memory]\nnode-cache = 10\n", "memory: node-cache 10: from 1000"},
		{"[memory]\nnode-cache = \"big\"\n", "memory.node-cache must be an integer, not big"},
		{"[memory]\nswap = true\n", `unknown setting "memory.swap"`},
		{"[snapshots]\ninterval = -10\n", "snapshots: interval -10"},
		{"[snapshots]\nkeep-recent = -1\n", "snapshots: keep-recent -1"},
		{"[snapshots]\ninterval = 10\nkeep-recent = 0\n", "keep-recent 0 with interval 10: keep at least 1 snapshot"},
		{"[snapshots]\ninterval = \"often\"\n", "snapshots.interval must be an integer, not often"},
		{"[snapshots]\nkeep = 3\n", `unknown setting "snapshots.keep"`},
		{"snapshots = 10\n", "snapshots must be a section"},
	}
	for _, tc := range cases {
		home := writeAppToml(t, tc.text)
		_, err := ReadAppConfig(home)
		if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), appConfigFile(home)) {
			t.Errorf("%q: error %v, want one naming the file and %q", tc.text, err, tc.err)
		}
	}
}

func TestWriteRoleKeepsPruning(t *testing.T) {
	home := t.TempDir()
	c := AppConfig{Role: app.RoleProvider, Pruning: Pruning{Strategy: PruneCustom, KeepRecent: 50, Interval: 5}, Memory: Memory{Limit: 3 << 30, GCPercent: 200, NodeCache: 500_000}, GRPC: DefaultGRPC()}
	if err := WriteAppConfig(home, c); err != nil {
		t.Fatal(err)
	}
	if err := WriteRole(home, app.RoleConsumer); err != nil {
		t.Fatal(err)
	}
	got, err := ReadAppConfig(home)
	if c.Role = app.RoleConsumer; err != nil || got != c {
		t.Fatalf("after WriteRole: %+v, %v; want %+v", got, err, c)
	}
	if role, err := ReadRole(home); err != nil || role != app.RoleConsumer {
		t.Fatalf("ReadRole: %q, %v", role, err)
	}
}

// cfg is a provider's default configuration with pruning p, memory m and
// snapshots sn.
func cfg(p Pruning, m Memory, sn Snapshots) AppConfig {
	c := DefaultAppConfig(app.RoleProvider)
	c.Pruning, c.Memory, c.Snapshots = p, m, sn
	return c
}
