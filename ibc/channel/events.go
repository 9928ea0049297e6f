package channel

import (
	abci "github.com/cometbft/cometbft/abci/types"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"

	"github.com/abci-ics/ics/ibc/connection"
)

// Event types and attribute keys are ibc-go's, so that relayers find
// handshake steps the way they do on an SDK chain. The connection
// handshake's are in package connection, the packets' (and the
// channel_close of a timeout) in package packet.
const (
	EventChannelOpenInit     = "channel_open_init"
	EventChannelOpenTry      = "channel_open_try"
	EventChannelOpenAck      = "channel_open_ack"
	EventChannelOpenConfirm  = "channel_open_confirm"
	EventChannelCloseInit    = "channel_close_init"
	EventChannelCloseConfirm = "channel_close_confirm"

	// AttrConnectionID is the connection of a channel, as in connection
	// events (connection.AttrConnectionID).
	AttrConnectionID          = connection.AttrConnectionID
	AttrPortID                = "port_id"
	AttrChannelID             = "channel_id"
	AttrCounterpartyPortID    = "counterparty_port_id"
	AttrCounterpartyChannelID = "counterparty_channel_id"
	AttrVersion               = "version"
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
