package equivocation

import (
	"bytes"
	"fmt"
	"slices"

	cmttypes "github.com/cometbft/cometbft/types"
	ibctm "github.com/cosmos/ibc-go/v10/modules/light-clients/07-tendermint"
)

// LightClientAttack verifies that m's two headers are conflicting headers
// of chainID at the same height and returns the consensus addresses (20
// bytes each, freshly allocated) of the validators whose signatures for
// both blocks are in the headers' commits, sorted, without duplicates.
//
// The caller must have verified both headers against its light client of
// chainID (ibc/client Keeper.SubmitMisbehaviour): LightClientAttack does
// not read their trusted heights or trusted validators. It checks each
// header on its own (complete, of chainID, its commit for that header at
// its height, its validator set the one its validators hash commits to,
// one commit signature per validator) and verifies every signature it
// attributes. Only signatures for the block count; a precommit for nil or
// an absent signature does not.
//
// Two headers that commit in different rounds to blocks with the same
// state transition (validators, next validators, consensus params, app
// hash and last results hash) are an amnesia attack: an honest validator
// may precommit a block in one round and, after a polka, another block in
// a later round, so signing both proves nothing and the result is empty,
// without error. Any other pair of signatures for both blocks is an
// equivocation (same round) or a vote for an invalid state transition,
// which no honest validator signs.
//
// It returns an error wrapping ErrInvalidEvidence for a nil or malformed
// misbehaviour or header, ErrWrongChain for a header of another chain,
// ErrNotConflicting for headers at different heights (a time violation,
// which names no validator) or for the same block, and
// ErrInvalidSignature when a signature it would attribute does not verify.
func LightClientAttack(m *ibctm.Misbehaviour, chainID string) ([][]byte, error) {
	if m == nil {
		return nil, fmt.Errorf("%w: nil misbehaviour", ErrInvalidEvidence)
	}
	b1, err := decodeLightBlock(m.Header1, chainID)
	if err != nil {
		return nil, fmt.Errorf("header 1: %w", err)
	}
	b2, err := decodeLightBlock(m.Header2, chainID)
	if err != nil {
		return nil, fmt.Errorf("header 2: %w", err)
	}
	if b1.Height != b2.Height {
		return nil, fmt.Errorf("%w: headers at heights %d and %d", ErrNotConflicting, b1.Height, b2.Height)
	}
	if bytes.Equal(b1.Commit.BlockID.Hash, b2.Commit.BlockID.Hash) {
		return nil, fmt.Errorf("%w: both headers are block %X", ErrNotConflicting, b1.Commit.BlockID.Hash)
	}
	if b1.Commit.Round != b2.Commit.Round && sameTransition(b1.Header, b2.Header) {
		return nil, nil
	}

	// Walk the second commit in index order, so that the error for a
	// bad signature does not depend on map order.
	signed1 := signers(b1)
	seen := make(map[string]bool)
	var out [][]byte
	for i, s := range b2.Commit.Signatures {
		addr := string(s.ValidatorAddress)
		i1, ok := signed1[addr]
		if s.BlockIDFlag != cmttypes.BlockIDFlagCommit || !ok || seen[addr] {
			continue
		}
		seen[addr] = true
		if err := verifyCommitSig(b1, i1, chainID); err != nil {
			return nil, fmt.Errorf("header 1: %w", err)
		}
		if err := verifyCommitSig(b2, int32(i), chainID); err != nil {
			return nil, fmt.Errorf("header 2: %w", err)
		}
		out = append(out, bytes.Clone(s.ValidatorAddress))
	}
	slices.SortFunc(out, bytes.Compare)
	return out, nil
}

// decodeLightBlock converts h and checks it on its own: complete, of
// chainID, committed to by its commit, with the validator set its
// validators hash commits to and one commit signature per validator.
func decodeLightBlock(h *ibctm.Header, chainID string) (*cmttypes.LightBlock, error) {
	switch {
	case h == nil || h.SignedHeader == nil || h.SignedHeader.Header == nil:
		return nil, fmt.Errorf("%w: missing header", ErrInvalidEvidence)
	case h.SignedHeader.Commit == nil:
		return nil, fmt.Errorf("%w: missing commit", ErrInvalidEvidence)
	case h.ValidatorSet == nil:
		return nil, fmt.Errorf("%w: missing validator set", ErrInvalidEvidence)
	case h.SignedHeader.Header.ChainID != chainID:
		return nil, fmt.Errorf("%w: header of %q, evidence for %q", ErrWrongChain, h.SignedHeader.Header.ChainID, chainID)
	}
	sh, err := cmttypes.SignedHeaderFromProto(h.SignedHeader)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidEvidence, err)
	}
	if err := sh.ValidateBasic(chainID); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidEvidence, err)
	}
	vals, err := validatorSet(h.ValidatorSet, sh.ValidatorsHash)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidEvidence, err)
	}
	if n, m := vals.Size(), len(sh.Commit.Signatures); n != m {
		return nil, fmt.Errorf("%w: %d validators, %d commit signatures", ErrInvalidEvidence, n, m)
	}
	return &cmttypes.LightBlock{SignedHeader: sh, ValidatorSet: vals}, nil
}

// signers returns the index in b's commit of each validator address whose
// signature there is for the block. A validator listed twice keeps its
// first index.
func signers(b *cmttypes.LightBlock) map[string]int32 {
	out := make(map[string]int32, len(b.Commit.Signatures))
	for i, s := range b.Commit.Signatures {
		if s.BlockIDFlag != cmttypes.BlockIDFlagCommit {
			continue
		}
		if _, ok := out[string(s.ValidatorAddress)]; !ok {
			out[string(s.ValidatorAddress)] = int32(i)
		}
	}
	return out
}

// verifyCommitSig checks that the i-th signature of b's commit is the
// i-th validator's signature of the block over chainID.
func verifyCommitSig(b *cmttypes.LightBlock, i int32, chainID string) error {
	sig := b.Commit.Signatures[i]
	val := b.ValidatorSet.Validators[i]
	if !bytes.Equal(sig.ValidatorAddress, val.Address) {
		return fmt.Errorf("%w: commit signature %d is by %X, validator %d is %X", ErrInvalidSignature, i, sig.ValidatorAddress, i, val.Address)
	}
	if !encodableTime(sig.Timestamp) {
		return fmt.Errorf("%w: commit signature %d has a timestamp out of range", ErrInvalidEvidence, i)
	}
	if !val.PubKey.VerifySignature(b.Commit.VoteSignBytes(chainID, i), sig.Signature) {
		return fmt.Errorf("%w: commit signature %d by %X", ErrInvalidSignature, i, val.Address)
	}
	return nil
}

// sameTransition reports whether two headers at one height agree on
// everything that the state before the block determines, so that an
// honest validator could have signed either.
func sameTransition(a, b *cmttypes.Header) bool {
	return bytes.Equal(a.ValidatorsHash, b.ValidatorsHash) &&
		bytes.Equal(a.NextValidatorsHash, b.NextValidatorsHash) &&
		bytes.Equal(a.ConsensusHash, b.ConsensusHash) &&
		bytes.Equal(a.AppHash, b.AppHash) &&
		bytes.Equal(a.LastResultsHash, b.LastResultsHash)
}
