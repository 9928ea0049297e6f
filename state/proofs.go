package state

import (
	cmtcrypto "github.com/cometbft/cometbft/proto/tendermint/crypto"
	ics23 "github.com/cosmos/ics23/go"

	"github.com/abci-ics/ics/state/proof"
)

// The proof format and its verification live in package proof; these
// names keep working for the callers written before it.

// Proof operation types of ProofOps: proof.OpIAVL and proof.OpSimple.
const (
	ProofOpIAVL   = proof.OpIAVL
	ProofOpSimple = proof.OpSimple
)

// VerifyMembership calls proof.VerifyMembership.
func VerifyMembership(appHash []byte, store string, key, value []byte, proofs []*ics23.CommitmentProof) error {
	return proof.VerifyMembership(appHash, store, key, value, proofs)
}

// VerifyNonMembership calls proof.VerifyNonMembership.
func VerifyNonMembership(appHash []byte, store string, key []byte, proofs []*ics23.CommitmentProof) error {
	return proof.VerifyNonMembership(appHash, store, key, proofs)
}

// ProofOps calls proof.Ops.
func ProofOps(store string, key []byte, proofs []*ics23.CommitmentProof) (*cmtcrypto.ProofOps, error) {
	return proof.Ops(store, key, proofs)
}

// ProofsFromOps calls proof.FromOps.
func ProofsFromOps(ops *cmtcrypto.ProofOps) (string, []byte, []*ics23.CommitmentProof, error) {
	return proof.FromOps(ops)
}
