package shares

import "errors"

// Errors returned by the share arithmetic. Callers branch on them with
// errors.Is; the application maps each to a stable ABCI code (the codes
// staking had for them before the arithmetic was its own package).
var (
	ErrOverflow               = errors.New("amount overflows")
	ErrInsufficientDelegation = errors.New("amount exceeds the delegation")
	ErrDelegationTooSmall     = errors.New("amount too small to buy a share")
	ErrInvalidExchangeRate    = errors.New("validator has shares but no tokens")
)
