package transfer

import (
	"encoding/json"
	"strconv"

	abci "github.com/cometbft/cometbft/abci/types"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"

	"github.com/abci-ics/ics/types/event"
)

// Event types and attribute keys, as ibc-go names them.
const (
	EventTypeTransfer = "ibc_transfer"
	EventTypePacket   = "fungible_token_packet"
	EventTypeTimeout  = "timeout"

	AttributeSender         = "sender"
	AttributeReceiver       = "receiver"
	AttributeDenom          = "denom"
	AttributeAmount         = "amount"
	AttributeMemo           = "memo"
	AttributeSuccess        = "success"
	AttributeError          = "error"
	AttributeRefundReceiver = "refund_receiver"
	AttributeRefundTokens   = "refund_tokens"
)

// packetFields decodes packet data as far as it goes, for events only.
func packetFields(bz []byte) FungibleTokenPacketData {
	var d FungibleTokenPacketData
	if json.Unmarshal(bz, &d) != nil {
		return FungibleTokenPacketData{}
	}
	return d
}

func transferEvent(d FungibleTokenPacketData) abci.Event {
	return event.New(EventTypeTransfer,
		AttributeSender, d.Sender,
		AttributeReceiver, d.Receiver,
		AttributeDenom, d.Denom,
		AttributeAmount, d.Amount,
		AttributeMemo, d.Memo)
}

// packetEvent is the fungible_token_packet event of packet data and an
// acknowledgement.
func packetEvent(data []byte, ack channeltypes.Acknowledgement) abci.Event {
	d := packetFields(data)
	ev := event.New(EventTypePacket,
		AttributeSender, d.Sender,
		AttributeReceiver, d.Receiver,
		AttributeDenom, d.Denom,
		AttributeAmount, d.Amount,
		AttributeMemo, d.Memo,
		AttributeSuccess, strconv.FormatBool(ack.Success()))
	if e, ok := ack.Response.(*channeltypes.Acknowledgement_Error); ok {
		ev.Attributes = append(ev.Attributes, abci.EventAttribute{Key: AttributeError, Value: e.Error, Index: true})
	}
	return ev
}

// RecvEvents returns the events of receiving packet with the result ack
// (the return value of OnRecvPacket): a fungible_token_packet event with
// the packet's sender, receiver, denom, amount and memo, success, and the
// acknowledgement's error text on failure. OnRecvPacket returns them with
// its acknowledgement, AckEvents' and TimeoutEvents' likewise.
func RecvEvents(packet channeltypes.Packet, ack channeltypes.Acknowledgement) []abci.Event {
	return []abci.Event{packetEvent(packet.Data, ack)}
}

// AckEvents returns the events of acknowledging packet with ack on the
// sending chain: a fungible_token_packet event like RecvEvents'.
func AckEvents(packet channeltypes.Packet, ack channeltypes.Acknowledgement) []abci.Event {
	return []abci.Event{packetEvent(packet.Data, ack)}
}

// TimeoutEvents returns the events of the timeout of packet: a timeout
// event naming who was refunded and what.
func TimeoutEvents(packet channeltypes.Packet) []abci.Event {
	d := packetFields(packet.Data)
	return []abci.Event{event.New(EventTypeTimeout,
		AttributeRefundReceiver, d.Sender,
		AttributeRefundTokens, d.Amount+d.Denom,
		AttributeMemo, d.Memo)}
}
