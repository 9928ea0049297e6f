package proof

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"testing"

	"github.com/cometbft/cometbft/crypto/merkle"
	cmtcrypto "github.com/cometbft/cometbft/proto/tendermint/crypto"
	ics23 "github.com/cosmos/ics23/go"
)

// TestStoreProofAllPositions checks the multistore layer for every store
// position with 1..8 stores, and the app hash against an independent
// computation of the SDK's leaf encoding.
func TestStoreProofAllPositions(t *testing.T) {
	for n := 1; n <= 8; n++ {
		names := make([]string, n)
		roots := make([][]byte, n)
		leaves := make([][]byte, n)
		for i := range n {
			names[i] = fmt.Sprintf("store%d", i)
			r := sha256.Sum256([]byte(names[i]))
			roots[i] = r[:]
			vh := sha256.Sum256(roots[i])
			leaf := append([]byte{byte(len(names[i]))}, names[i]...)
			leaf = append(leaf, 32)
			leaves[i] = append(leaf, vh[:]...)
		}
		hash := AppHash(names, roots)
		if want := merkle.HashFromByteSlices(leaves); !bytes.Equal(hash, want) {
			t.Fatalf("n=%d: app hash %X, want %X", n, hash, want)
		}
		for i := range n {
			p, err := StoreRoot(names, roots, i)
			if err != nil {
				t.Fatal(err)
			}
			ex := p.GetExist()
			if err := verifyStoreRoot(hash, names[i], roots[i], ex); err != nil {
				t.Fatalf("n=%d i=%d: %v", n, i, err)
			}
			if !ics23.VerifyMembership(ics23.TendermintSpec, hash, p, []byte(names[i]), roots[i]) {
				t.Fatalf("n=%d i=%d: ics23.VerifyMembership failed", n, i)
			}
			if n > 1 {
				other := (i + 1) % n
				if verifyStoreRoot(hash, names[other], roots[i], ex) == nil {
					t.Fatalf("n=%d i=%d: proof verifies for another store", n, i)
				}
			}
		}
	}
}

func TestProofOpsMalformed(t *testing.T) {
	good := cmtcrypto.ProofOp{Type: OpIAVL, Key: []byte("k")}
	p := &ics23.CommitmentProof{Proof: &ics23.CommitmentProof_Exist{Exist: &ics23.ExistenceProof{Key: []byte("k")}}}
	data, _ := p.Marshal()
	good.Data = data
	simple := cmtcrypto.ProofOp{Type: OpSimple, Key: []byte("bank"), Data: data}
	cases := []struct {
		name string
		ops  *cmtcrypto.ProofOps
	}{
		{"nil", nil},
		{"no ops", &cmtcrypto.ProofOps{}},
		{"one op", &cmtcrypto.ProofOps{Ops: []cmtcrypto.ProofOp{good}}},
		{"three ops", &cmtcrypto.ProofOps{Ops: []cmtcrypto.ProofOp{good, simple, simple}}},
		{"wrong types", &cmtcrypto.ProofOps{Ops: []cmtcrypto.ProofOp{simple, good}}},
		{"empty store", &cmtcrypto.ProofOps{Ops: []cmtcrypto.ProofOp{good, {Type: OpSimple, Data: data}}}},
		{"garbage data", &cmtcrypto.ProofOps{Ops: []cmtcrypto.ProofOp{{Type: OpIAVL, Key: []byte("k"), Data: []byte{0xff, 0xff, 0xff}}, simple}}},
		{"empty data", &cmtcrypto.ProofOps{Ops: []cmtcrypto.ProofOp{{Type: OpIAVL, Key: []byte("k")}, simple}}},
	}
	for _, tc := range cases {
		if _, _, _, err := FromOps(tc.ops); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: got %v, want ErrInvalid", tc.name, err)
		}
	}
	if _, err := Ops("bank", []byte("k"), []*ics23.CommitmentProof{p}); err == nil {
		t.Error("Ops with one proof accepted")
	}
}

func TestStorePath(t *testing.T) {
	if name, ok := ParseStorePath(StorePath("ibc")); !ok || name != "ibc" {
		t.Fatalf("round trip: %q %v", name, ok)
	}
	for _, p := range []string{"/store/", "/store//key", "/store/a/b/key", "/stores/ibc/key", "/store/ibc", "/ibc/channels"} {
		if name, ok := ParseStorePath(p); ok {
			t.Errorf("%q parsed as store %q", p, name)
		}
	}
}
