package connection

import (
	"strconv"

	host "github.com/cosmos/ibc-go/v10/modules/core/24-host"

	"github.com/abci-ics/ics/ibc/commitment"
)

// StoreName is the name of the IBC store in the multistore. Connection
// ends live there under their ICS-24 paths (connections/{id}), which is
// what a counterparty proves; the commitment prefix of this chain is this
// name.
const StoreName = commitment.StoreName

// keyNextConnectionSeq is the key of the connection identifier counter. It
// starts with 0x00, which no ICS-24 path does. It still names package
// channel, where connections were first kept: the key is part of the
// store layout and never changes.
var keyNextConnectionSeq = []byte("\x00channel/nextConnectionSequence")

// connectionPrefix is the identifier prefix, as ibc-go's (connection-0, ...).
const connectionPrefix = "connection-"

// connectionsPrefix is the common prefix of every connection end key.
func connectionsPrefix() []byte { return []byte(host.KeyConnectionPrefix + "/") }

// formatID appends a counter value to an identifier prefix.
func formatID(prefix string, n uint64) string { return prefix + strconv.FormatUint(n, 10) }
