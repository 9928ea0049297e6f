package lightverify

import (
	"fmt"
	"runtime"
	"sync"

	"github.com/cometbft/cometbft/crypto/ed25519"
	"github.com/cometbft/cometbft/types"
)

// minPerWorker is the fewest signatures worth a goroutine of their own: a
// batch of fewer than 2*minPerWorker signatures is verified on the
// calling goroutine.
const minPerWorker = 8

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

// verifyJobs verifies the signatures of jobs, split into w contiguous runs
// verified concurrently (the first on the calling goroutine). It returns
// the commit index of the first job whose signature is invalid, allValid,
// or batchFailed if a run failed with no invalid signature and no run
// found one. The result does not depend on w.
//
// A panic while verifying a run is raised again on the calling goroutine
// after all runs have ended (that of the first run that panicked).
func verifyJobs(chainID string, commit *types.Commit, jobs []job, w int) int {
	if len(jobs) == 0 {
		return allValid
	}
	w = max(1, min(w, len(jobs)))
	if w == 1 {
		return verifyRun(chainID, commit, jobs)
	}
	results := make([]int, w)
	panics := make([]any, w)
	run := func(i int) {
		defer func() {
			panics[i] = recover()
		}()
		results[i] = verifyRun(chainID, commit, jobs[i*len(jobs)/w:(i+1)*len(jobs)/w])
	}
	var wg sync.WaitGroup
	for i := 1; i < w; i++ {
		wg.Go(func() { run(i) })
	}
	run(0)
	wg.Wait()
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

// verifyRun batch-verifies the signatures of jobs, which walk checked
// (ed25519 keys and signatures of the right sizes), and returns the
// commit index of the first invalid one, allValid or batchFailed.
func verifyRun(chainID string, commit *types.Commit, jobs []job) int {
	bv := ed25519.NewBatchVerifier()
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
