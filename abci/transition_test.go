package abci

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strconv"
	"testing"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	dbm "github.com/cosmos/cosmos-db"

	"github.com/abci-ics/ics/state"
)

// toyChain is a chain of store "a" that records each height it runs in
// its stores ("a", and "b" once it has it); planned, it makes the
// transition "add-b" at that height: store "b" added, a marker written
// there, and the chain then runs with it. failApply makes the transition
// fail.
type toyChain struct {
	withB     bool
	failApply bool
}

func (toyChain) ChainID() string             { return "toy-1" }
func (toyChain) DecodeTx([]byte) (Tx, error) { return nil, errors.New("no transactions") }
func (toyChain) VerifyTxs([]Tx, []error)     {}
func (toyChain) Handles(string) bool         { return false }
func (toyChain) Ante(state.Store, Tx, int) ([]abcitypes.Event, error) {
	return nil, nil
}
func (toyChain) HandleMsg(state.Store, Block, []byte, Msg) ([]abcitypes.Event, error) {
	return nil, nil
}
func (toyChain) BeginBlock(state.Store, Block) ([]abcitypes.Event, error) { return nil, nil }
func (toyChain) Query(state.Store, string, time.Time) ([]byte, error)     { return nil, ErrUnknownQuery }

func (c toyChain) EndBlock(s state.Store, b Block) ([]abcitypes.ValidatorUpdate, []abcitypes.Event, error) {
	h := []byte(strconv.FormatInt(b.Height, 10))
	s.KV("a").Set([]byte("height"), h)
	if c.withB {
		s.KV("b").Set([]byte("height"), h)
	}
	return nil, nil, nil
}

func (c toyChain) TransitionAt(s state.Store, b Block) (Transition, bool) {
	at, _ := strconv.ParseInt(string(s.KV("a").Get([]byte("plan"))), 10, 64)
	if c.withB || at != b.Height {
		return Transition{}, false
	}
	return Transition{Name: "add-b", Stores: state.StoreUpgrade{Added: []string{"b"}},
		Apply: func(s state.Store, b Block) (Chain, []abcitypes.Event, error) {
			if c.failApply {
				return nil, nil, errors.New("migration failed")
			}
			s.KV("b").Set([]byte("migrated"), []byte{1})
			return toyChain{withB: true}, nil, nil
		}}, true
}

// toyFactory makes toy chains that plan the transition at height plan.
type toyFactory struct {
	plan      int64
	failApply bool
}

func (toyFactory) Stores() []string { return []string{"a"} }

func (f toyFactory) Open(_ state.Store, stores []string) (Chain, error) {
	return toyChain{withB: slices.Contains(stores, "b"), failApply: f.failApply}, nil
}

func (f toyFactory) InitChain(s state.Store, _ string, _ []byte, _ int64, _ time.Time) (Chain, []abcitypes.ValidatorUpdate, error) {
	s.KV("a").Set([]byte("plan"), []byte(strconv.FormatInt(f.plan, 10)))
	return toyChain{failApply: f.failApply}, nil, nil
}

// runBlocks finalizes and commits heights from..to and returns each
// height's app hash and events.
func runBlocks(t *testing.T, a *App, from, to int64) (map[int64][]byte, map[int64][]abcitypes.Event) {
	t.Helper()
	hashes, events := map[int64][]byte{}, map[int64][]abcitypes.Event{}
	for h := from; h <= to; h++ {
		res, err := a.FinalizeBlock(context.Background(), &abcitypes.RequestFinalizeBlock{Height: h, Time: time.Unix(h, 0)})
		if err != nil {
			t.Fatalf("height %d: %v", h, err)
		}
		if _, err := a.Commit(context.Background(), &abcitypes.RequestCommit{}); err != nil {
			t.Fatalf("commit %d: %v", h, err)
		}
		hashes[h], events[h] = res.AppHash, res.Events
	}
	return hashes, events
}

