// Package consumer is the consumer side of Interchain Security (IBC
// standard ICS-028, "cross-chain validation", CCV): a chain whose
// validator set is whatever its provider chain sends it. It is a library
// with no CometBFT or Cosmos SDK runtime behind it: every entry point takes
// the store, the block height and the block time, and returns validator
// updates and events as values. An application (ours in abci/, or any
// other ABCI++ chain) calls InitGenesis once, BeginBlock and EndBlock every
// block, and binds the Keeper to port ccv.ConsumerPortID of its IBC
// channel layer, which then calls the channel.App callbacks (the packet
// ones through ibc/packet).
//
// # Genesis
//
// The provider launches a consumer by computing a ccv.ConsumerGenesis: a
// light client of the provider (client and consensus state), the first
// validator set and the consumer parameters. InitGenesis creates that
// client through Clients (a changeover naming a connection takes that
// connection's client instead), stores the parameters and the set (each
// validator under its consensus address, the first 20 bytes of the
// SHA-256 of its ed25519 key), records that vscId 0 is in force from the
// genesis height, and returns the set for InitChain.
//
// # The CCV channel
//
// The consumer opens the one CCV channel: ORDERED, from port "consumer" to
// port "provider", on a connection over the provider client, version "1".
// OnChanOpenInit refuses anything else, and a second channel whether the
// first is established or still being opened. The provider answers with
// its ccv.HandshakeMetadata (its reward pool address and the version);
// OnChanOpenAck checks it and makes the channel the provider channel. The
// consumer never answers a handshake (OnChanOpenTry and OnChanOpenConfirm
// refuse). When the channel closes (OnChanCloseConfirm), a packet on it
// times out (OnTimeoutPacket: the channel layer has closed the ordered
// channel), or the provider answers with an error acknowledgement (the
// consumer closes the channel itself), the consumer is stopped: it sends
// nothing more, receives nothing more, and keeps running on its last
// validator set.
//
// # Validator set changes
//
// The provider sends VSC packets (ccv.ValidatorSetChangePacketData) on the
// channel. OnRecvPacket refuses, with an error acknowledgement and
// without changing anything, a packet not on the provider channel, one
// that does not decode or is invalid (ccv.DecodeValidatorSetChange
// validates it once, with the reference's rules: a vscId of 0 is invalid),
// and one whose vscId is not above the highest received. Error acknowledgements are destructive on the CCV channel (the
// provider stops the consumer), so they are kept for such truly invalid
// packets, and their text is fixed by the reason alone: "ABCI code: N:
// error handling packet: see events for details" with the reference's
// codes, 2 (invalid packet data), 5 (wrong channel) and 11 (vscId).
//
// A good packet's updates are accumulated by public key, the last one of
// each key winning, so no key ever reaches CometBFT twice. Its vscId comes
// into force at height+1 (the height -> vscId map names the infraction
// height in downtime reports), the addresses in its slash_acks may be
// reported again, and it matures at now + UnbondingPeriod. EndBlock
// applies the accumulated updates to the validator set and returns them,
// sorted by public key; a removal of a key not in the set is dropped (the
// provider may remove a key whose addition never got here), and a batch
// that would leave no validator or too much power for CometBFT is kept
// pending rather than halting the chain.
//
// # Packets to the provider
//
// The consumer sends two kinds of packet, both through one queue that
// EndBlock drains in order once the channel is established (packets queued
// before wait):
//
//   - VSCMatured(vscId), queued by EndBlock for every VSC whose maturity
//     time has passed, in vscId order. It is sent and leaves the queue.
//     This is what lets the provider release unbondings (SPEC section 3).
//   - Slash(validator, power, vscId, DOWNTIME), queued by BeginBlock. It is
//     sent and stays at the head of the queue, in flight, until the
//     provider acknowledges it; nothing else is sent meanwhile. The result
//     "received" (1) or "handled" (2) removes it; "bounced" (3) means the
//     provider's slash meter is empty, and the packet is sent again after
//     RetryDelayPeriod, still holding back everything behind it.
//
// Every packet times out CcvTimeoutPeriod after it is sent (a timestamp
// timeout, no height). A send that fails (an expired client, say) is
// retried the next block.
//
// # Downtime
//
// BeginBlock reads the votes of height-1. Each member of the cross-chain
// set has a sliding window of SignedBlocksWindow blocks (one key per
// missed block, as chain/staking keeps its own). Missing more than
// (1 - MinSignedPerWindow) of a full window is downtime: a slash packet is
// queued with the vscId in force at height-1, the address is flagged
// outstanding and its window restarts. An outstanding address is not
// reported again until the provider acknowledges the report in a VSC's
// slash_acks (after it jailed the validator), so one episode gives one
// packet. Votes of addresses outside the set are ignored, and a validator
// that leaves the set loses its window and flag.
//
// # Bounds
//
// Everything a counterparty can make the consumer store is bounded: the
// queue holds at most MaxPendingPackets (a packet that does not fit is not
// lost: a matured VSC keeps its maturity record and a downtime is found
// again, both retried the next block); slash packets are at most one per
// validator; windows and flags exist only for members of the set; the
// height -> vscId map is pruned as VSCs mature (the record of the matured
// id itself stays, which keeps every height a downtime can still be
// reported for mapped).
//
// # Rewards
//
// With Keeper.Rewards set, EndBlock pays the validators that secure the
// consumer (SPEC section 8; rewards.go tells the details). Every block it
// splits the fees (the consumer has no inflation): floor(amount *
// ConsumerRedistributionFraction) of each denomination stays on the
// consumer (in RedistributeAccount or ConsumerRedistributionAddress; with
// KeepInFeeCollector, in the fee collector, for a chain whose own
// distribution pays it to its stakers next block), the rest goes to the
// ToProviderAccount. Every
// BlocksPerDistributionTransmission blocks from the CCV channel's opening
// that account's balance goes to the provider's fee pool address, one
// ICS-20 transfer per denomination on the unordered transfer channel of
// the CCV connection (or distribution_transmission_channel); a transfer
// that fails or times out is refunded to the account and goes again next
// time. Nothing of this fails a block.
//
// # Not here
//
// The changeover from a standalone chain (app/changeover: InitGenesis at
// the changeover height) and the move to sovereignty (app/consumerapp) are
// the application's business; the init timeout is later work.
package consumer
