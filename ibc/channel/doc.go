// Package channel implements IBC channels and packets (ICS-004) for a
// chain without the Cosmos SDK runtime, over the connections (ICS-003) of
// package connection. It uses ibc-go's types (Channel, Packet,
// Acknowledgement, Height) and ICS-24 paths as wire and state formats, so
// that an ibc-go chain, a stock relayer and this chain agree byte for byte
// on what is proven.
//
// # State
//
// Everything lives in the multistore's "ibc" store (StoreName), under the
// ICS-24 paths a counterparty proves:
//
//	channelEnds/ports/{port}/channels/{channel}          Channel (gogoproto)
//	nextSequenceSend|Recv|Ack/ports/{port}/channels/{ch} 8 bytes, big endian
//	commitments/ports/{port}/channels/{ch}/sequences/{n} CommitPacket(packet)
//	receipts/ports/{port}/channels/{ch}/sequences/{n}    0x01 (unordered only)
//	acks/ports/{port}/channels/{ch}/sequences/{n}        CommitAcknowledgement(ack)
//
// Connection ends (connections/{connection}) are in the same store, kept
// by package connection. The channel identifier counter is under a key
// that starts with 0x00, which no ICS-24 path does. Identifiers are
// checked with ICS-24's validators (no '/'), so a message cannot make one
// path look like another.
//
// The keeper holds no protocol state: every method takes the store, and
// the ones that depend on the block take its height and time. Connections
// are reached through the Connections interface (*connection.Keeper): a
// channel step loads the channel's connection, which must be OPEN, and
// verifies every proof of counterparty state through it, which checks
// that the connection's client is Active before it believes the proof and
// passes the counterparty's full ICS-24 path and the expected value to
// the client. The Clients interface gives what packets need of the light
// clients besides: client status, the latest height and consensus state
// timestamps.
//
// The errors of the checks shared with the connection handshake
// (signers, messages, identifiers, proof heights, proofs, client status,
// connection state, counterparties, versions) are package connection's
// values, re-exported here under the same names.
//
// # Channel handshake and closing
//
// Channels run over one OPEN connection whose version supports their
// ordering, and are bound to a port whose App is asked at each step:
// ChanOpenInit (INIT, the app picks the version), ChanOpenTry (verifies
// the counterparty's INIT end, the app picks the version, TRYOPEN),
// ChanOpenAck (verifies TRYOPEN, the app checks the counterparty's
// version, OPEN) and ChanOpenConfirm (verifies OPEN). All three sequences
// start at 1.
//
// ChanCloseInit closes a channel end; ChanCloseConfirm closes it once the
// counterparty end is proven CLOSED. A module closes its own channels with
// Keeper.ChanCloseInit. A transaction (MsgChannelCloseInit) may only close
// a channel whose application implements CloseInitApp and accepts; the
// App interface itself has no OnChanCloseInit, so applications that do not
// opt in (a CCV channel, a transfer channel) cannot be closed by users.
//
// # Packets
//
// SendPacket commits sha256(timeout timestamp || timeout revision number ||
// timeout revision height || sha256(data)) (ibc-go's CommitPacket) under
// the next send sequence. A timeout is required, and a packet already
// timed out at the latest height and time our client knows of the
// counterparty is refused.
//
// RecvPacket checks the channel (OPEN, packet from its counterparty), that
// the packet has not timed out at this chain's current height (with
// Keeper.Revision as revision number) and block time, replay protection
// (ordered: the sequence must be exactly nextSequenceRecv, a lower one is
// ErrPacketAlreadyReceived, a higher one ErrPacketOutOfOrder; unordered:
// no receipt yet), then the proof of the commitment on the counterparty.
// It then records the receipt or advances nextSequenceRecv, runs the
// application's OnRecvPacket on a cache that is written only if the
// acknowledgement is a success (an error acknowledgement keeps no
// application state, as in ibc-go), and writes the acknowledgement
// commitment sha256(ack JSON) at once: acknowledgements are synchronous.
//
// AcknowledgePacket needs the packet to match its stored commitment, the
// acknowledgement to be canonical ibc-go JSON, and a proof that the
// counterparty committed exactly these bytes, so a forged acknowledgement
// fails verification; ordered channels also take acknowledgements in
// order. The commitment is deleted and the application called.
//
// TimeoutPacket needs the packet to match its commitment, the
// counterparty's consensus state at the proof height to be past the
// packet's timeout height or timestamp (ErrTimeoutNotReached otherwise),
// and a proof that the packet was not received: the absence of its receipt
// (unordered) or the value of nextSequenceRecv, which must not exceed the
// packet's sequence (ordered). The commitment is deleted, an ordered
// channel is CLOSED (its sequence can no longer be honoured), and the
// application's OnTimeoutPacket runs (typically a refund). Timeouts are
// accepted on a CLOSED channel so that every packet in flight can still be
// refunded.
//
// Every step runs on a cache of the store it is given and writes it only
// on success: a step that fails, including because an application
// callback failed, changes nothing.
//
// # Events
//
// Steps return ibc-go's events (channel_open_*,
// channel_close_*, channel_close, recv_packet, write_acknowledgement,
// acknowledge_packet, timeout_packet) with ibc-go's attribute keys, as
// values: the keeper buffers nothing. SendPacket returns the packet's
// send_packet event to the application that called it, which returns it
// with the events of its own step (a message, a block hook, a packet
// callback); the chain keeps the events exactly when it keeps the state
// of that step. The packet callbacks return their events to the step that
// called them, which returns them after its own. An OnRecvPacket that
// returns an error acknowledgement has its writes discarded, so the events
// it returns with it must describe only the refusal.
//
// # Bounds
//
// A counterparty can make this chain store one receipt (unordered) and
// one acknowledgement commitment per packet it proves it sent; packet data
// is at most MaxPacketDataLen bytes and only its hash is stored. Channel
// versions, counterparty connection versions and identifiers are bounded.
// Receipts and acknowledgement commitments are never pruned: pruning them
// safely needs a proof that the counterparty deleted the packet
// commitment, which is future work.
//
// # Outside this package
//
// This package does not cover TimeoutOnClose, channel upgrades,
// asynchronous acknowledgements and multi-hop channels.
package channel
