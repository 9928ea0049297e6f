// Package sovnet turns a consumer of a running CCV testnet (the one
// `icsd testnet start --consumers N` runs, package testnet) sovereign
// (SPEC 9), from the testnet's directory alone: it talks to the nodes
// over RPC and signs with the keys their homes hold.
//
// Through the consumer's own governance (the default), which is how an
// operator does it:
//
//  1. every provider validator with a node on the consumer creates, with
//     its operator account (funded in the consumer's genesis), a
//     validator of the consumer's own staking with the consensus key its
//     node runs, unless it has one; it bonds a thousandth of its CCV
//     power's worth, so that the own set weighs as the CCV set does;
//  2. validator 0's operator proposes a MsgScheduleSovereignTransition
//     from governance at a height past the end of the vote, and every
//     such validator votes yes; the plan appears once the vote ends;
//  3. at that height H the consumer turns sovereign; from H+2 its blocks
//     are signed by its own staking's set; the relayer brings the closing
//     of the CCV channel to the provider, which stops the consumer.
//
// Through the provider (ViaProvider): a consumer removal proposal on the
// provider, every provider validator voting yes; the provider stops the
// consumer and closes the CCV channel, and the consumer, told by the
// relayer, plans and makes the transition by itself in its next block.
//
// Either way the package prints each step and what it saw, and returns
// the transition's height.
package sovnet
