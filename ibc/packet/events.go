package packet

import (
	"encoding/hex"
	"strconv"

	abci "github.com/cometbft/cometbft/abci/types"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"

	"github.com/abci-ics/ics/ibc/channel"
	"github.com/abci-ics/ics/types/event"
)

// Event types and attribute keys are ibc-go's, so that relayers find
// packets the way they do on an SDK chain. The channel handshake's, and
// the channel attributes of channel_close, are in package channel.
const (
	EventSendPacket        = "send_packet"
	EventRecvPacket        = "recv_packet"
	EventWriteAck          = "write_acknowledgement"
	EventAcknowledgePacket = "acknowledge_packet"
	EventTimeoutPacket     = "timeout_packet"
	// EventChannelClosed is emitted when a timeout closes an ordered
	// channel.
	EventChannelClosed = "channel_close"

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
		channel.AttrConnectionID, ch.ConnectionHops[0])
	return event.New(typ, kvs...)
}

func channelClosedEvent(p channeltypes.Packet, ch channeltypes.Channel) abci.Event {
	return event.New(EventChannelClosed,
		channel.AttrPortID, p.SourcePort,
		channel.AttrChannelID, p.SourceChannel,
		channel.AttrCounterpartyPortID, ch.Counterparty.PortId,
		channel.AttrCounterpartyChannelID, ch.Counterparty.ChannelId,
		channel.AttrConnectionID, ch.ConnectionHops[0],
		AttrPacketChannelOrdering, ch.Ordering.String())
}
