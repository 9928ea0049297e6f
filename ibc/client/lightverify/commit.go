package lightverify

import (
	"bytes"
	"errors"
	"fmt"
	"math"

	"github.com/cometbft/cometbft/crypto/ed25519"
	cmtmath "github.com/cometbft/cometbft/libs/math"
	"github.com/cometbft/cometbft/types"
)

// errBatchBug is CometBFT's error for a batch that fails with no invalid
// signature in it (which includes an empty batch).
var errBatchBug = errors.New("BUG: batch verification failed with no invalid signatures")

// Commit is a commit of a chain, under verification against one or more
// validator sets. It remembers the signatures it has verified, so that a
// second check (the new validators after the trusted ones, in a skipping
// update) does not verify a signature again under the same key.
//
// A Commit is not safe for concurrent use.
type Commit struct {
	chainID string
	commit  *types.Commit
	// verified holds, by signature index, the key the signature was
	// verified under (nil if it was not).
	verified []ed25519.PubKey
	// workers, if positive, replaces the worker count GOMAXPROCS gives.
	workers int
}

// NewCommit returns commit, a commit of chain chainID, ready for
// verification. commit may be nil (each check then fails as CometBFT's);
// it must not change while the Commit is in use.
func NewCommit(chainID string, commit *types.Commit) *Commit {
	return &Commit{chainID: chainID, commit: commit}
}

// job is a signature to verify: the commit's signature at idx, under key.
type job struct {
	idx int
	key ed25519.PubKey
}

// batchable reports whether CometBFT would batch-verify commit against
// vals with ed25519 keys: at least two signatures, and the proposer's key
// and every validator's key of type ed25519. Other commits go to
// CometBFT's own functions.
func batchable(vals *types.ValidatorSet, commit *types.Commit) bool {
	if vals == nil || commit == nil || len(commit.Signatures) < 2 || len(vals.Validators) == 0 {
		return false
	}
	p, first := vals.GetProposer(), vals.Validators[0]
	return p != nil && p.PubKey != nil && p.PubKey.Type() == ed25519.KeyType &&
		first != nil && first.PubKey != nil && first.PubKey.Type() == ed25519.KeyType &&
		vals.AllKeysHaveSameType()
}

// VerifyLight checks that validators of more than 2/3 of the power of vals
// signed the commit for blockID at height, with vals in commit order, and
// returns what vals.VerifyCommitLight(chainID, blockID, height, commit)
// returns: nil, or the error for a missing set or commit, a set and commit
// of different sizes (types.ErrInvalidCommitSignatures), another height
// (types.ErrInvalidCommitHeight), another block id, a signer at an index
// with another address, a key or signature of the wrong size, too little
// power (types.ErrNotEnoughVotingPowerSigned) or the first bad signature.
func (c *Commit) VerifyLight(vals *types.ValidatorSet, blockID types.BlockID, height int64) error {
	if !batchable(vals, c.commit) {
		return types.VerifyCommitLight(c.chainID, vals, blockID, height, c.commit)
	}
	if n, m := vals.Size(), len(c.commit.Signatures); n != m {
		return types.NewErrInvalidCommitSignatures(n, m)
	}
	if height != c.commit.Height {
		return types.NewErrInvalidCommitHeight(height, c.commit.Height)
	}
	if !blockID.Equals(c.commit.BlockID) {
		return fmt.Errorf("invalid commit -- wrong block ID: want %v, got %v", blockID, c.commit.BlockID)
	}
	jobs, err := c.walk(vals, vals.TotalVotingPower()*2/3, true)
	if err != nil {
		return err
	}
	return c.verify(jobs)
}

// VerifyLightTrusting checks that validators of vals, found by address,
// of more than trustLevel of its power signed the commit, and returns what
// vals.VerifyCommitLightTrusting(chainID, commit, trustLevel) returns:
// nil, or the error for a missing set or commit, a zero denominator, an
// overflow of the power needed, a validator signing twice, a key or
// signature of the wrong size, too little power
// (types.ErrNotEnoughVotingPowerSigned) or the first bad signature.
// Signatures of validators outside vals are skipped.
func (c *Commit) VerifyLightTrusting(vals *types.ValidatorSet, trustLevel cmtmath.Fraction) error {
	if !batchable(vals, c.commit) {
		return types.VerifyCommitLightTrusting(c.chainID, vals, c.commit, trustLevel)
	}
	if trustLevel.Denominator == 0 {
		return errors.New("trustLevel has zero Denominator")
	}
	total, overflow := mulChecked(vals.TotalVotingPower(), int64(trustLevel.Numerator))
	if overflow {
		return errors.New("int64 overflow while calculating voting power needed. please provide smaller trustLevel numerator")
	}
	jobs, err := c.walk(vals, total/int64(trustLevel.Denominator), false)
	if err != nil {
		return err
	}
	return c.verify(jobs)
}

