package lightverify

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/cometbft/cometbft/crypto"
	"github.com/cometbft/cometbft/crypto/ed25519"
	cmtmath "github.com/cometbft/cometbft/libs/math"
	"github.com/cometbft/cometbft/light"
	"github.com/cometbft/cometbft/types"
)

// breakage changes a header signed by all of s (the commit, or the header
// itself) to break, or not, one rule of commit verification.
type breakage struct {
	name string
	mod  func(sh *types.SignedHeader, s *signers)
}

func forgeAt(pick func(n int, s *signers) []int) func(*types.SignedHeader, *signers) {
	return func(sh *types.SignedHeader, s *signers) {
		for _, i := range pick(len(sh.Commit.Signatures), s) {
			forge(sh.Commit, i)
		}
	}
}

// breakages are the changes each test applies, at indices that depend on
// the set's size: the first, the middle and the last signature, the
// signatures at and after the ones that reach +1/3 and +2/3 of the power,
// several at once, too little power, validators outside the set,
// validators signing twice and malformed signatures.
var breakages = []breakage{
	{"all signed", func(*types.SignedHeader, *signers) {}},
	{"forged first", forgeAt(func(int, *signers) []int { return []int{0} })},
	{"forged middle", forgeAt(func(n int, _ *signers) []int { return []int{n / 2} })},
	{"forged last", forgeAt(func(n int, _ *signers) []int { return []int{n - 1} })},
	{"forged at the +1/3 cutoff", forgeAt(func(_ int, s *signers) []int { return []int{cutoff(s.vals, 1, 3)} })},
	{"forged after the +1/3 cutoff", forgeAt(func(n int, s *signers) []int { return []int{min(n-1, cutoff(s.vals, 1, 3)+1)} })},
	{"forged at the +2/3 cutoff", forgeAt(func(_ int, s *signers) []int { return []int{cutoff(s.vals, 2, 3)} })},
	{"forged after the +2/3 cutoff", forgeAt(func(n int, s *signers) []int { return []int{min(n-1, cutoff(s.vals, 2, 3)+1)} })},
	{"forged in both halves", forgeAt(func(n int, s *signers) []int { return []int{cutoff(s.vals, 2, 3), n / 4, n / 2} })},
	{"all forged", forgeAt(func(n int, _ *signers) []int {
		all := make([]int, n)
		for i := range all {
			all[i] = i
		}
		return all
	})},
	{"first third absent", func(sh *types.SignedHeader, _ *signers) {
		for i := range len(sh.Commit.Signatures) / 3 {
			sh.Commit.Signatures[i] = types.NewCommitSigAbsent()
		}
	}},
	{"nil votes before a forged one", func(sh *types.SignedHeader, _ *signers) {
		n := len(sh.Commit.Signatures)
		for i := range n / 4 {
			sh.Commit.Signatures[i].BlockIDFlag = types.BlockIDFlagNil
		}
		forge(sh.Commit, n/2)
	}},
	{"not enough power", func(sh *types.SignedHeader, s *signers) {
		for i := cutoff(s.vals, 2, 3); i < len(sh.Commit.Signatures); i++ {
			sh.Commit.Signatures[i] = types.NewCommitSigAbsent()
		}
	}},
	{"not enough power and forged", func(sh *types.SignedHeader, s *signers) {
		for i := cutoff(s.vals, 2, 3); i < len(sh.Commit.Signatures); i++ {
			sh.Commit.Signatures[i] = types.NewCommitSigAbsent()
		}
		forge(sh.Commit, 0)
	}},
	{"unknown validator signs", func(sh *types.SignedHeader, _ *signers) {
		i := len(sh.Commit.Signatures) / 2
		sh.Commit.Signatures[i] = sign(edKey("stranger", i), sh.Commit, i, sh.Commit.Signatures[i].Timestamp)
	}},
	{"unknown validator signs first, forged after", func(sh *types.SignedHeader, _ *signers) {
		if len(sh.Commit.Signatures) < 2 {
			return
		}
		sh.Commit.Signatures[0] = sign(edKey("stranger", 0), sh.Commit, 0, sh.Commit.Signatures[0].Timestamp)
		forge(sh.Commit, 1)
	}},
	{"validator signs twice", func(sh *types.SignedHeader, _ *signers) {
		if len(sh.Commit.Signatures) < 2 {
			return
		}
		sh.Commit.Signatures[1] = sh.Commit.Signatures[0]
	}},
	{"short signature", func(sh *types.SignedHeader, _ *signers) {
		i := len(sh.Commit.Signatures) / 2
		sh.Commit.Signatures[i].Signature = sh.Commit.Signatures[i].Signature[:10]
	}},
	{"short signature after a forged one", func(sh *types.SignedHeader, _ *signers) {
		i := len(sh.Commit.Signatures) / 2
		forge(sh.Commit, 0)
		sh.Commit.Signatures[i].Signature = sh.Commit.Signatures[i].Signature[:10]
	}},
	{"commit of another height", func(sh *types.SignedHeader, _ *signers) {
		sh.Commit.Height++
	}},
	{"one signature missing", func(sh *types.SignedHeader, _ *signers) {
		sh.Commit.Signatures = sh.Commit.Signatures[:len(sh.Commit.Signatures)-1]
	}},
	{"signatures of another chain", func(sh *types.SignedHeader, s *signers) {
		for i, k := range s.keys {
			vote := sh.Commit.GetVote(int32(i))
			sig, err := k.Sign(types.VoteSignBytes("other-1", vote.ToProto()))
			if err != nil {
				panic(err)
			}
			sh.Commit.Signatures[i].Signature = sig
		}
	}},
}

