// Package query holds `icsd query`: the commands that run an ABCI query on
// a node over CometBFT RPC and print its JSON answer as text or, with
// -o json, as indented JSON, one group per module (bank, staking, gov,
// distribution, ibc, provider, consumer).
//
// The provider group names consumers by their consumer id: consumers (a
// table of every consumer and its phase), consumer (one consumer's
// parameters, opted-in validators and validator set), validator-consumers
// (what a validator, by consensus address, must run), and
// blocks-until-next-epoch, beside the per-consumer genesis (consumer-genesis;
// --format ics converts it to the reference's ConsumerGenesisState with
// ccv/icsgenesis), validators, pending-vsc, key-assignments and
// consumer-rewards. The consumer group
// shows a planned sovereign transition (sovereign-transition); role tells
// from the chain's stores whether it is a consumer, a provider or a
// standalone chain, and the transitions that made it so.
package query
