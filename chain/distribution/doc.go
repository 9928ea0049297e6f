// Package distribution pays every block's fees, and optional inflation, to
// the bonded validators, their delegators and a community pool, exactly.
//
// # Allocation
//
// BeginBlock mints Params.InflationPerBlock of the bond denomination into
// the fee collector, moves the fee collector's whole balance into the
// "distribution" module account and splits each denomination: the
// community tax to the community pool, the rest to the bonded validators
// in proportion to their tokens; of a validator's part its commission goes
// to the validator and the remainder to its delegators. Every split rounds
// down and its remainder goes to the community pool, so the amounts add up
// exactly.
//
// # Accumulators
//
// Delegators are paid through one accumulator per validator and
// denomination: reward_per_share, the cumulative reward per delegator
// share scaled by Scale (10^18). Allocating R to delegators holding S
// shares in total adds (R*Scale + remainder)/S to it and keeps the new
// remainder for the next allocation, so nothing is lost to the division.
// A delegation's start record holds its shares and the accumulators when
// its rewards were last withdrawn or its shares last changed; its pending
// rewards are shares*(reward_per_share - start)/Scale, rounded down.
// Because shares only change through the staking hooks, which withdraw
// first and restart the record after, the start record's shares are the
// delegation's shares over the whole period it covers, and the rewards of
// all delegations of a validator never exceed what was allocated to them.
//
// The hooks are BeforeDelegationSharesModified (withdraw with the old
// shares), AfterDelegationModified (restart with the new shares, or forget
// the delegation) and AfterValidatorRemoved (pay the remaining commission
// and move rounding dust to the community pool). Slashing changes tokens
// but not shares, so it affects future allocations only.
//
// # Conservation
//
// Each accumulator also counts its outstanding rewards: allocated to
// delegators and not yet withdrawn, including the rounding dust of
// withdrawals. The module account always holds exactly the community pool
// plus every commission and every outstanding reward; CheckInvariant
// verifies it, and InitGenesis refuses a genesis that breaks it.
// Distribution changes the bank supply only by minting inflation.
//
// Every denomination sent to the fee collector is distributed and gets an
// accumulator per bonded validator. Fees themselves are paid in the fee
// denomination only; other denominations reach the fee collector only by
// transfers, each of which costs a fee.
package distribution
