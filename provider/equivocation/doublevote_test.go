package equivocation

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/cometbft/cometbft/crypto/secp256k1"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	cmttypes "github.com/cometbft/cometbft/types"
	ibctm "github.com/cosmos/ibc-go/v10/modules/light-clients/07-tendermint"
)

// dvFixture is a valid double vote of validator key(1) at height 10 of
// testChain, whose validators are key(0) ... key(3).
type dvFixture struct {
	vals   *signerSet
	a, b   vote
	header *ibctm.Header
}

func newDVFixture() *dvFixture {
	vals := setOf(keyRange(0, 4)...)
	return &dvFixture{
		vals:   vals,
		a:      precommit(key(1), "block-a"),
		b:      precommit(key(1), "block-b"),
		header: newBlock(vals).header(),
	}
}

func TestDoubleVoteAccepted(t *testing.T) {
	offender := key(1)
	for _, tc := range []struct {
		name string
		mk   func(f *dvFixture)
	}{
		{"precommits for two blocks", func(f *dvFixture) {}},
		{"votes in the other order", func(f *dvFixture) { f.a, f.b = f.b, f.a }},
		{"prevotes in round 2", func(f *dvFixture) {
			f.a.typ, f.b.typ = cmtproto.PrevoteType, cmtproto.PrevoteType
			f.a.round, f.b.round = 2, 2
		}},
		{"a block and nil", func(f *dvFixture) { f.b.block = cmttypes.BlockID{} }},
		{"two part set headers of one block hash", func(f *dvFixture) {
			f.b.block = blockID("block-a")
			f.b.block.PartSetHeader.Total = 2
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newDVFixture()
			tc.mk(f)
			addr, pub, err := DoubleVote(evidence(f.a, f.b), f.header, testChain)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(addr, offender.PubKey().Address()) || len(addr) != 20 {
				t.Fatalf("address %X, want %X", addr, offender.PubKey().Address())
			}
			if !bytes.Equal(pub, offender.PubKey().Bytes()) || len(pub) != 32 {
				t.Fatalf("public key %X, want %X", pub, offender.PubKey().Bytes())
			}
		})
	}
}

