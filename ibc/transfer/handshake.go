package transfer

import (
	"fmt"

	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"

	"github.com/abci-ics/ics/state"
)

// checkChannel checks what every transfer channel end must be: unordered,
// on PortID, with a "channel-N" identifier (so that vouchers received on it
// are valid bank denominations).
func checkChannel(order channeltypes.Order, portID, channelID string) error {
	if order != channeltypes.UNORDERED {
		return fmt.Errorf("%w: got %s", ErrInvalidOrder, order)
	}
	if portID != PortID {
		return fmt.Errorf("%w: %q, want %q", ErrInvalidPort, portID, PortID)
	}
	if !isChannelID(channelID) {
		return fmt.Errorf("%w: %q is not channel-N", ErrInvalidChannel, channelID)
	}
	return nil
}

// OnChanOpenInit accepts opening an unordered channel on PortID with
// version Version; an empty version means Version. It returns the version.
// Errors: ErrInvalidOrder, ErrInvalidPort, ErrInvalidChannel,
// ErrInvalidVersion.
func (Keeper) OnChanOpenInit(s state.Store, order channeltypes.Order, connectionHops []string, portID, channelID string, counterparty channeltypes.Counterparty, version string) (string, error) {
	if err := checkChannel(order, portID, channelID); err != nil {
		return "", err
	}
	if version == "" {
		version = Version
	}
	if version != Version {
		return "", fmt.Errorf("%w: %q, want %q", ErrInvalidVersion, version, Version)
	}
	return version, nil
}

// OnChanOpenTry accepts the counterparty's proposal of an unordered channel
// with version Version on PortID and returns Version. Errors:
// ErrInvalidOrder, ErrInvalidPort, ErrInvalidChannel, ErrInvalidVersion.
func (Keeper) OnChanOpenTry(s state.Store, order channeltypes.Order, connectionHops []string, portID, channelID string, counterparty channeltypes.Counterparty, counterpartyVersion string) (string, error) {
	if err := checkChannel(order, portID, channelID); err != nil {
		return "", err
	}
	if counterpartyVersion != Version {
		return "", fmt.Errorf("%w: counterparty proposes %q, want %q", ErrInvalidVersion, counterpartyVersion, Version)
	}
	return Version, nil
}

// OnChanOpenAck accepts the counterparty's version when it is Version.
// Errors: ErrInvalidPort, ErrInvalidVersion.
func (Keeper) OnChanOpenAck(s state.Store, portID, channelID, counterpartyChannelID, counterpartyVersion string) error {
	if portID != PortID {
		return fmt.Errorf("%w: %q, want %q", ErrInvalidPort, portID, PortID)
	}
	if counterpartyVersion != Version {
		return fmt.Errorf("%w: counterparty has %q, want %q", ErrInvalidVersion, counterpartyVersion, Version)
	}
	return nil
}

// OnChanOpenConfirm accepts the last step of the handshake on PortID.
// Errors: ErrInvalidPort.
func (Keeper) OnChanOpenConfirm(s state.Store, portID, channelID string) error {
	if portID != PortID {
		return fmt.Errorf("%w: %q, want %q", ErrInvalidPort, portID, PortID)
	}
	return nil
}

// OnChanCloseConfirm accepts the closing of a channel by its counterparty.
// Escrowed tokens stay in the channel's escrow; packets in flight are
// still refunded by their timeouts.
func (Keeper) OnChanCloseConfirm(s state.Store, portID, channelID string) error {
	return nil
}
