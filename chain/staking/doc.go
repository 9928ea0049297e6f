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
// A delegation holds shares of its validator's tokens. Package shares
// does the exact arithmetic, in which every rounding favours the
// validator's remaining delegators, so no operation creates tokens; a
// slash removes tokens and no shares, so all delegators of the validator
// lose the same fraction.
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
// # Unbonding
//
// Undelegate, Redelegate (from a bonded or unbonding validator) and
// EndBlock (a validator leaving the set) start entries in the queue of
// package unbonding, which holds them until due and unheld, and return
// their ids in a Result: the chain passes each id on (to the provider,
// which may put it on hold) right after the call. EndBlock completes what
// the queue says is due: it pays out undelegations and unbonds
// validators; a validator that bonds again cancels its entry.
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
// Keys are built by the helpers of keys.go under frozen one-byte prefixes
// (the queue's are package unbonding's); values are gogoproto messages of
// staking.proto and unbonding.proto. Times in records are Unix
// nanoseconds. Validators are never deleted, so a consensus key, once used,
// stays taken and a tombstone stays in force.
package staking
