// Package slashing punishes the chain's own validators for what CometBFT
// reports at the start of each block: missed signatures (downtime) and
// double signing (misbehaviour). It decides who is punished and when; the
// punishments themselves, Slash, Jail and Tombstone, are staking's, because
// they change stake, the power index and the validator set.
//
// # Liveness
//
// Every vote of a block's DecidedLastCommit moves the voting validator's
// sliding window of SignedBlocksWindow blocks one step: the window's
// SigningInfo (start height, index offset, missed count) and one marker key
// per missed block at its index in the window. Jailed and tombstoned
// validators are not tracked, so a validator is jailed once per episode.
// When a bonded validator has filled a window and missed more than
// SignedBlocksWindow * (1 - MinSignedPerWindow) of it, counted exactly, it
// is slashed SlashFractionDowntime of its stake at height-2, jailed for
// DowntimeJailDuration, and its window starts again.
//
// # Double signing
//
// Every DUPLICATE_VOTE or LIGHT_CLIENT_ATTACK of the block's misbehaviour
// against a known validator that is not yet tombstoned, at a height not
// above the current one and not older than UnbondingPeriod, slashes
// SlashFractionDoubleSign of the validator's stake at the infraction
// height, jails it forever and tombstones it; its window is dropped. Other
// evidence is ignored, so evidence submitted twice acts once.
//
// # State and parameters
//
// The windows live in the staking store, under the staking prefixes of
// SigningInfoKey and MissedKey, and the parameters are staking's Params:
// this package owns no store of its own, and the state layout is the one
// staking froze. staking.Keeper.SetParams drops every window when
// SignedBlocksWindow changes.
package slashing
