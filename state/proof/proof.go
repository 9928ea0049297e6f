package proof

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"slices"

	"github.com/cometbft/cometbft/crypto/merkle"
	cmtcrypto "github.com/cometbft/cometbft/proto/tendermint/crypto"
	ics23 "github.com/cosmos/ics23/go"
)

// Proof operation types used in CometBFT ProofOps, as in the Cosmos SDK.
const (
	// OpIAVL is the ProofOp type of the IAVL (layer 1) proof.
	OpIAVL = "ics23:iavl"
	// OpSimple is the ProofOp type of the multistore (layer 2) proof.
	OpSimple = "ics23:simple"
)

// ErrInvalid is wrapped by every error that VerifyMembership,
// VerifyNonMembership and FromOps return for a proof that does not verify
// or cannot be decoded. Package state exports it as ErrInvalidProof.
var ErrInvalid = errors.New("state: invalid proof")

// storeLeaf returns the bytes of a store's leaf in the multistore Merkle
// tree: uvarint(len(name)) || name || uvarint(32) || sha256(root).
func storeLeaf(name string, root []byte) []byte {
	vh := sha256.Sum256(root)
	b := make([]byte, 0, 2*binary.MaxVarintLen64+len(name)+len(vh))
	b = binary.AppendUvarint(b, uint64(len(name)))
	b = append(b, name...)
	b = binary.AppendUvarint(b, uint64(len(vh)))
	return append(b, vh[:]...)
}

func storeLeaves(names []string, roots [][]byte) [][]byte {
	leaves := make([][]byte, len(names))
	for i, name := range names {
		leaves[i] = storeLeaf(name, roots[i])
	}
	return leaves
}

// AppHash returns the multistore root over the stores (names sorted, roots
// aligned with names): the CometBFT simple Merkle root of the store leaves,
// the same shape as the Cosmos SDK's commit info hash.
func AppHash(names []string, roots [][]byte) []byte {
	return merkle.HashFromByteSlices(storeLeaves(names, roots))
}

// Stored completes p0, the proof of key (with value, or absent when value
// is nil) in the tree of store, into the two-layer proof of it in appHash,
// the multistore of names with roots, and verifies it.
func Stored(appHash []byte, names []string, roots [][]byte, store string, key, value []byte, p0 *ics23.CommitmentProof) ([]*ics23.CommitmentProof, error) {
	p1, err := StoreRoot(names, roots, slices.Index(names, store))
	if err != nil {
		return nil, err
	}
	proofs := []*ics23.CommitmentProof{p0, p1}
	if value != nil {
		err = VerifyMembership(appHash, store, key, value, proofs)
	} else {
		err = VerifyNonMembership(appHash, store, key, proofs)
	}
	if err != nil {
		return nil, err
	}
	return proofs, nil
}

// StoreRoot returns the ICS-23 existence proof (TendermintSpec) of
// roots[i] under names[i] in AppHash(names, roots): the second layer of a
// proof of a key in the store names[i].
func StoreRoot(names []string, roots [][]byte, i int) (*ics23.CommitmentProof, error) {
	_, proofs := merkle.ProofsFromByteSlices(storeLeaves(names, roots))
	aunts := proofs[i].Aunts
	// Walk down from the root to find on which side the leaf is at each
	// level (the split point is the largest power of two below n).
	var isLeft []bool
	for index, total := i, len(names); total > 1; {
		k := 1 << (bits.Len(uint(total-1)) - 1)
		if index < k {
			isLeft = append(isLeft, true)
			total = k
		} else {
			isLeft = append(isLeft, false)
			index, total = index-k, total-k
		}
	}
	if len(isLeft) != len(aunts) {
		return nil, fmt.Errorf("state: store proof has %d aunts, want %d", len(aunts), len(isLeft))
	}
	path := make([]*ics23.InnerOp, len(aunts))
	for j, aunt := range aunts { // aunts are bottom-up, isLeft top-down
		op := &ics23.InnerOp{Hash: ics23.HashOp_SHA256}
		if isLeft[len(isLeft)-1-j] {
			op.Prefix = []byte{1}
			op.Suffix = bytes.Clone(aunt)
		} else {
			op.Prefix = append([]byte{1}, aunt...)
		}
		path[j] = op
	}
	return &ics23.CommitmentProof{Proof: &ics23.CommitmentProof_Exist{Exist: &ics23.ExistenceProof{
		Key:   []byte(names[i]),
		Value: bytes.Clone(roots[i]),
		Leaf: &ics23.LeafOp{
			Hash:         ics23.HashOp_SHA256,
			PrehashKey:   ics23.HashOp_NO_HASH,
			PrehashValue: ics23.HashOp_SHA256,
			Length:       ics23.LengthOp_VAR_PROTO,
			Prefix:       []byte{0},
		},
		Path: path,
	}}}, nil
}

// invalid wraps ErrInvalid with a description.
func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// recoverInvalid turns a panic inside proof handling (the ics23 library
// panics on some malformed proofs) into an ErrInvalid error.
func recoverInvalid(err *error) {
	if r := recover(); r != nil {
		*err = invalid("malformed proof: %v", r)
	}
}

