package nodehome

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/abci-ics/ics/types/coin"
)

// Mempool is the [mempool] section of app.toml: this node's own policy for
// the transactions it admits to its mempool, and so relays to its peers.
// Blocks never apply it: a block proposed by another node runs whatever
// the chain's rules accept.
type Mempool struct {
	// MinimumFee is the least fee this node admits, as "10stake", above
	// the chain's own minimum (auth's min_fee parameter, which every block
	// enforces); "" admits what the chain accepts.
	MinimumFee string
}

// Fee returns the minimum fee, false when there is none.
func (m Mempool) Fee() (coin.Coin, bool) {
	if m.MinimumFee == "" {
		return coin.Coin{}, false
	}
	c, err := coin.ParseCoin(m.MinimumFee)
	return c, err == nil
}

// Validate checks the minimum fee.
func (m Mempool) Validate() error {
	if m.MinimumFee == "" {
		return nil
	}
	if _, err := coin.ParseCoin(m.MinimumFee); err != nil {
		return fmt.Errorf("mempool: minimum-fee %q: %w (an amount and a denomination, such as \"10stake\", or \"\" for none)", m.MinimumFee, err)
	}
	return nil
}

// set sets m from the [mempool] section of app.toml.
func (m *Mempool) set(section map[string]any) error {
	for _, key := range slices.Sorted(maps.Keys(section)) {
		switch v := section[key]; key {
		case "minimum-fee":
			s, ok := v.(string)
			if !ok {
				return fmt.Errorf("mempool.minimum-fee must be a string such as \"10stake\", not %v", v)
			}
			m.MinimumFee = s
		default:
			return fmt.Errorf("unknown setting \"mempool.%s\"", key)
		}
	}
	return nil
}

// write appends the [mempool] section, with comments, to b.
func (m Mempool) write(b *strings.Builder) {
	fmt.Fprintf(b, `
# This node's own policy for the transactions it admits to its mempool, and
# so relays to its peers. Blocks never apply it: a block another validator
# proposes runs whatever the chain's rules accept.
[mempool]
# minimum-fee is the least fee admitted, such as "10stake", above the
# chain's own minimum (auth's min_fee parameter, which every block
# enforces); "" admits what the chain accepts.
minimum-fee = %q
`, m.MinimumFee)
}

// Metrics is the [metrics] section of app.toml.
type Metrics struct {
	// Enabled adds icsd's own metrics (icsd_*) to the Prometheus endpoint
	// CometBFT serves when config.toml's [instrumentation] prometheus is
	// on.
	Enabled bool
}

// set sets m from the [metrics] section of app.toml.
func (m *Metrics) set(section map[string]any) error {
	return setBools("metrics", section, map[string]*bool{"enabled": &m.Enabled})
}

// setBools sets the true-or-false settings of a section, dst by key; any
// other key is unknown.
func setBools(name string, section map[string]any, dst map[string]*bool) error {
	for _, key := range slices.Sorted(maps.Keys(section)) {
		b, ok := section[key].(bool)
		switch {
		case dst[key] == nil:
			return fmt.Errorf("unknown setting \"%s.%s\"", name, key)
		case !ok:
			return fmt.Errorf("%s.%s must be true or false, not %v", name, key, section[key])
		}
		*dst[key] = b
	}
	return nil
}

// Commit is the [commit] section of app.toml.
type Commit struct {
	// Pipeline saves each block's state in the background while the next
	// block executes (abci.Options.Pipeline).
	Pipeline bool
}

// set sets c from the [commit] section of app.toml.
func (c *Commit) set(section map[string]any) error {
	return setBools("commit", section, map[string]*bool{"pipeline": &c.Pipeline})
}

// write appends the [commit] section, with comments, to b.
func (c Commit) write(b *strings.Builder) {
	fmt.Fprintf(b, `
# How a block's state is saved.
[commit]
# pipeline saves each block's state to disk in the background while the
# next block executes, on the second core; queries of the newest height
# wait for its save. Blocks and app hashes are the same either way, and a
# node killed mid-save replays the block on restart.
pipeline = %t
`, c.Pipeline)
}

// write appends the [metrics] section, with comments, to b.
func (m Metrics) write(b *strings.Builder) {
	fmt.Fprintf(b, `
# Metrics of the application, beside CometBFT's own.
[metrics]
# enabled adds icsd's metrics (icsd_*: transactions, block times, consumers,
# VSCs, slash meter, ...; the README lists them) to the Prometheus endpoint
# CometBFT serves when config.toml's [instrumentation] prometheus is true.
enabled = %t
`, m.Enabled)
}
