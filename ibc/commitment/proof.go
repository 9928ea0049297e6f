package commitment

import (
	"bytes"
	"errors"
	"fmt"

	cmtcrypto "github.com/cometbft/cometbft/proto/tendermint/crypto"
	commitmenttypes "github.com/cosmos/ibc-go/v10/modules/core/23-commitment/types"
	ics23 "github.com/cosmos/ics23/go"

	"github.com/abci-ics/ics/state"
	stateproof "github.com/abci-ics/ics/state/proof"
)

// Prove returns the value stored under path in the "ibc" store of the
// view's version (nil if absent) and the encoded MerkleProof of that value,
// or of its absence, against the view's app hash.
//
// It returns ErrInvalidPath for an empty path and an error wrapping
// ErrUnprovable when the state cannot be proven, for instance when the IBC
// store is still empty.
func Prove(v *state.View, path string) (value []byte, proof []byte, err error) {
	if path == "" {
		return nil, nil, fmt.Errorf("%w: empty path", ErrInvalidPath)
	}
	value, proofs, err := v.Prove(StoreName, []byte(path))
	if err != nil {
		if errors.Is(err, state.ErrUnprovable) {
			return nil, nil, fmt.Errorf("%w: %q at version %d: %w", ErrUnprovable, path, v.Version(), err)
		}
		return nil, nil, fmt.Errorf("prove %q at version %d: %w", path, v.Version(), err)
	}
	proof, err = EncodeProof(proofs)
	if err != nil {
		return nil, nil, err
	}
	return value, proof, nil
}

// EncodeProof encodes the two-layer proofs of state.View.Prove as a
// MerkleProof.
func EncodeProof(proofs []*ics23.CommitmentProof) ([]byte, error) {
	if len(proofs) != 2 || proofs[0] == nil || proofs[1] == nil {
		return nil, fmt.Errorf("%w: want 2 non-nil proofs, got %d", ErrInvalidProof, len(proofs))
	}
	mp := commitmenttypes.MerkleProof{Proofs: proofs}
	bz, err := mp.Marshal()
	if err != nil {
		return nil, fmt.Errorf("%w: encoding: %v", ErrInvalidProof, err)
	}
	return bz, nil
}

// DecodeProof decodes a MerkleProof made by Prove (or by a Cosmos SDK
// chain) into its two ICS-23 proofs. It returns an error wrapping
// ErrInvalidProof for anything else.
func DecodeProof(proof []byte) (proofs []*ics23.CommitmentProof, err error) {
	defer func() {
		if r := recover(); r != nil {
			proofs, err = nil, fmt.Errorf("%w: malformed proof: %v", ErrInvalidProof, r)
		}
	}()
	if len(proof) == 0 {
		return nil, fmt.Errorf("%w: empty proof", ErrInvalidProof)
	}
	var mp commitmenttypes.MerkleProof
	if err := mp.Unmarshal(proof); err != nil {
		return nil, fmt.Errorf("%w: decoding: %v", ErrInvalidProof, err)
	}
	if len(mp.Proofs) != 2 {
		return nil, fmt.Errorf("%w: want 2 proofs (iavl, multistore), got %d", ErrInvalidProof, len(mp.Proofs))
	}
	for i, p := range mp.Proofs {
		if p == nil || p.Proof == nil {
			return nil, fmt.Errorf("%w: proof %d is empty", ErrInvalidProof, i)
		}
	}
	return mp.Proofs, nil
}

// ProofFromOps converts the ProofOps that an abci_query with prove=true
// returns for path in the "ibc" store into an encoded MerkleProof. It
// returns an error wrapping ErrInvalidProof when the ops are malformed or
// prove another store or key.
func ProofFromOps(ops *cmtcrypto.ProofOps, path string) ([]byte, error) {
	store, key, proofs, err := stateproof.FromOps(ops)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidProof, err)
	}
	if store != StoreName || !bytes.Equal(key, []byte(path)) {
		return nil, fmt.Errorf("%w: ops prove %q in store %q, want %q in %q", ErrInvalidProof, key, store, path, StoreName)
	}
	return EncodeProof(proofs)
}

// checkArgs validates what both verifiers share.
func checkArgs(root []byte, path string) error {
	if path == "" {
		return fmt.Errorf("%w: empty path", ErrInvalidPath)
	}
	if len(root) == 0 {
		return fmt.Errorf("%w: empty root", ErrInvalidProof)
	}
	return nil
}

// VerifyMembership checks that proof (an encoded MerkleProof) proves that
// path has value in the "ibc" store of the state whose app hash is root.
// It returns ErrInvalidPath for an empty path and an error wrapping
// ErrInvalidProof for an empty value and any other failure.
func VerifyMembership(root []byte, proof []byte, path string, value []byte) error {
	if err := checkArgs(root, path); err != nil {
		return err
	}
	if len(value) == 0 {
		return fmt.Errorf("%w: empty value in a membership proof", ErrInvalidProof)
	}
	proofs, err := DecodeProof(proof)
	if err != nil {
		return err
	}
	if err := stateproof.VerifyMembership(root, StoreName, []byte(path), value, proofs); err != nil {
		return fmt.Errorf("%w: %q: %w", ErrInvalidProof, path, err)
	}
	return nil
}

// VerifyNonMembership checks that proof (an encoded MerkleProof) proves
// that path has no value in the "ibc" store of the state whose app hash is
// root. It returns ErrInvalidPath for an empty path and an error wrapping
// ErrInvalidProof for any other failure.
func VerifyNonMembership(root []byte, proof []byte, path string) error {
	if err := checkArgs(root, path); err != nil {
		return err
	}
	proofs, err := DecodeProof(proof)
	if err != nil {
		return err
	}
	// ICS-23 does not bind the key recorded in a non-existence proof to the
	// key being checked; requiring them to be equal makes the proof bytes
	// canonical. Proofs made by IAVL always record the key.
	if ne := proofs[0].GetNonexist(); ne != nil && !bytes.Equal(ne.Key, []byte(path)) {
		return fmt.Errorf("%w: non-existence proof is for key %q, not %q", ErrInvalidProof, ne.Key, path)
	}
	if err := stateproof.VerifyNonMembership(root, StoreName, []byte(path), proofs); err != nil {
		return fmt.Errorf("%w: absence of %q: %w", ErrInvalidProof, path, err)
	}
	return nil
}
