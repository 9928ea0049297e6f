package connection

import (
	abci "github.com/cometbft/cometbft/abci/types"
	connectiontypes "github.com/cosmos/ibc-go/v10/modules/core/03-connection/types"
)

// Event types and attribute keys are ibc-go's, so that relayers find
// handshake steps the way they do on an SDK chain.
const (
	EventConnectionOpenInit    = "connection_open_init"
	EventConnectionOpenTry     = "connection_open_try"
	EventConnectionOpenAck     = "connection_open_ack"
	EventConnectionOpenConfirm = "connection_open_confirm"

	AttrConnectionID             = "connection_id"
	AttrClientID                 = "client_id"
	AttrCounterpartyClientID     = "counterparty_client_id"
	AttrCounterpartyConnectionID = "counterparty_connection_id"
)

func connectionEvent(typ, connectionID string, c connectiontypes.ConnectionEnd) abci.Event {
	return abci.Event{Type: typ, Attributes: []abci.EventAttribute{
		{Key: AttrConnectionID, Value: connectionID, Index: true},
		{Key: AttrClientID, Value: c.ClientId, Index: true},
		{Key: AttrCounterpartyClientID, Value: c.Counterparty.ClientId, Index: true},
		{Key: AttrCounterpartyConnectionID, Value: c.Counterparty.ConnectionId, Index: true},
	}}
}
