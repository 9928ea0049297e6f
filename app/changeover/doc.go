// Package changeover assembles a standalone chain that may become a
// consumer (SPEC 9): a provider with no consumers (app/providerapp) that,
// at the height of the changeover genesis its node was given, turns into a
// consumer with its own proof of stake (app/consumerapp), keeping its
// state.
//
// The plan is the consumer genesis the provider computed when it launched
// the consumer with the standalone's chain id (ccv.ConsumerGenesis with a
// Changeover), which every validator gives its node before the height
// (nodehome: icsd genesis import-consumer on the running home). It lives
// outside the chain's state, as any upgrade plan given to nodes: a node
// without it makes no transition, computes another app hash at the
// height, and stops there.
//
// The transition, first in the block at the changeover height:
//
//   - stores: the consumer's is added, the provider's retired (it must
//     hold no consumer);
//   - the consumer starts from the genesis: its client of the provider,
//     its parameters and the initial validator set as its CCV set; the
//     chain's IBC and transfer state is kept as it is;
//   - the chain's proof of stake stays, dormant: delegations, rewards,
//     governance and unbondings go on (an unbonding completes after the
//     chain's own unbonding period), but its set no longer reaches
//     CometBFT;
//   - the block's validator updates give the initial set its powers and
//     the standalone's validators power 0 (sovereign.Handover), effective
//     two blocks later: the standalone's set signs up to the height + 1,
//     the provider's from the height + 2.
//
// The CCV channel opens when the relayer links the chains (icsd relay
// link-ccv), on the clients both created: the provider's client of the
// consumer trusts the initial set from the changeover height, so the
// relayer updates it with a header from the height + 2 on. A consumer
// created naming a connection the chains have (connection_id) runs on
// that connection instead: the provider tracks the chain with its client,
// the genesis names the chain's end, whose client of the provider the
// consumer takes, and the relayer opens the CCV channel on it after
// updating the provider's client to the height + 1.
//
// Factory reopens a chain that changed over by its stores, as the
// consumer it now is.
package changeover
