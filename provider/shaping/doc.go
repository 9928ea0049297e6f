// Package shaping computes the validator set of one consumer chain from the
// provider's validators and the consumer's power-shaping parameters (partial
// set security).
//
// It is pure and deterministic: no state, no I/O, and results that depend
// only on the set of candidates, never on their order. Inputs are never
// modified, and results share no memory with them.
//
// A consumer's next set is built in three steps (Select):
//
//  1. Filter: keep the candidates that are opted in and Eligible (positive
//     power, active or AllowInactive, on the Allowlist if there is one, not on
//     the Denylist, enough tokens for MinStake).
//  2. Set cap: if ValidatorSetCap is set, keep that many: Prioritylist members
//     first, in Prioritylist order, then the others by power, highest first.
//  3. Power cap: if ValidatorsPowerCap is set, lower the powers above that
//     percent of the total and spread the excess over the others (CapPowers).
//
// Top-N consumers are handled by the caller: validators in the top N percent
// of the provider's active power (MinPowerInTopN) are opted in automatically,
// so the optedIn function given to Select should report them as opted in.
package shaping
