package provider

import (
	"errors"
	"fmt"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"

	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/ibc/channel"
	"github.com/abci-ics/ics/provider/registry"
	"github.com/abci-ics/ics/state"
)

// The fixed texts of the error acknowledgements the provider writes: an
// error acknowledgement is destructive on the CCV channel, and every chain
// must write the same bytes.
var (
	errAckUnknownChannel = errors.New("ccv: packet on a channel of no running consumer")
	errAckInvalidData    = errors.New("ccv: invalid consumer packet data")
	errAckInvalidSlash   = errors.New("ccv: invalid slash packet")
)

func errorAck(err error) channeltypes.Acknowledgement {
	return channeltypes.NewErrorAcknowledgement(err)
}

var _ channel.App = (*Keeper)(nil)

// OnChanOpenInit refuses: the consumer opens the CCV channel.
func (*Keeper) OnChanOpenInit(state.Store, channeltypes.Order, []string, string, string, channeltypes.Counterparty, string) (string, error) {
	return "", fmt.Errorf("%w: the provider does not initiate CCV channels", ErrInvalidHandshake)
}

// OnChanOpenTry accepts the CCV channel of a launched consumer: ORDERED,
// from port ccv.ConsumerPortID, version ccv.Version, over a connection on
// the client the provider created for that consumer, which has no channel
// yet. It returns the handshake metadata (the fee pool address and the
// version) as the channel version.
func (k *Keeper) OnChanOpenTry(s state.Store, order channeltypes.Order, hops []string, portID, channelID string, cp channeltypes.Counterparty, counterpartyVersion string) (string, error) {
	switch {
	case order != channeltypes.ORDERED:
		return "", fmt.Errorf("%w: order %s, want ORDERED", ErrInvalidHandshake, order)
	case portID != ccv.ProviderPortID || cp.PortId != ccv.ConsumerPortID:
		return "", fmt.Errorf("%w: ports %s/%s, want %s/%s", ErrInvalidHandshake, portID, cp.PortId, ccv.ProviderPortID, ccv.ConsumerPortID)
	case counterpartyVersion != ccv.Version:
		return "", fmt.Errorf("%w: version %q, want %q", ErrInvalidHandshake, counterpartyVersion, ccv.Version)
	case len(hops) != 1:
		return "", fmt.Errorf("%w: %d connection hops, want 1", ErrInvalidHandshake, len(hops))
	}
	conn, ok := k.Channels.Connection(s, hops[0])
	clientID := conn.ClientId
	if !ok {
		return "", fmt.Errorf("%w: unknown connection %s", ErrInvalidHandshake, hops[0])
	}
	consumerID := kv(s).Get(ClientKey(clientID))
	if consumerID == nil {
		return "", fmt.Errorf("%w: client %s is not the client of a consumer", ErrInvalidHandshake, clientID)
	}
	c, ok := k.Consumer(s, string(consumerID))
	if !ok || c.Phase != registry.PHASE_LAUNCHED || c.ChannelId != "" {
		return "", fmt.Errorf("%w: consumer %s already has a CCV channel or is not launched", ErrInvalidHandshake, consumerID)
	}
	c.ChannelId = channelID
	registry.Set(s, c)
	kv(s).Set(ChannelKey(channelID), []byte(c.ConsumerId))
	return string(ccv.HandshakeMetadata{ProviderFeePoolAddr: k.FeePoolAddr, Version: ccv.Version}.Bytes()), nil
}

// OnChanOpenAck refuses: the provider never initiates.
func (*Keeper) OnChanOpenAck(state.Store, string, string, string, string) error {
	return fmt.Errorf("%w: the provider does not initiate CCV channels", ErrInvalidHandshake)
}

// OnChanOpenConfirm makes the consumer running; the end of the block
// records the height as the consumer's init height and sends the VSCs
// queued meanwhile.
func (k *Keeper) OnChanOpenConfirm(s state.Store, portID, channelID string) error {
	c, ok := k.consumerOfChannel(s, channelID)
	if !ok || c.Phase != registry.PHASE_LAUNCHED {
		return fmt.Errorf("%w: channel %s is not a CCV channel being opened", ErrInvalidHandshake, channelID)
	}
	c.Phase = registry.PHASE_RUNNING
	registry.Set(s, c)
	return nil
}

// OnChanCloseConfirm stops the consumer whose channel the counterparty
// closed.
func (k *Keeper) OnChanCloseConfirm(s state.Store, portID, channelID string) error {
	if c, ok := k.consumerOfChannel(s, channelID); ok {
		k.stop(s, c.ConsumerId, "channel closed")
	}
	return nil
}

func (k *Keeper) consumerOfChannel(s state.Store, channelID string) (registry.Consumer, bool) {
	consumerID := kv(s).Get(ChannelKey(channelID))
	if consumerID == nil {
		return registry.Consumer{}, false
	}
	return k.Consumer(s, string(consumerID))
}

// OnRecvPacket handles a consumer packet: a VSCMatured packet releases the
// consumer's holds up to its id; a slash packet is handled, bounced or
// refused (section 4 and 7 of SPEC.md). Invalid packets get an error
// acknowledgement with a fixed text and change nothing.
func (k *Keeper) OnRecvPacket(s state.Store, height int64, now time.Time, packet channeltypes.Packet, relayer []byte) (channeltypes.Acknowledgement, []abci.Event) {
	c, ok := k.consumerOfChannel(s, packet.DestinationChannel)
	if !ok || c.Phase != registry.PHASE_RUNNING {
		return errorAck(errAckUnknownChannel), nil
	}
	// Decoding validates the packet, once: what does not decode is invalid.
	data, err := ccv.DecodeConsumerPacket(packet.Data)
	if err != nil {
		return errorAck(errAckInvalidData), nil
	}
	if data.VSCMatured != nil {
		ev := k.VSC().Matured(s, c.ConsumerId, data.VSCMatured.ValsetUpdateID)
		return channeltypes.NewResultAcknowledgement([]byte{ccv.ResultReceived}), []abci.Event{ev}
	}
	cache := state.NewCache(s)
	result, evs, err := k.handleSlash(cache, k.Params(s), c, *data.Slash, height, now)
	if err != nil {
		k.log().Error("slash packet refused", "consumer_id", c.ConsumerId, "sequence", packet.Sequence, "err", err)
		return errorAck(errAckInvalidSlash), nil
	}
	cache.Write()
	return channeltypes.NewResultAcknowledgement([]byte{result}), evs
}

// OnAcknowledgementPacket stops the consumer on an error acknowledgement
// of a VSC packet.
func (k *Keeper) OnAcknowledgementPacket(s state.Store, height int64, now time.Time, packet channeltypes.Packet, a channeltypes.Acknowledgement, relayer []byte) ([]abci.Event, error) {
	if a.Success() {
		return nil, nil
	}
	if c, ok := k.consumerOfChannel(s, packet.SourceChannel); ok {
		k.stop(s, c.ConsumerId, "error acknowledgement: "+a.GetError())
	}
	return nil, nil
}

// OnTimeoutPacket stops the consumer whose VSC packet timed out.
func (k *Keeper) OnTimeoutPacket(s state.Store, height int64, now time.Time, packet channeltypes.Packet, relayer []byte) ([]abci.Event, error) {
	if c, ok := k.consumerOfChannel(s, packet.SourceChannel); ok {
		k.stop(s, c.ConsumerId, "VSC packet timed out")
	}
	return nil, nil
}
