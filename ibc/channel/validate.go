package channel

import (
	"fmt"

	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"
	host "github.com/cosmos/ibc-go/v10/modules/core/24-host"
)

// MaxVersionLen bounds a channel version string.
const MaxVersionLen = 2048

func idError(kind, id string, err error) error {
	return fmt.Errorf("%w: %s %q: %v", ErrInvalidIdentifier, kind, id, err)
}

func validateConnectionID(id string) error {
	if err := host.ConnectionIdentifierValidator(id); err != nil {
		return idError("connection", id, err)
	}
	return nil
}

// ValidatePort checks a port identifier (ICS-024); errors wrap
// ErrInvalidIdentifier.
func ValidatePort(id string) error {
	if err := host.PortIdentifierValidator(id); err != nil {
		return idError("port", id, err)
	}
	return nil
}

// ValidateChannelID checks a channel identifier (ICS-024); errors wrap
// ErrInvalidIdentifier.
func ValidateChannelID(id string) error {
	if err := host.ChannelIdentifierValidator(id); err != nil {
		return idError("channel", id, err)
	}
	return nil
}

func validateOrder(o channeltypes.Order) error {
	if o != channeltypes.ORDERED && o != channeltypes.UNORDERED {
		return fmt.Errorf("%w: %s", ErrInvalidChannelOrdering, o)
	}
	return nil
}

func validateChannelVersion(v string) error {
	if len(v) > MaxVersionLen {
		return fmt.Errorf("%w: channel version of %d bytes, at most %d", ErrInvalidVersion, len(v), MaxVersionLen)
	}
	return nil
}
