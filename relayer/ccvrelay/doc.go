// Package ccvrelay is the Interchain Security part of the relayer. LinkCCV
// opens the connection and the ordered CCV channel between a launched
// consumer (side A, which initiates) and its provider (side B) on the light
// clients each created of the other at launch, found through their
// queries, or returns the channel's link when it is open already. Then
// OpenTransfer gives the link the unordered ICS-20 channel (port transfer
// on both sides, version ics20-1) on the same connection, over which the
// consumer sends the provider its rewards: one open already on that
// connection, else one the consumer started, finished, else a new one the
// consumer initiates; so LinkCCV run twice opens nothing. A chain without
// ICS-20 (it does not answer the denomination-trace query) gets none.
//
// An EvidenceWatcher (NewEvidenceWatcher) and SubmitDoubleVoting report
// the double votes CometBFT committed on a consumer to the provider as
// MsgSubmitConsumerDoubleVoting, with the infraction header the provider's
// client of the consumer can verify; a report the provider refuses because
// the validator is tombstoned already or unknown needs no retry. The
// watcher reads the consumer through its relayer.Node, so it works over
// any node the relayer does.
//
// LinkCCV and SubmitDoubleVoting reach the nodes over CometBFT RPC
// (relayer/rpcnode and the client package); LinkCCVOn does LinkCCV's work
// over chains reached any way, such as the in-process chains of tests.
package ccvrelay
