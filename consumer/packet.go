package consumer

import (
	"fmt"
	"math"
	"strconv"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cmttypes "github.com/cometbft/cometbft/types"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"

	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/state/typed"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/event"
)

// OnRecvPacket handles a VSC packet from the provider. It is refused, with
// an error acknowledgement whose text depends only on the reason and
// without writing anything, when it does not come on the established CCV
// channel or the consumer stopped (code 5), does not decode or is invalid
// (ccv.DecodeValidatorSetChange, which applies the packet's Validate: a
// vscId of 0 among others) or carries a power above CometBFT's limit (code
// 2), or its vscId is not above the highest one received (code 11). Otherwise its updates are accumulated
// (the last update of each public key wins), height+1 is mapped to its
// vscId, the outstanding-downtime flag of each address in slash_acks is
// cleared (any bech32 prefix; malformed entries are ignored), its maturity
// time now + UnbondingPeriod is recorded, and the acknowledgement is the
// result ccv.ResultReceived. The events are RecvEvents', either way.
func (k Keeper) OnRecvPacket(s state.Store, height int64, now time.Time, packet channeltypes.Packet, relayer []byte) (channeltypes.Acknowledgement, []abci.Event) {
	ack := k.recvVSC(s, height, now, packet)
	return ack, RecvEvents(packet, ack)
}

// recvVSC is OnRecvPacket without the events.
func (k Keeper) recvVSC(s state.Store, height int64, now time.Time, packet channeltypes.Packet) channeltypes.Acknowledgement {
	p, data, err := k.checkVSC(s, packet)
	if err != nil {
		k.log().Error("VSC packet refused", "sequence", packet.Sequence, "err", err)
		return errorAck(err)
	}
	st := kv(s)
	for _, u := range data.ValidatorUpdates {
		st.Set(PendingChangeKey(u.PubKey), typed.U64(uint64(u.Power)))
	}
	st.Set(HeightVSCIDKey(uint64(max(height, 0))+1), typed.U64(data.ValsetUpdateID))
	for _, a := range data.SlashAcks {
		if addr, err := address.Decode("", a); err == nil {
			st.Delete(OutstandingKey(addr))
		}
	}
	st.Set(MaturityKey(maturityNs(now, p.UnbondingPeriod), data.ValsetUpdateID), marker)
	st.Set([]byte{keyHighestVSCID}, typed.U64(data.ValsetUpdateID))
	k.log().Debug("VSC packet received", "vsc_id", data.ValsetUpdateID, "updates", len(data.ValidatorUpdates), "slash_acks", len(data.SlashAcks))
	return channeltypes.NewResultAcknowledgement([]byte{ccv.ResultReceived})
}

// maturityNs is now + d in Unix nanoseconds, saturated at the largest
// representable time.
func maturityNs(now time.Time, d time.Duration) int64 {
	ns := now.UnixNano()
	if d > 0 && ns > math.MaxInt64-int64(d) {
		return math.MaxInt64
	}
	return ns + int64(d)
}

// checkVSC checks a received packet without writing anything and returns
// the parameters and the decoded packet.
func (k Keeper) checkVSC(s state.Store, packet channeltypes.Packet) (ccv.ConsumerParams, ccv.ValidatorSetChangePacketData, error) {
	var data ccv.ValidatorSetChangePacketData
	p, ok := k.Params(s)
	if !ok {
		return p, data, fmt.Errorf("%w: consumer not initialized", ErrInvalidChannelFlow)
	}
	ch, ok := k.ProviderChannel(s)
	if !ok || packet.DestinationPort != ccv.ConsumerPortID || packet.DestinationChannel != ch {
		return p, data, fmt.Errorf("%w: packet on %s/%s, CCV channel is %q", ErrInvalidChannelFlow, packet.DestinationPort, packet.DestinationChannel, ch)
	}
	if k.Stopped(s) {
		return p, data, fmt.Errorf("%w: the consumer stopped", ErrInvalidChannelFlow)
	}
	data, err := ccv.DecodeValidatorSetChange(packet.Data)
	if err != nil {
		return p, data, fmt.Errorf("%w: %w", ErrInvalidPacketData, err)
	}
	for i, u := range data.ValidatorUpdates {
		if u.Power > cmttypes.MaxTotalVotingPower {
			return p, data, fmt.Errorf("%w: update %d has power %d, above %d", ErrInvalidPacketData, i, u.Power, cmttypes.MaxTotalVotingPower)
		}
	}
	if last, _ := k.HighestVSCID(s); data.ValsetUpdateID <= last {
		return p, data, fmt.Errorf("%w: %d is not above %d", ErrInvalidVSCID, data.ValsetUpdateID, last)
	}
	return p, data, nil
}

// OnAcknowledgementPacket handles the provider's acknowledgement of a
// packet sent on the CCV channel. For the slash packet in flight, the
// result ccv.ResultReceived or ccv.ResultHandled removes it from the queue
// and ccv.ResultBounced schedules it again after RetryDelayPeriod; an
// unknown result is logged and treated as a bounce, so the report is not
// lost. The acknowledgement of a VSCMatured packet needs nothing. An error
// acknowledgement closes the CCV channel and stops the consumer. It
// returns no error: whatever the provider answers, the acknowledgement is
// processed. The events are AckEvents', after those of closing the
// channel.
func (k Keeper) OnAcknowledgementPacket(s state.Store, height int64, now time.Time, packet channeltypes.Packet, ack channeltypes.Acknowledgement, relayer []byte) ([]abci.Event, error) {
	return append(k.ack(s, now, packet, ack), AckEvents(packet, ack)...), nil
}

