// Package abci adapts a chain to CometBFT's ABCI 2.0 (ABCI++): App
// implements abcitypes.Application and holds no protocol logic of its own.
// What the chain is (its transaction format, its modules, their hooks and
// queries) comes from an abci.Chain, which a Factory assembles once the
// chain id and genesis are known: at InitChain, or when a node reopens
// state it committed. icsd's two chains are such factories
// (app/providerapp, app/consumerapp).
//
// The block pipeline:
//
//   - InitChain has the Factory assemble the chain and write its genesis
//     into the working state;
//   - FinalizeBlock first makes the transition the chain plans for the
//     block, if any (Transition: stores added to and retired from the
//     state, and the chain that runs from that block on; see
//     Transitioner), then opens a block cache over the working state, runs the
//     chain's BeginBlock, then every transaction (DecodeTx, then VerifyTxs
//     in parallel over the whole block, Ante on its own cache that is kept
//     even when the messages fail, then the messages on a cache that is
//     kept only when all succeed), then the chain's EndBlock, whose
//     validator updates are the block's; it writes the block cache into the
//     working trees in sorted key order and returns the working app hash.
//     It persists nothing.
//   - Commit saves every tree in one atomic step. A crash before it loses
//     only the uncommitted block, which CometBFT replays.
//
// Pipelined commit (Options.Pipeline): Commit starts the save in the
// background and returns, so that the save of block N runs on one core
// while block N+1 executes on the other. The working trees are the save's
// alone meanwhile (iavl rewrites their nodes as it saves them), so block
// N+1 reads block N's state another way: FinalizeBlock N recorded the
// writes it made to the working trees (package state/overlay), and they
// are laid over the committed View of N-1, read through the working
// state's value caches (MultiStore.Cached); CheckTx gets the same layer
// without the caches, which are the block goroutine's alone. FinalizeBlock
// N+1 runs the block on its cache over that layer, waits for the save of
// N, and only then writes into the working trees and hashes them. A block
// whose writes were not all recorded (the genesis block, one that made a
// transition) is saved before Commit returns, and a transition due in
// N+1 waits for the save first. Info and the latest version report only
// saved commits: a node killed mid-save restarts at N-1 and CometBFT
// replays N. Info, and a query of the latest height or of N, wait for the
// save, so answers are never older than without the pipeline; the blocks,
// their results and app hashes are the same either way.
//
// Every step returns its effects (events, validator updates) as values;
// nothing is buffered between calls.
//
// CheckTx runs against a cache over the last committed version (or, while
// it is being saved, the layer above), reset at every Commit, so that several transactions of one account can wait in the
// mempool with consecutive nonces. Queries read immutable committed versions
// and never take the block lock: raw store reads with ICS-23 proofs
// (PathStore) here, Cosmos gRPC method paths in the chain's QueryGRPC when
// it is a GRPCQuerier (App.QueryGRPC serves the same to the gRPC server),
// every other path in the chain's Query.
//
// Every error that a transaction, a query or a genesis can cause maps to a
// stable code through one table: the pipeline's own (Codes) extended by the
// chain's (Options.Code).
//
// State sync: with Options.Snapshots set, Commit hands every height the
// store says is due to it, holding that version of the state for export
// (package snapshots writes it in the background); ListSnapshots and
// LoadSnapshotChunk serve the stored snapshots to peers, and a new node
// restores one:
//
//   - OfferSnapshot refuses (ABORT) on a node that has state (committed,
//     or a genesis awaiting its first commit), rejects an unknown format
//     (REJECT_FORMAT) and a snapshot whose description does not hold
//     together (REJECT), and otherwise starts receiving it, remembering
//     the app hash CometBFT's light client verified;
//   - ApplySnapshotChunk checks each chunk against the snapshot's chunk
//     hashes: a chunk that does not match changes nothing and is asked for
//     again from another peer (RETRY, with the chunk in RefetchChunks and
//     the sender in RejectSenders). After the last chunk the state is
//     restored into the empty database and checked against the app hash
//     (snapshot.Restore); on a mismatch or a malformed stream the database is
//     left empty and the snapshot rejected (REJECT_SNAPSHOT), so another
//     can be offered. On success the chain is assembled from the restored
//     state (Factory.Open, as New does for committed state) and CheckTx
//     points at it: Info reports the snapshot's height and app hash, and
//     blocks execute from the next height on.
package abci