// sets are the validator sets the tests sign with: sizes around the
// serial threshold and above it, unequal powers, one validator, and a
// set CometBFT does not batch-verify.
func sets() map[string]*signers {
	unequal := make([]crypto.PrivKey, 40)
	for i := range unequal {
		unequal[i] = edKey("unequal", i)
	}
	return map[string]*signers{
		"4 validators":                 edSigners("four", 4),
		"20 validators":                edSigners("twenty", 20),
		"50 validators":                edSigners("fifty", 50),
		"100 validators":               edSigners("hundred", 100),
		"40 validators, unequal power": newSigners(unequal, func(i int) int64 { return int64(1 + i*i) }),
		"1 validator":                  edSigners("one", 1),
		"mixed key types":              mixedSigners(),
	}
}

// workerCounts are the worker counts the tests force, serial first.
var workerCounts = []int{1, 2, 3, 8}

// trustLevel is the default trust level, 1/3.
var trustLevel = cmtmath.Fraction{Numerator: 1, Denominator: 3}

// overlapping returns a set with the first half of s's validators and as
// many strangers: a trusted set that shares some signers with s.
func overlapping(s *signers) *signers {
	n := len(s.keys)
	keys := append([]crypto.PrivKey{}, s.keys[:(n+1)/2]...)
	for i := range n / 2 {
		keys = append(keys, edKey("stranger", 1000+i))
	}
	return newSigners(keys, func(int) int64 { return 10 })
}

// TestCommitMatchesCometBFT checks that VerifyLight and
// VerifyLightTrusting return what CometBFT's VerifyCommitLight and
// VerifyCommitLightTrusting return, serially and in parallel, on good
// commits and on every breakage, against the commit's own set and
// against a set that shares half of it, and checked one after the other
// on the same Commit as a skipping update does.
func TestCommitMatchesCometBFT(t *testing.T) {
	for setName, s := range sets() {
		other := overlapping(s)
		for _, b := range breakages {
			t.Run(setName+"/"+b.name, func(t *testing.T) {
				sh := s.signedHeader(50)
				b.mod(sh, s)
				c := sh.Commit
				wantLight := types.VerifyCommitLight(chainID, s.vals, c.BlockID, sh.Height, c)
				wantOwn := types.VerifyCommitLightTrusting(chainID, s.vals, c, trustLevel)
				wantOther := types.VerifyCommitLightTrusting(chainID, other.vals, c, trustLevel)
				for _, w := range workerCounts {
					what := func(check string) string { return fmt.Sprintf("%s, %d workers", check, w) }
					lc := &Commit{chainID: chainID, commit: c, workers: w}
					sameResult(t, what("light"), lc.VerifyLight(s.vals, c.BlockID, sh.Height), wantLight)
					tc := &Commit{chainID: chainID, commit: c, workers: w}
					sameResult(t, what("trusting, own set"), tc.VerifyLightTrusting(s.vals, trustLevel), wantOwn)
					oc := &Commit{chainID: chainID, commit: c, workers: w}
					sameResult(t, what("trusting, overlapping set"), oc.VerifyLightTrusting(other.vals, trustLevel), wantOther)
					// Light after trusting on the same Commit reuses the
					// signatures verified, with the same results.
					if wantOwn == nil {
						sameResult(t, what("light after trusting"), tc.VerifyLight(s.vals, c.BlockID, sh.Height), wantLight)
					}
					if wantOther == nil {
						sameResult(t, what("light after trusting another set"), oc.VerifyLight(s.vals, c.BlockID, sh.Height), wantLight)
					}
				}
			})
		}
	}
}

