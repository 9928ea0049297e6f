// Package state is the application's IAVL multistore: a set of named
// key/value stores ("auth", "bank", "staking", ...), each backed by its own
// IAVL tree, all kept in one cosmos-db database and committed together
// under a single app hash.
//
// # Layout
//
// Every store's tree lives under its own key prefix, "s/k:<name>/", of the
// shared database (store names therefore may not contain '/', which would
// let one prefix contain another). The commit record, the only marker of
// what has been committed, lives under "s/latest": the last committed
// version, the first version ever committed, and the app hash. Each store
// upgrade lives under "s/upgrade/<version>".
//
// # Working state
//
// MultiStore.Working returns the working (uncommitted) state. Writes go
// straight into the IAVL working trees, so reads and iterators see them at
// once, including deletes. IAVL's in-memory tree is persistent (every
// update copies the path from the root), so an iterator over the working
// state is a snapshot: writing to a store while iterating over it is
// allowed, and the writes are not visited. MultiStore.WorkingHash returns
// the app hash the working state would commit to, and MultiStore.Discard
// drops it.
//
// Reads of the working state go through a value cache per store
// (Options.ValueCacheBytes): an IAVL read walks the tree from the root,
// one node-cache lookup per level, which made reads the largest cost of
// executing transfers. The cache is write-through (every Set and Delete
// updates it, absent keys included), is emptied by Discard, and drops
// entries when over its byte budget; it never changes a result.
//
// The shape of an IAVL tree, and hence the app hash, depends on the order
// of insertions, so writes must happen in a deterministic order. Cache
// provides that: it buffers writes (a map per store, with no allocation for
// updates of buffered keys), reads its own writes first, merges its writes
// into its parent's iterators, and flushes them on Write in sorted store
// name and key order, so the result depends only on the final buffered
// state. Caches nest; the usual pattern is a Cache per transaction (dropped
// on failure) over a Cache per block or over the working state directly.
//
// iavl's fast-storage index (the skipFastStorageUpgrade argument of
// iavl.NewMutableTree) is disabled. With it, working-state iterators are
// also correct, but it made BenchmarkBlocks (goleveldb, 100k keys in six
// stores, blocks of 2,000 random keys each read, written and read again,
// then Commit; two cores) 3-25% slower across repeated runs, for example
// about 18k against 21k leaf writes per second over 100 blocks: every write
// also maintains a fast-node entry (in a sync.Map, then on disk), which
// costs more than the tree traversals it saves. Without it, iterators are
// tree traversals that never hold database iterators open (cosmos-db's
// memdb iterators hold a lock that blocks writers until closed).
//
// # Commit atomicity
//
// Commit saves a new version of every tree, one goroutine per tree since
// the trees are independent (in the benchmark this cut commit time by
// 25-45% with six stores on two cores), then writes the commit record, and
// an upgrade, in one synced batch, which on a write-ahead-logged backend
// such as goleveldb also makes the trees' earlier, unsynced batch writes
// durable. A version counts as committed only once its record is written.
// If the process dies in between, some trees are ahead of the record; Open
// rolls those back with iavl's LoadVersionForOverwriting, so a commit is
// atomic across trees. Open also recomputes the app hash of the loaded
// trees and fails with ErrCorrupt if it differs from the record (for
// example when the genesis names changed). Closing without committing
// loses only the uncommitted writes. Rollback, on a closed multistore,
// takes the last version back by writing the previous version's record
// alone and leaving the trees to that same repair.
//
// # Pruning
//
// With Options.KeepRecent > 0, versions older than the most recent
// KeepRecent are pruned every Options.PruneInterval commits, in the
// background: Commit marks them pruned (Views refuse them from then on)
// and returns, and a goroutine deletes them one version of one tree at a
// time, in one write each, from trees of its own, so a crash leaves every
// tree's versions whole or gone and the next commit resumes. Commit never
// waits for it; Close stops it after the version it is on. Each Commit
// finds, per tree, the nodes the new version orphaned (from what the
// working tree wrote and read) and drops them from the tree's node cache;
// with KeepRecent > 0 it records them in its commit batch, under
// "s/k:<name>/x<version>", and pruning deletes that list instead of
// walking two trees read back from disk (packages prune and nodecache).
//
// # Store upgrades
//
// MultiStore.Upgrade adds and retires stores from the next version on,
// in the working state at once, and Commit records it. Open replays the
// recorded upgrades over the genesis names, and deletes the tree of any
// store no record knows: one added by a commit that crashed before its
// record (the replayed block adds it again, empty). The app hash and a
// View of version v cover the stores live at v. Names are never reused;
// retired trees are pruned except their last version, which IAVL cannot
// delete.
//
// # Snapshots
//
// MultiStore.Export holds a committed version, so that pruning leaves it
// and later versions alone, and writes it as one deterministic stream: the
// upgrade records, the live store names, then each tree's nodes as iavl
// exports them, with their versions. Restore imports such a stream into an
// empty database, checks the app hash against the expected one, and only
// then writes the commit record (first version = the restored one) and
// the upgrade records; on failure it deletes what it wrote. Open then
// loads the restored version; earlier versions are not found, and stores
// retired before it have no tree. Package snapshot has the
// format.
//
// # App hash and proofs
//
// The app hash has the shape of the Cosmos SDK multistore's commit hash,
// and View.Prove returns two-layer ICS-23 proofs of it; package proof
// defines both, verifies the proofs and converts them to and from
// CometBFT ProofOps. The names VerifyMembership, VerifyNonMembership,
// ProofOps and ProofsFromOps of this package call it.
//
// # Views and proofs
//
// MultiStore.View returns an immutable view of a committed version. Views
// read through a second set of iavl trees over the same prefixes, with
// their own node caches, which are never written: iavl's working tree
// mutates nodes it shares through its node cache (it clears the child
// pointers of cached nodes it copies, and pruning rewrites node keys), so
// reading old versions through the working tree's own node database while
// a block executes is a data race. Views therefore never take the block
// executor's lock and are safe to use concurrently with execution and
// Commit. MultiStore.Cached reads a View through the working state's value
// caches, for the block goroutine while a Commit runs in the background
// (package overlay lays the last block's writes over it; see package abci,
// "Pipelined commit").
//
// View.Prove returns a value and its two-layer proof (see package proof),
// which it checks before returning. ICS-23 leaf operations reject empty
// values, so a key with an empty value, or the absence of a key next to
// one, cannot be proven (Prove returns ErrUnprovable); stores whose keys
// must be provable should not hold empty values.
package state
