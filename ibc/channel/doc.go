// Package channel implements IBC channel ends (ICS-004) for a chain
// without the Cosmos SDK runtime: the channel handshake and closing over
// the connections (ICS-003) of package connection, and the binding of
// ports to the applications that own their channels. The packets that
// travel on OPEN channels are package packet's, which builds on this one
// (Keeper.Open, Keeper.PortApp). It uses ibc-go's types (Channel,
// Counterparty, Height) and ICS-24 paths as wire and state formats, so
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
//
// The handshake creates a channel end's three sequences at 1; package
// packet advances them. Connection ends (connections/{connection}) are in
// the same store, kept by package connection, and so are the packet
// commitments, receipts and acknowledgement commitments of package packet.
// The channel identifier counter is under a key that starts with 0x00,
// which no ICS-24 path does. Identifiers are checked with ICS-24's
// validators (no '/'), so a message cannot make one path look like
// another.
//
// The keeper holds no protocol state: every method takes the store, and
// the ones that depend on the block take its height and time. Connections
// are reached through the Connections interface (*connection.Keeper): a
// channel step loads the channel's connection, which must be OPEN, and
// verifies every proof of counterparty state through it, which checks
// that the connection's client is Active before it believes the proof and
// passes the counterparty's full ICS-24 path and the expected value to
// the client. The Clients interface gives the client status besides,
// which opening and closing a channel end check.
//
// The errors of the checks shared with the connection handshake
// (signers, messages, identifiers, proof heights, proofs, client status,
// connection state, counterparties, versions) are package connection's
// values, re-exported here under the same names; package packet
// re-exports them, and this package's channel errors, in turn.
//
// # Channel handshake and closing
//
// Channels run over one OPEN connection whose version supports their
// ordering, and are bound to a port whose App is asked at each step:
// ChanOpenInit (INIT, the app picks the version), ChanOpenTry (verifies
// the counterparty's INIT end, the app picks the version, TRYOPEN),
// ChanOpenAck (verifies TRYOPEN, the app checks the counterparty's
// version, OPEN) and ChanOpenConfirm (verifies OPEN). All three sequences
// start at 1. Keeper.BindPort binds a port to its App, once, while the
// chain is wired; the App also receives the packet callbacks of package
// packet (OnRecvPacket, OnAcknowledgementPacket, OnTimeoutPacket), which
// finds it with Keeper.PortApp.
//
// ChanCloseInit closes a channel end; ChanCloseConfirm closes it once the
// counterparty end is proven CLOSED. A module closes its own channels with
// Keeper.ChanCloseInit. A transaction (MsgChannelCloseInit) may only close
// a channel whose application implements CloseInitApp and accepts; the
// App interface itself has no OnChanCloseInit, so applications that do not
// opt in (a CCV channel, a transfer channel) cannot be closed by users.
//
// Every step runs on a cache of the store it is given and writes it only
// on success: a step that fails, including because an application
// callback failed, changes nothing.
//
// # Events
//
// Steps return ibc-go's events (channel_open_init, _try, _ack, _confirm,
// channel_close_init, channel_close_confirm) with ibc-go's attribute keys
// (port_id, channel_id, counterparty_port_id, counterparty_channel_id,
// connection_id, version), as values: the keeper buffers nothing.
//
// # Bounds
//
// Channel versions, counterparty connection versions and identifiers are
// bounded; what a counterparty can make this chain store per packet is
// told in package packet.
//
// # Outside this package
//
// This package does not cover channel upgrades and multi-hop channels.
package channel