// TestHeaderMatchesCometBFT checks that VerifyAdjacent and
// VerifyNonAdjacent return what light.VerifyAdjacent and
// light.VerifyNonAdjacent return, serially and on two workers, with and
// without the validators hash given, on every breakage and on headers
// that break the rules checked before the signatures.
func TestHeaderMatchesCometBFT(t *testing.T) {
	const trusting, drift = 24 * time.Hour, 10 * time.Second
	headerBreakages := append(append([]breakage{}, breakages...),
		breakage{"header of another chain", func(sh *types.SignedHeader, _ *signers) { sh.ChainID = "other-1" }},
		breakage{"header not after the trusted time", func(sh *types.SignedHeader, _ *signers) { sh.Time = t0 }},
		breakage{"validators hash of another set", func(sh *types.SignedHeader, _ *signers) {
			sh.ValidatorsHash = hash32("vals")
			sh.Commit.BlockID.Hash = sh.Hash()
		}},
	)
	for setName, s := range sets() {
		other := overlapping(s)
		for _, b := range headerBreakages {
			for _, tc := range []struct {
				name    string
				height  int64
				trusted *signers
				now     time.Duration // after t0
			}{
				{"adjacent", 6, s, time.Hour},
				{"adjacent, expired", 6, s, trusting},
				{"adjacent, in the future", 6, s, -time.Minute},
				{"adjacent, other trusted set", 6, other, time.Hour},
				{"skipping", 50, s, time.Hour},
				{"skipping, overlapping trusted set", 50, other, time.Hour},
				{"skipping, expired", 50, s, trusting + time.Second},
			} {
				t.Run(fmt.Sprintf("%s/%s/%s", setName, b.name, tc.name), func(t *testing.T) {
					sh := s.signedHeader(tc.height)
					b.mod(sh, s)
					th := trustedHeader(tc.trusted.vals)
					if tc.height == 6 {
						th.Height = 5
					}
					now := sh.Time.Add(tc.now)
					for _, w := range workerCounts[:2] {
						for _, hash := range [][]byte{nil, s.vals.Hash()} {
							what := fmt.Sprintf("%d workers, hash given %t", w, hash != nil)
							var got, want error
							withWorkers(w, func() {
								if tc.height == 6 {
									got = VerifyAdjacent(th, sh, s.vals, hash, trusting, now, drift)
								} else {
									got = VerifyNonAdjacent(th, tc.trusted.vals, sh, s.vals, hash, trusting, now, drift, trustLevel)
								}
							})
							if tc.height == 6 {
								want = light.VerifyAdjacent(th, sh, s.vals, trusting, now, drift)
							} else {
								want = light.VerifyNonAdjacent(th, tc.trusted.vals, sh, s.vals, trusting, now, drift, trustLevel)
							}
							sameResult(t, what, got, want)
						}
					}
				})
			}
		}
	}
}

// withWorkers runs f with GOMAXPROCS w, which limits the worker count of
// every Commit the header functions make.
func withWorkers(w int, f func()) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(w))
	f()
}

// TestBadSignatureErrorIsDeterministic verifies, many times and with
// several worker counts, a commit with bad signatures in different runs
// of the parallel split, and checks that the error is always the same and
// names the lowest bad index, as CometBFT's does.
func TestBadSignatureErrorIsDeterministic(t *testing.T) {
	s := edSigners("determinism", 100)
	sh := s.signedHeader(50)
	for _, i := range []int{60, 7, 33, 65} { // 65 is past the +2/3 cutoff
		forge(sh.Commit, i)
	}
	want := types.VerifyCommitLight(chainID, s.vals, sh.Commit.BlockID, sh.Height, sh.Commit)
	if want == nil || !strings.HasPrefix(want.Error(), "wrong signature (#7)") {
		t.Fatalf("CometBFT returns %v, want the signature at index 7", want)
	}
	for n := range 50 {
		for _, w := range []int{1, 2, 3, 4, 8} {
			c := &Commit{chainID: chainID, commit: sh.Commit, workers: w}
			sameResult(t, fmt.Sprintf("run %d, %d workers", n, w), c.VerifyLight(s.vals, sh.Commit.BlockID, sh.Height), want)
		}
	}
}

