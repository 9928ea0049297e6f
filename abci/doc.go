// Package abci adapts the chain to CometBFT's ABCI 2.0 (ABCI++): App
// implements abcitypes.Application and holds no protocol logic of its own.
//
// The block pipeline is the one every later module plugs into:
//
//   - InitChain validates the genesis and writes it into the working state;
//   - FinalizeBlock opens a block cache over the working state, runs the
//     begin-block hooks, then every transaction (decode, signature check in
//     parallel over the whole block, Ante on its own cache that is kept even
//     when the messages fail, then the messages on a cache that is kept only
//     when all succeed), then the end-block hooks; it writes the block cache
//     into the working trees in sorted key order and returns the working app
//     hash. It persists nothing.
//   - Commit saves every tree in one atomic step. A crash before it loses
//     only the uncommitted block, which CometBFT replays.
//
// CheckTx runs against a cache over the last committed version, reset at
// every Commit, so that several transactions of one account can wait in the
// mempool with consecutive nonces. Queries read immutable committed versions
// and never take the block lock.
//
// Every error that a transaction, a query or a genesis can cause maps to a
// stable code through one table (errors.go).
package abci