// ack is OnAcknowledgementPacket without the acknowledgement's own events.
func (k Keeper) ack(s state.Store, now time.Time, packet channeltypes.Packet, ack channeltypes.Acknowledgement) []abci.Event {
	ch, ok := k.ProviderChannel(s)
	if !ok || packet.SourcePort != ccv.ConsumerPortID || packet.SourceChannel != ch {
		return nil
	}
	switch r := ack.Response.(type) {
	case *channeltypes.Acknowledgement_Error:
		k.log().Error("error acknowledgement on the CCV channel", "sequence", packet.Sequence, "error", r.Error)
		k.stop(s, "error acknowledgement")
		return k.closeChannel(s, now, ch)
	case *channeltypes.Acknowledgement_Result:
		head, ok := k.head(s)
		if !ok || head.Kind != PACKET_KIND_SLASH || head.State != PACKET_STATE_SENT || head.Sequence != packet.Sequence {
			return nil
		}
		res := r.Result
		if len(res) == 1 && (res[0] == ccv.ResultReceived || res[0] == ccv.ResultHandled) {
			kv(s).Delete(PendingPacketKey(head.Index))
			return nil
		}
		if len(res) != 1 || res[0] != ccv.ResultBounced {
			k.log().Error("unknown slash acknowledgement result; retrying", "sequence", packet.Sequence, "result", fmt.Sprintf("%X", res))
		}
		p, _ := k.Params(s)
		head.State = PACKET_STATE_BOUNCED
		head.RetryAtNs = maturityNs(now, p.RetryDelayPeriod)
		setPendingPacket(s, head)
	}
	return nil
}

// OnTimeoutPacket handles the timeout of a packet sent on the CCV channel:
// the channel layer has closed the ordered channel, and the consumer
// stops. It keeps its last validator set. The events are TimeoutEvents'.
func (k Keeper) OnTimeoutPacket(s state.Store, height int64, now time.Time, packet channeltypes.Packet, relayer []byte) ([]abci.Event, error) {
	if ch, ok := k.ProviderChannel(s); ok && packet.SourcePort == ccv.ConsumerPortID && packet.SourceChannel == ch {
		k.stop(s, "packet timed out")
	}
	return TimeoutEvents(packet), nil
}

// Event types, attribute keys and the module attribute value, as the
// reference implementation names them.
const (
	EventTypePacket               = "ccv_packet"
	EventTypeTimeout              = "timeout"
	EventTypeVSCMatured           = "vsc_matured"
	EventTypeConsumerSlashRequest = "consumer_slash_request"

	AttributeModule           = "module"
	AttributeKeyAckSuccess    = "success"
	AttributeKeyAck           = "acknowledgement"
	AttributeKeyAckError      = "error"
	AttributeValidatorAddress = "validator_address"
	AttributeInfractionType   = "infraction_type"
	AttributeConsumerHeight   = "consumer_height"
	AttributeValSetUpdateID   = "valset_update_id"
	AttributeTimestamp        = "timestamp"

	AttributeValueModule = "ccvconsumer"
)

// RecvEvents returns the events of receiving packet with ack (the return
// value of OnRecvPacket): a ccv_packet event with the module, success and,
// when the packet decodes, its valset_update_id.
func RecvEvents(packet channeltypes.Packet, ack channeltypes.Acknowledgement) []abci.Event {
	ev := event.New(EventTypePacket, AttributeModule, AttributeValueModule,
		AttributeKeyAckSuccess, strconv.FormatBool(ack.Success()))
	if d, err := ccv.DecodeValidatorSetChange(packet.Data); err == nil {
		ev.Attributes = append(ev.Attributes, abci.EventAttribute{Key: AttributeValSetUpdateID, Value: strconv.FormatUint(d.ValsetUpdateID, 10), Index: true})
	}
	return []abci.Event{ev}
}

// AckEvents returns the events of the acknowledgement of a packet the
// consumer sent: a ccv_packet event with the module, the acknowledgement
// bytes, success and, for an error acknowledgement, its text.
func AckEvents(packet channeltypes.Packet, ack channeltypes.Acknowledgement) []abci.Event {
	ev := event.New(EventTypePacket, AttributeModule, AttributeValueModule,
		AttributeKeyAck, string(ack.Acknowledgement()),
		AttributeKeyAckSuccess, strconv.FormatBool(ack.Success()))
	if e, ok := ack.Response.(*channeltypes.Acknowledgement_Error); ok {
		ev.Attributes = append(ev.Attributes, abci.EventAttribute{Key: AttributeKeyAckError, Value: e.Error, Index: true})
	}
	return []abci.Event{ev}
}

// TimeoutEvents returns the events of the timeout of a packet the consumer
// sent: a timeout event with the module.
func TimeoutEvents(packet channeltypes.Packet) []abci.Event {
	return []abci.Event{event.New(EventTypeTimeout, AttributeModule, AttributeValueModule)}
}
