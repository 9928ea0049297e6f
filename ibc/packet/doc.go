// Package packet implements IBC packets (ICS-004) for a chain without the
// Cosmos SDK runtime: sending, receiving, acknowledging and timing out
// packets on the channels of package channel, the packet commitments,
// receipts and acknowledgement commitments that a counterparty proves, and
// the queries a relayer asks about them. It uses ibc-go's types (Packet,
// Acknowledgement, Height) and ICS-24 paths as wire and state formats, so
// that an ibc-go chain, a stock relayer and this chain agree byte for byte
// on what is proven.
//
// # State
//
// Everything lives in the multistore's "ibc" store (StoreName), under the
// ICS-24 paths a counterparty proves:
//
//	nextSequenceSend|Recv|Ack/ports/{port}/channels/{ch} 8 bytes, big endian
//	commitments/ports/{port}/channels/{ch}/sequences/{n} CommitPacket(packet)
//	receipts/ports/{port}/channels/{ch}/sequences/{n}    0x01 (unordered only)
//	acks/ports/{port}/channels/{ch}/sequences/{n}        CommitAcknowledgement(ack)
//
// The channel handshake (package channel) creates the three sequences of
// a channel end at 1; this package advances them. Channel and connection
// ends are in the same store, kept by packages channel and connection.
//
// The keeper holds no protocol state: every method takes the store, and
// the ones that depend on the block take its height and time. It sees the
// layers below through three interfaces. Channels (*channel.Keeper) gives
// the channel ends, requires a channel and its connection to be OPEN,
// finds the application bound to a port (the channel.App that receives
// the packet callbacks) and closes an ordered channel after a timeout.
// Connections (*connection.Keeper) verifies every proof of counterparty
// packet state through the connection the channel runs over, which checks
// that the connection's client is Active before it believes the proof.
// Clients gives what packets need of the light clients besides: client
// status, the latest height and consensus state timestamps.
//
// The errors of the checks shared with the connection and channel layers
// (signers, messages, identifiers, proof heights, proofs, client status,
// connection and channel state, ports, application refusals) are those
// packages' values, re-exported here under the same names, so one ABCI
// code table entry covers every package that returns them.
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
// # Messages
//
// The Handle* methods run the three packet transactions (MsgRecvPacket,
// MsgAcknowledgement, MsgTimeout), whose signer is the relayer passed to
// the application. Their proto package is icsd.ibc.channel.v1, where they
// were first declared, so their type URLs are
// /icsd.ibc.channel.v1.MsgRecvPacket, /icsd.ibc.channel.v1.MsgAcknowledgement
// and /icsd.ibc.channel.v1.MsgTimeout.
//
// # Events
//
// Steps return ibc-go's events (recv_packet, write_acknowledgement,
// acknowledge_packet, timeout_packet, and channel_close when a timeout
// closes an ordered channel) with ibc-go's attribute keys, as values: the
// keeper buffers nothing. SendPacket returns the packet's send_packet
// event to the application that called it, which returns it with the
// events of its own step (a message, a block hook, a packet callback); the
// chain keeps the events exactly when it keeps the state of that step. The
// packet callbacks return their events to the step that called them, which
// returns them after its own. An OnRecvPacket that returns an error
// acknowledgement has its writes discarded, so the events it returns with
// it must describe only the refusal.
//
// # Bounds
//
// A counterparty can make this chain store one receipt (unordered) and
// one acknowledgement commitment per packet it proves it sent; packet data
// is at most MaxPacketDataLen bytes and only its hash is stored. Receipts
// and acknowledgement commitments are never pruned: pruning them safely
// needs a proof that the counterparty deleted the packet commitment, which
// is future work.
//
// # Outside this package
//
// This package does not cover TimeoutOnClose, asynchronous
// acknowledgements and multi-hop packets.
package packet
