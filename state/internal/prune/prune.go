// Package prune deletes old versions of a state.MultiStore's IAVL trees in
// the background, beside block execution.
//
// # What runs where
//
// MultiStore.Commit decides which versions go (every Options.PruneInterval
// commits, those older than the most recent Options.KeepRecent), marks them
// pruned in memory, so that Views refuse them from then on, and hands the
// targets to a Pruner with Request, which never blocks: it merges them into
// the pending targets (one per tree, the highest wins) and wakes the
// Pruner's goroutine. So Commit never waits on pruning; a prune still
// running when the next is due is not queued behind, its successor simply
// starts from where it stopped and goes up to the newest target.
//
// The goroutine deletes the versions of one tree after the other, one
// version per step. A version v whose orphans were recorded when v+1 was
// saved (see Tracker: the working tree's database notes the nodes it
// writes and reads, and the walk that finds them reads nothing) is
// deleted with that record: the listed nodes, v's root entry (a root that
// v+1 shares moves to (v, 0), as iavl does it) and the record, in one
// write. A version without a record (saved while every version was kept,
// or by a release without records, or one the Tracker could not make
// sense of) is deleted by iavl's pruning, which walks both trees back from
// disk to find the orphans, through a MutableTree of its own over the
// tree's database namespace. That tree shares no memory with the working
// tree or the trees that serve Views: iavl's pruning rewrites the keys of
// cached nodes
// (a root that the next version reuses is stored again as (version, 0)),
// which would race with the working tree if they shared a node database.
// That is why iavl's own AsyncPruningOption is not used: its pruning runs
// on the working tree's node database, shares its node cache and its write
// batch (pruning deletes then ride along with SaveVersion's writes), polls
// every 100 ms, and its Close waits for the whole pending range.
//
// Each run opens its trees afresh, so that their latest version, which
// iavl caches, is current, and drops them at its end. Their node cache
// need only hold what consecutive steps share: pruning v reads the nodes
// that v+1 changed, and pruning v+1 reads them again (on the W1 benchmark,
// a few tens of thousands of nodes per version in the largest trees).
//
// The only thing Commit and the goroutine share is the database. A
// goroutine's write is one batch per version of one tree, so the longest
// Commit can be held up by pruning is one such batch write inside the
// database (goleveldb serialises writers); there is no lock in common.
//
// # Crash safety
//
// Each step deletes one version of one tree and writes it as one batch
// (the Pruner's trees never flush a batch early), so on disk a version of a
// tree is either whole or gone, and the pair of writes with which iavl
// re-keys a root the next version reuses is never split. Versions after the
// target are never touched. After a crash, Open finds the oldest version
// every live tree still has, and the next Commit's target prunes each tree
// from its own first version: pruning resumes where it stopped.
//
// Close stops the goroutine between two steps and waits for it, so it
// waits for at most one version of one tree.
package prune

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/cosmos/iavl"
	idb "github.com/cosmos/iavl/db"

	"github.com/abci-ics/ics/state/internal/record"
)

// Target names a tree and the newest of its versions to delete.
type Target struct {
	Name string
	To   int64
}

// Targets returns what pruning the versions up to to means for the stores
// of h: every store is pruned up to to, except that a retired store keeps
// its last version (iavl cannot delete a tree's latest version), and a
// store added after to has nothing to prune. The targets are sorted by
// name.
func Targets(h record.History, to int64) []Target {
	var ts []Target
	for _, name := range slices.Sorted(slices.Values(h.Names())) {
		added, removed, _ := h.Span(name)
		t := to
		if removed != 0 {
			t = min(t, removed-2)
		}
		if t >= max(added, 1) {
			ts = append(ts, Target{name, t})
		}
	}
	return ts
}

// Holds counts, per version, the holders that keep it from pruning (the
// multistore's exports). It is not safe for concurrent use: the caller
// guards it.
type Holds map[int64]int

// Add holds version v once more.
func (h Holds) Add(v int64) { h[v]++ }

// Release drops one hold of version v.
func (h Holds) Release(v int64) {
	if h[v]--; h[v] <= 0 {
		delete(h, v)
	}
}

// Cap returns to, lowered so that no held version, nor any version after
// one, is pruned.
func (h Holds) Cap(to int64) int64 {
	for v := range h {
		to = min(to, v-1)
	}
	return to
}

// flushNever is the batch size at which the Pruner's trees would write a
// batch in the middle of a step: never, so a step is one atomic write.
const flushNever = 1 << 50

// Pruner deletes versions of trees in a goroutine of its own. Its methods
// may be called from any goroutine.
type Pruner struct {
	open      func(name string) idb.DB
	cacheSize int
	// afterStep, when set, runs after each version deleted (tests use it
	// to look at the database between steps).
	afterStep func(name string, version int64)

	mu      sync.Mutex
	idle    *sync.Cond       // broadcast when a run ends and on Close
	pending map[string]int64 // the targets not yet taken by a run
	running bool
	err     error // the last run's error, until Err takes it
	closed  bool

	wake chan struct{} // buffered: a Request wakes the goroutine once
	stop chan struct{}
	done chan struct{}
}

// New starts a Pruner over the trees that open returns the database
// namespaces of; cacheSize is the node cache size of each tree it opens.
// afterStep, if not nil, runs after every deleted version.
func New(open func(name string) idb.DB, cacheSize int, afterStep func(name string, version int64)) *Pruner {
	p := &Pruner{
		open: open, cacheSize: cacheSize, afterStep: afterStep,
		pending: make(map[string]int64),
		wake:    make(chan struct{}, 1),
		stop:    make(chan struct{}),
		done:    make(chan struct{}),
	}
	p.idle = sync.NewCond(&p.mu)
	go p.loop()
	return p
}

