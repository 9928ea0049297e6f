package bank

import (
	"errors"

	"github.com/abci-ics/ics/types/coin"
)

// Errors returned by the bank keeper. Callers branch on them with errors.Is.
var (
	ErrInsufficientFunds = errors.New("insufficient funds")
	ErrInvalidAmount     = coin.ErrInvalidAmount
	ErrInvalidDenom      = coin.ErrInvalidDenom
	ErrInvalidAddress    = errors.New("invalid address")
	ErrOverflow          = errors.New("amount overflows")
	ErrInvalidGenesis    = errors.New("invalid bank genesis")
)
