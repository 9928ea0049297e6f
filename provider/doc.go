// Package provider is the provider side of Interchain Security (ICS-028,
// cross-chain validation): it launches consumer chains, created by any
// account or by governance, replicates to each the part of the provider's
// validator set that validates it (partial set security), holds unbonding
// stake until every consumer it secured has matured it, and punishes
// validators for downtime and double signing on consumers.
//
// It is embeddable: the Keeper sees the chain only through the small
// interfaces of keeper.go (Staking, Unbonding, Clients, Channels), which the
// icsd application wires to chain/staking and the ibc packages and which
// another chain can implement itself. Every method takes the store it works
// on and, where it matters, the block's height and time, and returns the
// events of what it did (packets it sent included); the keeper keeps no
// state of its own.
//
// # Life of a consumer
//
// Every consumer is named by a consumer id, a counter ("0", "1", ...) that
// is part of each of its keys (see keys.go): its chain id may be launched
// again after the consumer stopped. Package provider/registry keeps the
// consumers' records and handles the messages that create and change
// them. MsgCreateConsumer (any account, which becomes the owner) or a
// passed ConsumerAdditionProposal
// (ExecuteAddition, a gov handler; owned by governance, Keeper.Authority)
// creates it: PHASE_REGISTERED without a spawn time, PHASE_INITIALIZED
// with one. The owner changes it with MsgUpdateConsumer (initialization
// parameters only before launch; top_n > 0 only when governance owns it)
// and removes it with MsgRemoveConsumer. At the first EndBlock at or after
// its spawn time the provider launches it (PHASE_LAUNCHED): it computes the
// first validator set (below), creates its light client of the consumer
// (trusted at the consumer's initial height, with that set as next
// validators and a sentinel root), and stores the consumer genesis: a
// client and consensus state of the provider trusting exactly this block's
// header (time, app hash, next validators hash), the first set and the
// consumer parameters. A consumer whose first set would be empty (nobody
// opted in) is not launched and goes back to PHASE_REGISTERED.
//
// The phases of SPEC 6 map one to one: registered, initialized, launched,
// running, stopped, deleted. (Before consumer ids, PHASE_REGISTERED meant
// what PHASE_INITIALIZED means now, and PHASE_STOPPING what PHASE_STOPPED
// means.)
//
// # Partial set security
//
// Validators opt in to a consumer (MsgOptIn, optionally with a consumer
// key) and out of it (MsgOptOut), effective at the next epoch (registry). A
// top-N consumer (top_n 50 to 100) opts in, at launch and at every epoch,
// every active validator in the smallest set holding N% of the power, and
// refuses their opt-out. The consumer's set is then what package
// provider/shaping selects from the opted-in validators: allowlist,
// denylist, min_stake and allow_inactive_vals filter, validator_set_cap
// keeps the highest powers (prioritylist first), validators_power_cap caps
// powers in exact integers. Validators set a commission per consumer
// (MsgSetConsumerCommissionRate), and each consumer carries its own
// infraction parameters, used by the slash and evidence paths.
//
// The consumer opens the CCV channel (ORDERED, ports consumer/provider,
// version "1"). OnChanOpenTry accepts only a channel on a connection over
// the client the provider created for that consumer, and only one; it
// answers with the handshake metadata (fee pool address, version) as the
// channel version. OnChanOpenConfirm makes the consumer PHASE_RUNNING, and
// that block's EndBlock records its init height (what vsc id 0 maps to).
// A consumer whose channel does not open within InitTimeoutPeriod is
// stopped.
//
// A consumer stops on a removal proposal at its stop time, on the init or
// VSC timeout, on a VSC packet that times out, on an error acknowledgement
// of a VSC packet, when the counterparty closes the channel, or when its
// owner removes it. Stopping marks it PHASE_STOPPED; the end of the block
// releases its holds, closes the channel if it is open and deletes every
// key under its prefixes, keeping only its record, in PHASE_DELETED.
//
// # Validator sets, key assignment and maturity holds
//
// Package provider/vsc keeps, in the provider store, what replicates the
// provider's validator set to the consumers: each consumer's current set
// under the validators' consumer keys, the key assignments and the index
// from consumer addresses to provider validators, the VSC packets queued
// and sent, the vsc ids and the provider heights they map to, and the
// holds consumers put on unbonding entries. Its doc.go tells that part of
// the protocol. The provider Keeper drives it: EndBlock queues VSCs at
// epoch boundaries and sends them on running consumers' channels, a
// VSCMatured packet releases holds, slash handling looks validators up by
// consumer address and acknowledges slashes in the next VSC, and stopping a
// consumer releases its holds and deletes its keys. Keeper.VSC returns it,
// built over the Keeper's own Staking, Unbonding and Channels.
//
// # Slashing and throttling
//
// A downtime slash packet names a consumer address and the vsc id in force
// at the infraction. The address maps to its provider validator through the
// key index (keys in the consumer's set, and keys that left it less than an
// unbonding period ago). Unknown, unbonded (save an inactive validator in
// the set of a consumer that admits them) or tombstoned validators, and
// slash packets for double signing (punished through evidence only), are
// acknowledged as handled with no effect. A jailed validator is not jailed
// again, but its address is still acknowledged in the next VSC. Otherwise,
// if the provider-wide slash meter is not negative, the validator is
// punished with the consumer's downtime parameters (by default: jailed for
// DowntimeJailDuration, slashed by DowntimeSlashFraction, 0, of its stake
// at the mapped height), the meter is lowered by its
// power and its consumer address joins the next VSC's slash_acks; if the
// meter is negative the packet is bounced (ack result 3) and the consumer
// retries it later. The meter refills by SlashMeterReplenishFraction of the
// bonded power every SlashMeterReplenishPeriod, up to that allowance.
//
// # Evidence
//
// MsgSubmitConsumerDoubleVoting carries a duplicate vote and the infraction
// block's header; the header is verified against the provider's client of
// the consumer (package ibc/client), the votes by provider/equivocation. The
// validator is punished with the consumer's double-sign parameters (by
// default: slashed DoubleSignSlashFraction of everything it has at stake,
// pending unbondings included as a consumer height cannot be mapped to a
// provider height, jailed forever and tombstoned), exactly once.
// MsgSubmitConsumerMisbehaviour does the same for every validator that
// signed both of two conflicting headers. Evidence from before the
// consumer's initial height, or older than the provider's unbonding period,
// is stale.
//
// # Rewards
//
// Consumers send their share of fees over ICS-20 to the consumer-rewards
// pool, a module account (rewards.PoolAddress) that the provider names in
// the CCV handshake; package provider/rewards credits what arrives to the
// consumer whose connection it came over when the memo names that consumer
// and the denomination is on its allowlist (MsgChangeRewardDenoms, from the
// owner or governance), and sends the rest to the community pool. Every
// BlocksPerDistributionTransmission blocks of a consumer, counted from its
// launch height, EndBlock splits its pool among the validators of its
// current set by consumer power (exact integers, the remainder stays for
// next time); Keeper.Payer pays each its share with its consumer
// commission, or its staking commission when it set none.
//
// # Errors and acknowledgements
//
// Messages and proposals return the sentinel errors of errors.go. Packet
// callbacks never fail a transaction: an invalid consumer packet gets an
// error acknowledgement with a fixed text (channel.go) and changes nothing.
// Validity is ccv.DecodeConsumerPacket's, which applies the reference's
// Validate rules once (a VSCMatured id of 0, a slash power of 0 and an
// address that is not a consensus address are invalid) and reads a slash
// packet's infraction in the ccv enum consumers send or in the staking
// enum of the reference's current proto JSON, with one outcome for both.
package provider
