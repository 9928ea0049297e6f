package testnet

import (
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/abci-ics/ics/app/pos"
	"github.com/abci-ics/ics/client"
	"github.com/abci-ics/ics/interchain"
	"github.com/abci-ics/ics/nodehome"
	"github.com/abci-ics/ics/testnet/process"
	"github.com/abci-ics/ics/testnet/sovnet"
)

// watchState is what Watch last reported.
type watchState struct {
	phase     map[string]string
	channel   map[string]string
	vsc       map[string]uint64
	jailed    map[string]bool
	exited    map[string]bool
	sovereign map[string]int64  // the height each consumer turned sovereign at
	kind      map[string]string // each consumer's kind as first seen, by consumer id
	rewards   rewardsState
	ticks     int
}

// Watch prints, until ctx ends, what happens in the testnet: consumer
// phases on the provider, CCV channels opening, each validator set change
// a consumer applies ("VSC n applied on consumer-1") with its set (each
// member named by its provider validator's index, with its power),
// validators jailed or released on the provider (a consumer's downtime
// report handled), each reward transmission of a consumer and each
// distribution of a consumer's rewards on the provider, children that
// exit, a consumer that turned sovereign (once: it is then no longer
// asked consumer queries), and every heightsEvery polls the chains'
// heights.
func (t *CCVTestnet) Watch(ctx context.Context, w io.Writer, interval time.Duration, heightsEvery int) {
	st := &watchState{phase: map[string]string{}, kind: map[string]string{}, channel: map[string]string{}, vsc: map[string]uint64{}, jailed: map[string]bool{}, exited: map[string]bool{},
		sovereign: map[string]int64{}, rewards: rewardsState{transmitted: map[string]int64{}, distributed: map[string]int64{}}}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		t.watchOnce(ctx, w, st, heightsEvery)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func (t *CCVTestnet) say(w io.Writer, format string, args ...any) {
	fmt.Fprintf(w, "%s %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

// LiveProviderRPC returns the RPC of the first provider node still running.
func (t *CCVTestnet) LiveProviderRPC() string {
	for i, p := range t.Provider {
		if !p.Exited() {
			return t.ProviderRPC(i)
		}
	}
	return t.ProviderRPC(0)
}

// validatorKeys maps the consumer key (hex) of each node of c to its
// provider validator's index.
func (t *CCVTestnet) validatorKeys(c *ConsumerChain) map[string]int {
	out := map[string]int{}
	for _, n := range c.Nodes() {
		if pub, err := nodehome.ParseConsensusKey(nodehome.Config(n.Home).PrivValidatorKeyFile()); err == nil {
			out[hex.EncodeToString(pub)] = n.Validator
		}
	}
	return out
}

func (t *CCVTestnet) watchOnce(ctx context.Context, w io.Writer, st *watchState, heightsEvery int) {
	qctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	for _, p := range t.Processes() {
		if p.Exited() && !st.exited[p.Log+p.Name] {
			st.exited[p.Log+p.Name] = true
			t.say(w, "%s exited (%s)", p.Name, p.ExitReport())
		}
	}
	pc, err := client.NewClient(t.LiveProviderRPC())
	if err != nil {
		return
	}
	var list []interchain.ConsumerJSON
	if err := pc.QueryJSON(qctx, interchain.PathConsumers, &list); err == nil {
		for _, c := range list {
			if st.phase[c.ChainID] != c.Phase {
				st.phase[c.ChainID] = c.Phase
				detail := ""
				switch c.Phase {
				case "launched":
					detail = fmt.Sprintf(" at provider height %d (provider client of it: %s)", c.LaunchHeight, c.ClientID)
				case "running":
					detail = fmt.Sprintf(" (provider channel %s)", c.ChannelID)
				case "stopped", "deleted":
					detail = " (" + c.StopReason + ")"
				}
				// A deleted consumer's record no longer tells its kind.
				kind, ok := st.kind[c.ConsumerID]
				if !ok {
					kind = "opt-in"
					if c.TopN > 0 {
						kind = fmt.Sprintf("top-N %d", c.TopN)
					}
					st.kind[c.ConsumerID] = kind
				}
				t.say(w, "%s (consumer %s, %s): %s%s", c.ChainID, c.ConsumerID, kind, c.Phase, detail)
			}
		}
	}
	var vals []pos.ValidatorJSON
	if err := pc.QueryJSON(qctx, pos.PathValidators, &vals); err == nil {
		for _, v := range vals {
			if v.Jailed != st.jailed[v.Operator] {
				st.jailed[v.Operator] = v.Jailed
				if v.Jailed {
					t.say(w, "validator %s (%s) jailed on %s until %s: slash handled", v.Moniker, v.Operator, t.Opts.ChainID, v.JailedUntil)
				} else {
					t.say(w, "validator %s (%s) unjailed on %s", v.Moniker, v.Operator, t.Opts.ChainID)
				}
			}
		}
	}
	for _, c := range t.Consumers {
		cc, err := client.NewClient(c.LiveRPC())
		if err != nil {
			continue
		}
		if st.sovereign[c.ChainID] > 0 {
			continue
		}
		var s interchain.ConsumerStatusJSON
		if err := cc.QueryJSON(qctx, interchain.PathConsumerStatus, &s); err != nil {
			if h, ok := sovnet.Since(qctx, cc); ok {
				st.sovereign[c.ChainID] = h
				t.say(w, "%s is sovereign since height %d: its own staking chooses its validators", c.ChainID, h)
			}
			continue
		}
		if s.ProviderChannelID != "" && st.channel[c.ChainID] == "" {
			st.channel[c.ChainID] = s.ProviderChannelID
			t.say(w, "%s: CCV channel %s open", c.ChainID, s.ProviderChannelID)
		}
		if s.HighestVSCID != st.vsc[c.ChainID] {
			st.vsc[c.ChainID] = s.HighestVSCID
			set := ""
			var vals []interchain.ConsumerValidatorJSON
			if err := cc.QueryJSON(qctx, interchain.PathConsumerValidator, &vals); err == nil {
				keys := t.validatorKeys(c)
				parts := make([]string, len(vals))
				for i, v := range vals {
					who := "key " + v.ConsumerKey[:min(8, len(v.ConsumerKey))]
					if k, ok := keys[v.ConsumerKey]; ok {
						who = fmt.Sprint(k)
					}
					parts[i] = fmt.Sprintf("%s:%d", who, v.Power)
				}
				sort.Strings(parts)
				set = "; validators (validator:power) [" + strings.Join(parts, " ") + "]"
			}
			t.say(w, "VSC %d applied on %s%s", s.HighestVSCID, c.ChainID, set)
		}
	}
	t.watchRewards(qctx, w, &st.rewards, st.sovereign)
	st.ticks++
	if heightsEvery > 0 && st.ticks%heightsEvery == 1 {
		parts := []string{t.Opts.ChainID + "=" + process.Height(qctx, t.LiveProviderRPC())}
		for _, c := range t.Consumers {
			parts = append(parts, c.ChainID+"="+process.Height(qctx, c.LiveRPC()))
		}
		t.say(w, "heights %s", strings.Join(parts, " "))
	}
}
