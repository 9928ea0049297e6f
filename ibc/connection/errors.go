package connection

import "errors"

// Errors returned by the keeper. Callers branch on them with errors.Is; the
// application maps each to a stable ABCI code. Package channel returns the
// same values (it re-exports them under the same names) for the checks it
// shares with the connection handshake: signers, identifiers, proofs,
// client status, connection state, counterparties and versions. Errors
// from the light client are wrapped, so they unwrap to both.
var (
	// ErrUnauthorized: the transaction signer is not the message's signer.
	ErrUnauthorized = errors.New("signer does not match the message signer")
	// ErrInvalidMessage: a message or an IBC value in it does not decode.
	ErrInvalidMessage = errors.New("malformed IBC message")
	// ErrInvalidIdentifier: a client, connection, port or channel id is not
	// a valid ICS-24 identifier.
	ErrInvalidIdentifier = errors.New("invalid identifier")
	// ErrInvalidHeight: a proof height is zero.
	ErrInvalidHeight = errors.New("invalid proof height")
	// ErrClientNotActive: the light client is frozen, expired or unknown.
	ErrClientNotActive = errors.New("light client is not active")
	// ErrInvalidProof: a proof of counterparty state does not verify.
	ErrInvalidProof = errors.New("invalid proof of counterparty state")

	// ErrConnectionNotFound: no connection end with that id.
	ErrConnectionNotFound = errors.New("connection not found")
	// ErrInvalidConnectionState: the connection end is in the wrong state
	// for the step.
	ErrInvalidConnectionState = errors.New("invalid connection state")
	// ErrInvalidCounterparty: the counterparty of a connection or channel
	// is malformed (for instance a prefix other than "ibc").
	ErrInvalidCounterparty = errors.New("invalid counterparty")
	// ErrInvalidVersion: connection version negotiation failed or a
	// version is malformed or too long.
	ErrInvalidVersion = errors.New("invalid version")
)
