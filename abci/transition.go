package abci

import (
	"fmt"
	"strings"

	abcitypes "github.com/cometbft/cometbft/abci/types"

	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/types/event"
)

// A Transition changes what a chain is, from one block on: the stores
// its state has (a store upgrade) and the Chain that runs it. A chain
// plans its transitions in its own state (a consumer turning sovereign, a
// standalone chain becoming a consumer), so every node makes the same
// transition in the same block, and a node that replays the block after
// a crash makes it again: nothing of it is kept before the block's
// Commit.
type Transition struct {
	// Name says what the transition is, in the log and the block's event.
	Name string
	// Stores are added to and retired from the state first in the block:
	// the block's app hash covers the added stores and no longer the
	// retired ones.
	Stores state.StoreUpgrade
	// Apply then runs, on the block's state with the new stores: it
	// writes what the chain that runs from now on needs (its migration)
	// and returns that chain, which runs the block (BeginBlock, the
	// transactions, EndBlock) and every block after it.
	Apply func(s state.Store, b Block) (Chain, []abcitypes.Event, error)
}

// A Transitioner is a Chain that can change at a height.
type Transitioner interface {
	// TransitionAt returns the transition planned for block b, read from
	// s, the state the block starts from; false when none is.
	TransitionAt(s state.Store, b Block) (Transition, bool)
}

// EventTransition is the event of a block that made a transition: its
// name, and the stores added and retired (comma-separated).
const EventTransition = "chain_transition"

// transition makes the transition the chain r plans for block b, if
// any, and returns the chain that runs the block: r itself when there
// is none. On error the working state is discarded.
func (a *App) transition(r Chain, b Block) (Chain, []abcitypes.Event, error) {
	t, ok := r.(Transitioner)
	if !ok {
		return r, nil, nil
	}
	tr, due := t.TransitionAt(a.base(), b)
	if !due {
		return r, nil, nil
	}
	if err := a.waitSave(); err != nil {
		return nil, nil, err
	}
	a.transitioned = true
	fail := func(err error) (Chain, []abcitypes.Event, error) {
		a.st().Discard()
		return nil, nil, fmt.Errorf("transition %q at height %d: %w", tr.Name, b.Height, err)
	}
	if len(tr.Stores.Added)+len(tr.Stores.Removed) > 0 {
		if err := a.st().Upgrade(tr.Stores); err != nil {
			return fail(err)
		}
	}
	cache := state.NewCache(a.st().Working())
	next, evs, err := tr.Apply(cache, b)
	if err != nil {
		return fail(err)
	}
	if next == nil {
		return fail(fmt.Errorf("no chain to run"))
	}
	cache.Write()
	a.log.Info("chain transition", "name", tr.Name, "height", b.Height, "added", tr.Stores.Added, "retired", tr.Stores.Removed)
	ev := event.New(EventTransition, "name", tr.Name, "added", strings.Join(tr.Stores.Added, ","), "retired", strings.Join(tr.Stores.Removed, ","))
	return next, append([]abcitypes.Event{ev}, evs...), nil
}
