package state

import (
	"fmt"
	"slices"

	dbm "github.com/cosmos/cosmos-db"

	"github.com/abci-ics/ics/state/internal/record"
)

// Rollback rolls the multistore in db back by one version, from the last
// committed version N to N-1, and returns N-1's CommitInfo: the commit
// record becomes N-1's, an upgrade committed at N is undone (the stores it
// added are deleted, those it retired are live again as they were at
// N-1), and every tree goes back to N-1. names are the genesis stores, as
// given to Open; the multistore must not be open. A crash during Rollback
// leaves N or N-1 committed (package record tells how), and Open works on
// either. Rollback fails with ErrVersionNotFound when nothing is committed
// or N is the first committed version, with ErrVersionPruned when N-1 was
// pruned, and with ErrCorrupt when N's trees do not give N's app hash (for
// example for other names); db is then unchanged.
func Rollback(db dbm.DB, names []string) (CommitInfo, error) {
	c, err := record.Rollback(db, slices.Sorted(slices.Values(names)))
	if err != nil {
		return CommitInfo{}, fmt.Errorf("state: rollback: %w", err)
	}
	m, err := Open(db, names, Options{CacheSize: 1000, ValueCacheBytes: -1}) // rolls the trees back
	if err != nil {
		return CommitInfo{}, fmt.Errorf("state: rolled back to version %d, then: %w", c.Version, err)
	}
	return m.LastCommit(), m.Close()
}
