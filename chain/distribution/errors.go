package distribution

import "errors"

// Errors returned by the distribution keeper. Callers branch on them with
// errors.Is.
var (
	ErrInvalidAddress   = errors.New("invalid address")
	ErrUnauthorized     = errors.New("signer is not the message's author")
	ErrNoDelegation     = errors.New("no delegation")
	ErrInvalidValidator = errors.New("invalid validator from staking")
	ErrInsufficientPool = errors.New("insufficient community pool")
	ErrUnknownParam     = errors.New("unknown parameter key")
	ErrInvalidParams    = errors.New("invalid distribution parameters")
	ErrInvalidGenesis   = errors.New("invalid distribution genesis")
	ErrOverflow         = errors.New("amount overflows")
	ErrBrokenInvariant  = errors.New("distribution invariant broken")
)
