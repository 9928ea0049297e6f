// Package proof defines the app hash of the multistore and the proofs of
// keys against it, with no dependency on IAVL or on a database: it is what
// a verifier of icsd state (an IBC light client, a relayer, a test) needs,
// and package state builds on it.
//
// # App hash
//
// The app hash has the shape of the Cosmos SDK multistore's commit hash, so
// standard IBC light clients can verify the proofs: the CometBFT simple
// Merkle root (merkle.HashFromByteSlices) over the stores sorted by name,
// where each leaf is uvarint(len(name)) || name || uvarint(32) ||
// sha256(treeRootHash). An empty tree's root hash is sha256 of nothing.
// AppHash computes it.
//
// # Proofs
//
// A proof of a key in a store is two ICS-23 commitment proofs: an IAVL
// existence or non-existence proof of the key in the store's tree
// (ics23.IavlSpec), which state.View.Prove takes from the tree, and an
// existence proof of the tree's root hash under the store name in the app
// hash (ics23.TendermintSpec), which StoreRoot builds from the simple
// Merkle tree's aunts. VerifyMembership and VerifyNonMembership check such
// a pair; every failure, malformed input included, wraps ErrInvalid, and
// they never panic (the ics23 library's panics on some malformed proofs
// are turned into errors). Ops and FromOps convert the pair to and from
// CometBFT ProofOps ("ics23:iavl", "ics23:simple") for ABCI queries, as
// the Cosmos SDK does.
package proof
