package packet

import (
	"fmt"

	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"

	"github.com/abci-ics/ics/ibc/channel"
)

// MaxPacketDataLen bounds the data of a packet (ibc-go's limit).
const MaxPacketDataLen = channeltypes.MaximumPayloadsSize

// validatePacket checks what a packet must satisfy on every path: valid
// identifiers, a sequence, a timeout and bounded non-empty data.
func validatePacket(p channeltypes.Packet) error {
	for _, f := range []func() error{
		func() error { return channel.ValidatePort(p.SourcePort) },
		func() error { return channel.ValidateChannelID(p.SourceChannel) },
		func() error { return channel.ValidatePort(p.DestinationPort) },
		func() error { return channel.ValidateChannelID(p.DestinationChannel) },
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
