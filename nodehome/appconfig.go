package nodehome

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2"

	"github.com/abci-ics/ics/abci"
	"github.com/abci-ics/ics/app"
	"github.com/abci-ics/ics/state"
)

// AppConfig is what HOME/config/app.toml holds: the application's own
// settings, beside CometBFT's config.toml. Init writes it, with comments;
// start reads it. Every key is optional: an absent key, section or file
// takes the value of DefaultAppConfig, so homes written before a setting
// existed keep working. An unknown key is an error, so a misspelt setting
// never goes unnoticed. Later sections belong here, as fields of their own
// type, read in set.
type AppConfig struct {
	// Role is what the chain is in Interchain Security; it must never change
	// once the chain has state.
	Role app.Role
	// Pruning says which old versions of the application state are deleted.
	Pruning Pruning
	// Memory bounds the node's heap.
	Memory Memory
	// Snapshots says when state sync snapshots are taken.
	Snapshots Snapshots
	// GRPC is the gRPC query server.
	GRPC GRPC
	// Mempool is the node's own admission policy.
	Mempool Mempool
	// Metrics says whether icsd's metrics are served.
	Metrics Metrics
	// Commit says how a block's state is saved.
	Commit Commit
}

// Snapshots is the [snapshots] section of app.toml: the state snapshots
// the node takes and serves to peers that join by CometBFT state sync (see
// package abci/snapshots). A node restores from a snapshot whatever these
// are.
type Snapshots struct {
	// Interval is how often, in heights, a snapshot is taken: at every
	// multiple of it; 0 takes none.
	Interval int64
	// KeepRecent is how many snapshots are kept, at least 1 when Interval
	// is set.
	KeepRecent int64
}

// DefaultSnapshots is the snapshot setting of a home without a
// [snapshots] section: none taken (interval 0), and 2 kept once an
// interval is set.
func DefaultSnapshots() Snapshots { return Snapshots{Interval: 0, KeepRecent: 2} }

// Validate checks the interval and the number kept.
func (s Snapshots) Validate() error {
	switch {
	case s.Interval < 0:
		return fmt.Errorf("snapshots: interval %d: must be 0 (none) or a number of heights", s.Interval)
	case s.KeepRecent < 0:
		return fmt.Errorf("snapshots: keep-recent %d: must not be negative", s.KeepRecent)
	case s.Interval > 0 && s.KeepRecent == 0:
		return fmt.Errorf("snapshots: keep-recent 0 with interval %d: keep at least 1 snapshot, or set interval 0 to take none", s.Interval)
	case s.KeepRecent > 1000:
		return fmt.Errorf("snapshots: keep-recent %d: at most 1000", s.KeepRecent)
	}
	return nil
}

// set sets s from the [snapshots] section of app.toml.
func (s *Snapshots) set(section map[string]any) error {
	for _, key := range slices.Sorted(maps.Keys(section)) {
		n, ok := section[key].(int64)
		switch {
		case key != "interval" && key != "keep-recent":
			return fmt.Errorf("unknown setting \"snapshots.%s\"", key)
		case !ok:
			return fmt.Errorf("snapshots.%s must be an integer, not %v", key, section[key])
		case key == "interval":
			s.Interval = n
		default:
			s.KeepRecent = n
		}
	}
	return nil
}

// Memory is the [memory] section of app.toml: the Go runtime's soft memory
// limit and garbage collector target for the node's process.
type Memory struct {
	// Limit is the soft memory limit in bytes (0: none). The collector runs
	// more often as the heap nears it, so the process stays near or below
	// it as long as the live state fits; a chain whose live state grows
	// past it spends more and more CPU collecting, so raise it with the
	// state.
	Limit int64
	// GCPercent is the collector target (GOGC): the heap grows to
	// (1 + GCPercent/100) times the live data between collections while
	// under Limit.
	GCPercent int
	// NodeCache is the IAVL node cache of each store's working tree, in
	// nodes (state.Options.CacheSize). A store whose tree outgrows it reads
	// nodes back from disk; each cached node costs a few hundred bytes.
	NodeCache int
}

// DefaultMemory is the memory setting of a home without a [memory]
// section: a soft limit of 1792 MiB, which keeps a node's resident memory
// under 2 GB, abci.GCPercent and state.DefaultCacheSize.
func DefaultMemory() Memory { return Memory{1792 << 20, abci.GCPercent, state.DefaultCacheSize} }

