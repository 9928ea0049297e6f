// Package tx holds `icsd tx`: the commands that sign a message with a key
// of the keyring, send it to a node over CometBFT RPC and wait for its
// block, one group per module (bank, staking, gov, distribution,
// ibc-transfer, provider). Building a message from arguments is all they
// do; signing and sending is the client package's.
package tx
