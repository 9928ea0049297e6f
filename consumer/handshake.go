package consumer

import (
	"fmt"

	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"

	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/state"
)

// OnChanOpenInit accepts the consumer's opening of the CCV channel: ORDERED,
// from port ccv.ConsumerPortID to ccv.ProviderPortID, over one connection
// whose client is the provider client, with version "" or ccv.Version. It
// records the channel as being opened and returns ccv.Version. Only one
// CCV channel is ever set up: a second one, established or being opened,
// is refused, and so is any after the consumer stopped. Errors:
// ErrInvalidOrder, ErrInvalidPort, ErrInvalidVersion,
// ErrInvalidConnectionHops, ErrInvalidClient, ErrDuplicateChannel.
func (k Keeper) OnChanOpenInit(s state.Store, order channeltypes.Order, connectionHops []string, portID, channelID string, counterparty channeltypes.Counterparty, version string) (string, error) {
	if order != channeltypes.ORDERED {
		return "", fmt.Errorf("%w: got %s", ErrInvalidOrder, order)
	}
	if portID != ccv.ConsumerPortID {
		return "", fmt.Errorf("%w: %q, want %q", ErrInvalidPort, portID, ccv.ConsumerPortID)
	}
	if counterparty.PortId != ccv.ProviderPortID {
		return "", fmt.Errorf("%w: counterparty port %q, want %q", ErrInvalidPort, counterparty.PortId, ccv.ProviderPortID)
	}
	if version != "" && version != ccv.Version {
		return "", fmt.Errorf("%w: %q, want %q", ErrInvalidVersion, version, ccv.Version)
	}
	if len(connectionHops) != 1 {
		return "", fmt.Errorf("%w: got %d, want 1", ErrInvalidConnectionHops, len(connectionHops))
	}
	provider, ok := k.ProviderClientID(s)
	if !ok {
		return "", fmt.Errorf("%w: consumer not initialized", ErrInvalidClient)
	}
	conn, ok := k.Channels.Connection(s, connectionHops[0])
	if !ok || conn.ClientId != provider {
		return "", fmt.Errorf("%w: connection %q is on client %q, want %q", ErrInvalidClient, connectionHops[0], conn.ClientId, provider)
	}
	if err := k.checkNoChannel(s); err != nil {
		return "", err
	}
	setString(s, keyOpeningChannel, channelID)
	return ccv.Version, nil
}

// checkNoChannel returns ErrDuplicateChannel if a CCV channel is
// established, being opened, or was closed.
func (k Keeper) checkNoChannel(s state.Store) error {
	if ch, ok := k.ProviderChannel(s); ok {
		return fmt.Errorf("%w: %q is established", ErrDuplicateChannel, ch)
	}
	if ch, ok := getString(s, keyOpeningChannel); ok {
		return fmt.Errorf("%w: %q is being opened", ErrDuplicateChannel, ch)
	}
	if k.Stopped(s) {
		return fmt.Errorf("%w: the consumer stopped", ErrDuplicateChannel)
	}
	return nil
}

// OnChanOpenTry always refuses: the consumer opens the CCV channel, it
// never answers. Errors: ErrInvalidChannelFlow.
func (Keeper) OnChanOpenTry(s state.Store, order channeltypes.Order, connectionHops []string, portID, channelID string, counterparty channeltypes.Counterparty, counterpartyVersion string) (string, error) {
	return "", fmt.Errorf("%w: the consumer does not accept channel openings", ErrInvalidChannelFlow)
}

// OnChanOpenAck completes the handshake of the channel being opened. The
// provider's version is its ccv.HandshakeMetadata: its version must be
// ccv.Version, and its fee pool address is stored. The channel becomes the
// provider channel. Errors: ErrInvalidPort, ErrDuplicateChannel (not the
// channel being opened), ErrInvalidHandshakeMetadata, ErrInvalidVersion.
func (k Keeper) OnChanOpenAck(s state.Store, portID, channelID, counterpartyChannelID, counterpartyVersion string) error {
	if portID != ccv.ConsumerPortID {
		return fmt.Errorf("%w: %q, want %q", ErrInvalidPort, portID, ccv.ConsumerPortID)
	}
	if ch, ok := k.ProviderChannel(s); ok {
		return fmt.Errorf("%w: %q is established", ErrDuplicateChannel, ch)
	}
	if opening, ok := getString(s, keyOpeningChannel); !ok || opening != channelID {
		return fmt.Errorf("%w: %q is not the channel being opened (%q)", ErrDuplicateChannel, channelID, opening)
	}
	md, err := ccv.DecodeHandshakeMetadata([]byte(counterpartyVersion))
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidHandshakeMetadata, err)
	}
	if md.Version != ccv.Version {
		return fmt.Errorf("%w: provider has %q, want %q", ErrInvalidVersion, md.Version, ccv.Version)
	}
	kv(s).Delete([]byte{keyOpeningChannel})
	setString(s, keyProviderChannel, channelID)
	setString(s, keyFeePoolAddr, md.ProviderFeePoolAddr)
	k.log().Info("CCV channel established", "channel_id", channelID, "counterparty_channel_id", counterpartyChannelID)
	return nil
}

// OnChanOpenConfirm always refuses: the consumer never answers a
// handshake, so it never confirms one. Errors: ErrInvalidChannelFlow.
func (Keeper) OnChanOpenConfirm(s state.Store, portID, channelID string) error {
	return fmt.Errorf("%w: the consumer does not confirm channel openings", ErrInvalidChannelFlow)
}

// OnChanCloseConfirm accepts the provider's closing of a channel. Closing
// the CCV channel stops the consumer; closing the channel being opened
// lets a new one be opened.
func (k Keeper) OnChanCloseConfirm(s state.Store, portID, channelID string) error {
	if ch, ok := k.ProviderChannel(s); ok && ch == channelID && portID == ccv.ConsumerPortID {
		k.stop(s, "CCV channel closed by the provider")
	}
	if ch, ok := getString(s, keyOpeningChannel); ok && ch == channelID && portID == ccv.ConsumerPortID {
		kv(s).Delete([]byte{keyOpeningChannel})
	}
	return nil
}

// stop marks the consumer stopped.
func (k Keeper) stop(s state.Store, reason string) {
	if !k.Stopped(s) {
		kv(s).Set([]byte{keyStopped}, marker)
		k.log().Error("consumer stopped", "reason", reason)
	}
}