// checkShape validates the arguments shared by both verifiers and returns
// the store-layer existence proof.
func checkShape(appHash []byte, store string, key []byte, proofs []*ics23.CommitmentProof) (*ics23.ExistenceProof, error) {
	switch {
	case len(appHash) == 0:
		return nil, invalid("empty app hash")
	case store == "":
		return nil, invalid("empty store name")
	case len(key) == 0:
		return nil, invalid("empty key")
	case len(proofs) != 2:
		return nil, invalid("want 2 proofs (iavl, multistore), got %d", len(proofs))
	case proofs[0] == nil || proofs[1] == nil:
		return nil, invalid("nil proof")
	}
	ex := proofs[1].GetExist()
	if ex == nil {
		return nil, invalid("multistore proof is not an existence proof")
	}
	return ex, nil
}

// verifyStoreRoot checks that root is the root of store in appHash.
func verifyStoreRoot(appHash []byte, store string, root []byte, p *ics23.ExistenceProof) error {
	if err := p.Verify(ics23.TendermintSpec, appHash, []byte(store), root); err != nil {
		return invalid("store %q root %X not in app hash %X: %v", store, root, appHash, err)
	}
	return nil
}

// VerifyMembership checks that proofs (as returned by state.View.Prove)
// prove that key has value in store under appHash: the IAVL existence proof with
// ics23.IavlSpec, then the store root with ics23.TendermintSpec. It returns
// an error wrapping ErrInvalid on any mismatch or malformed input.
func VerifyMembership(appHash []byte, store string, key, value []byte, proofs []*ics23.CommitmentProof) (err error) {
	defer recoverInvalid(&err)
	sp, err := checkShape(appHash, store, key, proofs)
	if err != nil {
		return err
	}
	if value == nil {
		return invalid("nil value (use VerifyNonMembership for absence)")
	}
	ex := proofs[0].GetExist()
	if ex == nil {
		return invalid("iavl proof is not an existence proof")
	}
	root, err := ex.Calculate()
	if err != nil {
		return invalid("iavl proof: %v", err)
	}
	if err := ex.Verify(ics23.IavlSpec, root, key, value); err != nil {
		return invalid("key %X in store %q: %v", key, store, err)
	}
	return verifyStoreRoot(appHash, store, root, sp)
}

// VerifyNonMembership checks that proofs (as returned by state.View.Prove for an
// absent key) prove that key is absent from store under appHash. It returns
// an error wrapping ErrInvalid on any mismatch or malformed input.
func VerifyNonMembership(appHash []byte, store string, key []byte, proofs []*ics23.CommitmentProof) (err error) {
	defer recoverInvalid(&err)
	sp, err := checkShape(appHash, store, key, proofs)
	if err != nil {
		return err
	}
	ne := proofs[0].GetNonexist()
	if ne == nil {
		return invalid("iavl proof is not a non-existence proof")
	}
	root, err := ne.Calculate()
	if err != nil {
		return invalid("iavl proof: %v", err)
	}
	if err := ne.Verify(ics23.IavlSpec, root, key); err != nil {
		return invalid("absence of key %X in store %q: %v", key, store, err)
	}
	return verifyStoreRoot(appHash, store, root, sp)
}

// Ops encodes proofs (as returned by state.View.Prove) as CometBFT ProofOps:
// op 0 has type "ics23:iavl" and Key=key, op 1 has type "ics23:simple" and
// Key=store; each Data is the marshalled CommitmentProof.
func Ops(store string, key []byte, proofs []*ics23.CommitmentProof) (*cmtcrypto.ProofOps, error) {
	if len(proofs) != 2 || proofs[0] == nil || proofs[1] == nil {
		return nil, fmt.Errorf("state: ProofOps needs 2 non-nil proofs, got %d", len(proofs))
	}
	ops := &cmtcrypto.ProofOps{Ops: make([]cmtcrypto.ProofOp, 2)}
	for i, p := range proofs {
		data, err := p.Marshal()
		if err != nil {
			return nil, fmt.Errorf("state: marshalling proof %d: %w", i, err)
		}
		ops.Ops[i].Data = data
	}
	ops.Ops[0].Type, ops.Ops[0].Key = OpIAVL, bytes.Clone(key)
	ops.Ops[1].Type, ops.Ops[1].Key = OpSimple, []byte(store)
	return ops, nil
}

// FromOps decodes ProofOps produced by Ops back into the store name, key
// and proofs. It returns an error wrapping ErrInvalid for malformed ops.
func FromOps(ops *cmtcrypto.ProofOps) (store string, key []byte, proofs []*ics23.CommitmentProof, err error) {
	defer recoverInvalid(&err)
	if ops == nil || len(ops.Ops) != 2 {
		return "", nil, nil, invalid("want 2 proof ops")
	}
	want := [2]string{OpIAVL, OpSimple}
	proofs = make([]*ics23.CommitmentProof, 2)
	for i, op := range ops.Ops {
		if op.Type != want[i] {
			return "", nil, nil, invalid("proof op %d has type %q, want %q", i, op.Type, want[i])
		}
		if len(op.Key) == 0 {
			return "", nil, nil, invalid("proof op %d has an empty key", i)
		}
		p := new(ics23.CommitmentProof)
		if err := p.Unmarshal(op.Data); err != nil {
			return "", nil, nil, invalid("proof op %d: %v", i, err)
		}
		if p.Proof == nil {
			return "", nil, nil, invalid("proof op %d is empty", i)
		}
		proofs[i] = p
	}
	return string(ops.Ops[1].Key), bytes.Clone(ops.Ops[0].Key), proofs, nil
}
