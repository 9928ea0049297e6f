// Package equivocation verifies evidence that validators of a consumer
// chain equivocated, so that the provider can punish them on the
// provider: slash, jail forever and tombstone (SPEC.md section 4). It is
// pure verification: it holds no state, reads no clock and never touches
// a store; it only says whether the evidence is sound and whom it names.
// Finding the consumer, checking that the evidence is not older than the
// consumer's current incarnation, mapping consumer addresses to provider
// validators (key assignment) and punishing exactly once are the
// caller's.
//
// # Double votes
//
// In CometBFT a validator signs at most one prevote and one precommit per
// height and round. Two votes of one validator at the same height, round
// and type for different block ids are a double vote, which no honest
// validator ever signs; the consumer's evidence pool collects them as
// DuplicateVoteEvidence. A double vote for nil and a block counts, as in
// CometBFT's own evidence verification.
//
// The consumer cannot be asked which key signed, so the evidence comes
// with the header of the infraction block and its validator set
// (MsgSubmitConsumerDoubleVoting). The caller verifies that header with
// its light client of the consumer (ibc/client Keeper.VerifyHeader), which
// proves that the validator set is the consumer's at that height.
// DoubleVote then checks, in order:
//
//   - both votes are present and well formed (VoteFromProto and
//     ValidateBasic: known type, positive height, complete or nil block
//     id, 20-byte address, a signature);
//   - same height, round, type and validator address, different block
//     ids;
//   - the header is of the consumer's chain id at the votes' height, and
//     its validator set hashes to its validators hash, so that the key
//     comes from the set the light client verified;
//   - the validator is in that set, with an ed25519 key whose address is
//     the votes' address;
//   - both signatures verify with that key over the consumer's chain id
//     (VoteSignBytes), so a vote from another chain does not count.
//
// It returns the consumer consensus address and the public key. The
// evidence's power and time fields and the votes' validator indexes and
// extensions are not checked: no signature covers them, so they prove
// nothing either way.
//
// # Light client attacks
//
// A light client attack is two headers of the consumer at one height,
// each committed to by enough validators for a light client to accept it
// (ibc-go's Misbehaviour; the caller verifies both against its client and
// freezes it with ibc/client Keeper.SubmitMisbehaviour). LightClientAttack
// names the validators whose signatures of both blocks appear in the two
// commits, verifying each of those signatures: a precommit for two
// blocks in one round is a double vote, and of two blocks whose state
// transitions differ (validators, next validators, consensus params, app
// hash, last results) one is invalid, which no honest validator signs.
//
// Two exceptions name no one. Headers at different heights (a BFT time
// violation) are rejected. Headers committed in different rounds with the
// same state transition are an amnesia attack: an honest validator that
// precommitted one block may see a polka for another in a later round and
// precommit that one too, so the result is empty.
//
// # Inputs
//
// Evidence comes from transactions, so every function takes anything,
// including nil fields, malformed keys and times that cannot be encoded,
// without panicking; errors are the sentinels of errors.go, wrapped with context.
package equivocation
