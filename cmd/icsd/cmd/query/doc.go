// Package query holds `icsd query`: the commands that run an ABCI query on
// a node over CometBFT RPC and print its JSON answer as text or, with
// -o json, as indented JSON, one group per module (bank, staking, gov,
// distribution, ibc, provider, consumer).
package query
