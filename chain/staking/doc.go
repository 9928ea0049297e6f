// Package staking is the chain's proof of stake: validators, delegations,
// the unbonding queue with holds, the validator set returned to CometBFT,
// and the punishments (slash, jail, tombstone) that package slashing
// applies to the chain's own validators for downtime and double signing.
// It is also what an Interchain Security provider builds on: the provider
// holds unbonding entries for its consumer chains, and slashes, jails and
// tombstones validators for misbehaviour reported by them.
//
// # Tokens and pools
//
// Tokens are uint64 amounts of Params.BondDenom held by the bank. Staked
// tokens sit in two module accounts: the bonded pool holds the tokens of
// bonded validators, the not-bonded pool those of unbonding and unbonded
// validators and of pending undelegations. Delegating moves tokens from the
// delegator to the pool of the validator's status; a validator changing
// status moves all its tokens between the pools; a completed undelegation
// pays its balance from the not-bonded pool back to the delegator; a slash
// burns tokens from the pool that holds them. Hence, at every block
// boundary, the bonded pool equals the tokens of the bonded validators, the
// not-bonded pool equals the tokens of the others plus the balances of the
// pending undelegations, and the supply only shrinks by what is slashed.
//
// # Shares and rounding
//
// A validator has tokens T and delegator shares S; a delegation holds
// shares, worth shares*T/S tokens. All arithmetic is on uint64 with exact
// 128-bit intermediates (math/bits), and every rounding favours the
// validator's remaining delegators, so no operation creates tokens:
//
//   - delegating a tokens issues floor(a*S/T) shares (a shares when S is
//     0); an amount worth no share is refused (ErrDelegationTooSmall), and a
//     validator with shares but no tokens accepts no delegation;
//   - undelegating a tokens removes exactly a tokens and ceil(a*S/T)
//     shares; a remainder of shares worth no token is removed with them,
//     and whoever removes the last shares takes the last tokens;
//   - the value of shares, TokensFromShares, is rounded down;
//   - a slash removes tokens and no shares, so all delegators of the
//     validator lose the same fraction.
//
// Fractions (commission, slash and liveness parameters) are the exact
// rationals numerator/denominator in [0, 1] of package fraction.
//
// # The validator set
//
// A validator is created unbonded with its operator's self-delegation.
// The power index orders validators that are neither jailed nor
// tombstoned and have positive power (tokens / PowerReduction) by power
// descending, then operator ascending. EndBlock takes the first
// MaxValidators of it as the bonded set, bonds validators that entered,
// starts the unbonding of those that left, and returns the difference
// against the last returned set (kept in the store, so it survives
// restarts) as CometBFT validator updates, in operator order, checked for
// duplicate keys and negative powers.
//
// # Unbonding and holds
//
// Every unbonding operation (an undelegation, a redelegation from a bonded
// or unbonding validator, a validator leaving the bonded set) is an
// UnbondingEntry with a unique, increasing id, its creation height, its
// completion time (now + UnbondingPeriod; for a redelegation from an
// unbonding validator, that validator's completion time), its initial and
// current balance and a sorted set of holders. The operations that start
// entries (Undelegate, Redelegate, EndBlock) return their ids in a Result
// beside their events, rather than calling up into the module that holds
// entries: the chain passes each id on (to the provider, which may
// PutOnHold it) right after the call, before anything else runs. An entry
// completes at the first EndBlock at or after its completion time at which
// it has no holder. EndBlock reads only the due part of a time-ordered
// queue; a due entry that is held leaves the queue and is marked matured,
// and releasing its last hold puts it back in the queue, already due, so
// it completes at the next EndBlock. A validator that bonds again before
// its unbonding completes cancels its entry (and the holds on it).
//
// # Slashing
//
// Slash takes a fraction of the stake a validator had at an infraction
// height (power * PowerReduction): first from the undelegations and
// redelegations that left the validator at or after that height, each at
// most the fraction of its initial balance, then from the validator's
// tokens. Jail keeps a validator out of the set until a time (Unjail
// brings it back after that), and Tombstone forbids it for good. Package
// slashing calls them for the chain's own validators, keeping its
// liveness windows in this store (SigningInfoKey, MissedKey, dropped by
// SetParams when SignedBlocksWindow changes); the provider calls them for
// misbehaviour on its consumer chains.
//
// # State
//
// Keys are built by the helpers of keys.go under frozen one-byte prefixes;
// values are gogoproto messages of staking.proto. Times in records are Unix
// nanoseconds. Validators are never deleted, so a consensus key, once used,
// stays taken and a tombstone stays in force.
package staking
