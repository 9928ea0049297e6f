package auth

import (
	"errors"
	"fmt"
)

// Errors returned while decoding and checking transactions. The application
// maps each to a stable ABCI code.
var (
	ErrTxDecode         = errors.New("malformed transaction")
	ErrTxTooLarge       = errors.New("transaction too large")
	ErrInvalidSignature = errors.New("invalid signature")
	ErrWrongChainID     = errors.New("wrong chain id")
	ErrBadNonce         = errors.New("wrong nonce")
	ErrUnknownAccount   = errors.New("unknown account")
	ErrInsufficientFee  = errors.New("insufficient fee")
	ErrInvalidParams    = errors.New("invalid auth parameters")
	ErrInvalidGenesis   = errors.New("invalid auth genesis")
)

// SequenceError is the wrong nonce of an SDK transaction. It reads and
// codes as the SDK's ErrWrongSequence ("account sequence mismatch,
// expected N, got M: incorrect account sequence", codespace "sdk", code
// 32), the error stock relayers recognise and recover from by reading the
// account's sequence again. It wraps ErrBadNonce.
type SequenceError struct {
	Expected, Got uint64
}

func (e *SequenceError) Error() string {
	return fmt.Sprintf("account sequence mismatch, expected %d, got %d: incorrect account sequence", e.Expected, e.Got)
}

// Unwrap returns ErrBadNonce.
func (e *SequenceError) Unwrap() error { return ErrBadNonce }

// ABCICode returns the SDK's codespace and code of ErrWrongSequence; the
// ABCI application answers with them instead of its own.
func (e *SequenceError) ABCICode() (codespace string, code uint32) { return "sdk", 32 }
