package lightverify

import (
	"crypto/sha256"
	"fmt"
	"testing"
	"time"

	"github.com/cometbft/cometbft/crypto"
	"github.com/cometbft/cometbft/crypto/ed25519"
	"github.com/cometbft/cometbft/crypto/secp256k1"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	cmtversion "github.com/cometbft/cometbft/proto/tendermint/version"
	"github.com/cometbft/cometbft/types"
	"github.com/cometbft/cometbft/version"
)

const chainID = "counterparty-1"

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func hash32(s string) []byte { h := sha256.Sum256([]byte(s)); return h[:] }

// edKey is a deterministic ed25519 key.
func edKey(tag string, i int) crypto.PrivKey {
	return ed25519.GenPrivKeyFromSecret(fmt.Appendf(nil, "%s/%d", tag, i))
}

// signers is a validator set with the private key of each validator, in
// set order.
type signers struct {
	vals *types.ValidatorSet
	keys []crypto.PrivKey
}

// newSigners makes a set of the validators with keys, power power(i) for
// the i-th key.
func newSigners(keys []crypto.PrivKey, power func(i int) int64) *signers {
	vs := make([]*types.Validator, len(keys))
	byAddr := map[string]crypto.PrivKey{}
	for i, k := range keys {
		vs[i] = types.NewValidator(k.PubKey(), power(i))
		byAddr[string(k.PubKey().Address())] = k
	}
	s := &signers{vals: types.NewValidatorSet(vs)}
	for _, v := range s.vals.Validators {
		s.keys = append(s.keys, byAddr[string(v.Address)])
	}
	return s
}

// edSigners makes n ed25519 validators of power 10.
func edSigners(tag string, n int) *signers {
	keys := make([]crypto.PrivKey, n)
	for i := range keys {
		keys[i] = edKey(tag, i)
	}
	return newSigners(keys, func(int) int64 { return 10 })
}

// mixedSigners makes a set of ed25519 and secp256k1 validators, which
// CometBFT does not batch-verify.
func mixedSigners() *signers {
	keys := []crypto.PrivKey{edKey("mixed", 0), edKey("mixed", 1), edKey("mixed", 2),
		secp256k1.GenPrivKeySecp256k1([]byte("mixed/3")), secp256k1.GenPrivKeySecp256k1([]byte("mixed/4"))}
	return newSigners(keys, func(int) int64 { return 10 })
}

// trustedHeader is the header the light client trusts: at height 5, at
// t0, with next validators next.
func trustedHeader(next *types.ValidatorSet) *types.SignedHeader {
	return &types.SignedHeader{Header: &types.Header{
		ChainID: chainID, Height: 5, Time: t0, NextValidatorsHash: next.Hash(),
	}}
}

// signedHeader returns a header at height of s's validators, n minutes
// after t0, signed by every validator (validator i at time + i ms).
func (s *signers) signedHeader(height int64) *types.SignedHeader {
	bt := t0.Add(time.Duration(height-5) * time.Minute)
	h := &types.Header{
		Version:            cmtversion.Consensus{Block: version.BlockProtocol},
		ChainID:            chainID,
		Height:             height,
		Time:               bt,
		LastBlockID:        types.BlockID{Hash: hash32("last"), PartSetHeader: types.PartSetHeader{Total: 1, Hash: hash32("lastparts")}},
		LastCommitHash:     hash32("lastcommit"),
		DataHash:           hash32("data"),
		ValidatorsHash:     s.vals.Hash(),
		NextValidatorsHash: s.vals.Hash(),
		ConsensusHash:      hash32("consensus"),
		AppHash:            hash32(fmt.Sprint("app", height)),
		LastResultsHash:    hash32("results"),
		EvidenceHash:       hash32("evidence"),
		ProposerAddress:    s.vals.Validators[0].Address,
	}
	blockID := types.BlockID{Hash: h.Hash(), PartSetHeader: types.PartSetHeader{Total: 1, Hash: hash32("parts")}}
	c := &types.Commit{Height: height, BlockID: blockID, Signatures: make([]types.CommitSig, len(s.keys))}
	for i, k := range s.keys {
		c.Signatures[i] = sign(k, c, i, bt.Add(time.Duration(i)*time.Millisecond))
	}
	return &types.SignedHeader{Header: h, Commit: c}
}

// sign returns the commit signature of key for c's block at index i.
func sign(key crypto.PrivKey, c *types.Commit, i int, t time.Time) types.CommitSig {
	vote := &types.Vote{
		Type: cmtproto.PrecommitType, Height: c.Height, BlockID: c.BlockID, Timestamp: t,
		ValidatorAddress: key.PubKey().Address(), ValidatorIndex: int32(i),
	}
	sig, err := key.Sign(types.VoteSignBytes(chainID, vote.ToProto()))
	if err != nil {
		panic(err)
	}
	vote.Signature = sig
	return vote.CommitSig()
}

// forge replaces the signature at index i with a real signature of the
// same vote by another key: well formed, and invalid.
func forge(c *types.Commit, i int) {
	cs := c.Signatures[i]
	forged := sign(edKey("impostor", i), c, i, cs.Timestamp)
	c.Signatures[i].Signature = forged.Signature
}

// cutoff returns the index of the signature that brings the tally of
// vals (in commit order, all signing) above the fraction num/den of the
// total power: the last signature CometBFT verifies.
func cutoff(vals *types.ValidatorSet, num, den int64) int {
	needed := vals.TotalVotingPower() * num / den
	var tally int64
	for i, v := range vals.Validators {
		if tally += v.VotingPower; tally > needed {
			return i
		}
	}
	return len(vals.Validators) - 1
}

// sameResult fails the test unless got and want are both nil or are
// errors of the same type with the same text.
func sameResult(t *testing.T, what string, got, want error) {
	t.Helper()
	switch {
	case got == nil && want == nil:
	case got == nil || want == nil:
		t.Fatalf("%s: got %v, CometBFT returns %v", what, got, want)
	case fmt.Sprintf("%T", got) != fmt.Sprintf("%T", want) || got.Error() != want.Error():
		t.Fatalf("%s: got %T %q, CometBFT returns %T %q", what, got, got, want, want)
	}
}
