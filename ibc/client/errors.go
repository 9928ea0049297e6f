package client

import "errors"

// Errors returned by the client keeper. Callers branch on them with
// errors.Is; some errors wrap two of them (an update of a frozen client
// returns an error that is both ErrClientNotActive and ErrClientFrozen).
var (
	ErrClientNotFound           = errors.New("client not found")
	ErrClientNotActive          = errors.New("client is not active")
	ErrClientFrozen             = errors.New("client is frozen")
	ErrClientExpired            = errors.New("client is expired")
	ErrInvalidClientState       = errors.New("invalid client state")
	ErrInvalidConsensusState    = errors.New("invalid consensus state")
	ErrConsensusStateNotFound   = errors.New("consensus state not found")
	ErrInvalidHeader            = errors.New("invalid header")
	ErrChainIDMismatch          = errors.New("header is from another chain")
	ErrInvalidHeaderHeight      = errors.New("invalid header height")
	ErrInvalidTrustedValidators = errors.New("trusted validators do not match the trusted consensus state")
	ErrTrustingPeriodExpired    = errors.New("trusted consensus state is past the trusting period")
	ErrHeaderInFuture           = errors.New("header time is too far in the future")
	ErrInsufficientTrust        = errors.New("too little trusted voting power signed the header")
	ErrInvalidMisbehaviour      = errors.New("invalid misbehaviour")
	ErrInvalidProofHeight       = errors.New("proof height is above the client's latest height")
	ErrUnauthorized             = errors.New("signer does not match the message")
)
