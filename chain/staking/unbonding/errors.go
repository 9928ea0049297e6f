package unbonding

import "errors"

// Errors returned by the queue. Callers branch on them with errors.Is; the
// application maps each to a stable ABCI code (the codes staking had for
// them before the queue was its own package).
var (
	ErrNotFound      = errors.New("unbonding entry not found")
	ErrInvalidHolder = errors.New("invalid holder")
)
