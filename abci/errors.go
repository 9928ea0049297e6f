package abci

import (
	"errors"

	"github.com/abci-ics/ics/chain/address"
	"github.com/abci-ics/ics/chain/auth"
	"github.com/abci-ics/ics/chain/bank"
)

// Codespace names this application's codes in ABCI responses.
const Codespace = "icsd"

// Errors of the application itself.
var (
	ErrUnknownMessage = errors.New("unknown message type")
	ErrUnknownQuery   = errors.New("unknown query path")
	ErrNotStarted     = errors.New("chain has not committed a block yet")
	ErrInvalidGenesis = errors.New("invalid genesis")
	ErrInvalidQuery   = errors.New("invalid query")
)

// CodeInternal is the code of an error that is not in the table.
const CodeInternal uint32 = 1

// codes maps errors to ABCI codes. The codes are part of the interface and
// never change; new errors get new numbers.
var codes = []struct {
	err  error
	code uint32
}{
	{auth.ErrTxDecode, 2},
	{auth.ErrTxTooLarge, 3},
	{auth.ErrInvalidSignature, 4},
	{auth.ErrWrongChainID, 5},
	{auth.ErrBadNonce, 6},
	{auth.ErrUnknownAccount, 7},
	{auth.ErrInsufficientFee, 8},
	{bank.ErrInsufficientFunds, 9},
	{bank.ErrInvalidAmount, 10},
	{bank.ErrInvalidDenom, 11},
	{bank.ErrInvalidAddress, 12},
	{address.ErrInvalid, 12},
	{bank.ErrOverflow, 13},
	{ErrUnknownMessage, 14},
	{ErrUnknownQuery, 15},
	{ErrNotStarted, 16},
	{ErrInvalidQuery, 17},
	{ErrInvalidGenesis, 18},
}

// Code returns the ABCI code of err: 0 for nil, the table's code for a
// known error (the first match wins), CodeInternal otherwise.
func Code(err error) uint32 {
	if err == nil {
		return 0
	}
	for _, c := range codes {
		if errors.Is(err, c.err) {
			return c.code
		}
	}
	return CodeInternal
}
