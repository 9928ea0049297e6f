package abci

import (
	"context"
	"errors"
	"testing"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	dbm "github.com/cosmos/cosmos-db"

	"github.com/abci-ics/ics/state/export"
)

// TestImportState: a chain started from an export of another's state at
// height 3 holds that state, runs block 4 and answers as the original; a
// bad export (another chain's, another initial height, other stores,
// malformed) is refused and changes nothing, and the app still takes a
// good one.
func TestImportState(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(1_700_000_000, 0)
	orig, err := New(dbm.NewMemDB(), Options{Chain: toyFactory{plan: 100}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := orig.InitChain(ctx, &abcitypes.RequestInitChain{ChainId: "toy-1", InitialHeight: 1, Time: now}); err != nil {
		t.Fatal(err)
	}
	for h := int64(1); h <= 3; h++ {
		finalize(t, orig, h, now)
	}
	v, err := orig.View(0)
	if err != nil {
		t.Fatal(err)
	}
	st, err := export.FromView(v)
	if err != nil {
		t.Fatal(err)
	}
	good, err := st.JSON()
	if err != nil {
		t.Fatal(err)
	}
	other := &export.State{Height: 3, Stores: []export.Store{{Name: "b", Entries: st.Stores[0].Entries}}}
	otherStores, _ := other.JSON()

	a, err := New(dbm.NewMemDB(), Options{Chain: toyFactory{plan: 100}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		chainID  string
		height   int64
		appState []byte
	}{
		{"another initial height", "toy-1", 3, good},
		{"another chain", "toy-2", 4, good},
		{"other stores", "toy-1", 4, otherStores},
		{"malformed", "toy-1", 4, []byte(`{"icsd_state":{"height":"3","app_hash":"","stores":{"a":[["", ""]]}}}`)},
		{"an export and more", "toy-1", 4, []byte(`{"icsd_state":{},"auth":{}}`)},
	} {
		_, err := a.InitChain(ctx, &abcitypes.RequestInitChain{ChainId: tc.chainID, InitialHeight: tc.height, Time: now, AppStateBytes: tc.appState})
		if !errors.Is(err, ErrInvalidGenesis) {
			t.Errorf("%s: InitChain error %v, want ErrInvalidGenesis", tc.name, err)
		}
		if a.Chain() != nil || a.st().Working().KV("a").Has([]byte("height")) {
			t.Fatalf("%s: the refused genesis changed the app", tc.name)
		}
	}
	res, err := a.InitChain(ctx, &abcitypes.RequestInitChain{ChainId: "toy-1", InitialHeight: 4, Time: now, AppStateBytes: good})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Validators) != 0 {
		t.Fatalf("InitChain of an export returned validators %v", res.Validators)
	}
	finalize(t, orig, 4, now)
	finalize(t, a, 4, now)
	for _, app := range []*App{orig, a} {
		v, err := app.View(4)
		if err != nil {
			t.Fatal(err)
		}
		if got := string(v.KV("a").Get([]byte("height"))); got != "4" {
			t.Fatalf("height recorded %q", got)
		}
		if got := string(v.KV("a").Get([]byte("plan"))); got != "100" {
			t.Fatalf("plan %q: the exported state was not imported", got)
		}
	}
}

func finalize(t *testing.T, a *App, h int64, now time.Time) {
	t.Helper()
	ctx := context.Background()
	if _, err := a.FinalizeBlock(ctx, &abcitypes.RequestFinalizeBlock{Height: h, Time: now.Add(time.Duration(h) * time.Second)}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Commit(ctx, &abcitypes.RequestCommit{}); err != nil {
		t.Fatal(err)
	}
}
