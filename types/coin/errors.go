package coin

import "errors"

// Errors returned by the coin checks and parsers. Callers branch on them
// with errors.Is.
var (
	ErrInvalidAmount = errors.New("invalid amount")
	ErrInvalidDenom  = errors.New("invalid denomination")
)
