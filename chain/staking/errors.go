package staking

import "errors"

// Errors returned by the staking keeper. Callers branch on them with
// errors.Is; the application maps each to a stable ABCI code.
var (
	ErrInvalidParams          = errors.New("invalid staking parameters")
	ErrInvalidGenesis         = errors.New("invalid staking genesis")
	ErrInvalidAddress         = errors.New("invalid address")
	ErrUnauthorized           = errors.New("signer is not the delegator or operator")
	ErrZeroAmount             = errors.New("amount must be positive")
	ErrInsufficientFunds      = errors.New("insufficient funds")
	ErrValidatorNotFound      = errors.New("validator not found")
	ErrValidatorExists        = errors.New("validator already exists")
	ErrInvalidPubKey          = errors.New("invalid consensus public key")
	ErrDuplicateConsKey       = errors.New("consensus key already used by a validator")
	ErrConsKeyReserved        = errors.New("consensus key is reserved")
	ErrInvalidMoniker         = errors.New("invalid moniker")
	ErrInvalidCommission      = errors.New("invalid commission")
	ErrSelfDelegationTooLow   = errors.New("self-delegation below minimum")
	ErrDelegationNotFound     = errors.New("delegation not found")
	ErrTooManyEntries         = errors.New("too many unbonding entries")
	ErrSelfRedelegation       = errors.New("cannot redelegate to the same validator")
	ErrTransitiveRedelegation = errors.New("redelegation from a validator with an incoming redelegation still maturing")
	ErrNotJailed              = errors.New("validator is not jailed")
	ErrJailPeriodNotOver      = errors.New("validator still jailed")
	ErrTombstoned             = errors.New("validator is tombstoned")
	ErrInvalidSlash           = errors.New("invalid slash")
)