// TestDoubleVoteRejected breaks the valid fixture one rule at a time.
func TestDoubleVoteRejected(t *testing.T) {
	outsider := key(50)
	for _, tc := range []struct {
		name    string
		err     error
		chainID string                                             // testChain if empty
		mk      func(f *dvFixture) *cmtproto.DuplicateVoteEvidence // evidence(f.a, f.b) if nil
		edit    func(f *dvFixture)                                 // applied before mk
	}{
		{name: "nil evidence", err: ErrInvalidEvidence, mk: func(f *dvFixture) *cmtproto.DuplicateVoteEvidence { return nil }},
		{name: "no vote A", err: ErrInvalidEvidence, mk: func(f *dvFixture) *cmtproto.DuplicateVoteEvidence {
			return &cmtproto.DuplicateVoteEvidence{VoteB: f.b.sign()}
		}},
		{name: "no vote B", err: ErrInvalidEvidence, mk: func(f *dvFixture) *cmtproto.DuplicateVoteEvidence {
			return &cmtproto.DuplicateVoteEvidence{VoteA: f.a.sign()}
		}},
		{name: "same block id", err: ErrNotConflicting, edit: func(f *dvFixture) { f.b.block = f.a.block }},
		{name: "same block id, different timestamps", err: ErrNotConflicting, mk: func(f *dvFixture) *cmtproto.DuplicateVoteEvidence {
			f.b.block = f.a.block
			ev := evidence(f.a, f.b)
			ev.VoteB.Timestamp = t0.Add(time.Second)
			if err := cmttypes.NewMockPVWithParams(key(1), false, false).SignVote(testChain, ev.VoteB); err != nil {
				panic(err)
			}
			return ev
		}},
		{name: "different heights", err: ErrNotConflicting, edit: func(f *dvFixture) { f.b.height = 11 }},
		{name: "different rounds", err: ErrNotConflicting, edit: func(f *dvFixture) { f.b.round = 1 }},
		{name: "different types", err: ErrNotConflicting, edit: func(f *dvFixture) { f.b.typ = cmtproto.PrevoteType }},
		{name: "different validators", err: ErrNotConflicting, edit: func(f *dvFixture) { f.b.key = key(2) }},
		{name: "signed over another chain id", err: ErrInvalidSignature, edit: func(f *dvFixture) {
			f.a.chainID, f.b.chainID = "consumer-2", "consumer-2"
		}},
		{name: "vote B signed over a wrong chain id", err: ErrInvalidSignature, edit: func(f *dvFixture) { f.b.broken = true }},
		{name: "evidence of another chain submitted for it", err: ErrInvalidSignature, chainID: "consumer-2", mk: func(f *dvFixture) *cmtproto.DuplicateVoteEvidence {
			f.header = func() *ibctm.Header { b := newBlock(f.vals); b.chainID = "consumer-2"; return b.header() }()
			return evidence(f.a, f.b)
		}},
		{name: "tampered signature", err: ErrInvalidSignature, mk: func(f *dvFixture) *cmtproto.DuplicateVoteEvidence {
			ev := evidence(f.a, f.b)
			ev.VoteA.Signature[3] ^= 1
			return ev
		}},
		{name: "vote changed after signing", err: ErrInvalidSignature, mk: func(f *dvFixture) *cmtproto.DuplicateVoteEvidence {
			ev := evidence(f.a, f.b)
			ev.VoteB.Timestamp = ev.VoteB.Timestamp.Add(time.Second)
			return ev
		}},
		{name: "address of another validator on signed votes", err: ErrInvalidSignature, mk: func(f *dvFixture) *cmtproto.DuplicateVoteEvidence {
			f.a.key, f.b.key = outsider, outsider
			ev := evidence(f.a, f.b)
			ev.VoteA.ValidatorAddress = key(1).PubKey().Address()
			ev.VoteB.ValidatorAddress = key(1).PubKey().Address()
			return ev
		}},
		{name: "validator not in the header's set", err: ErrUnknownValidator, edit: func(f *dvFixture) { f.a.key, f.b.key = outsider, outsider }},
		{name: "header of another chain", err: ErrWrongChain, edit: func(f *dvFixture) {
			b := newBlock(f.vals)
			b.chainID = "consumer-2"
			f.header = b.header()
		}},
		{name: "evidence for another chain", err: ErrWrongChain, chainID: "consumer-2"},
		{name: "header at another height", err: ErrWrongHeight, edit: func(f *dvFixture) {
			b := newBlock(f.vals)
			b.height = 11
			f.header = b.header()
		}},
		{name: "validator set that is not the header's", err: ErrInvalidHeader, edit: func(f *dvFixture) {
			f.header.ValidatorSet = setOf(keyRange(1, 4)...).proto()
		}},
		{name: "validator set with a corrupt key", err: ErrInvalidHeader, edit: func(f *dvFixture) {
			f.header.ValidatorSet.Validators[0].PubKey.Sum = nil
		}},
		{name: "empty validator set", err: ErrInvalidHeader, edit: func(f *dvFixture) {
			f.header.ValidatorSet = &cmtproto.ValidatorSet{}
		}},
		{name: "nil header", err: ErrInvalidHeader, edit: func(f *dvFixture) { f.header = nil }},
		{name: "nil signed header", err: ErrInvalidHeader, edit: func(f *dvFixture) { f.header.SignedHeader = nil }},
		{name: "nil header in the signed header", err: ErrInvalidHeader, edit: func(f *dvFixture) { f.header.SignedHeader.Header = nil }},
		{name: "nil validator set", err: ErrInvalidHeader, edit: func(f *dvFixture) { f.header.ValidatorSet = nil }},
		{name: "secp256k1 validator", err: ErrUnsupportedKey, edit: func(f *dvFixture) {
			k := secp256k1.GenPrivKeySecp256k1([]byte("secp"))
			f.vals = setOf(append(keyRange(0, 3), k)...)
			f.header = newBlock(f.vals).header()
			f.a.key, f.b.key = k, k
		}},
		{name: "vote of an unknown type", err: ErrInvalidEvidence, mk: func(f *dvFixture) *cmtproto.DuplicateVoteEvidence {
			ev := evidence(f.a, f.b)
			ev.VoteA.Type, ev.VoteB.Type = cmtproto.ProposalType, cmtproto.ProposalType
			return ev
		}},
		{name: "vote at height 0", err: ErrInvalidEvidence, mk: func(f *dvFixture) *cmtproto.DuplicateVoteEvidence {
			ev := evidence(f.a, f.b)
			ev.VoteA.Height, ev.VoteB.Height = 0, 0
			return ev
		}},
		{name: "negative round", err: ErrInvalidEvidence, mk: func(f *dvFixture) *cmtproto.DuplicateVoteEvidence {
			ev := evidence(f.a, f.b)
			ev.VoteA.Round, ev.VoteB.Round = -1, -1
			return ev
		}},
		{name: "short address", err: ErrInvalidEvidence, mk: func(f *dvFixture) *cmtproto.DuplicateVoteEvidence {
			ev := evidence(f.a, f.b)
			ev.VoteB.ValidatorAddress = ev.VoteB.ValidatorAddress[:19]
			return ev
		}},
		{name: "no signature", err: ErrInvalidEvidence, mk: func(f *dvFixture) *cmtproto.DuplicateVoteEvidence {
			ev := evidence(f.a, f.b)
			ev.VoteB.Signature = nil
			return ev
		}},
		{name: "incomplete block id", err: ErrInvalidEvidence, mk: func(f *dvFixture) *cmtproto.DuplicateVoteEvidence {
			ev := evidence(f.a, f.b)
			ev.VoteB.BlockID.PartSetHeader = cmtproto.PartSetHeader{}
			return ev
		}},
		{name: "timestamp that cannot be encoded", err: ErrInvalidEvidence, mk: func(f *dvFixture) *cmtproto.DuplicateVoteEvidence {
			ev := evidence(f.a, f.b)
			ev.VoteA.Timestamp = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
			return ev
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newDVFixture()
			if tc.edit != nil {
				tc.edit(f)
			}
			var ev *cmtproto.DuplicateVoteEvidence
			if tc.mk != nil {
				ev = tc.mk(f)
			} else {
				ev = evidence(f.a, f.b)
			}
			chainID := tc.chainID
			if chainID == "" {
				chainID = testChain
			}
			addr, pub, err := DoubleVote(ev, f.header, chainID)
			t.Log(err)
			if !errors.Is(err, tc.err) {
				t.Fatalf("got %v, want %v", err, tc.err)
			}
			if addr != nil || pub != nil {
				t.Fatalf("rejected evidence returned %X, %X", addr, pub)
			}
		})
	}
}

// TestDoubleVoteResultsAreCopies checks that the results do not alias the
// caller's header, which the caller may reuse.
func TestDoubleVoteResultsAreCopies(t *testing.T) {
	f := newDVFixture()
	addr, pub, err := DoubleVote(evidence(f.a, f.b), f.header, testChain)
	if err != nil {
		t.Fatal(err)
	}
	want := bytes.Clone(addr)
	addr[0] ^= 0xff
	pub[0] ^= 0xff
	addr2, pub2, err := DoubleVote(evidence(f.a, f.b), f.header, testChain)
	if err != nil || !bytes.Equal(addr2, want) || !bytes.Equal(pub2, key(1).PubKey().Bytes()) {
		t.Fatalf("second call: %X %X %v", addr2, pub2, err)
	}
}
