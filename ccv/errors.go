package ccv

import "errors"

// ErrInvalidPacketData is wrapped by every error the decoders, Validate
// methods and ABCI conversions return. An ICS channel answers such a packet
// with an error acknowledgement, so callers branch on it with errors.Is.
var ErrInvalidPacketData = errors.New("invalid CCV packet data")
