package connection

import (
	"fmt"

	connectiontypes "github.com/cosmos/ibc-go/v10/modules/core/03-connection/types"

	"github.com/abci-ics/ics/state"
)

// Queries read the store they are given (typically a committed
// state.View); none writes.

// Connection returns a connection end, in whatever state it is.
func (k *Keeper) Connection(s state.Store, connectionID string) (connectiontypes.ConnectionEnd, bool) {
	return getConnection(s, connectionID)
}

// Connections returns every connection end, in key order.
func (k *Keeper) Connections(s state.Store) []connectiontypes.IdentifiedConnection {
	var out []connectiontypes.IdentifiedConnection
	prefix := connectionsPrefix()
	it := kv(s).Iterator(prefix, state.PrefixEnd(prefix))
	defer it.Close()
	for ; it.Valid(); it.Next() {
		id := string(it.Key()[len(prefix):])
		var c connectiontypes.ConnectionEnd
		if err := c.Unmarshal(it.Value()); err != nil {
			panic(fmt.Sprintf("connection: invariant broken: connection %q does not decode: %v", id, err))
		}
		out = append(out, connectiontypes.NewIdentifiedConnection(id, c))
	}
	return out
}
