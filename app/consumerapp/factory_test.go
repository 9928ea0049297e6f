package consumerapp_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	dbm "github.com/cosmos/cosmos-db"

	"github.com/abci-ics/ics/abci"
	"github.com/abci-ics/ics/app"
	"github.com/abci-ics/ics/app/consumerapp"
	"github.com/abci-ics/ics/chain/staking"
)

// TestFactoryStores: a new consumer has staking's, distribution's and
// gov's stores only with its own staking.
func TestFactoryStores(t *testing.T) {
	if slices.Contains(consumerapp.Factory{}.Stores(), staking.StoreName) {
		t.Fatal("a consumer without own staking has staking's store")
	}
	if got := (consumerapp.Factory{OwnStaking: true}).Stores(); !slices.Contains(got, staking.StoreName) || len(got) != len(consumerapp.Stores)+3 {
		t.Fatalf("own-staking consumer stores %v", got)
	}
}

// TestFactoryRefusesOtherGenesis: a consumer with its own staking refuses
// a genesis without the staking module, and one without refuses a genesis
// with it, before writing anything.
func TestFactoryRefusesOtherGenesis(t *testing.T) {
	for _, tc := range []struct {
		name string
		own  bool
		g    *app.Genesis
	}{
		{"own staking chain, plain genesis", true, app.DefaultConsumerGenesis()},
		{"plain chain, own-staking genesis", false, app.DefaultOwnStakingConsumerGenesis()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			appState, err := tc.g.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			a, err := consumerapp.New(dbm.NewMemDB(), abci.Options{}, tc.own)
			if err != nil {
				t.Fatal(err)
			}
			_, err = a.InitChain(context.Background(), &abcitypes.RequestInitChain{ChainId: "consumer-1", InitialHeight: 1, AppStateBytes: appState, Time: time.Unix(0, 0)})
			if !errors.Is(err, abci.ErrInvalidGenesis) {
				t.Fatalf("got %v, want ErrInvalidGenesis", err)
			}
		})
	}
}
