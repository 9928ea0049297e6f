// Package leveldb opens the goleveldb database of a state.MultiStore with
// the options the multistore is tuned for.
package leveldb

import (
	dbm "github.com/cosmos/cosmos-db"
	"github.com/syndtr/goleveldb/leveldb/filter"
	"github.com/syndtr/goleveldb/leveldb/opt"
)

// Open opens (or creates) the goleveldb database name in dir
// ("<dir>/<name>.db") with the options the multistore is tuned for:
//
//   - a block cache of 64 MiB for the IAVL nodes missing from the trees'
//     node caches (pruning reads none, see package prune; a larger cache
//     only adds to the heap the collector scans: 256 MiB gave no more
//     throughput on the W1 benchmark);
//   - no compression: IAVL nodes are mostly hashes, which do not compress,
//     and compressing every table block on compaction costs CPU;
//   - a 32 MiB write buffer and 8 MiB tables, so a block's nodes rarely
//     trigger a level-0 flush and compactions are fewer;
//   - no compactions triggered by reads (seek compaction), which IAVL's
//     scattered node reads would otherwise set off;
//   - a 10-bit bloom filter per table, as cosmos-db sets by default.
//
// Databases created with other options (compressed blocks included) open
// and read normally.
func Open(name, dir string) (dbm.DB, error) {
	return dbm.NewGoLevelDBWithOpts(name, dir, &opt.Options{
		Filter:                 filter.NewBloomFilter(10),
		Compression:            opt.NoCompression,
		BlockCacheCapacity:     64 << 20,
		WriteBuffer:            32 << 20,
		CompactionTableSize:    8 << 20,
		DisableSeeksCompaction: true,
	})
}
