package lightverify

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/cometbft/cometbft/crypto/ed25519"
	"github.com/cometbft/cometbft/types"
)

// minPerWorker is the fewest signatures worth a goroutine of their own: a
// batch of fewer than 2*minPerWorker signatures is verified on the
// calling goroutine.
const minPerWorker = 8

// Run sizes. A batch of pippengerRun signatures or more is verified with
// Pippenger's method, which costs less per signature than the method
// below it (curve25519-voi's batchPippengerThreshold); smaller batches
// cost about the same per signature from smallRun up.
const (
	pippengerRun = 94
	smallRun     = 16
)

// Results of verifying a run of signatures, besides the commit index of
// the first invalid one.
const (
	allValid    = -1
	batchFailed = -2 // the batch failed with every signature valid
)

// workerCount returns how many goroutines verify n signatures: one per
// minPerWorker signatures, at most GOMAXPROCS (or c.workers if set), at
// least one.
func (c *Commit) workerCount(n int) int {
	limit := runtime.GOMAXPROCS(0)
	if c.workers > 0 {
		limit = c.workers
	}
	return max(1, min(limit, n/minPerWorker))
}

// runCount returns how many runs n signatures are cut into for w
// workers: w runs if each still has pippengerRun signatures, else runs of
// about smallRun signatures (at least w), so that a worker that starts
// late finds runs left and the calling goroutine, if alone, verifies all
// of them at little more cost than one batch.
func runCount(n, w int) int {
	if n >= w*pippengerRun {
		return w
	}
	return max(w, n/smallRun)
}

// verifyJobs verifies the signatures of jobs in runs (see runCount): w
// goroutines (the calling one and w-1 others) each take the next run not
// yet taken until none is left, so a goroutine that starts late, or not
// at all before the runs are done, delays nothing. It returns the commit
// index of the first job whose signature is invalid, allValid, or
// batchFailed if a run failed with no invalid signature and no run found
// one. The result does not depend on w or on which goroutine verified
// which run.
//
// A panic while verifying a run is raised again on the calling goroutine
// once every run has ended (that of the first run that panicked).
func verifyJobs(chainID string, commit *types.Commit, jobs []job, w int) int {
	if len(jobs) == 0 {
		return allValid
	}
	w = max(1, min(w, len(jobs)))
	if w == 1 {
		return verifyRun(chainID, commit, jobs)
	}
	runs := runCount(len(jobs), w)
	results := make([]int, runs)
	panics := make([]any, runs)
	var next atomic.Int32
	var done sync.WaitGroup
	done.Add(runs)
	work := func() {
		for {
			i := int(next.Add(1)) - 1
			if i >= runs {
				return
			}
			func() {
				defer done.Done()
				defer func() { panics[i] = recover() }()
				results[i] = verifyRun(chainID, commit, jobs[i*len(jobs)/runs:(i+1)*len(jobs)/runs])
			}()
		}
	}
	for range w - 1 {
		go work()
	}
	work()
	done.Wait()
	for _, p := range panics {
		if p != nil {
			panic(p)
		}
	}
	verdict := allValid
	for _, r := range results {
		if r >= 0 {
			return r
		}
		if r == batchFailed {
			verdict = batchFailed
		}
	}
	return verdict
}

// verifiers keeps batch verifiers between runs: a verifier's entries are
// several hundred bytes per signature, and a reused one keeps its room.
var verifiers = sync.Pool{New: func() any { return ed25519.NewBatchVerifier() }}

// verifyRun batch-verifies the signatures of jobs, which walk checked
// (ed25519 keys and signatures of the right sizes), and returns the
// commit index of the first invalid one, allValid or batchFailed.
func verifyRun(chainID string, commit *types.Commit, jobs []job) int {
	bv := verifiers.Get().(*ed25519.BatchVerifier)
	defer func() {
		bv.Reset()
		verifiers.Put(bv)
	}()
	for _, j := range jobs {
		msg := commit.VoteSignBytes(chainID, int32(j.idx))
		if err := bv.Add(j.key, msg, commit.Signatures[j.idx].Signature); err != nil {
			panic(fmt.Sprintf("lightverify: batch verifier refused signature %d that walk checked: %v", j.idx, err))
		}
	}
	ok, valid := bv.Verify()
	if ok {
		return allValid
	}
	for i, v := range valid {
		if !v {
			return jobs[i].idx
		}
	}
	return batchFailed
}
