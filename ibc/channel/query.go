package channel

import (
	"fmt"

	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"

	"github.com/abci-ics/ics/state"
)

// Queries read the store they are given (typically a committed
// state.View); none writes.

// Channel returns a channel end.
func (k *Keeper) Channel(s state.Store, portID, channelID string) (channeltypes.Channel, bool) {
	return k.getChannel(s, portID, channelID)
}

// Channels returns every channel end, in key order (by port, then channel
// id as a string).
func (k *Keeper) Channels(s state.Store) []channeltypes.IdentifiedChannel {
	var out []channeltypes.IdentifiedChannel
	prefix := channelEndsPrefix()
	it := kv(s).Iterator(prefix, state.PrefixEnd(prefix))
	defer it.Close()
	for ; it.Valid(); it.Next() {
		portID, channelID, ok := parseChannelKey(it.Key())
		if !ok {
			panic(fmt.Sprintf("channel: invariant broken: malformed channel key %q", it.Key()))
		}
		var ch channeltypes.Channel
		if err := ch.Unmarshal(it.Value()); err != nil {
			panic(fmt.Sprintf("channel: invariant broken: channel %s/%s does not decode: %v", portID, channelID, err))
		}
		out = append(out, channeltypes.NewIdentifiedChannel(portID, channelID, ch))
	}
	return out
}
