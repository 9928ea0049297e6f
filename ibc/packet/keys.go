package packet

import (
	"slices"

	host "github.com/cosmos/ibc-go/v10/modules/core/24-host"

	"github.com/abci-ics/ics/ibc/commitment"
)

// StoreName is the name of the IBC store in the multistore. Sequences,
// packet commitments, receipts and acknowledgement commitments live there
// under their ICS-24 paths, beside the channel and connection ends, which
// is what a counterparty proves; the commitment prefix of this chain is
// this name.
const StoreName = commitment.StoreName

// receiptValue is the value stored under a packet receipt path.
var receiptValue = []byte{1}

// commitmentsPrefix is the prefix of the packet commitment keys of one
// channel; the sequence, in decimal, follows it.
func commitmentsPrefix(portID, channelID string) []byte {
	return append(host.PacketCommitmentPrefixKey(portID, channelID), '/')
}

// sortedSeqs sorts sequences in place and returns them.
func sortedSeqs(seqs []uint64) []uint64 {
	slices.Sort(seqs)
	return seqs
}
