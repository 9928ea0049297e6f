package packet

import (
	"errors"

	"github.com/abci-ics/ics/ibc/channel"
)

// Errors returned by the keeper. Callers branch on them with errors.Is; the
// application maps each to a stable ABCI code. Errors from the light client
// and from applications are wrapped too, so they unwrap to both.
var (
	// The errors of the checks packets share with the connection and
	// channel layers are those packages' values, re-exported so that
	// callers of this package branch on them without importing them.
	ErrUnauthorized           = channel.ErrUnauthorized
	ErrInvalidMessage         = channel.ErrInvalidMessage
	ErrInvalidIdentifier      = channel.ErrInvalidIdentifier
	ErrInvalidHeight          = channel.ErrInvalidHeight
	ErrClientNotActive        = channel.ErrClientNotActive
	ErrInvalidProof           = channel.ErrInvalidProof
	ErrConnectionNotFound     = channel.ErrConnectionNotFound
	ErrInvalidConnectionState = channel.ErrInvalidConnectionState
	ErrPortNotBound           = channel.ErrPortNotBound
	ErrChannelNotFound        = channel.ErrChannelNotFound
	ErrChannelClosed          = channel.ErrChannelClosed
	ErrInvalidChannelState    = channel.ErrInvalidChannelState
	ErrAppRejected            = channel.ErrAppRejected

	// ErrConsensusStateNotFound: the client has no consensus state at the
	// height asked for.
	ErrConsensusStateNotFound = errors.New("consensus state not found")

	// ErrInvalidPacket: a packet is malformed, does not belong to the
	// channel, or does not match the stored commitment.
	ErrInvalidPacket = errors.New("invalid packet")
	// ErrInvalidTimeout: a packet to send has neither a timeout height nor
	// a timeout timestamp.
	ErrInvalidTimeout = errors.New("packet needs a timeout height or timestamp")
	// ErrTimeoutElapsed: the packet's timeout has passed (on this chain for
	// a receive, on the counterparty's latest known state for a send).
	ErrTimeoutElapsed = errors.New("packet timeout elapsed")
	// ErrTimeoutNotReached: a timeout was submitted for a packet whose
	// timeout had not passed at the proof height.
	ErrTimeoutNotReached = errors.New("packet timeout not reached")
	// ErrPacketAlreadyReceived: the packet was received before; nothing is
	// done. It is also what a timeout of an ordered packet the counterparty
	// already received returns.
	ErrPacketAlreadyReceived = errors.New("packet already received")
	// ErrPacketOutOfOrder: an ordered channel got a packet or an
	// acknowledgement ahead of its turn.
	ErrPacketOutOfOrder = errors.New("packet out of order")
	// ErrPacketCommitmentNotFound: the packet was already acknowledged or
	// timed out, or was never sent.
	ErrPacketCommitmentNotFound = errors.New("packet commitment not found")
	// ErrInvalidAcknowledgement: an acknowledgement is empty, does not
	// decode as an ibc-go Acknowledgement, or is not in its canonical JSON
	// form.
	ErrInvalidAcknowledgement = errors.New("invalid acknowledgement")
)
