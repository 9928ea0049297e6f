// Package transfer is ICS-20 fungible token transfer: it moves bank coins
// to another chain over an unordered IBC channel bound to the port
// "transfer" with version "ics20-1", and credits coins sent from another
// chain.
//
// The package is an IBC application: Keeper implements the callbacks the
// channel and packet keepers call (the handshake callbacks, OnRecvPacket,
// OnAcknowledgementPacket, OnTimeoutPacket) and sends packets through the
// Channels interface. It sees the bank through the Bank interface, which
// chain/bank's Keeper satisfies. Like every module of the chain it keeps no
// state of its own: every method takes the store it works on, the block
// height and the block time.
//
// # Denominations and traces
//
// A token that this chain received over IBC is a voucher named by its full
// trace: "transfer/channel-N/" followed by the denomination the packet
// carried, for example "transfer/channel-0/stake", or
// "transfer/channel-1/transfer/channel-7/uatom" for a token that reached this
// chain over two hops. Vouchers are not hashed (there is no "ibc/HASH" form),
// so a voucher's name says where it came from; a trace that would make a
// denomination longer than the bank's 128 characters is refused. Every
// voucher minted is recorded as a DenomTrace (denomination, path of
// port/channel hops, base denomination); DenomTraces lists them.
//
// The packet carries the denomination as the sender knows it, and the ICS-20
// prefix rule decides what each side does:
//
//   - Sending over channel C: a denomination that starts with "transfer/C/"
//     is a voucher that came in over C and now goes back; it is burned. Any
//     other denomination (a native token, or a voucher from another channel
//     travelling one hop further) is locked in C's escrow account. Either
//     way the packet denomination is the sender's denomination, unchanged.
//   - Receiving on channel D from the counterparty's channel S: a packet
//     denomination that starts with "transfer/S/" is a token of this chain
//     coming home; the prefix is removed and the amount is released from
//     D's escrow account. Any other denomination is minted as the voucher
//     "transfer/D/" + denomination.
//   - A refund (error acknowledgement or timeout) undoes the send: a burned
//     voucher is minted back, an escrowed amount is released to the sender.
//
// Hence a native denomination's supply never changes through transfers
// (its escrowed part is counted in TotalEscrow), and a voucher's supply is
// exactly what its counterparty holds in escrow for this chain.
//
// # Escrow accounts
//
// The escrow account of a channel has the address of ibc-go's ICS-20 escrow
// accounts: the first 20 bytes of SHA-256("ics20-1" || 0x00 ||
// "transfer/" || channel), which is address.Module of the same string. It
// is a plain bank account nobody holds a key for. TotalEscrow counts, per
// denomination, what all escrow accounts hold because of transfers.
//
// # Packets and acknowledgements
//
// Packet data is the ICS-20 v1 JSON encoding (FungibleTokenPacketData): the
// fields denom, amount (a decimal string), sender, receiver and an optional
// memo, in that order, byte for byte what ibc-go v10 writes. OnRecvPacket
// never panics on packet data: undecodable JSON, an invalid denomination, an
// amount that is not a positive decimal integer that fits 64 bits, a
// receiver that is not a bech32 address with the chain's prefix, a trace
// too long for the bank, a receiver that is the channel's own escrow
// account, and an escrow that cannot pay all give an error acknowledgement
// and write nothing. Its text is fixed and deterministic: "ABCI code: N:
// error handling packet: see events for details", with ibc-go's code for
// the same failure, so it can be committed to state. A success
// acknowledgement is {"result":"AQ=="}. The channel keeper runs
// OnRecvPacket on a cache that it keeps only on a success acknowledgement.
//
// # State
//
// The package writes in the "ibc" store under keys that start with
// "transfer/" (a prefix ICS-24 never uses): the parameters, one DenomTrace
// per voucher and one total per escrowed denomination. Values are the
// gogoproto messages of transfer.proto; a test freezes the keys. A
// counterparty can create at most one trace record per voucher
// denomination, each at most 128 characters, and only by sending tokens it
// escrows on its side.
package transfer
