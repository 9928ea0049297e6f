package bank

import "errors"

// Errors returned by the bank keeper. Callers branch on them with errors.Is.
var (
	ErrInsufficientFunds = errors.New("insufficient funds")
	ErrInvalidAmount     = errors.New("invalid amount")
	ErrInvalidDenom      = errors.New("invalid denomination")
	ErrInvalidAddress    = errors.New("invalid address")
	ErrOverflow          = errors.New("amount overflows")
	ErrInvalidGenesis    = errors.New("invalid bank genesis")
)
