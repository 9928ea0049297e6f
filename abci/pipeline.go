package abci

import (
	"fmt"

	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/state/overlay"
)

// save is a block's Commit running in the background (Options.Pipeline):
// the working state saved as the block's version while the next block
// executes.
type save struct {
	block state.CommitInfo // the block's height and app hash, known before the save
	done  chan struct{}    // closed when the save ended
	err   error            // why the save failed, once done
}

// last returns the height and app hash of the last block committed: the
// one whose save is running, if any.
func (a *App) last() state.CommitInfo {
	if s := a.saving.Load(); s != nil {
		return s.block
	}
	return a.st().LastCommit()
}

// base returns the state the next block starts from: the working state,
// or while the last block's save runs, that block's writes over the
// version before it.
func (a *App) base() state.Store {
	if a.saving.Load() != nil {
		return a.layer
	}
	return a.st().Working()
}

// waitSave waits for the save in flight, if any, and takes the snapshot
// of its version when one is due. It runs under the block lock: the save
// is over before anything touches the working state again.
func (a *App) waitSave() error {
	s := a.saving.Load()
	if s == nil {
		return nil
	}
	<-s.done
	a.saving.Store(nil)
	a.layer = nil
	if s.err != nil {
		return fmt.Errorf("commit of height %d: %w", s.block.Version, s.err)
	}
	a.snapshot(s.block.Version)
	return nil
}

// commitBehind starts saving the finalized block in the background and
// lays the block's writes over the last saved version: for the next block
// read through the working state's value caches, which only the block
// goroutine may touch, and for CheckTx without them. It
// returns false, having started nothing, when the block must be saved
// before Commit returns: the pipeline is off, the block's writes were not
// all recorded (genesis, a transition), or there is no saved version to
// lay them over.
func (a *App) commitBehind() bool {
	if !a.pipeline || a.written == nil || a.pending || a.transitioned {
		return false
	}
	prev, err := a.st().View(0)
	if err != nil || prev.Version() != a.finalized.Version-1 {
		return false
	}
	s := &save{block: a.finalized, done: make(chan struct{})}
	a.layer = a.written.Freeze(a.st().Cached(prev))
	check := a.written.Freeze(prev)
	a.written = nil
	a.saving.Store(s)
	a.checkMu.Lock()
	a.checkState = state.NewCache(check)
	a.checkMu.Unlock()
	go func() {
		defer close(s.done)
		if a.pauseSave != nil {
			a.pauseSave(s.block.Version)
		}
		_, s.err = a.st().Commit()
	}()
	return true
}

// view returns the committed state at version (0: the latest). A query of
// the latest version, or of the version being saved, waits for the save
// in flight: it answers with the last block, as it would without the
// pipeline, never with the one before.
func (a *App) view(version int64) (*state.View, error) {
	if s := a.saving.Load(); s != nil && (version == 0 || version == s.block.Version) {
		<-s.done
	}
	return a.st().View(version)
}

// record returns the Store a block's cache is written into: the working
// state, with the writes recorded when the pipeline is on.
func (a *App) record() state.Store {
	if !a.pipeline {
		a.written = nil
		return a.st().Working()
	}
	a.written = overlay.Record(a.st().Working())
	return a.written
}
