package channel

import (
	abci "github.com/cometbft/cometbft/abci/types"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"

	"github.com/abci-ics/ics/ibc/connection"
	"github.com/abci-ics/ics/types/event"
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

func channelEvent(typ, portID, channelID string, ch channeltypes.Channel) abci.Event {
	return event.New(typ,
		AttrPortID, portID,
		AttrChannelID, channelID,
		AttrCounterpartyPortID, ch.Counterparty.PortId,
		AttrCounterpartyChannelID, ch.Counterparty.ChannelId,
		AttrConnectionID, ch.ConnectionHops[0],
		AttrVersion, ch.Version)
}
