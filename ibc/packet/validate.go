package packet

import (
	"fmt"

	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"
	host "github.com/cosmos/ibc-go/v10/modules/core/24-host"
)

// MaxPacketDataLen bounds the data of a packet (ibc-go's limit).
const MaxPacketDataLen = channeltypes.MaximumPayloadsSize

func idError(kind, id string, err error) error {
	return fmt.Errorf("%w: %s %q: %v", ErrInvalidIdentifier, kind, id, err)
}

func validatePort(id string) error {
	if err := host.PortIdentifierValidator(id); err != nil {
		return idError("port", id, err)
	}
	return nil
}

func validateChannelID(id string) error {
	if err := host.ChannelIdentifierValidator(id); err != nil {
		return idError("channel", id, err)
	}
	return nil
}

// validatePacket checks what a packet must satisfy on every path: valid
// identifiers, a sequence, a timeout and bounded non-empty data.
func validatePacket(p channeltypes.Packet) error {
	for _, f := range []func() error{
		func() error { return validatePort(p.SourcePort) },
		func() error { return validateChannelID(p.SourceChannel) },
		func() error { return validatePort(p.DestinationPort) },
		func() error { return validateChannelID(p.DestinationChannel) },
	} {
		if err := f(); err != nil {
			return fmt.Errorf("%w: %w", ErrInvalidPacket, err)
		}
	}
	switch {
	case p.Sequence == 0:
		return fmt.Errorf("%w: sequence 0", ErrInvalidPacket)
	case p.TimeoutHeight.IsZero() && p.TimeoutTimestamp == 0:
		return fmt.Errorf("%w: %w", ErrInvalidPacket, ErrInvalidTimeout)
	case len(p.Data) == 0:
		return fmt.Errorf("%w: empty data", ErrInvalidPacket)
	case len(p.Data) > MaxPacketDataLen:
		return fmt.Errorf("%w: %d bytes of data, at most %d", ErrInvalidPacket, len(p.Data), MaxPacketDataLen)
	}
	return nil
}
