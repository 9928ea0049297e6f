// Package connection implements IBC connections (ICS-003) for a chain
// without the Cosmos SDK runtime: the four-step handshake that binds a
// light client of the counterparty on each side into a pair of connection
// ends, the connection state, and the verification of counterparty state
// through a connection that the channel layer (package channel) builds
// on. It uses ibc-go's ConnectionEnd, Counterparty and Version as wire and
// state formats, so that an ibc-go chain, a stock relayer and this chain
// agree byte for byte on what is proven.
//
// # State
//
// Connection ends live in the multistore's "ibc" store (StoreName), under
// the ICS-24 path a counterparty proves:
//
//	connections/{connection}    ConnectionEnd (gogoproto)
//
// The identifier counter (connection-0, connection-1, ...) is under
// "\x00channel/nextConnectionSequence": it starts with 0x00, which no
// ICS-24 path does, and keeps the name of the package that first held
// connections, as the store layout never changes. The commitment prefix of
// this chain is "ibc", the name of the store: the client layer proves keys
// of that store only, so a connection whose counterparty announces another
// prefix is refused. Identifiers are checked with ICS-24's validators (no
// '/'), so a message cannot make one path look like another.
//
// # Handshake
//
// ConnOpenInit (chain A) stores an INIT end towards B's client of A,
// proposing version "1" with the features ORDER_ORDERED and
// ORDER_UNORDERED (or the one version given). ConnOpenTry (B) verifies a
// proof that A stored exactly that INIT end, with B's client and prefix,
// picks the common version and stores TRYOPEN. ConnOpenAck (A) verifies
// B's TRYOPEN end, checks that the version B picked is one A proposed, and
// opens; ConnOpenConfirm (B) verifies A's OPEN end and opens. The delay
// period is always 0. As in ibc-go v10, neither side verifies the
// counterparty's client or consensus state of itself. A ConnectionOpenTry
// offers at most MaxCounterpartyVersions versions.
//
// Every step runs on a cache of the store it is given and writes it only
// on success, and returns ibc-go's event for the step
// (connection_open_init, _try, _ack, _confirm) with the attributes
// connection_id, client_id, counterparty_client_id and
// counterparty_connection_id, as a value: the keeper buffers nothing.
//
// # Proofs through a connection
//
// The keeper holds no protocol state: every method takes the store, and
// the light clients are reached through the Clients interface.
// VerifyMembership and VerifyNonMembership check a proof of the
// counterparty's state at a height through the client of a connection:
// the height must not be zero (ErrInvalidHeight), the proof not empty, the
// client Active (ErrClientNotActive), and the client must accept the proof
// of the counterparty's full ICS-24 path and the expected value
// (ErrInvalidProof, wrapping the client's error). The handshake uses them
// for connection ends; package channel uses them, through its Connections
// interface, for channel ends, packet commitments, acknowledgements and
// receipts, and Open to require that a channel's connection is OPEN.
//
// # Messages and errors
//
// The Handle* methods run the four connection transactions
// (MsgConnectionOpenInit, Try, Ack, Confirm). Their proto package is
// icsd.ibc.channel.v1, where they were first declared, so their type URLs
// are /icsd.ibc.channel.v1.MsgConnectionOpen*. The errors of errors.go are
// the ones package channel returns for the same checks (it re-exports
// them), so one ABCI code table entry covers both packages.
//
// # Outside this package
//
// Connection delay periods, connection upgrades and the per-client
// connection index of ibc-go (clients/{id}/connections) are not
// implemented.
package connection
