package channel

import (
	"encoding/hex"
	"strconv"

	abci "github.com/cometbft/cometbft/abci/types"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"

	"github.com/abci-ics/ics/ibc/connection"
)

// Event types and attribute keys are ibc-go's, so that relayers find
// packets and handshake steps the way they do on an SDK chain. The
// connection handshake's are in package connection.
const (
	EventChannelOpenInit     = "channel_open_init"
	EventChannelOpenTry      = "channel_open_try"
	EventChannelOpenAck      = "channel_open_ack"
	EventChannelOpenConfirm  = "channel_open_confirm"
	EventChannelCloseInit    = "channel_close_init"
	EventChannelCloseConfirm = "channel_close_confirm"
	// EventChannelClosed is emitted when a timeout closes an ordered
	// channel.
	EventChannelClosed = "channel_close"

	EventSendPacket        = "send_packet"
	EventRecvPacket        = "recv_packet"
	EventWriteAck          = "write_acknowledgement"
	EventAcknowledgePacket = "acknowledge_packet"
	EventTimeoutPacket     = "timeout_packet"

	// AttrConnectionID is the connection of a channel, as in connection
	// events (connection.AttrConnectionID).
	AttrConnectionID          = connection.AttrConnectionID
	AttrPortID                = "port_id"
	AttrChannelID             = "channel_id"
	AttrCounterpartyPortID    = "counterparty_port_id"
	AttrCounterpartyChannelID = "counterparty_channel_id"
	AttrVersion               = "version"

	AttrPacketDataHex          = "packet_data_hex"
	AttrPacketAckHex           = "packet_ack_hex"
	AttrPacketTimeoutHeight    = "packet_timeout_height"
	AttrPacketTimeoutTimestamp = "packet_timeout_timestamp"
	AttrPacketSequence         = "packet_sequence"
	AttrPacketSrcPort          = "packet_src_port"
	AttrPacketSrcChannel       = "packet_src_channel"
	AttrPacketDstPort          = "packet_dst_port"
	AttrPacketDstChannel       = "packet_dst_channel"
	AttrPacketChannelOrdering  = "packet_channel_ordering"
	// AttrPacketConnection is ibc-go's deprecated duplicate of
	// connection_id, kept for relayers that still read it.
	AttrPacketConnection = "packet_connection"
)

func event(typ string, kvs ...string) abci.Event {
	ev := abci.Event{Type: typ, Attributes: make([]abci.EventAttribute, 0, len(kvs)/2)}
	for i := 0; i+1 < len(kvs); i += 2 {
		ev.Attributes = append(ev.Attributes, abci.EventAttribute{Key: kvs[i], Value: kvs[i+1], Index: true})
	}
	return ev
}

func channelEvent(typ, portID, channelID string, ch channeltypes.Channel) abci.Event {
	return event(typ,
		AttrPortID, portID,
		AttrChannelID, channelID,
		AttrCounterpartyPortID, ch.Counterparty.PortId,
		AttrCounterpartyChannelID, ch.Counterparty.ChannelId,
		AttrConnectionID, ch.ConnectionHops[0],
		AttrVersion, ch.Version)
}

// packetEvent returns a packet event. The data is included for send,
// receive and write-acknowledgement events (withData), the
// acknowledgement only when ack is not nil.
func packetEvent(typ string, p channeltypes.Packet, ch channeltypes.Channel, withData bool, ack []byte) abci.Event {
	kvs := make([]string, 0, 26)
	if withData {
		kvs = append(kvs, AttrPacketDataHex, hex.EncodeToString(p.Data))
	}
	kvs = append(kvs,
		AttrPacketTimeoutHeight, p.TimeoutHeight.String(),
		AttrPacketTimeoutTimestamp, strconv.FormatUint(p.TimeoutTimestamp, 10),
		AttrPacketSequence, strconv.FormatUint(p.Sequence, 10),
		AttrPacketSrcPort, p.SourcePort,
		AttrPacketSrcChannel, p.SourceChannel,
		AttrPacketDstPort, p.DestinationPort,
		AttrPacketDstChannel, p.DestinationChannel)
	if ack != nil {
		kvs = append(kvs, AttrPacketAckHex, hex.EncodeToString(ack))
	}
	kvs = append(kvs,
		AttrPacketChannelOrdering, ch.Ordering.String(),
		AttrPacketConnection, ch.ConnectionHops[0],
		AttrConnectionID, ch.ConnectionHops[0])
	return event(typ, kvs...)
}

func channelClosedEvent(p channeltypes.Packet, ch channeltypes.Channel) abci.Event {
	return event(EventChannelClosed,
		AttrPortID, p.SourcePort,
		AttrChannelID, p.SourceChannel,
		AttrCounterpartyPortID, ch.Counterparty.PortId,
		AttrCounterpartyChannelID, ch.Counterparty.ChannelId,
		AttrConnectionID, ch.ConnectionHops[0],
		AttrPacketChannelOrdering, ch.Ordering.String())
}
