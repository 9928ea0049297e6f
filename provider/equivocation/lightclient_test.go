package equivocation

import (
	"bytes"
	"errors"
	"slices"
	"testing"
	"time"

	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	cmttypes "github.com/cometbft/cometbft/types"
	ibctm "github.com/cosmos/ibc-go/v10/modules/light-clients/07-tendermint"
)

// overlapping returns two conflicting blocks at height 10 of testChain:
// the first by key(0) ... key(5), signed by key(0) ... key(4) with key(5)
// precommitting nil; the second (another app hash) by key(2) ... key(7),
// signed by key(3) ... key(7) with key(2) absent. Exactly key(3) and
// key(4) signed both blocks.
func overlapping() (block, block) {
	b1 := newBlock(setOf(keyRange(0, 6)...))
	b1.flags = func(i int) cmttypes.BlockIDFlag {
		if b1.vals.vals.Validators[i].Address.String() == key(5).PubKey().Address().String() {
			return cmttypes.BlockIDFlagNil
		}
		return cmttypes.BlockIDFlagCommit
	}
	b2 := newBlock(setOf(keyRange(2, 8)...))
	b2.appHash = hash32("fork")
	b2.flags = func(i int) cmttypes.BlockIDFlag {
		if b2.vals.vals.Validators[i].Address.String() == key(2).PubKey().Address().String() {
			return cmttypes.BlockIDFlagAbsent
		}
		return cmttypes.BlockIDFlagCommit
	}
	return b1, b2
}

// sorted returns the addresses sorted.
func sorted(as [][]byte) [][]byte {
	out := slices.Clone(as)
	slices.SortFunc(out, bytes.Compare)
	return out
}

func equalAddrs(a, b [][]byte) bool {
	return slices.EqualFunc(a, b, bytes.Equal)
}

// indexOf returns the index of key(k) in the block's validator set.
func indexOf(b block, k int) int {
	i, _ := b.vals.vals.GetByAddress(key(k).PubKey().Address())
	return int(i)
}

func TestLightClientAttack(t *testing.T) {
	same := newBlock(setOf(keyRange(0, 4)...))
	for _, tc := range []struct {
		name string
		mk   func() (block, block)
		want [][]byte
	}{
		{"overlapping sets: exactly the overlap", overlapping, sorted(addrs(key(3), key(4)))},
		{"headers in the other order", func() (block, block) { b1, b2 := overlapping(); return b2, b1 }, sorted(addrs(key(3), key(4)))},
		{"equivocation in one round: every common signer", func() (block, block) {
			b2 := same
			b2.data = hash32("other txs")
			return same, b2
		}, sorted(addrs(keyRange(0, 4)...))},
		{"one validator missing from one commit", func() (block, block) {
			b2 := same
			b2.data = hash32("other txs")
			b2.flags = func(i int) cmttypes.BlockIDFlag {
				if i == indexOf(same, 0) {
					return cmttypes.BlockIDFlagAbsent
				}
				return cmttypes.BlockIDFlagCommit
			}
			return same, b2
		}, sorted(addrs(keyRange(1, 4)...))},
		{"invalid transition in another round (lunatic)", func() (block, block) {
			b2 := same
			b2.round = 1
			b2.appHash = hash32("lunatic")
			return same, b2
		}, sorted(addrs(keyRange(0, 4)...))},
		{"same transition in another round (amnesia): nobody", func() (block, block) {
			b2 := same
			b2.round = 1
			b2.data = hash32("other txs")
			return same, b2
		}, nil},
		{"disjoint signers: nobody", func() (block, block) {
			b2 := newBlock(setOf(keyRange(10, 14)...))
			b2.appHash = hash32("fork")
			return same, b2
		}, nil},
		{"a forged signature of a validator that signed one block only is ignored", func() (block, block) {
			b1, b2 := overlapping()
			b2.forge = map[int]bool{indexOf(b2, 6): true}
			return b1, b2
		}, sorted(addrs(key(3), key(4)))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b1, b2 := tc.mk()
			got, err := LightClientAttack(&ibctm.Misbehaviour{Header1: b1.header(), Header2: b2.header()}, testChain)
			if err != nil {
				t.Fatal(err)
			}
			if !equalAddrs(got, tc.want) {
				t.Fatalf("got %X, want %X", got, tc.want)
			}
		})
	}
}

