package equivocation

import "errors"

// Errors returned by DoubleVote and LightClientAttack, wrapped with
// context. Callers branch on them with errors.Is; every one of them means
// that the evidence proves nothing and must be rejected.
var (
	// ErrInvalidEvidence: the evidence, one of its votes or one of the
	// misbehaviour's headers is missing or malformed.
	ErrInvalidEvidence = errors.New("invalid equivocation evidence")
	// ErrNotConflicting: the two votes or headers are not an
	// equivocation: they differ in height, round, type or validator, or
	// they are for the same block.
	ErrNotConflicting = errors.New("evidence does not conflict")
	// ErrWrongChain: a header is of another chain than the one the
	// evidence is submitted for.
	ErrWrongChain = errors.New("evidence is of another chain")
	// ErrInvalidHeader: the infraction header that comes with a double
	// vote is missing, malformed, or its validator set is not the one its
	// validators hash commits to.
	ErrInvalidHeader = errors.New("invalid infraction header")
	// ErrWrongHeight: the infraction header is not at the height of the
	// votes.
	ErrWrongHeight = errors.New("infraction header is not at the height of the votes")
	// ErrUnknownValidator: the validator of the votes is not in the
	// infraction header's validator set.
	ErrUnknownValidator = errors.New("validator is not in the infraction header's validator set")
	// ErrUnsupportedKey: the validator's consensus key is not ed25519.
	ErrUnsupportedKey = errors.New("validator key is not ed25519")
	// ErrInvalidSignature: a vote or commit signature does not verify
	// with the validator's key over the chain id.
	ErrInvalidSignature = errors.New("invalid signature")
)