func openToy(t *testing.T, db dbm.DB, f toyFactory) *App {
	t.Helper()
	a, err := New(db, Options{Chain: f, Pipeline: true})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func initToy(t *testing.T, a *App) {
	t.Helper()
	if _, err := a.InitChain(context.Background(), &abcitypes.RequestInitChain{ChainId: "toy-1", Time: time.Unix(0, 0)}); err != nil {
		t.Fatal(err)
	}
}

// TestTransition: a chain planning a transition at height 3 gains store
// "b" in that block (the event says so, the block's app hash covers it,
// the chain runs with it from that block on, and heights before it have
// no "b"); a node reopened after it has the same stores and hashes; a
// node that crashed in the transition's block (finalized, not committed)
// replays it to the same hashes.
func TestTransition(t *testing.T) {
	db := dbm.NewMemDB()
	a := openToy(t, db, toyFactory{plan: 3})
	initToy(t, a)
	want, events := runBlocks(t, a, 1, 5)
	for h, evs := range events {
		got := slices.ContainsFunc(evs, func(e abcitypes.Event) bool { return e.Type == EventTransition })
		if got != (h == 3) {
			t.Fatalf("transition event at height %d: %v", h, got)
		}
	}
	if !slices.Contains(a.st().Names(), "b") || !a.Chain().(toyChain).withB {
		t.Fatalf("after the transition: stores %v, chain %+v", a.st().Names(), a.Chain())
	}
	v2, err := a.View(2)
	if err != nil {
		t.Fatal(err)
	}
	if v2.KV("b").Get([]byte("migrated")) != nil {
		t.Fatal("store b holds data at height 2")
	}
	v3, err := a.View(3)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(v3.KV("b").Get([]byte("migrated")), []byte{1}) || string(v3.KV("b").Get([]byte("height"))) != "3" {
		t.Fatal("store b at height 3 lacks the migration or the block's write")
	}
	a.Close()

	// Reopened after the transition.
	a = openToy(t, db, toyFactory{plan: 3})
	if info, _ := a.Info(context.Background(), nil); info.LastBlockHeight != 5 || !bytes.Equal(info.LastBlockAppHash, want[5]) {
		t.Fatalf("reopened: height %d hash %X, want 5 %X", info.LastBlockHeight, info.LastBlockAppHash, want[5])
	}
	if !a.Chain().(toyChain).withB {
		t.Fatal("reopened chain without store b")
	}
	more, _ := runBlocks(t, a, 6, 6)
	a.Close()

	// A node that crashed after finalizing the transition's block.
	db2 := dbm.NewMemDB()
	b := openToy(t, db2, toyFactory{plan: 3})
	initToy(t, b)
	runBlocks(t, b, 1, 2)
	if _, err := b.FinalizeBlock(context.Background(), &abcitypes.RequestFinalizeBlock{Height: 3, Time: time.Unix(3, 0)}); err != nil {
		t.Fatal(err)
	}
	b.Close() // no Commit
	b = openToy(t, db2, toyFactory{plan: 3})
	if info, _ := b.Info(context.Background(), nil); info.LastBlockHeight != 2 || slices.Contains(b.st().Names(), "b") {
		t.Fatalf("after the crash: height %d, stores %v", info.LastBlockHeight, b.st().Names())
	}
	got, _ := runBlocks(t, b, 3, 6)
	for h := int64(3); h <= 6; h++ {
		w := want[h]
		if h == 6 {
			w = more[6]
		}
		if !bytes.Equal(got[h], w) {
			t.Fatalf("replayed height %d: hash %X, want %X", h, got[h], w)
		}
	}
	b.Close()
}

// TestTransitionFails: a transition whose migration fails fails its
// block and changes nothing: the node stays at the last commit, with its
// stores.
func TestTransitionFails(t *testing.T) {
	db := dbm.NewMemDB()
	a := openToy(t, db, toyFactory{plan: 2, failApply: true})
	initToy(t, a)
	runBlocks(t, a, 1, 1)
	last := a.st().LastCommit()
	if _, err := a.FinalizeBlock(context.Background(), &abcitypes.RequestFinalizeBlock{Height: 2, Time: time.Unix(2, 0)}); err == nil {
		t.Fatal("a failed migration finalized its block")
	}
	if c := a.st().LastCommit(); c.Version != last.Version || !bytes.Equal(c.Hash, last.Hash) || slices.Contains(a.st().Names(), "b") {
		t.Fatalf("after the failed transition: commit %d, stores %v", c.Version, a.st().Names())
	}
	if !bytes.Equal(a.st().WorkingHash(), last.Hash) {
		t.Fatal("the failed transition left writes in the working state")
	}
}
