package ibcgo

import "errors"

// Errors of the translation. The errors of the icsd handlers an ibc-go
// message runs through come back as those handlers return them.
var (
	// ErrInvalidMsg: the ibc-go message does not decode, or fails a check
	// ibc-go makes before reading state.
	ErrInvalidMsg = errors.New("invalid ibc-go message")
	// ErrInvalidSigner: the message's signer is not a bech32 address of
	// the chain's prefix.
	ErrInvalidSigner = errors.New("invalid ibc-go message signer")
	// ErrSignerMismatch: the message's signer did not sign the
	// transaction.
	ErrSignerMismatch = errors.New("ibc-go message signer is not the transaction signer")
	// ErrUnsupported: the message asks for something icsd does not
	// implement (a client type other than 07-tendermint, a connection delay
	// period, a packet encoding other than JSON).
	ErrUnsupported = errors.New("unsupported ibc-go message content")
)