// mulChecked returns a*b and whether the product is out of range, judged
// on absolute values as CometBFT judges it.
func mulChecked(a, b int64) (int64, bool) {
	if a == 0 || b == 0 {
		return 0, false
	}
	absA, absB := a, b
	if absA < 0 {
		absA = -absA
	}
	if absB < 0 {
		absB = -absB
	}
	if absA > math.MaxInt64/absB {
		return 0, true
	}
	return a * b, false
}

// walk selects the signatures to verify: those for the block, in commit
// order, whose signers (vals.Validators[idx] if byIndex, else found by
// address, skipping unknown addresses) bring the tally of their power
// above needed, stopping at the first that does. It returns the first
// problem found before any cryptography, in commit order, and
// types.ErrNotEnoughVotingPowerSigned if the tally stays at or below
// needed.
func (c *Commit) walk(vals *types.ValidatorSet, needed int64, byIndex bool) ([]job, error) {
	sigs := c.commit.Signatures
	var seen map[int32]int
	if !byIndex {
		seen = make(map[int32]int, len(sigs))
	}
	jobs := make([]job, 0, len(sigs))
	var tally int64
	for idx, sig := range sigs {
		if sig.BlockIDFlag != types.BlockIDFlagCommit {
			continue
		}
		var val *types.Validator
		if byIndex {
			val = vals.Validators[idx]
			if !bytes.Equal(val.Address, sig.ValidatorAddress) {
				return nil, fmt.Errorf("validator address mismatch at index %d: expected %X, got %X",
					idx, val.Address, sig.ValidatorAddress)
			}
		} else {
			var vi int32
			if vi, val = vals.GetByAddress(sig.ValidatorAddress); val == nil {
				continue
			}
			if first, ok := seen[vi]; ok {
				return nil, fmt.Errorf("double vote from %v (%d and %d)", val, first, idx)
			}
			seen[vi] = idx
		}
		key, err := batchKey(val, sig.Signature)
		if err != nil {
			return nil, err
		}
		jobs = append(jobs, job{idx: idx, key: key})
		tally += val.VotingPower
		if tally > needed {
			break
		}
	}
	if tally <= needed {
		return nil, types.ErrNotEnoughVotingPowerSigned{Got: tally, Needed: needed}
	}
	return jobs, nil
}

// batchKey returns val's ed25519 key after the checks (and with the
// errors) of CometBFT's ed25519 batch verifier when a signature is added.
func batchKey(val *types.Validator, sig []byte) (ed25519.PubKey, error) {
	key, ok := val.PubKey.(ed25519.PubKey)
	if !ok {
		return nil, errors.New("pubkey is not Ed25519")
	}
	if n := len(key); n != ed25519.PubKeySize {
		return nil, fmt.Errorf("pubkey size is incorrect; expected: %d, got %d", ed25519.PubKeySize, n)
	}
	if len(sig) != ed25519.SignatureSize {
		return nil, errors.New("invalid signature")
	}
	return key, nil
}

// verify verifies the signatures of jobs that are not yet verified under
// the same key and records them on success. It returns CometBFT's error
// for the lowest index whose signature is invalid, or errBatchBug for an
// empty selection (as CometBFT does).
func (c *Commit) verify(jobs []job) error {
	if len(jobs) == 0 {
		return errBatchBug
	}
	if c.verified == nil {
		c.verified = make([]ed25519.PubKey, len(c.commit.Signatures))
	}
	todo := make([]job, 0, len(jobs))
	for _, j := range jobs {
		if k := c.verified[j.idx]; k == nil || !bytes.Equal(k, j.key) {
			todo = append(todo, j)
		}
	}
	switch bad := verifyJobs(c.chainID, c.commit, todo, c.workerCount(len(todo))); {
	case bad == batchFailed:
		return errBatchBug
	case bad >= 0:
		return fmt.Errorf("wrong signature (#%d): %X", bad, c.commit.Signatures[bad])
	}
	for _, j := range todo {
		c.verified[j.idx] = j.key
	}
	return nil
}
