package staking

import (
	"fmt"
	"strconv"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/abci-ics/ics/chain/staking/unbonding"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/types/event"
)

// queue keeps the unbonding entries in the staking store.
var queue = unbonding.Queue{Store: StoreName}

// Unbonding returns the queue of pending unbonding entries: read them,
// and put holds on them and release them, through it.
func (Keeper) Unbonding() unbonding.Queue { return queue }

// completeMature completes every entry due at now that nobody holds; held
// ones wait in the queue until their last hold is released.
func (k Keeper) completeMature(s state.Store, p Params, now time.Time) ([]abci.Event, error) {
	var events []abci.Event
	for _, e := range queue.Mature(s, now) {
		ev, err := k.completeEntry(s, p, e)
		if err != nil {
			return nil, fmt.Errorf("complete unbonding %d: %w", e.Id, err)
		}
		events = append(events, ev...)
	}
	return events, nil
}

// completeEntry finishes an unbonding operation that left the queue: an
// undelegation pays its balance back to the delegator, a validator
// becomes unbonded.
func (k Keeper) completeEntry(s state.Store, p Params, e unbonding.UnbondingEntry) ([]abci.Event, error) {
	id := strconv.FormatUint(e.Id, 10)
	switch e.Kind {
	case unbonding.UNBONDING_KIND_UNDELEGATION:
		if err := k.moveTokens(s, p, notBondedPool, e.Delegator, e.Balance); err != nil {
			return nil, err
		}
		return []abci.Event{event.New("complete_unbonding",
			"validator", k.bech(e.Validator), "delegator", k.bech(e.Delegator),
			"amount", k.coin(p, e.Balance), "unbonding_id", id)}, nil
	case unbonding.UNBONDING_KIND_REDELEGATION:
		return []abci.Event{event.New("complete_redelegation",
			"source_validator", k.bech(e.Validator), "destination_validator", k.bech(e.DstValidator),
			"delegator", k.bech(e.Delegator), "amount", k.coin(p, e.Balance), "unbonding_id", id)}, nil
	case unbonding.UNBONDING_KIND_VALIDATOR:
		v, ok := k.Validator(s, e.Validator)
		if ok && v.Status == BOND_STATUS_UNBONDING && v.UnbondingId == e.Id {
			v.Status = BOND_STATUS_UNBONDED
			k.setValidator(s, p, v)
		}
		return nil, nil
	}
	panic(fmt.Sprintf("staking: unbonding entry %d has unknown kind %d", e.Id, e.Kind))
}
