package consumer

import (
	"errors"

	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"
)

// Errors returned by the consumer keeper. Callers branch on them with
// errors.Is; the application maps each to a stable ABCI code. Genesis
// errors wrap ccv.ErrInvalidGenesis.
var (
	ErrAlreadyInitialized       = errors.New("consumer already initialized")
	ErrInvalidOrder             = errors.New("the CCV channel must be ORDERED")
	ErrInvalidPort              = errors.New("invalid CCV port")
	ErrInvalidVersion           = errors.New("invalid CCV version")
	ErrInvalidConnectionHops    = errors.New("invalid connection hops for the CCV channel")
	ErrInvalidClient            = errors.New("CCV channel is not built on the provider client")
	ErrDuplicateChannel         = errors.New("CCV channel already exists")
	ErrInvalidChannelFlow       = errors.New("invalid message sent to channel end")
	ErrInvalidHandshakeMetadata = errors.New("invalid provider handshake metadata")
	ErrInvalidPacketData        = errors.New("invalid CCV packet data")
	ErrInvalidVSCID             = errors.New("invalid vscId for VSC packet")
)

// ackCode is an error that carries only an ABCI code. Error
// acknowledgements are built from it, so that their text depends on the
// code alone (ibc-go writes "ABCI code: N: error handling packet: ...").
type ackCode uint32

func (c ackCode) Error() string    { return "error handling packet" }
func (c ackCode) ABCICode() uint32 { return uint32(c) }

// Codes of error acknowledgements: the reference implementation's codes
// (codespace ccv) for the same failures. An acknowledgement's commitment is
// stored by the channel layer, so they must never change.
const (
	ackCodeInvalidPacketData  ackCode = 2  // ccv: invalid CCV packet data
	ackCodeInvalidChannelFlow ackCode = 5  // ccv: invalid message sent to channel end
	ackCodeInvalidVSCID       ackCode = 11 // ccv: invalid vscId for VSC packet
)

// codeOf returns the acknowledgement code of a receive error.
func codeOf(err error) ackCode {
	switch {
	case errors.Is(err, ErrInvalidVSCID):
		return ackCodeInvalidVSCID
	case errors.Is(err, ErrInvalidChannelFlow):
		return ackCodeInvalidChannelFlow
	default:
		return ackCodeInvalidPacketData
	}
}

// errorAck returns the error acknowledgement of a receive error. Its text
// depends only on the error's code.
func errorAck(err error) channeltypes.Acknowledgement {
	return channeltypes.NewErrorAcknowledgement(codeOf(err))
}