// Validate checks the limit and the target.
func (m Memory) Validate() error {
	switch {
	case m.Limit < 0:
		return fmt.Errorf("memory: limit %d: must be 0 (none) or a size", m.Limit)
	case m.Limit > 0 && m.Limit < 256<<20:
		return fmt.Errorf("memory: limit %d bytes: at least 256MiB", m.Limit)
	case m.GCPercent < 10 || m.GCPercent > 10_000:
		return fmt.Errorf("memory: gc-percent %d: from 10 to 10000", m.GCPercent)
	case m.NodeCache < 1000 || m.NodeCache > 100_000_000:
		return fmt.Errorf("memory: node-cache %d: from 1000 to 100000000 nodes", m.NodeCache)
	}
	return nil
}

// Apply sets the process's soft memory limit and collector target to m,
// unless the GOMEMLIMIT or GOGC environment variable sets them.
func (m Memory) Apply() {
	if os.Getenv("GOMEMLIMIT") == "" {
		limit := m.Limit
		if limit == 0 {
			limit = math.MaxInt64
		}
		debug.SetMemoryLimit(limit)
	}
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(m.GCPercent)
	}
}

// ParseSize reads a size: an integer of bytes, or a number with one of the
// suffixes KiB, MiB, GiB (and KB, MB, GB, powers of 1000).
func ParseSize(s string) (int64, error) {
	units := []struct {
		suffix string
		scale  int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"B", 1}}
	t := strings.TrimSpace(s)
	scale := int64(1)
	for _, u := range units {
		if strings.HasSuffix(t, u.suffix) {
			t, scale = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.scale
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n < 0 || n > math.MaxInt64/scale {
		return 0, fmt.Errorf("size %q: want bytes, or a whole number of KiB, MiB or GiB (2GiB)", s)
	}
	return n * scale, nil
}

// The pruning strategies, as in the Cosmos SDK's app.toml.
const (
	PruneDefault    = "default"    // keep 362880 recent versions, prune every 10 commits
	PruneEverything = "everything" // keep 2 recent versions, prune every 10 commits
	PruneNothing    = "nothing"    // keep every version
	PruneCustom     = "custom"     // keep KeepRecent versions, prune every Interval commits
)

// Pruning is the [pruning] section of app.toml.
type Pruning struct {
	// Strategy is one of PruneDefault, PruneEverything, PruneNothing and
	// PruneCustom.
	Strategy string
	// KeepRecent and Interval are the custom strategy's number of recent
	// versions kept (at least 2) and how often, in commits, pruning starts
	// (at least 1). The other strategies set both themselves and must
	// leave them 0.
	KeepRecent, Interval int64
}

// DefaultPruning is the pruning of a home without a [pruning] section:
// the 10,000 most recent versions are kept, and pruning starts at every
// commit. Deleting a version costs a list of deletes (state records each
// version's orphans when it is saved), so one version per commit spreads
// the work evenly where a prune every 10 commits would slow every tenth
// block.
func DefaultPruning() Pruning {
	return Pruning{Strategy: PruneCustom, KeepRecent: 10_000, Interval: 1}
}

// DefaultAppConfig is the configuration Init writes for role.
func DefaultAppConfig(role app.Role) AppConfig {
	return AppConfig{Role: role, Pruning: DefaultPruning(), Memory: DefaultMemory(), Snapshots: DefaultSnapshots(), GRPC: DefaultGRPC(),
		Metrics: Metrics{Enabled: true}, Commit: Commit{Pipeline: true}}
}

// Resolve returns the versions to keep (0: all) and the pruning interval
// of p, for state.Options, or an error naming the bad setting.
func (p Pruning) Resolve() (keepRecent, interval int64, err error) {
	switch p.Strategy {
	case PruneDefault:
		keepRecent, interval = 362_880, 10
	case PruneEverything:
		keepRecent, interval = 2, 10
	case PruneNothing:
	case PruneCustom:
		if p.KeepRecent < 2 {
			return 0, 0, fmt.Errorf("pruning: keep-recent %d: keep at least 2 versions (strategy %q keeps every version)", p.KeepRecent, PruneNothing)
		}
		if p.Interval < 1 {
			return 0, 0, fmt.Errorf("pruning: interval %d: must be at least 1", p.Interval)
		}
		return p.KeepRecent, p.Interval, nil
	default:
		return 0, 0, fmt.Errorf("pruning: unknown strategy %q: use %s, %s, %s or %s", p.Strategy, PruneDefault, PruneEverything, PruneNothing, PruneCustom)
	}
	if p.KeepRecent != 0 || p.Interval != 0 {
		return 0, 0, fmt.Errorf("pruning: keep-recent and interval are for strategy %q; strategy %q sets its own", PruneCustom, p.Strategy)
	}
	return keepRecent, interval, nil
}

// Validate returns an error naming the first bad setting of c.
func (c AppConfig) Validate() error {
	if r, err := ParseRole(string(c.Role)); err != nil {
		return err
	} else if r != c.Role {
		return errors.New("no role")
	}
	if _, _, err := c.Pruning.Resolve(); err != nil {
		return err
	}
	if err := c.Snapshots.Validate(); err != nil {
		return err
	}
	if err := c.GRPC.Validate(); err != nil {
		return err
	}
	if err := c.Mempool.Validate(); err != nil {
		return err
	}
	return c.Memory.Validate()
}

// ReadAppConfig returns the configuration in HOME/config/app.toml: absent
// keys take DefaultAppConfig's values (a provider without the file; in a
// [pruning] section without strategy, the custom strategy with the default
// keep-recent and interval). It fails on a file that is not TOML, an
// unknown key, a value of the wrong type and an invalid setting, naming the
// file and the setting.
func ReadAppConfig(home string) (AppConfig, error) {
	file := appConfigFile(home)
	c := DefaultAppConfig(app.RoleProvider)
	text, err := os.ReadFile(file)
	if errors.Is(err, os.ErrNotExist) {
		return c, nil
	} else if err != nil {
		return AppConfig{}, err
	}
	var raw map[string]any
	if err := toml.Unmarshal(text, &raw); err != nil {
		var de *toml.DecodeError
		if errors.As(err, &de) {
			row, col := de.Position()
			return AppConfig{}, fmt.Errorf("%s:%d:%d: %w", file, row, col, err)
		}
		return AppConfig{}, fmt.Errorf("%s: %w", file, err)
	}
	if err := c.set(raw); err != nil {
		return AppConfig{}, fmt.Errorf("%s: %w", file, err)
	}
	if err := c.Validate(); err != nil {
		return AppConfig{}, fmt.Errorf("%s: %w", file, err)
	}
	return c, nil
}

// set sets the settings of c that raw, a decoded app.toml, holds.
func (c *AppConfig) set(raw map[string]any) error {
	for _, key := range slices.Sorted(maps.Keys(raw)) {
		switch v := raw[key]; key {
		case "role":
			s, ok := v.(string)
			if !ok {
				return fmt.Errorf("role must be a string, not %v", v)
			}
			c.Role = app.Role(s)
			if s == "" {
				c.Role = app.RoleProvider
			}
		case "pruning":
			section, ok := v.(map[string]any)
			if !ok {
				return fmt.Errorf("pruning must be a section, [pruning], not %v", v)
			}
			if err := c.Pruning.set(section); err != nil {
				return err
			}
		case "memory":
			section, ok := v.(map[string]any)
			if !ok {
				return fmt.Errorf("memory must be a section, [memory], not %v", v)
			}
			if err := c.Memory.set(section); err != nil {
				return err
			}
		case "snapshots":
			section, ok := v.(map[string]any)
			if !ok {
				return fmt.Errorf("snapshots must be a section, [snapshots], not %v", v)
			}
			if err := c.Snapshots.set(section); err != nil {
				return err
			}
		case "grpc":
			section, ok := v.(map[string]any)
			if !ok {
				return fmt.Errorf("grpc must be a section, [grpc], not %v", v)
			}
			if err := c.GRPC.set(section); err != nil {
				return err
			}
		case "mempool", "metrics", "commit":
			section, ok := v.(map[string]any)
			if !ok {
				return fmt.Errorf("%s must be a section, [%s], not %v", key, key, v)
			}
			set := map[string]func(map[string]any) error{"mempool": c.Mempool.set, "metrics": c.Metrics.set, "commit": c.Commit.set}[key]
			if err := set(section); err != nil {
				return err
			}
		default:
			return fmt.Errorf("unknown setting %q", key)
		}
	}
	return nil
}

// set sets p from the [pruning] section of app.toml.
func (p *Pruning) set(section map[string]any) error {
	*p = Pruning{Strategy: PruneCustom}
	if s, ok := section["strategy"].(string); ok {
		p.Strategy = s
	}
	if p.Strategy == PruneCustom {
		p.KeepRecent, p.Interval = DefaultPruning().KeepRecent, DefaultPruning().Interval
	}
	for _, key := range slices.Sorted(maps.Keys(section)) {
		switch v := section[key]; key {
		case "strategy":
			if _, ok := v.(string); !ok {
				return fmt.Errorf("pruning.strategy must be a string, not %v", v)
			}
		case "keep-recent", "interval":
			n, ok := v.(int64)
			if !ok {
				return fmt.Errorf("pruning.%s must be an integer, not %v", key, v)
			}
			if key == "interval" {
				p.Interval = n
			} else {
				p.KeepRecent = n
			}
		default:
			return fmt.Errorf("unknown setting \"pruning.%s\"", key)
		}
	}
	return nil
}

// set sets m from the [memory] section of app.toml.
func (m *Memory) set(section map[string]any) error {
	for _, key := range slices.Sorted(maps.Keys(section)) {
		switch v := section[key]; key {
		case "limit":
			var err error
			switch v := v.(type) {
			case string:
				m.Limit, err = ParseSize(v)
			case int64:
				m.Limit = v
			default:
				err = fmt.Errorf("a size (\"2GiB\", or bytes), not %v", v)
			}
			if err != nil {
				return fmt.Errorf("memory.limit: %w", err)
			}
		case "gc-percent", "node-cache":
			n, ok := v.(int64)
			if !ok {
				return fmt.Errorf("memory.%s must be an integer, not %v", key, v)
			}
			*map[string]*int{"gc-percent": &m.GCPercent, "node-cache": &m.NodeCache}[key] = int(n)
		default:
			return fmt.Errorf("unknown setting \"memory.%s\"", key)
		}
	}
	return nil
}

// WriteAppConfig writes c, with comments that explain each setting, to
// HOME/config/app.toml. It refuses an invalid c.
func WriteAppConfig(home string, c AppConfig) error {
	if err := c.Validate(); err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, `# icsd application settings.

# role is what this chain is in Interchain Security: "provider" (a
# proof-of-stake chain that launches consumers) or "consumer" (a chain whose
# validators are the provider's). It must never change once the chain has
# state.
role = %q

# Pruning deletes old versions of the application state, beside block
# execution. A kept version serves queries and proofs at its height (relayers
# and light clients ask for recent ones); a deleted one is gone for good.
[pruning]
# strategy is one of
#   "default"     keep the last 362880 versions, prune every 10 blocks
#   "everything"  keep the last 2 versions, prune every 10 blocks
#   "nothing"     keep every version
#   "custom"      keep-recent and interval below
# A home without this section keeps the last 10000 versions and prunes
# at every block.
strategy = %q
`, c.Role, c.Pruning.Strategy)
	p := c.Pruning
	comment := ""
	if p.Strategy != PruneCustom {
		comment, p = "# ", DefaultPruning()
	}
	fmt.Fprintf(&b, `# keep-recent (custom only) is how many recent versions are kept, at least 2.
%skeep-recent = %d
# interval (custom only) is how often, in blocks, pruning starts, at least 1.
%sinterval = %d

# The node's memory. The Go runtime collects garbage more often as the
# heap nears limit, keeping the process near or below it while the live
# state fits; a node whose state outgrows it spends ever more CPU
# collecting: raise it with the state. The GOMEMLIMIT and GOGC environment
# variables, when set, win over these.
[memory]
# limit is a soft limit on the process's memory: "2GiB", "1500MiB", bytes,
# or 0 for none.
limit = %q
# gc-percent (GOGC) is how far the heap grows past the live data between
# collections while under limit: higher is faster and takes more memory.
gc-percent = %d
# node-cache is the IAVL node cache of each store, in nodes (a few hundred
# bytes each): a larger one reads less from disk when the state is large.
node-cache = %d

# State sync snapshots. A node takes a snapshot of the application state
# every interval blocks, in the background, into data/snapshots, and serves
# the kept ones to new nodes that join with CometBFT's [statesync] instead
# of replaying every block. Any node restores from one, whatever these say.
# Pruning must keep the snapshot's height until it is written (it does:
# the height is held meanwhile).
[snapshots]
# interval is how often, in blocks, a snapshot is taken; 0 takes none.
interval = %d
# keep-recent is how many snapshots are kept, at least 1 when interval is
# set.
keep-recent = %d
`, comment, p.KeepRecent, comment, p.Interval, formatSize(c.Memory.Limit), c.Memory.GCPercent, c.Memory.NodeCache, c.Snapshots.Interval, c.Snapshots.KeepRecent)
	c.GRPC.write(&b)
	c.Mempool.write(&b)
	c.Metrics.write(&b)
	c.Commit.write(&b)
	if err := os.MkdirAll(filepath.Dir(appConfigFile(home)), 0o755); err != nil {
		return err
	}
	return os.WriteFile(appConfigFile(home), []byte(b.String()), 0o644)
}

// formatSize writes n bytes the way ParseSize reads them.
func formatSize(n int64) string {
	for _, u := range []struct {
		suffix string
		scale  int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n > 0 && n%u.scale == 0 {
			return strconv.FormatInt(n/u.scale, 10) + u.suffix
		}
	}
	return strconv.FormatInt(n, 10)
}
