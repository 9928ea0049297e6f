package record

import (
	"bytes"
	"errors"
	"fmt"

	dbm "github.com/cosmos/cosmos-db"
	"github.com/cosmos/iavl"

	"github.com/abci-ics/ics/state/proof"
)

var (
	// ErrVersionNotFound is state.ErrVersionNotFound: a version that was
	// never committed.
	ErrVersionNotFound = errors.New("state: version not found")

	// ErrVersionPruned is state.ErrVersionPruned: a version that was
	// committed and has been pruned since.
	ErrVersionPruned = errors.New("state: version pruned")
)

// Rollback rewrites the records of db so that the version before the last
// commit is the last one: the commit record of the last version N becomes
// that of N-1, with N-1's app hash, and the upgrade recorded at N, if
// any, is deleted, both in one synced batch. It does not touch the
// trees: trees at N are then ahead of the record, and the stores an
// upgrade at N added have no record, which is exactly what a Commit of N
// that crashed before its record leaves, and what opening the multistore
// repairs (its trees go back to N-1 and the added stores' trees are
// dropped). A crash leaves the records of N or those of N-1, and either
// opens.
//
// genesis are the sorted genesis stores. Before writing anything,
// Rollback recomputes N's app hash from the trees and fails with
// ErrCorrupt if it is not the recorded one (wrong genesis names, for
// example), and reads N-1's root of every store live at N-1. It fails
// with ErrVersionNotFound when nothing is committed or N is the first
// version, and with ErrVersionPruned when a tree no longer has N-1;
// db is then unchanged.
func Rollback(db dbm.DB, genesis []string) (Commit, error) {
	rec, err := ReadCommit(db)
	if err != nil {
		return Commit{}, err
	}
	if rec.Version == 0 {
		return Commit{}, fmt.Errorf("%w: nothing is committed", ErrVersionNotFound)
	}
	if rec.Version == rec.First {
		return Commit{}, fmt.Errorf("%w: version %d is the first committed, there is none before it", ErrVersionNotFound, rec.Version)
	}
	h, err := ReadHistory(db, genesis, rec.Version)
	if err != nil {
		return Commit{}, err
	}
	to := rec.Version - 1
	hashes := make(map[int64][]byte, 2)
	for _, v := range []int64{rec.Version, to} {
		if hashes[v], err = appHash(db, h, v); err != nil {
			return Commit{}, err
		}
	}
	if !bytes.Equal(hashes[rec.Version], rec.Hash) {
		return Commit{}, fmt.Errorf("%w: app hash of version %d is %X, recorded %X", ErrCorrupt, rec.Version, hashes[rec.Version], rec.Hash)
	}
	c := Commit{Version: to, First: rec.First, Hash: hashes[to]}
	b := db.NewBatch()
	err = b.Set(CommitKey, c.Encode())
	if n := len(h.Upgrades); n > 0 && h.Upgrades[n-1].Version == rec.Version && err == nil {
		err = b.Delete(h.Upgrades[n-1].Key())
	}
	if err == nil {
		err = b.WriteSync()
	}
	if err = errors.Join(err, b.Close()); err != nil {
		return Commit{}, fmt.Errorf("writing the commit record of version %d: %w", to, err)
	}
	return c, nil
}

// appHash returns the app hash of version v of the stores of h, read from
// their trees in db. It fails with ErrVersionPruned when a store live at
// v no longer has it.
func appHash(db dbm.DB, h History, v int64) ([]byte, error) {
	names := h.LiveAt(v)
	roots := make([][]byte, len(names))
	for i, name := range names {
		t := iavl.NewMutableTree(TreeDB(db, name), 1000, true, iavl.NewNopLogger())
		it, err := t.GetImmutable(v)
		if err == nil {
			roots[i] = it.Hash()
		} else if errors.Is(err, iavl.ErrVersionDoesNotExist) {
			err = fmt.Errorf("%w: store %q has no version %d", ErrVersionPruned, name, v)
		}
		if err = errors.Join(err, t.Close()); err != nil {
			return nil, fmt.Errorf("reading store %q at version %d: %w", name, v, err)
		}
	}
	return proof.AppHash(names, roots), nil
}
