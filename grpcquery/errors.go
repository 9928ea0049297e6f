package grpcquery

import "errors"

// Errors of Handle.
var (
	// ErrUnknownMethod is returned for a method no registered service has.
	ErrUnknownMethod = errors.New("unknown gRPC query method")
	// ErrMalformedRequest is returned when the request bytes do not decode
	// as the method's request type.
	ErrMalformedRequest = errors.New("malformed gRPC query request")
	// ErrNoState is returned by StateFrom's callers when the context
	// carries no committed state (a bug of the caller).
	ErrNoState = errors.New("no committed state in the query context")
)
