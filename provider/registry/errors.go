package registry

import "errors"

// Errors of the registry; package provider re-exports them under the same
// names.
var (
	ErrConsumerExists    = errors.New("consumer chain id in use")
	ErrConsumerNotFound  = errors.New("consumer chain not found")
	ErrValidatorNotFound = errors.New("validator not found")
	ErrUnauthorized      = errors.New("signer is not the validator operator")
	ErrNotOwner          = errors.New("signer is not the consumer's owner")
	ErrInvalidConsumer   = errors.New("invalid consumer parameters")
	// ErrOptOutRefused: a top-N validator of a top-N consumer cannot opt out.
	ErrOptOutRefused = errors.New("opt-out refused")
	ErrNotOptedIn    = errors.New("validator is not opted in")
)
