package consumerapp_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/crypto/ed25519"
	dbm "github.com/cosmos/cosmos-db"
	gogoproto "github.com/cosmos/gogoproto/proto"

	"github.com/abci-ics/ics/abci"
	"github.com/abci-ics/ics/app"
	"github.com/abci-ics/ics/app/consumerapp"
	"github.com/abci-ics/ics/app/ibctest"
	"github.com/abci-ics/ics/chain/auth"
	"github.com/abci-ics/ics/chain/bank"
	"github.com/abci-ics/ics/chain/staking"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/coin"
	"github.com/abci-ics/ics/types/fraction"
)

var ctx = context.Background()

// twins runs the same own-staking consumer in two applications, one over
// memdb and one over goleveldb in a directory, and checks after every
// block that they agree.
type twins struct {
	t      *testing.T
	mem    *abci.App
	disk   *abci.App
	dir    string
	db     dbm.DB
	keys   []ed25519.PrivKey
	nonces []uint64
	height int64
	now    time.Time
}

const chainID = "consumer-1"

// newTwins starts both applications from the consumer genesis a provider
// computed for chainID, with its own staking (unbonding a minute) and
// three funded accounts.
func newTwins(t *testing.T) *twins {
	clock := &ibctest.Clock{Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	prov := ibctest.NewProvider(t, clock, "provider-1", 2, 2, nil)
	ibctest.ProposeConsumer(prov, chainID, ibctest.ConsumerParams())
	prov.NextBlock()
	g := app.DefaultOwnStakingConsumerGenesis()
	g.Consumer = ibctest.ConsumerGenesis(prov, chainID)
	g.Staking.Params.UnbondingPeriod = time.Minute
	w := &twins{t: t, dir: t.TempDir(), now: clock.Now}
	for i := 0; i < 3; i++ {
		k := ed25519.GenPrivKeyFromSecret([]byte{byte(i), 'o'})
		w.keys = append(w.keys, k)
		w.nonces = append(w.nonces, 0)
		a := address.Encode("ics", w.addr(i))
		g.Auth.Accounts = append(g.Auth.Accounts, auth.GenesisAccount{Address: a, PubKey: k.PubKey().Bytes()})
		g.Bank.Balances = append(g.Bank.Balances, bank.GenesisBalance{Address: a, Coins: []coin.Coin{{Denom: "stake", Amount: 1_000_000_000}}})
	}
	appState, err := g.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	w.mem = w.open(dbm.NewMemDB(), true)
	w.db, err = state.OpenGoLevelDB("application", w.dir)
	if err != nil {
		t.Fatal(err)
	}
	w.disk = w.open(w.db, true)
	var hashes [][]byte
	for _, a := range []*abci.App{w.mem, w.disk} {
		res, err := a.InitChain(ctx, &abcitypes.RequestInitChain{ChainId: chainID, InitialHeight: 1, AppStateBytes: appState, Time: w.now})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Validators) != 2 {
			t.Fatalf("initial validators %v, want the provider's two", res.Validators)
		}
		hashes = append(hashes, res.AppHash)
	}
	if !bytes.Equal(hashes[0], hashes[1]) {
		t.Fatalf("genesis app hashes %X and %X", hashes[0], hashes[1])
	}
	return w
}

func (w *twins) open(db dbm.DB, ownStaking bool) *abci.App {
	a, err := consumerapp.New(db, abci.Options{}, ownStaking)
	if err != nil {
		w.t.Fatal(err)
	}
	return a
}

func (w *twins) addr(i int) []byte { return address.FromPubKey(w.keys[i].PubKey().Bytes()) }

func (w *twins) tx(i int, msgs ...gogoproto.Message) []byte {
	body := auth.TxBody{ChainId: chainID, Nonce: w.nonces[i], Fee: coin.Coin{Denom: "stake", Amount: 100}}
	for _, m := range msgs {
		a, err := auth.NewAny(m)
		if err != nil {
			w.t.Fatal(err)
		}
		body.Msgs = append(body.Msgs, a)
	}
	w.nonces[i]++
	bz, err := auth.SignTx(w.keys[i], &body)
	if err != nil {
		w.t.Fatal(err)
	}
	return bz
}

