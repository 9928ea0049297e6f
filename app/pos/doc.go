// Package pos assembles an icsd chain's own proof of stake on top of its
// accounts (app.Accounts): staking, slashing, distribution and governance,
// wired to each other, with their messages, genesis, block hooks and
// queries.
//
// A provider runs it as its validator selection: PoS.EndBlock's validator
// updates go to CometBFT and slashing punishes its validators' downtime and
// double signs. A consumer that may become sovereign (SPEC 9) carries it
// from genesis, dormant (PoS.Dormant): delegations, undelegations,
// governance and the distribution of the consumer's kept fees run on the
// consumer's own stake, but staking's validator set is bookkeeping only (no
// updates reach CometBFT, whose set is the one the provider sends) and
// slashing does not run (CCV reports downtime to the provider). The move
// to sovereignty turns Dormant off rather than migrating state.
//
// The chain adds what it has beyond proof of stake through small hooks:
// PoS.OnUnbonding receives the unbonding entries a message started (the
// provider holds them for its consumers), staking's Keys reserves consensus
// keys, and Gov takes more proposal handlers and parameter spaces.
package pos
