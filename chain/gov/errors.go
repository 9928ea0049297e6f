package gov

import "errors"

// Errors returned by the gov keeper. Callers branch on them with errors.Is.
var (
	ErrInvalidAddress    = errors.New("invalid address")
	ErrUnauthorized      = errors.New("signer is not the message's author")
	ErrUnknownProposal   = errors.New("unknown proposal")
	ErrInactiveProposal  = errors.New("proposal is not in the required period")
	ErrNoDeposit         = errors.New("proposal has no deposit")
	ErrInvalidDeposit    = errors.New("invalid deposit")
	ErrInvalidVote       = errors.New("invalid vote option")
	ErrInvalidProposal   = errors.New("invalid proposal")
	ErrUnknownContent    = errors.New("unknown proposal content type")
	ErrInvalidContent    = errors.New("invalid proposal content")
	ErrUnknownParamSpace = errors.New("unknown parameter module")
	ErrUnknownParam      = errors.New("unknown parameter key")
	ErrInvalidParams     = errors.New("invalid gov parameters")
	ErrInvalidGenesis    = errors.New("invalid gov genesis")
	ErrOverflow          = errors.New("amount overflows")
)
