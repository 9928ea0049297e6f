// Package registry is the provider's record of its consumer chains: each
// consumer's id, chain id, phase, owner, parameters (initialization, power
// shaping, infraction), the validators opted in to it and their
// commissions; the messages that create and change them; and which
// validators run each consumer (partial set security, SPEC 6).
//
// Every consumer is named by a consumer id, a counter ("0", "1", ...)
// that is part of each of its keys, so that a chain id may be launched
// again after its consumer stopped; at most one live (neither stopped nor
// deleted) consumer has a given chain id. MsgCreateConsumer (any account,
// which becomes the owner) creates one: PHASE_REGISTERED without a spawn
// time, PHASE_INITIALIZED with one. The owner changes it with
// MsgUpdateConsumer (initialization parameters only before launch;
// top_n > 0 only while governance, Keeper.Authority, owns it). Package
// provider launches, runs, stops and removes consumers, moving them
// through PHASE_LAUNCHED, PHASE_RUNNING, PHASE_STOPPED and PHASE_DELETED.
//
// Validators opt in (MsgOptIn, optionally with a consumer key) and out
// (MsgOptOut), effective at the next epoch. A top-N consumer (top_n 50 to
// 100) opts in, at launch and at every epoch, every active validator in
// the smallest set holding N% of the power, and refuses their opt-out.
// Choose gives a consumer's next set: the opted-in validators that
// package provider/shaping keeps under the consumer's lists, minimum
// stake, inactive-validator rule and caps. Validators set a commission per
// consumer (MsgSetConsumerCommissionRate).
//
// The records live in the provider store, under the prefixes of keys.go;
// like package provider/vsc, the Keeper holds no state of its own and
// sees the chain through small interfaces.
package registry
