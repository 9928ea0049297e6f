// Package rollback rolls a stopped node back by one height: the
// application's state and CometBFT's together (icsd rollback).
package rollback

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	cmtcfg "github.com/cometbft/cometbft/config"
	cmtversion "github.com/cometbft/cometbft/proto/tendermint/version"
	cmtstate "github.com/cometbft/cometbft/state"
	"github.com/cometbft/cometbft/store"
	dbm "github.com/cosmos/cosmos-db"

	"github.com/abci-ics/ics/nodehome"
	"github.com/abci-ics/ics/state"
)

// Rolled is what Rollback did to a home.
type Rolled struct {
	// Height and AppHash are where the application and CometBFT are now:
	// the last committed height and its app hash.
	Height  int64
	AppHash []byte
	// App and Comet tell whether the application's state and CometBFT's
	// state were rolled back (from Height+1); one of them was already at
	// Height when a crash or an interrupted rollback left them apart.
	App, Comet bool
	// RemovedBlock is the block removed from the block store (hard), 0
	// when none was.
	RemovedBlock int64
}

// Rollback rolls the stopped node of home back by one height: the
// application's state and CometBFT's together, so that the node executes
// the last block again when it restarts (with hard, the block is removed
// from the block store too, and the node gets it again from its peers).
//
// It first reads the three heights: the application's last commit A,
// CometBFT's state S and its block store's last block B, and checks,
// before changing anything, that the app hash the application has at the
// height it goes back to is the one CometBFT's blocks say. In the usual
// case, A = S = B = N, the application goes back to N-1 first, then
// CometBFT's state. The application goes first because a crash in between
// leaves A = N-1, S = B = N, which the node repairs by executing block N
// again, and which Rollback recognises and finishes (CometBFT's state
// only) when run again. A node stopped between the application's commit
// and CometBFT's saving of its state (A = B = S+1) has only its
// application rolled back. Any other combination is refused, as is a
// home whose databases are held by a running node. The error says why;
// nothing is changed then.
func Rollback(home string, hard bool) (Rolled, error) {
	if _, err := os.Stat(filepath.Join(home, "config", "config.toml")); err != nil {
		return Rolled{}, fmt.Errorf("%s is not a node home (run icsd init first): %w", home, err)
	}
	cfg, err := nodehome.LoadConfig(home, nil)
	if err != nil {
		return Rolled{}, err
	}
	if _, err := os.Stat(cfg.GenesisFile()); err != nil {
		return Rolled{}, fmt.Errorf("%s is not a node home (no genesis): %w", home, err)
	}
	var missing []string
	for _, name := range []string{"application", "blockstore", "state"} {
		if _, err := os.Stat(filepath.Join(cfg.DBDir(), name+".db")); err != nil {
			missing = append(missing, name+".db")
		}
	}
	if len(missing) == 3 {
		return Rolled{}, fmt.Errorf("nothing to roll back: %s holds no chain data (the node never ran)", cfg.DBDir())
	} else if len(missing) > 0 {
		return Rolled{}, fmt.Errorf("cannot roll back: %s has no %s", cfg.DBDir(), strings.Join(missing, " nor "))
	}
	names, err := nodehome.GenesisStores(cfg)
	if err != nil {
		return Rolled{}, err
	}

	appDB, err := state.OpenGoLevelDB("application", cfg.DBDir())
	if err != nil {
		return Rolled{}, openError("the application database", err)
	}
	defer appDB.Close()
	blockDB, err := cmtcfg.DefaultDBProvider(&cmtcfg.DBContext{ID: "blockstore", Config: cfg})
	if err != nil {
		return Rolled{}, openError("CometBFT's block store", err)
	}
	blocks := store.NewBlockStore(blockDB)
	defer blocks.Close()
	stateDB, err := cmtcfg.DefaultDBProvider(&cmtcfg.DBContext{ID: "state", Config: cfg})
	if err != nil {
		return Rolled{}, openError("CometBFT's state database", err)
	}
	states := cmtstate.NewStore(stateDB, cmtstate.StoreOptions{DiscardABCIResponses: cfg.Storage.DiscardABCIResponses})
	defer states.Close()

	plan, err := planRollback(appDB, names, blocks, states)
	if err != nil {
		return Rolled{}, err
	}
	out := Rolled{Height: plan.to, AppHash: plan.hash, App: plan.app, Comet: plan.comet}
	if plan.app {
		c, err := state.Rollback(appDB, names)
		if err != nil {
			return Rolled{}, fmt.Errorf("rolling back the application: %w", err)
		}
		if c.Version != plan.to || !bytes.Equal(c.Hash, plan.hash) {
			return Rolled{}, fmt.Errorf("the application rolled back to height %d with app hash %X, expected %d with %X; CometBFT's state is untouched", c.Version, c.Hash, plan.to, plan.hash)
		}
	}
	if plan.comet {
		before := blocks.Height()
		meta := blocks.LoadBlockMeta(plan.to + 1)
		if meta == nil {
			return Rolled{}, fmt.Errorf("CometBFT's block store has no block %d (the application is at height %d now)", plan.to+1, plan.to)
		}
		h, hash, err := cmtstate.Rollback(blocks, versionedStore{states, meta.Header.Version}, hard)
		if err != nil {
			return Rolled{}, fmt.Errorf("rolling back CometBFT's state (the application is at height %d now): %w", plan.to, err)
		}
		if h != plan.to || !bytes.Equal(hash, plan.hash) {
			return Rolled{}, fmt.Errorf("CometBFT rolled back to height %d with app hash %X, but the application is at height %d with app hash %X", h, hash, plan.to, plan.hash)
		}
		if hard && blocks.Height() < before {
			out.RemovedBlock = before
		}
	} else if hard {
		out.RemovedBlock = blocks.Height()
		if err := blocks.DeleteLatestBlock(); err != nil {
			return out, fmt.Errorf("removing block %d from the block store: %w", out.RemovedBlock, err)
		}
	}
	return out, nil
}

