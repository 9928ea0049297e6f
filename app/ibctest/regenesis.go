package ibctest

import (
	"context"
	"fmt"
	"reflect"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	dbm "github.com/cosmos/cosmos-db"

	"github.com/abci-ics/ics/abci"
	"github.com/abci-ics/ics/state/export"
)

// Regenesis restarts the chain from an export of its state at its last
// height (package export), as a network restarted from icsd export does:
// a new application over a new database, InitChain at the next height with
// the exported state, by the same validators. The chain goes on with the
// new application. It returns the old one, still open, at the exported
// height: set it as the chain's Mirror to run the same blocks on it.
func (c *Chain) Regenesis() *abci.App {
	t := c.T
	if c.App == nil {
		t.Fatalf("%s: Regenesis: not an icsd chain", c.ID)
	}
	if !c.CanRegenesis() {
		t.Fatalf("%s: Regenesis at %d: the set changes at %d (icsd export refuses such a height)", c.ID, c.Height, c.Height+2)
	}
	v, err := c.App.View(0)
	if err != nil {
		t.Fatal(err)
	}
	st, err := export.FromView(v)
	if err != nil {
		t.Fatal(err)
	}
	appState, err := st.JSON()
	if err != nil {
		t.Fatal(err)
	}
	db := dbm.NewMemDB()
	a, err := c.open(db, abci.Options{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := a.InitChain(context.Background(), &abcitypes.RequestInitChain{ChainId: c.ID, InitialHeight: c.Height + 1, Time: c.Time, AppStateBytes: appState})
	if err != nil {
		t.Fatalf("%s: InitChain of the exported state: %v", c.ID, err)
	}
	if len(res.Validators) != 0 {
		t.Fatalf("%s: InitChain of the exported state returned validators", c.ID)
	}
	old := c.App
	c.App, c.app, c.db = a, a, db
	c.appHash = res.AppHash
	return old
}

// mirror runs block req on c.Mirror and fails the test unless its results
// are resp's: the same transaction results, events and validator updates
// (app hashes may differ).
func (c *Chain) mirror(req *abcitypes.RequestFinalizeBlock, resp *abcitypes.ResponseFinalizeBlock) {
	if c.Mirror == nil {
		return
	}
	got, err := c.Mirror.FinalizeBlock(context.Background(), req)
	if err == nil {
		_, err = c.Mirror.Commit(context.Background(), &abcitypes.RequestCommit{})
	}
	if err != nil {
		c.T.Fatalf("%s: mirror: block %d: %v", c.ID, req.Height, err)
	}
	for _, d := range []struct {
		what      string
		got, want any
	}{
		{"transaction results", got.TxResults, resp.TxResults},
		{"events", got.Events, resp.Events},
		{"validator updates", got.ValidatorUpdates, resp.ValidatorUpdates},
	} {
		if !reflect.DeepEqual(d.got, d.want) {
			c.T.Fatalf("%s: mirror: block %d: %s differ:\n%v\nwant\n%v", c.ID, req.Height, d.what, d.got, d.want)
		}
	}
}

// SameQuery fails the test unless c and its Mirror answer query path the
// same way at their latest heights.
func (c *Chain) SameQuery(path string) {
	want := c.Query(path, nil, 0, false)
	got, err := c.Mirror.Query(context.Background(), &abcitypes.RequestQuery{Path: path})
	if err != nil {
		c.T.Fatal(err)
	}
	if fmt.Sprint(got.Code, got.Log, string(got.Value)) != fmt.Sprint(want.Code, want.Log, string(want.Value)) {
		c.T.Fatalf("%s: query %s: mirror answers %d %q %s, the chain %d %q %s", c.ID, path, got.Code, got.Log, got.Value, want.Code, want.Log, want.Value)
	}
}

// CanRegenesis reports whether the validator set of the next two heights
// is the same, as Regenesis (and icsd export) require.
func (c *Chain) CanRegenesis() bool {
	next, after := c.vals[c.Height+1], c.vals[c.Height+2]
	return next != nil && after != nil && string(next.Hash()) == string(after.Hash())
}

// SameState fails the test unless c and its Mirror hold the same contents
// in every store at their latest heights.
func (c *Chain) SameState() {
	views := make([]*export.State, 2)
	for i, a := range []*abci.App{c.App, c.Mirror} {
		v, err := a.View(0)
		if err == nil {
			views[i], err = export.FromView(v)
		}
		if err != nil {
			c.T.Fatal(err)
		}
	}
	if !reflect.DeepEqual(views[0].Stores, views[1].Stores) {
		c.T.Fatalf("%s: the state at %d differs from the mirror's", c.ID, c.Height)
	}
}
