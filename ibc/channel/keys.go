package channel

import (
	"strconv"
	"strings"

	host "github.com/cosmos/ibc-go/v10/modules/core/24-host"

	"github.com/abci-ics/ics/ibc/commitment"
)

// StoreName is the name of the IBC store in the multistore. Channel ends
// and their sequences live there under their ICS-24 paths, which is what a
// counterparty proves, beside the connection ends (package connection)
// and the packet commitments, receipts and acknowledgement commitments
// (package packet); the commitment prefix of this chain is this name.
const StoreName = commitment.StoreName

// keyNextChannelSeq is the key of this package's channel identifier
// counter. It starts with 0x00, which no ICS-24 path does, and names the
// package, so it collides neither with the paths nor with another
// package's private keys in the same store. (The connection counter,
// "\x00channel/nextConnectionSequence", is package connection's.)
var keyNextChannelSeq = []byte("\x00channel/nextChannelSequence")

// channelPrefix is the identifier prefix, as ibc-go's (channel-0, ...).
const channelPrefix = "channel-"

// channelEndsPrefix is the common prefix of every channel end key.
func channelEndsPrefix() []byte {
	return []byte(host.KeyChannelEndPrefix + "/" + host.KeyPortPrefix + "/")
}

// parseChannelKey splits a channel end key into its port and channel ids.
func parseChannelKey(key []byte) (portID, channelID string, ok bool) {
	rest, found := strings.CutPrefix(string(key), string(channelEndsPrefix()))
	if !found {
		return "", "", false
	}
	portID, channelID, found = strings.Cut(rest, "/"+host.KeyChannelPrefix+"/")
	if !found || portID == "" || channelID == "" || strings.Contains(channelID, "/") {
		return "", "", false
	}
	return portID, channelID, true
}

// formatID appends a counter value to an identifier prefix.
func formatID(prefix string, n uint64) string { return prefix + strconv.FormatUint(n, 10) }
