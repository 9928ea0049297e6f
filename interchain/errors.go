package interchain

import "errors"

// Errors of the layer itself; the keepers below it define their own.
var (
	// ErrUnknownMsg: HandleMsg was given a message type the layer does not
	// handle.
	ErrUnknownMsg = errors.New("message type not handled by the interchain layer")
	// ErrMsgDecode: the message bytes do not decode as their type.
	ErrMsgDecode = errors.New("message does not decode")
	// ErrUnknownQuery: Query was given a path the layer does not answer.
	ErrUnknownQuery = errors.New("unknown interchain query path")
	// ErrInvalidQuery: a query path the layer answers, with a bad argument.
	ErrInvalidQuery = errors.New("invalid interchain query")
	// ErrInvalidGenesis: a genesis part of the layer does not validate.
	ErrInvalidGenesis = errors.New("invalid interchain genesis")
)

// ErrInvalidRelayTx: a relay transaction that does not decode, is too
// large, or carries a message it may not.
var ErrInvalidRelayTx = errors.New("invalid relay transaction")