// Request asks for the versions up to each target's To to be deleted. It
// does not wait: targets are merged into the pending ones (the highest To
// per tree wins) and the goroutine is woken.
func (p *Pruner) Request(ts []Target) {
	if len(ts) == 0 {
		return
	}
	p.mu.Lock()
	for _, t := range ts {
		p.pending[t.Name] = max(p.pending[t.Name], t.To)
	}
	p.mu.Unlock()
	select {
	case p.wake <- struct{}{}:
	default: // already woken
	}
}

// Err returns the error of the last run that failed, once, and clears it.
func (p *Pruner) Err() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	err := p.err
	p.err = nil
	return err
}

// Wait blocks until every requested version is deleted (or the Pruner is
// closed) and returns Err.
func (p *Pruner) Wait() error {
	p.mu.Lock()
	for (p.running || len(p.pending) > 0) && !p.closed {
		p.idle.Wait()
	}
	p.mu.Unlock()
	return p.Err()
}

// Close stops the goroutine after the version it is deleting, if any, and
// waits for it. Targets not reached stay on disk until a later Pruner's
// run. It returns the error of a run that failed and was not reported.
func (p *Pruner) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	p.idle.Broadcast()
	p.mu.Unlock()
	close(p.stop)
	<-p.done
	return p.Err()
}

func (p *Pruner) loop() {
	defer close(p.done)
	for {
		select {
		case <-p.stop:
			return
		case <-p.wake:
		}
		p.mu.Lock()
		run := p.pending
		p.pending = make(map[string]int64)
		p.running = true
		p.mu.Unlock()

		var errs []error
		for _, name := range slices.Sorted(maps.Keys(run)) {
			if p.stopped() {
				break
			}
			if err := p.pruneTree(name, run[name]); err != nil {
				errs = append(errs, fmt.Errorf("store %q up to version %d: %w", name, run[name], err))
			}
		}
		p.mu.Lock()
		p.running = false
		if err := errors.Join(errs...); err != nil {
			p.err = err
		}
		p.idle.Broadcast()
		p.mu.Unlock()
	}
}

// stopped reports whether Close asked the goroutine to stop.
func (p *Pruner) stopped() bool {
	select {
	case <-p.stop:
		return true
	default:
		return false
	}
}

// pruneTree deletes the versions of tree name from its first one up to
// to, one version per write, stopping early when the Pruner is closed. A
// version whose orphans were recorded when the next one was saved (see
// Tracker) is deleted by that record; one without, by iavl's pruning, which
// walks both versions' trees to find them.
func (p *Pruner) pruneTree(name string, to int64) (err error) {
	db := p.open(name)
	var t *iavl.MutableTree // iavl's pruning, opened for the versions without a record
	defer func() {
		if t != nil {
			err = errors.Join(err, t.Close())
		}
	}()
	first, err := record.FirstVersion(db, to+1)
	if err != nil {
		return err
	}
	for v := first; v <= to; v++ {
		if p.stopped() {
			return nil
		}
		rec, err := db.Get(RecordKey(v + 1))
		if err != nil {
			return err
		}
		if rec != nil {
			if t != nil { // iavl caches its first version, which this moves
				err, t = t.Close(), nil
			}
			err = errors.Join(err, deleteRecorded(db, v, rec))
		} else {
			if t == nil {
				t = iavl.NewMutableTree(unsizedBatches{db}, p.cacheSize, true, iavl.NewNopLogger(), iavl.FlushThresholdOption(flushNever))
			}
			err = t.DeleteVersionsTo(v)
		}
		if err != nil {
			return fmt.Errorf("version %d: %w", v, err)
		}
		if p.afterStep != nil {
			p.afterStep(name, v)
		}
	}
	return nil
}

// deleteRecorded deletes version v of the tree in db, in one write, with
// rec, the record of the nodes that v+1 orphaned, as iavl's pruning would:
// the orphans; v's root entry, unless v+1 shares that root, which then
// moves to (v, 0); and the record itself.
func deleteRecorded(db idb.DB, v int64, rec []byte) error {
	if len(rec)%12 != 0 {
		return fmt.Errorf("the record of the orphans of version %d has %d bytes", v+1, len(rec))
	}
	b := db.NewBatch()
	defer b.Close()
	var errs []error
	del := func(k []byte) { errs = append(errs, b.Delete(k)) }
	for i := 0; i < len(rec); i += 12 {
		k := parseKey(rec[i:])
		if k.nonce == 1 && k.version < v {
			// A root that versions up to v shared: pruning its own
			// version moved it to (version, 0).
			del(nodeKey{k.version, 0}.db())
		}
		del(k.db())
	}
	own := nodeKey{v, 1}
	r, err := rootOf(db, v)
	if err != nil {
		return err
	}
	if r.empty || r.key != own {
		del(own.db()) // a reference, an empty root
	}
	if r, err = rootOf(db, v+1); err != nil {
		return err
	}
	if !r.empty && r.key == own {
		node, err := db.Get(own.db())
		if err != nil || node == nil {
			return errors.Join(fmt.Errorf("the root of version %d, shared by %d, is missing", v, v+1), err)
		}
		del(own.db())
		errs = append(errs, b.Set(nodeKey{v, 0}.db(), node))
	}
	del(RecordKey(v + 1))
	if err := errors.Join(errs...); err != nil {
		return err
	}
	return b.Write()
}

// unsizedBatches makes NewBatchWithSize ignore its size: iavl preallocates
// a batch of its flush threshold, which for the Pruner's trees is "never".
type unsizedBatches struct{ idb.DB }

// NewBatchWithSize implements idb.DB.
func (d unsizedBatches) NewBatchWithSize(int) idb.Batch { return d.NewBatch() }
