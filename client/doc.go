// Package client is how a program talks to an icsd node from outside: a
// Client runs ABCI queries with JSON answers over CometBFT RPC, learns the
// chain id, and signs and broadcasts transactions with the account's nonce
// and the chain's minimum fee; a Submitter does the same for one key and
// serves the relayer.
//
// The keys live in a file keyring: a directory HOME/keyring with one JSON
// file per named ed25519 account key, readable by its owner only and not
// encrypted, meant for test and development networks like CometBFT's own
// priv_validator_key.json (AddKey, SaveKey, LoadKey, ListKeys).
//
// The package holds no command-line code: the icsd commands parse their
// flags and call it.
package client
