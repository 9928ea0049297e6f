package equivocation

import (
	"crypto/sha256"
	"fmt"
	"time"

	"github.com/cometbft/cometbft/crypto"
	"github.com/cometbft/cometbft/crypto/ed25519"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	cmtversion "github.com/cometbft/cometbft/proto/tendermint/version"
	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/cometbft/cometbft/version"
	ibctm "github.com/cosmos/ibc-go/v10/modules/light-clients/07-tendermint"
)

const testChain = "consumer-1"

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func hash32(s string) []byte { h := sha256.Sum256([]byte(s)); return h[:] }

// key returns a deterministic ed25519 key, so failures reproduce.
func key(i int) crypto.PrivKey {
	return ed25519.GenPrivKeyFromSecret(fmt.Appendf(nil, "equivocation/%d", i))
}

// signerSet is a validator set with the private keys of its validators.
type signerSet struct {
	vals *cmttypes.ValidatorSet
	keys map[string]crypto.PrivKey // by address
}

// setOf makes a set of the given keys, each of power 10.
func setOf(keys ...crypto.PrivKey) *signerSet {
	ss := &signerSet{keys: map[string]crypto.PrivKey{}}
	vals := make([]*cmttypes.Validator, len(keys))
	for i, k := range keys {
		vals[i] = cmttypes.NewValidator(k.PubKey(), 10)
		ss.keys[string(k.PubKey().Address())] = k
	}
	ss.vals = cmttypes.NewValidatorSet(vals)
	return ss
}

// keyRange returns the keys key(from) ... key(to-1).
func keyRange(from, to int) []crypto.PrivKey {
	var out []crypto.PrivKey
	for i := from; i < to; i++ {
		out = append(out, key(i))
	}
	return out
}

func (ss *signerSet) proto() *cmtproto.ValidatorSet {
	p, err := ss.vals.ToProto()
	if err != nil {
		panic(err)
	}
	return p
}

func blockID(tag string) cmttypes.BlockID {
	return cmttypes.BlockID{Hash: hash32(tag), PartSetHeader: cmttypes.PartSetHeader{Total: 1, Hash: hash32(tag + "/parts")}}
}

// vote is an unsigned vote to sign with signVote.
type vote struct {
	key     crypto.PrivKey
	height  int64
	round   int32
	typ     cmtproto.SignedMsgType
	block   cmttypes.BlockID
	chainID string // signed over testChain if empty
	broken  bool   // sign with a MockPV that signs over a wrong chain id
}

// sign signs the vote with a CometBFT MockPV, as a validator's node would.
func (v vote) sign() *cmtproto.Vote {
	chainID := v.chainID
	if chainID == "" {
		chainID = testChain
	}
	pv := &cmtproto.Vote{
		Type:             v.typ,
		Height:           v.height,
		Round:            v.round,
		BlockID:          v.block.ToProto(),
		Timestamp:        t0,
		ValidatorAddress: v.key.PubKey().Address(),
		ValidatorIndex:   0,
	}
	if err := cmttypes.NewMockPVWithParams(v.key, false, v.broken).SignVote(chainID, pv); err != nil {
		panic(err)
	}
	return pv
}

// precommit is a precommit of key at height 10, round 0 for block tag.
func precommit(k crypto.PrivKey, tag string) vote {
	return vote{key: k, height: 10, typ: cmtproto.PrecommitType, block: blockID(tag)}
}

// evidence pairs two signed votes.
func evidence(a, b vote) *cmtproto.DuplicateVoteEvidence {
	return &cmtproto.DuplicateVoteEvidence{VoteA: a.sign(), VoteB: b.sign(), TotalVotingPower: 40, ValidatorPower: 10, Timestamp: t0}
}

// block describes a header to build and sign.
type block struct {
	chainID string
	height  int64
	round   int32
	appHash []byte
	data    []byte // the data hash: blocks that differ only here have the same state transition
	vals    *signerSet
	// flags selects, by validator index, how each validator appears in
	// the commit; all sign the block if nil.
	flags func(i int) cmttypes.BlockIDFlag
	// forge lists validator indexes whose commit signature is made by
	// another key.
	forge map[int]bool
}

func newBlock(vals *signerSet) block {
	return block{chainID: testChain, height: 10, appHash: hash32("app"), data: hash32("data"), vals: vals}
}

// header builds, signs and wraps the block as an ibc-go header.
func (b block) header() *ibctm.Header {
	h := &cmttypes.Header{
		Version:            cmtversion.Consensus{Block: version.BlockProtocol},
		ChainID:            b.chainID,
		Height:             b.height,
		Time:               t0,
		LastBlockID:        blockID("last"),
		LastCommitHash:     hash32("lastcommit"),
		DataHash:           b.data,
		ValidatorsHash:     b.vals.vals.Hash(),
		NextValidatorsHash: b.vals.vals.Hash(),
		ConsensusHash:      hash32("consensus"),
		AppHash:            b.appHash,
		LastResultsHash:    hash32("results"),
		EvidenceHash:       hash32("evidence"),
		ProposerAddress:    b.vals.vals.Validators[0].Address,
	}
	id := cmttypes.BlockID{Hash: h.Hash(), PartSetHeader: cmttypes.PartSetHeader{Total: 1, Hash: hash32("parts")}}
	sigs := make([]cmttypes.CommitSig, b.vals.vals.Size())
	for i, v := range b.vals.vals.Validators {
		flag := cmttypes.BlockIDFlagCommit
		if b.flags != nil {
			flag = b.flags(i)
		}
		if flag == cmttypes.BlockIDFlagAbsent {
			sigs[i] = cmttypes.NewCommitSigAbsent()
			continue
		}
		vt := &cmttypes.Vote{
			Type:             cmtproto.PrecommitType,
			Height:           b.height,
			Round:            b.round,
			BlockID:          id,
			Timestamp:        t0.Add(time.Second),
			ValidatorAddress: v.Address,
			ValidatorIndex:   int32(i),
		}
		if flag == cmttypes.BlockIDFlagNil {
			vt.BlockID = cmttypes.BlockID{}
		}
		k := b.vals.keys[string(v.Address)]
		if b.forge[i] {
			k = key(999)
		}
		sig, err := k.Sign(cmttypes.VoteSignBytes(b.chainID, vt.ToProto()))
		if err != nil {
			panic(err)
		}
		vt.Signature = sig
		sigs[i] = vt.CommitSig()
	}
	sh := &cmttypes.SignedHeader{Header: h, Commit: &cmttypes.Commit{Height: b.height, Round: b.round, BlockID: id, Signatures: sigs}}
	return &ibctm.Header{SignedHeader: sh.ToProto(), ValidatorSet: b.vals.proto()}
}

// addrs returns the addresses of the keys.
func addrs(keys ...crypto.PrivKey) [][]byte {
	out := make([][]byte, len(keys))
	for i, k := range keys {
		out[i] = k.PubKey().Address()
	}
	return out
}
