package commitment

import (
	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"
	commitmenttypes "github.com/cosmos/ibc-go/v10/modules/core/23-commitment/types"
	host "github.com/cosmos/ibc-go/v10/modules/core/24-host"
)

// StoreName is the name of the IBC store in the multistore; it is also the
// commitment prefix counterparties use for this chain.
const StoreName = "ibc"

// Prefix returns the commitment prefix of this chain's IBC state, "ibc".
func Prefix() commitmenttypes.MerklePrefix {
	return commitmenttypes.NewMerklePrefix([]byte(StoreName))
}

// The functions below return ICS-24 paths, the keys of the "ibc" store.
// They are the strings of ibc-go's 24-host keys.

// ClientStatePath is "clients/{clientID}/clientState".
func ClientStatePath(clientID string) string {
	return string(host.FullClientStateKey(clientID))
}

// ConsensusStatePath is
// "clients/{clientID}/consensusStates/{revision}-{height}".
func ConsensusStatePath(clientID string, h clienttypes.Height) string {
	return string(host.FullConsensusStateKey(clientID, h))
}

// ClientConnectionsPath is "clients/{clientID}/connections".
func ClientConnectionsPath(clientID string) string {
	return string(host.ClientConnectionsKey(clientID))
}

// ConnectionPath is "connections/{connectionID}".
func ConnectionPath(connectionID string) string {
	return string(host.ConnectionKey(connectionID))
}

// ChannelPath is "channelEnds/ports/{portID}/channels/{channelID}".
func ChannelPath(portID, channelID string) string {
	return string(host.ChannelKey(portID, channelID))
}

// NextSequenceSendPath is "nextSequenceSend/ports/{portID}/channels/{channelID}".
func NextSequenceSendPath(portID, channelID string) string {
	return string(host.NextSequenceSendKey(portID, channelID))
}

// NextSequenceRecvPath is "nextSequenceRecv/ports/{portID}/channels/{channelID}".
func NextSequenceRecvPath(portID, channelID string) string {
	return string(host.NextSequenceRecvKey(portID, channelID))
}

// NextSequenceAckPath is "nextSequenceAck/ports/{portID}/channels/{channelID}".
func NextSequenceAckPath(portID, channelID string) string {
	return string(host.NextSequenceAckKey(portID, channelID))
}

// PacketCommitmentPath is
// "commitments/ports/{portID}/channels/{channelID}/sequences/{sequence}".
func PacketCommitmentPath(portID, channelID string, sequence uint64) string {
	return string(host.PacketCommitmentKey(portID, channelID, sequence))
}

// PacketAcknowledgementPath is
// "acks/ports/{portID}/channels/{channelID}/sequences/{sequence}".
func PacketAcknowledgementPath(portID, channelID string, sequence uint64) string {
	return string(host.PacketAcknowledgementKey(portID, channelID, sequence))
}

// PacketReceiptPath is
// "receipts/ports/{portID}/channels/{channelID}/sequences/{sequence}".
func PacketReceiptPath(portID, channelID string, sequence uint64) string {
	return string(host.PacketReceiptKey(portID, channelID, sequence))
}
