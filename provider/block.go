package provider

import (
	"fmt"
	"strconv"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/abci-ics/ics/provider/registry"
	"github.com/abci-ics/ics/provider/rewards"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/types/event"
)

// Block is what the provider needs of the block being finalized: its
// height and time, and from its header the app hash (of the previous
// block) and the hash of the next validator set. A consumer genesis made
// in this block trusts exactly this header.
type Block struct {
	Height             int64
	Time               time.Time
	AppHash            []byte
	NextValidatorsHash []byte
}

// EndBlock runs after the chain's staking has computed this block's
// validator set. In order it: refills the slash meter; launches the
// initialized consumers whose spawn time has come; stops consumers whose
// removal time came, whose channel did not open within the init timeout,
// or that have not matured a VSC within the VSC timeout; records the init
// height of consumers whose channel opened in this block; at an epoch
// boundary opts the top N in to each top-N consumer, queues a VSC for
// every launched consumer with the set chosen for it (SPEC 6) and moves
// to the next vsc id, recording the provider height that id maps to;
// sends the queued VSCs of running consumers; prunes old consumer key
// mappings; pays out the reward pools of the consumers whose distribution
// block this is (package provider/rewards); and deletes the state of
// stopped consumers.
func (k *Keeper) EndBlock(s state.Store, b Block) ([]abci.Event, error) {
	p := k.Params(s)
	now := b.Time
	k.replenish(s, p, now, false)
	var events []abci.Event
	var vals []Validator
	candidatesOnce := func() []Validator {
		if vals == nil {
			vals = k.Staking.Candidates(s)
		}
		return vals
	}
	consumers := k.Consumers(s)
	for _, c := range consumers {
		switch {
		case !c.Launched() && c.Live() && c.StopTime != 0 && !now.Before(unixNano(c.StopTime)):
			c.StopReason = "removed before launch"
			k.deleteConsumer(s, c)
			events = append(events, event.New("consumer_stopped", "consumer_id", c.ConsumerId, "chain_id", c.ChainId, "reason", c.StopReason))
		case c.Phase == registry.PHASE_INITIALIZED && !now.Before(unixNano(c.Init.SpawnTime)):
			events = append(events, k.tryLaunch(s, p, c, b, candidatesOnce())...)
		case c.Launched():
			k.checkTimeouts(s, p, c, now)
		}
	}
	sets := k.VSC()
	vscID := sets.VSCID(s)
	epoch := b.Height%p.BlocksPerEpoch == 0
	for _, c := range k.Consumers(s) {
		if !c.Launched() {
			continue
		}
		if c.Phase == registry.PHASE_RUNNING && c.InitHeight == 0 {
			c.InitHeight = b.Height
			registry.Set(s, c)
			events = append(events, event.New("channel_established", "consumer_id", c.ConsumerId, "chain_id", c.ChainId,
				"channel_id", c.ChannelId, "init_height", strconv.FormatInt(b.Height, 10)))
			k.log().Info("CCV channel open", "consumer_id", c.ConsumerId, "chain_id", c.ChainId, "channel_id", c.ChannelId)
		}
		if epoch && c.LaunchHeight < b.Height {
			sets.Queue(s, c.ConsumerId, vscID, k.Registry().Choose(s, c, candidatesOnce()), now)
		}
		if c.Phase == registry.PHASE_RUNNING {
			events = append(events, sets.SendPending(s, c.ConsumerId, c.ChannelId, b.Height, now, p.CcvTimeoutPeriod)...)
		}
		if rewards.Due(c, b.Height) {
			events = append(events, k.Rewards().Distribute(s, b.Height, c, sets.ValidatorSet(s, c.ConsumerId))...)
		}
		sets.PruneKeyOwners(s, c.ConsumerId, now)
	}
	if epoch {
		sets.NextEpoch(s, vscID, b.Height)
	}
	for _, c := range k.Consumers(s) {
		if c.Phase == registry.PHASE_STOPPED {
			events = append(events, k.finishStop(s, c, now)...)
		}
	}
	return events, nil
}

// tryLaunch launches an initialized consumer on a cache; when that fails
// (its client cannot be created, say) the consumer is deleted with an
// event rather than halting the provider.
func (k *Keeper) tryLaunch(s state.Store, p Params, c registry.Consumer, b Block, vals []Validator) []abci.Event {
	cache := state.NewCache(s)
	evs, err := k.launch(cache, p, c, b, vals)
	if err != nil {
		k.log().Error("consumer not launched", "consumer_id", c.ConsumerId, "chain_id", c.ChainId, "err", err)
		c.StopReason = "not launched: " + err.Error()
		k.deleteConsumer(s, c)
		return []abci.Event{event.New("consumer_not_launched", "consumer_id", c.ConsumerId, "chain_id", c.ChainId, "reason", err.Error())}
	}
	cache.Write()
	return evs
}

// checkTimeouts stops a consumer whose removal time has come, whose channel
// did not open in time, or whose oldest unmatured VSC is too old.
func (k *Keeper) checkTimeouts(s state.Store, p Params, c registry.Consumer, now time.Time) {
	switch {
	case c.StopTime != 0 && !now.Before(unixNano(c.StopTime)):
		k.stop(s, c.ConsumerId, "removal proposal")
	case c.Phase == registry.PHASE_LAUNCHED && now.After(unixNano(c.LaunchTime).Add(p.InitTimeoutPeriod)):
		k.stop(s, c.ConsumerId, "init timeout: the CCV channel did not open")
	default:
		if sent, ok := k.VSC().OldestUnmatured(s, c.ConsumerId); ok && now.After(sent.Add(p.VscTimeoutPeriod)) {
			k.stop(s, c.ConsumerId, fmt.Sprintf("VSC timeout: a VSC sent at %s did not mature", sent.Format(time.RFC3339)))
		}
	}
}
