// Package vsc is the part of the provider side of Interchain Security
// that replicates the provider's validator set to consumer chains:
// validator set changes (VSCs) and their epochs, consumer key assignment,
// and the maturity holds that keep unbonding stake slashable until every
// consumer it secured has matured it. Package provider drives it (the
// consumer lifecycle, slash handling, evidence) and owns the store it
// writes in: the provider store, under this package's own prefixes
// (keys.go; 0x02, 0x04, 0x20-0x23, 0x30-0x32, 0x40 and 0x50).
//
// The Keeper holds no state: every method takes the store, and the block's
// height and time where they matter. It sees the chain through the small
// interfaces of keeper.go (Staking, Unbonding, Channels), which package
// provider passes on from its own. It does not know the consumers' phases:
// the caller says which consumers are launched, on which channel a running
// consumer's VSCs go, and when a consumer is deleted.
//
// # Validator set changes
//
// Every BlocksPerEpoch blocks, the provider's EndBlock calls Queue for each
// launched consumer: it computes the consumer's next set (NextSet: every
// bonded validator with positive power that is neither jailed nor
// tombstoned, under its assigned consumer key if any), diffs it against
// the set it last stored (by consumer key: a key that leaves gets power 0;
// a key never appears twice) and queues a VSC packet with the current vsc
// id when the set changed, slash acknowledgements wait, or the consumer
// holds unbonding entries under that id. NextEpoch then records the
// provider height the id maps to (the next block: slash packets citing the
// id refer to that stake) and moves the vsc id up by one, whether or not
// anything was sent. SendPending sends a running consumer's queued packets
// at once, in id order, and records when each was sent; a send that fails
// (an expired client) leaves them queued. OldestUnmatured tells the
// provider when the oldest VSC a consumer has not matured was sent, for
// the VSC timeout.
//
// # Maturity holds
//
// The chain calls provider.Keeper.AfterUnbondingInitiated with the id of
// every unbonding entry its staking reports having started (undelegation,
// redelegation, validator leaving the bonded set). The entry is put on hold (Holder: "ccv/<consumer
// id>") for each launched consumer whose last stored set contains its
// validator, under the current vsc id. Matured, on a VSCMatured packet for
// id v, releases the consumer's holds put under ids up to v and forgets the
// send times of the VSCs it matured. The entry completes once the
// provider's unbonding period has passed and no hold is left. A consumer
// that stops has all its holds released (ReleaseHolds), so nothing waits
// forever. Holds lists them.
//
// # Key assignment
//
// Assign sets the key a validator uses on one consumer; it takes effect at
// the next epoch as (old key, 0) and (new key, power). Refused: a key
// another validator uses or assigned on that consumer, or whose mapping to
// another validator is not yet pruned, and another validator's provider
// key. Assigned keys are reserved: chain/staking refuses them as a new
// validator's key (IsKeyReserved).
//
// The key owner index maps each consumer address in a consumer's set to
// its provider validator (KeyOwner); when a key leaves the set its mapping
// stays for one provider unbonding period (PruneKeyOwners deletes it
// after), so that slash packets and evidence about it still find the
// validator. Slash handling records the addresses it acted on (AckSlash);
// the next VSC carries them as slash_acks, bech32 consensus addresses
// with the provider's prefix.
package vsc
