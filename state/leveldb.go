package state

import (
	dbm "github.com/cosmos/cosmos-db"

	"github.com/abci-ics/ics/state/internal/leveldb"
)

// OpenGoLevelDB opens (or creates) the goleveldb database name in dir
// ("<dir>/<name>.db") with options tuned for the multistore: a large block
// cache, no compression, large write buffers, no seek compactions (see
// package internal/leveldb). Databases created with other options open and
// read normally.
func OpenGoLevelDB(name, dir string) (dbm.DB, error) { return leveldb.Open(name, dir) }