// rollbackPlan is what Rollback changes: the application's state, CometBFT's,
// or both, to height to with app hash hash.
type rollbackPlan struct {
	app, comet bool
	to         int64
	hash       []byte
}

// planRollback reads the heights and app hashes of the application and of
// CometBFT and returns what Rollback does, or why it cannot (see Rollback).
func planRollback(appDB dbm.DB, names []string, blocks *store.BlockStore, states cmtstate.Store) (rollbackPlan, error) {
	ms, err := state.Open(appDB, names, state.Options{CacheSize: 1000, ValueCacheBytes: -1})
	if err != nil {
		return rollbackPlan{}, fmt.Errorf("open the application state: %w", err)
	}
	defer ms.Close()
	last := ms.LastCommit()
	prev := func() ([]byte, error) {
		if last.Version == 1 { // View(0) would be the last version
			return nil, fmt.Errorf("the application is at height 1: there is no height before it to go back to; nothing changed")
		}
		v, err := ms.View(last.Version - 1)
		if err != nil {
			return nil, fmt.Errorf("the application cannot go back from height %d: %w; nothing changed", last.Version, err)
		}
		return v.Hash(), nil
	}
	cs, err := states.Load()
	if err != nil {
		return rollbackPlan{}, fmt.Errorf("load CometBFT's state: %w", err)
	}
	if cs.IsEmpty() || last.Version == 0 {
		return rollbackPlan{}, fmt.Errorf("nothing to roll back: the chain has no committed block (application at height %d, CometBFT at %d)", last.Version, cs.LastBlockHeight)
	}
	a, s, b := last.Version, cs.LastBlockHeight, blocks.Height()
	// headerHash is the app hash of h-1 that CometBFT's block h carries.
	headerHash := func(h int64) ([]byte, error) {
		meta := blocks.LoadBlockMeta(h)
		if meta == nil {
			return nil, fmt.Errorf("CometBFT's block store has no block %d", h)
		}
		return meta.Header.AppHash, nil
	}
	disagree := func(h int64, app, comet []byte) error {
		return fmt.Errorf("app hashes disagree at height %d: the application has %X, CometBFT %X; the application's state is not the one CometBFT expects, and rolling back one height does not fix that: nothing changed", h, app, comet)
	}
	switch {
	case a == s && b == s: // the usual case: both go back one height
		if !bytes.Equal(cs.AppHash, last.Hash) {
			return rollbackPlan{}, disagree(a, last.Hash, cs.AppHash)
		}
		hash, err := prev()
		if err != nil {
			return rollbackPlan{}, err
		}
		want, err := headerHash(s)
		if err != nil {
			return rollbackPlan{}, err
		}
		if !bytes.Equal(hash, want) {
			return rollbackPlan{}, disagree(a-1, hash, want)
		}
		return rollbackPlan{app: true, comet: true, to: a - 1, hash: hash}, nil
	case a == s+1 && b == a: // stopped between the application's commit and CometBFT's state
		hash, err := prev()
		if err != nil {
			return rollbackPlan{}, err
		}
		if !bytes.Equal(hash, cs.AppHash) {
			return rollbackPlan{}, disagree(s, hash, cs.AppHash)
		}
		return rollbackPlan{app: true, to: s, hash: hash}, nil
	case a == s-1 && b == s: // an interrupted rollback: the application went back, CometBFT did not
		want, err := headerHash(s)
		if err != nil {
			return rollbackPlan{}, err
		}
		if !bytes.Equal(last.Hash, want) {
			return rollbackPlan{}, disagree(a, last.Hash, want)
		}
		return rollbackPlan{comet: true, to: a, hash: last.Hash}, nil
	case a == s && b == s+1:
		return rollbackPlan{}, fmt.Errorf("CometBFT saved block %d but did not execute it (the node stopped in the middle of the block): start the node so that it does, stop it, and roll back then; nothing changed", b)
	}
	return rollbackPlan{}, fmt.Errorf("the application is at height %d, CometBFT's state at %d and its block store at %d: rollback handles them equal, or the application one height ahead of or behind CometBFT's state; nothing changed", a, s, b)
}

// versionedStore is a CometBFT state store whose Save sets the consensus
// versions of the state to those of block N, which were the versions of
// the state at N-1. CometBFT's Rollback takes the application's version
// from the consensus parameters, which is 0 unless the application
// changes them, while the state has the version the application reports
// in Info (abci.AppVersion): the node would then refuse block N as it
// executes it again ("wrong Block.Header.Version"). Setting it in the one
// Save that Rollback makes keeps the rollback a single write.
type versionedStore struct {
	cmtstate.Store
	version cmtversion.Consensus
}

// Save implements cmtstate.Store.
func (s versionedStore) Save(st cmtstate.State) error {
	st.Version.Consensus = s.version
	return s.Store.Save(st)
}

// openError explains a database that cannot be opened: most often, a
// running node holds its lock.
func openError(what string, err error) error {
	if errors.Is(err, syscall.EAGAIN) || strings.Contains(err.Error(), "resource temporarily unavailable") {
		return fmt.Errorf("open %s: %w (is the node running? stop it first)", what, err)
	}
	return fmt.Errorf("open %s: %w", what, err)
}
