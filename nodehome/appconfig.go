package nodehome

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pelletier/go-toml/v2"

	"github.com/abci-ics/ics/app"
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
// the 10,000 most recent versions are kept, and pruning starts every 10
// commits.
func DefaultPruning() Pruning {
	return Pruning{Strategy: PruneCustom, KeepRecent: 10_000, Interval: 10}
}

// DefaultAppConfig is the configuration Init writes for role.
func DefaultAppConfig(role app.Role) AppConfig {
	return AppConfig{Role: role, Pruning: DefaultPruning()}
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
	_, _, err := c.Pruning.Resolve()
	return err
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
# every 10 blocks.
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
`, comment, p.KeepRecent, comment, p.Interval)
	if err := os.MkdirAll(filepath.Dir(appConfigFile(home)), 0o755); err != nil {
		return err
	}
	return os.WriteFile(appConfigFile(home), []byte(b.String()), 0o644)
}