// block runs a block of txs on both applications, ten seconds after the
// last, and checks that every transaction succeeded, that the app hashes
// agree and that no validator update reached CometBFT.
func (w *twins) block(txs ...[]byte) {
	w.t.Helper()
	w.height++
	w.now = w.now.Add(10 * time.Second)
	var hashes [][]byte
	for _, a := range []*abci.App{w.mem, w.disk} {
		res, err := a.FinalizeBlock(ctx, &abcitypes.RequestFinalizeBlock{Txs: txs, Height: w.height, Time: w.now})
		if err != nil {
			w.t.Fatal(err)
		}
		for i, r := range res.TxResults {
			if r.Code != 0 {
				w.t.Fatalf("height %d tx %d: %s", w.height, i, r.Log)
			}
		}
		if len(res.ValidatorUpdates) != 0 {
			w.t.Fatalf("height %d: validator updates %v", w.height, res.ValidatorUpdates)
		}
		if _, err := a.Commit(ctx, &abcitypes.RequestCommit{}); err != nil {
			w.t.Fatal(err)
		}
		hashes = append(hashes, res.AppHash)
	}
	if !bytes.Equal(hashes[0], hashes[1]) {
		w.t.Fatalf("height %d: app hashes %X and %X", w.height, hashes[0], hashes[1])
	}
}

// restart closes the goleveldb application and opens it again from its
// directory, as a node does (nodehome: with OwnStaking from the genesis).
func (w *twins) restart() {
	if err := w.disk.Close(); err != nil {
		w.t.Fatal(err)
	}
	if err := w.db.Close(); err != nil {
		w.t.Fatal(err)
	}
	db, err := state.OpenGoLevelDB("application", w.dir)
	if err != nil {
		w.t.Fatal(err)
	}
	w.db, w.disk = db, w.open(db, true)
	info, err := w.disk.Info(ctx, &abcitypes.RequestInfo{})
	if err != nil {
		w.t.Fatal(err)
	}
	want, err := w.mem.Info(ctx, &abcitypes.RequestInfo{})
	if err != nil {
		w.t.Fatal(err)
	}
	if info.LastBlockHeight != w.height || !bytes.Equal(info.LastBlockAppHash, want.LastBlockAppHash) {
		w.t.Fatalf("reopened at %d with %X, want %d with %X", info.LastBlockHeight, info.LastBlockAppHash, w.height, want.LastBlockAppHash)
	}
}

// TestOwnStakingRestart: an own-staking consumer reopened from goleveldb
// has the app hash of one that never stopped and stays in step with it through
// delegations, an undelegation and its completion; its staking never
// returns validator updates.
func TestOwnStakingRestart(t *testing.T) {
	w := newTwins(t)
	w.block(w.tx(1, &staking.MsgCreateValidator{Operator: w.addr(1), PubKey: ed25519.GenPrivKeyFromSecret([]byte("own")).PubKey().Bytes(),
		Moniker: "own", CommissionRate: fraction.New(1, 10), CommissionMaxRate: fraction.New(1, 5), SelfDelegation: 100_000_000, MinSelfDelegation: 1}))
	w.block(w.tx(2, &staking.MsgDelegate{Delegator: w.addr(2), Validator: w.addr(1), Amount: 30_000_000}))
	w.restart()
	w.block(w.tx(2, &staking.MsgUndelegate{Delegator: w.addr(2), Validator: w.addr(1), Amount: 10_000_000}))
	w.block()
	w.restart()
	for i := 0; i < 6; i++ { // past the minute of unbonding
		w.block()
	}
	w.restart()
	w.block(w.tx(0, &staking.MsgDelegate{Delegator: w.addr(0), Validator: w.addr(1), Amount: 5_000_000}))
	res, err := w.disk.Query(ctx, &abcitypes.RequestQuery{Path: "/staking/unbonding"})
	if err != nil || res.Code != 0 || string(res.Value) != "[]" {
		t.Fatalf("unbonding entries after their completion: %v %s %s", err, res.GetLog(), res.GetValue())
	}
}
