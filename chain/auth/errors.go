package auth

import "errors"

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
