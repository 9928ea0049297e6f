package channel

import (
	"errors"

	"github.com/abci-ics/ics/ibc/connection"
)

// Errors returned by the keeper. Callers branch on them with errors.Is; the
// application maps each to a stable ABCI code. Errors from the light client
// and from applications are wrapped too, so they unwrap to both.
var (
	// The errors of the checks channels share with the connection
	// handshake are package connection's values, re-exported so that
	// callers of this package branch on them without importing it.
	ErrUnauthorized           = connection.ErrUnauthorized
	ErrInvalidMessage         = connection.ErrInvalidMessage
	ErrInvalidIdentifier      = connection.ErrInvalidIdentifier
	ErrInvalidHeight          = connection.ErrInvalidHeight
	ErrClientNotActive        = connection.ErrClientNotActive
	ErrInvalidProof           = connection.ErrInvalidProof
	ErrConnectionNotFound     = connection.ErrConnectionNotFound
	ErrInvalidConnectionState = connection.ErrInvalidConnectionState
	ErrInvalidCounterparty    = connection.ErrInvalidCounterparty
	ErrInvalidVersion         = connection.ErrInvalidVersion

	// ErrPortNotBound: no application is bound to the port.
	ErrPortNotBound = errors.New("port not bound")
	// ErrInvalidConnectionHops: a channel does not have exactly one hop.
	ErrInvalidConnectionHops = errors.New("channel must have exactly one connection hop")
	// ErrInvalidChannelOrdering: neither ORDERED nor UNORDERED, or not
	// supported by the connection.
	ErrInvalidChannelOrdering = errors.New("invalid channel ordering")
	// ErrChannelNotFound: no channel end with that port and id.
	ErrChannelNotFound = errors.New("channel not found")
	// ErrChannelClosed: the channel end is CLOSED.
	ErrChannelClosed = errors.New("channel is closed")
	// ErrInvalidChannelState: the channel end is in the wrong state for the
	// step (other than CLOSED, which is ErrChannelClosed).
	ErrInvalidChannelState = errors.New("invalid channel state")
	// ErrCloseRefused: the application bound to the port does not let a
	// transaction close the channel.
	ErrCloseRefused = errors.New("application refuses to close the channel")
	// ErrAppRejected: an application callback returned an error.
	ErrAppRejected = errors.New("application rejected the step")
)