// TestSignaturesVerifiedOnce checks that a Commit verifies a signature of
// a validator in both sets once: after the trusting check, the light
// check verifies only the signatures past the +1/3 cutoff.
func TestSignaturesVerifiedOnce(t *testing.T) {
	s := edSigners("once", 30)
	sh := s.signedHeader(50)
	c := NewCommit(chainID, sh.Commit)
	if err := c.VerifyLightTrusting(s.vals, trustLevel); err != nil {
		t.Fatal(err)
	}
	third, twoThirds := cutoff(s.vals, 1, 3), cutoff(s.vals, 2, 3)
	for i, k := range c.verified {
		if (k != nil) != (i <= third) {
			t.Fatalf("after trusting, signature %d verified %t; the +1/3 cutoff is %d", i, k != nil, third)
		}
	}
	// A forged signature among those verified is not verified again (the
	// Commit trusts its own record), one past them is.
	forge(sh.Commit, third)
	forge(sh.Commit, third+1)
	err := c.VerifyLight(s.vals, sh.Commit.BlockID, sh.Height)
	if err == nil || !strings.HasPrefix(err.Error(), fmt.Sprintf("wrong signature (#%d)", third+1)) {
		t.Fatalf("light after trusting: %v, want the signature at %d", err, third+1)
	}
	for i, k := range c.verified {
		if (k != nil) != (i <= third) {
			t.Fatalf("after a failed light check, signature %d verified %t", i, k != nil)
		}
	}
	if twoThirds <= third+1 {
		t.Fatalf("cutoffs %d and %d leave no room for the test", third, twoThirds)
	}
}

// TestWorkerCount checks the split: serial below 2*minPerWorker
// signatures, then one worker per minPerWorker signatures up to the
// limit.
func TestWorkerCount(t *testing.T) {
	c := &Commit{workers: 4}
	for _, tc := range []struct{ n, want int }{
		{0, 1}, {1, 1}, {2*minPerWorker - 1, 1}, {2 * minPerWorker, 2}, {3 * minPerWorker, 3}, {100 * minPerWorker, 4},
	} {
		if got := c.workerCount(tc.n); got != tc.want {
			t.Errorf("workerCount(%d) = %d, want %d", tc.n, got, tc.want)
		}
	}
}

// TestRunCount checks the cut into runs: one per worker while each keeps
// pippengerRun signatures, else runs of about smallRun signatures, never
// fewer than the workers.
func TestRunCount(t *testing.T) {
	for _, tc := range []struct{ n, w, want int }{
		{16, 2, 2}, {34, 2, 2}, {67, 2, 4}, {134, 2, 8}, {2*pippengerRun - 1, 2, (2*pippengerRun - 1) / smallRun},
		{2 * pippengerRun, 2, 2}, {201, 2, 2}, {201, 3, 12}, {300, 3, 3}, {40, 8, 8},
	} {
		if got := runCount(tc.n, tc.w); got != tc.want {
			t.Errorf("runCount(%d, %d) = %d, want %d", tc.n, tc.w, got, tc.want)
		}
	}
}

// TestPanicInWorkerReachesCaller checks that a panic while verifying a run
// on another goroutine is raised on the calling goroutine, where the
// client recovers it, instead of ending the process.
func TestPanicInWorkerReachesCaller(t *testing.T) {
	s := edSigners("panic", 40)
	sh := s.signedHeader(50)
	key := s.vals.Validators[0].PubKey.(ed25519.PubKey)
	jobs := make([]job, 40)
	for i := range jobs {
		jobs[i] = job{idx: i, key: key}
	}
	jobs[39].idx = 1000 // out of the commit: VoteSignBytes panics in the last run
	defer func() {
		if r := recover(); r == nil {
			t.Fatal("no panic")
		}
	}()
	verifyJobs(chainID, sh.Commit, jobs, 4)
}
