// Package load measures a running network the way its users load it: it
// signs transactions, broadcasts them to real nodes over CometBFT RPC at a
// target rate for a fixed time, and watches the blocks for them. It is what
// `icsd bench load` runs.
//
// The W1 transfer workload (RunTransfers) derives Options.Accounts keys
// from a seed, funds them from a funder key with multi-message
// transactions and waits for that funding to commit, then sends bank
// transfers between random accounts, each paying the chain's minimum fee.
// icsd's CheckTx runs Ante on a state that carries the mempool's pending
// transactions, so an account may have several transactions in flight as
// long as they reach one node in nonce order: every account is owned by one
// submitter, which sends over one connection to one node, one call at a
// time, and holds at most Options.PerAccount of the account's transactions
// in flight. A transaction refused by CheckTx gives its nonce back (nothing
// after it was sent yet), or, refused for a wrong nonce, the account goes on
// from the nonce the node expects (CometBFT answers CheckTx OK for a
// transaction it then drops because its mempool is full); an account
// whose transaction fails in a block, or whose broadcast got no answer, is
// retired for the rest of the run, since its next nonce is no longer known.
//
// The kvstore workload (RunKVStore) starts CometBFT's kvstore example
// application as a single-validator node in this process (StartKVStore) and
// sends it unique key=value transactions the same way, so that a run shows
// the consensus-bound ceiling beside icsd's.
//
// A run has four parts. A pacer hands out send slots at Options.Rate per
// second; a slot nobody takes within half a second is missed, and counted
// against the accounts (every submitter waited for a free account) or
// against the client (the submitters were busy with RPC calls).
// Options.Conns submitters, spread over the nodes, each with its own RPC
// connection, sign and send with broadcast_tx_sync. A watcher follows one
// node: it polls the small headers to learn when each block is first
// committed (that is when the client sees its transactions committed), and
// reads every block's results and transactions, decoding only the codes and
// the transactions, to match its transactions by hash; that second loop may
// lag under load without moving the times. After Options.Duration the
// submitters stop and the run waits up to Options.Drain for the
// transactions still in flight.
// The statistics (Result) are the counts, the committed rate over the window
// from the first to the last block holding load transactions (WindowRate),
// the submit-to-commit latency percentiles (Percentile), and the blocks.
package load
