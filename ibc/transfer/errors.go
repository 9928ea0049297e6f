package transfer

import (
	"errors"

	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"
)

// Errors returned by the transfer keeper. Callers branch on them with
// errors.Is; the application maps each to a stable ABCI code.
var (
	ErrInvalidPort        = errors.New("invalid port")
	ErrInvalidChannel     = errors.New("invalid channel")
	ErrInvalidOrder       = errors.New("transfer channels must be unordered")
	ErrInvalidVersion     = errors.New("invalid ICS20 version")
	ErrChannelNotFound    = errors.New("channel not found")
	ErrUnauthorized       = errors.New("signer is not the sender")
	ErrInvalidAddress     = errors.New("invalid address")
	ErrInvalidDenom       = errors.New("invalid denomination for cross-chain transfer")
	ErrInvalidAmount      = errors.New("invalid token amount")
	ErrInvalidMemo        = errors.New("invalid memo")
	ErrInvalidTimeout     = errors.New("invalid packet timeout")
	ErrSendDisabled       = errors.New("fungible token transfers from this chain are disabled")
	ErrReceiveDisabled    = errors.New("fungible token transfers to this chain are disabled")
	ErrInvalidPacketData  = errors.New("invalid fungible token packet data")
	ErrInsufficientEscrow = errors.New("escrow holds less than the packet releases")
	ErrOverflow           = errors.New("amount overflows")
	ErrInvalidGenesis     = errors.New("invalid transfer genesis")
)

// ackCode is an error that carries only an ABCI code. It is what an error
// acknowledgement is built from, so that the acknowledgement text depends on
// the code alone.
type ackCode uint32

func (c ackCode) Error() string    { return "error handling packet" }
func (c ackCode) ABCICode() uint32 { return uint32(c) }

// Codes of error acknowledgements. They are the codes ibc-go puts in its
// acknowledgement for the same failure, and part of the state layout (an
// acknowledgement's commitment is stored): they must never change.
const (
	ackCodeInternal     ackCode = 1  // anything else
	ackCodeInvalidDenom ackCode = 3  // transfer: invalid denomination
	ackCodeInvalid      ackCode = 5  // transfer: invalid amount; ibc: invalid address; sdk: insufficient funds
	ackCodeDisabled     ackCode = 8  // transfer: receive disabled
	ackCodeInvalidType  ackCode = 12 // ibc: invalid type (undecodable packet data)
)

// codeOf returns the acknowledgement code of a receive error.
func codeOf(err error) ackCode {
	switch {
	case errors.Is(err, ErrInvalidPacketData):
		return ackCodeInvalidType
	case errors.Is(err, ErrInvalidDenom):
		return ackCodeInvalidDenom
	case errors.Is(err, ErrInvalidAmount), errors.Is(err, ErrInvalidAddress), errors.Is(err, ErrInsufficientEscrow):
		return ackCodeInvalid
	case errors.Is(err, ErrReceiveDisabled):
		return ackCodeDisabled
	default:
		return ackCodeInternal
	}
}

// errorAck returns the error acknowledgement of a receive error. Its text
// depends only on the error's code.
func errorAck(err error) channeltypes.Acknowledgement {
	return channeltypes.NewErrorAcknowledgement(codeOf(err))
}

// successAck is the acknowledgement of a packet received successfully.
func successAck() channeltypes.Acknowledgement {
	return channeltypes.NewResultAcknowledgement([]byte{1})
}
