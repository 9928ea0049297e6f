package provider

import (
	"errors"

	"github.com/abci-ics/ics/provider/registry"
	"github.com/abci-ics/ics/provider/vsc"
)

// Errors of the provider. Messages and proposals that fail wrap one of
// them; abci maps them to codes.
var (
	ErrInvalidParams      = errors.New("invalid provider params")
	ErrInvalidProposal    = errors.New("invalid consumer proposal")
	ErrConsumerExists     = registry.ErrConsumerExists    // package registry's value
	ErrConsumerNotFound   = registry.ErrConsumerNotFound  // package registry's value
	ErrInvalidConsumerKey = vsc.ErrInvalidConsumerKey     // package vsc's value
	ErrKeyInUse           = vsc.ErrKeyInUse               // package vsc's value
	ErrValidatorNotFound  = registry.ErrValidatorNotFound // package registry's value
	ErrInvalidEvidence    = errors.New("invalid consumer misbehaviour evidence")
	ErrAlreadyTombstoned  = errors.New("validator already tombstoned")
	ErrUnauthorized       = registry.ErrUnauthorized // package registry's value
	ErrInvalidHandshake   = errors.New("invalid CCV channel handshake")
	ErrInvalidPacket      = errors.New("invalid CCV packet")
	// ErrStaleEvidence: evidence from before the consumer's initial height
	// or older than the provider's unbonding period.
	ErrStaleEvidence   = errors.New("stale consumer misbehaviour evidence")
	ErrNotOwner        = registry.ErrNotOwner        // package registry's value
	ErrInvalidConsumer = registry.ErrInvalidConsumer // package registry's value
	ErrOptOutRefused   = registry.ErrOptOutRefused   // package registry's value
	ErrNotOptedIn      = registry.ErrNotOptedIn      // package registry's value
	// ErrEvidenceHandled: the validator was punished already for double
	// signing at that height of that consumer (a consumer whose double-sign
	// parameters do not tombstone).
	ErrEvidenceHandled = errors.New("consumer misbehaviour evidence already handled")
)
