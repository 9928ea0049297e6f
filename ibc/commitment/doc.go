// Package commitment holds the chain's IBC state commitments: the ICS-24
// paths under which IBC state is stored and the ICS-23 proofs that let a
// counterparty check that state.
//
// All IBC state lives in one store of the multistore, named "ibc"
// (StoreName). Its keys are the ICS-24 path strings, such as
// "clients/07-tendermint-0/clientState" or
// "commitments/ports/transfer/channels/channel-0/sequences/1", built by
// ibc-go's 24-host functions; the helpers in paths.go return them as
// strings. The commitment prefix a counterparty uses for this chain is
// "ibc" (Prefix), the store name, as on a Cosmos SDK chain.
//
// A proof is the gogoproto encoding of an ibc-go MerkleProof with two
// ICS-23 commitment proofs, in the order a Cosmos SDK chain produces them:
//
//  1. the IAVL proof that the path has the value (an existence proof) or
//     has no value (a non-existence proof) in the "ibc" store's tree,
//     checked with ics23.IavlSpec;
//  2. the proof that the "ibc" store's tree root is in the app hash under
//     the key "ibc", checked with ics23.TendermintSpec.
//
// So a proof made here verifies on any ibc-go chain with the SDK proof
// specs and the prefix "ibc", and VerifyMembership and VerifyNonMembership
// accept proofs made by a Cosmos SDK chain for its "ibc" store. The root a
// proof is checked against is the app hash that the chain's header at the
// next height commits to, which a light client holds in the consensus
// state's Root.Hash.
//
// Prove reads a committed version through a state.View; the verifiers are
// pure functions. Verification never panics: malformed proof bytes yield an
// error wrapping ErrInvalidProof.
package commitment