// TestLightClientAttackRejected breaks the overlapping fixture one rule at
// a time.
func TestLightClientAttackRejected(t *testing.T) {
	for _, tc := range []struct {
		name    string
		err     error
		chainID string // testChain if empty
		edit    func(b1, b2 *block)
		m       func(h1, h2 *ibctm.Header) *ibctm.Misbehaviour // Header1: h1, Header2: h2 if nil
	}{
		{name: "identical headers", err: ErrNotConflicting, m: func(h1, h2 *ibctm.Header) *ibctm.Misbehaviour {
			return &ibctm.Misbehaviour{Header1: h1, Header2: h1}
		}},
		{name: "the same block committed in two rounds", err: ErrNotConflicting, edit: func(b1, b2 *block) {
			*b2 = *b1
			b2.round = 1
		}},
		{name: "different heights", err: ErrNotConflicting, edit: func(b1, b2 *block) { b2.height = 11 }},
		{name: "header of another chain", err: ErrWrongChain, edit: func(b1, b2 *block) { b2.chainID = "consumer-2" }},
		{name: "evidence for another chain", err: ErrWrongChain, chainID: "consumer-2"},
		{name: "forged signature of a validator that signed both", err: ErrInvalidSignature, edit: func(b1, b2 *block) {
			b2.forge = map[int]bool{indexOf(*b2, 4): true}
		}},
		{name: "commit signature under another validator's address", err: ErrInvalidSignature, m: func(h1, h2 *ibctm.Header) *ibctm.Misbehaviour {
			// Swap the signatures of key(3) and key(4), who signed both
			// blocks, in the second commit: each now sits at the index
			// of the other.
			_, b2 := overlapping()
			sigs := h2.SignedHeader.Commit.Signatures
			i, j := indexOf(b2, 3), indexOf(b2, 4)
			sigs[i], sigs[j] = sigs[j], sigs[i]
			return &ibctm.Misbehaviour{Header1: h1, Header2: h2}
		}},
		{name: "commit of another header", err: ErrInvalidEvidence, m: func(h1, h2 *ibctm.Header) *ibctm.Misbehaviour {
			h2.SignedHeader.Header.AppHash = hash32("changed after signing")
			return &ibctm.Misbehaviour{Header1: h1, Header2: h2}
		}},
		{name: "validator set that is not the header's", err: ErrInvalidEvidence, m: func(h1, h2 *ibctm.Header) *ibctm.Misbehaviour {
			h2.ValidatorSet = h1.ValidatorSet
			return &ibctm.Misbehaviour{Header1: h1, Header2: h2}
		}},
		{name: "fewer commit signatures than validators", err: ErrInvalidEvidence, m: func(h1, h2 *ibctm.Header) *ibctm.Misbehaviour {
			h2.SignedHeader.Commit.Signatures = h2.SignedHeader.Commit.Signatures[:5]
			return &ibctm.Misbehaviour{Header1: h1, Header2: h2}
		}},
		{name: "commit signature time that cannot be encoded", err: ErrInvalidEvidence, m: func(h1, h2 *ibctm.Header) *ibctm.Misbehaviour {
			for i := range h2.SignedHeader.Commit.Signatures {
				if s := &h2.SignedHeader.Commit.Signatures[i]; s.BlockIdFlag == cmtproto.BlockIDFlagCommit {
					s.Timestamp = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
				}
			}
			return &ibctm.Misbehaviour{Header1: h1, Header2: h2}
		}},
		{name: "nil misbehaviour", err: ErrInvalidEvidence, m: func(h1, h2 *ibctm.Header) *ibctm.Misbehaviour { return nil }},
		{name: "no header 1", err: ErrInvalidEvidence, m: func(h1, h2 *ibctm.Header) *ibctm.Misbehaviour {
			return &ibctm.Misbehaviour{Header2: h2}
		}},
		{name: "no header 2", err: ErrInvalidEvidence, m: func(h1, h2 *ibctm.Header) *ibctm.Misbehaviour {
			return &ibctm.Misbehaviour{Header1: h1}
		}},
		{name: "no signed header", err: ErrInvalidEvidence, m: func(h1, h2 *ibctm.Header) *ibctm.Misbehaviour {
			h2.SignedHeader = nil
			return &ibctm.Misbehaviour{Header1: h1, Header2: h2}
		}},
		{name: "no header in the signed header", err: ErrInvalidEvidence, m: func(h1, h2 *ibctm.Header) *ibctm.Misbehaviour {
			h1.SignedHeader.Header = nil
			return &ibctm.Misbehaviour{Header1: h1, Header2: h2}
		}},
		{name: "no commit", err: ErrInvalidEvidence, m: func(h1, h2 *ibctm.Header) *ibctm.Misbehaviour {
			h2.SignedHeader.Commit = nil
			return &ibctm.Misbehaviour{Header1: h1, Header2: h2}
		}},
		{name: "no validator set", err: ErrInvalidEvidence, m: func(h1, h2 *ibctm.Header) *ibctm.Misbehaviour {
			h1.ValidatorSet = nil
			return &ibctm.Misbehaviour{Header1: h1, Header2: h2}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b1, b2 := overlapping()
			if tc.edit != nil {
				tc.edit(&b1, &b2)
			}
			h1, h2 := b1.header(), b2.header()
			m := &ibctm.Misbehaviour{Header1: h1, Header2: h2}
			if tc.m != nil {
				m = tc.m(h1, h2)
			}
			chainID := tc.chainID
			if chainID == "" {
				chainID = testChain
			}
			got, err := LightClientAttack(m, chainID)
			t.Log(err)
			if !errors.Is(err, tc.err) {
				t.Fatalf("got %v, want %v", err, tc.err)
			}
			if got != nil {
				t.Fatalf("rejected evidence named %X", got)
			}
		})
	}
}
