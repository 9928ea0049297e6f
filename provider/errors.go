package provider

import (
	"errors"

	"github.com/abci-ics/ics/provider/vsc"
)

// Errors of the provider. Messages and proposals that fail wrap one of
// them; abci maps them to codes.
var (
	ErrInvalidParams      = errors.New("invalid provider params")
	ErrInvalidProposal    = errors.New("invalid consumer proposal")
	ErrConsumerExists     = errors.New("consumer chain id in use")
	ErrConsumerNotFound   = errors.New("consumer chain not found")
	ErrInvalidConsumerKey = vsc.ErrInvalidConsumerKey // package vsc's value
	ErrKeyInUse           = vsc.ErrKeyInUse           // package vsc's value
	ErrValidatorNotFound  = errors.New("validator not found")
	ErrInvalidEvidence    = errors.New("invalid consumer misbehaviour evidence")
	ErrAlreadyTombstoned  = errors.New("validator already tombstoned")
	ErrUnauthorized       = errors.New("signer is not the validator operator")
	ErrInvalidHandshake   = errors.New("invalid CCV channel handshake")
	ErrInvalidPacket      = errors.New("invalid CCV packet")
	// ErrStaleEvidence: evidence from before the consumer's initial height
	// or older than the provider's unbonding period.
	ErrStaleEvidence   = errors.New("stale consumer misbehaviour evidence")
	ErrNotOwner        = errors.New("signer is not the consumer's owner")
	ErrInvalidConsumer = errors.New("invalid consumer parameters")
	// ErrOptOutRefused: a top-N validator of a top-N consumer cannot opt out.
	ErrOptOutRefused = errors.New("opt-out refused")
	ErrNotOptedIn    = errors.New("validator is not opted in")
	// ErrEvidenceHandled: the validator was punished already for double
	// signing at that height of that consumer (a consumer whose double-sign
	// parameters do not tombstone).
	ErrEvidenceHandled = errors.New("consumer misbehaviour evidence already handled")
)
