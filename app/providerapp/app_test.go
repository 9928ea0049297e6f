package providerapp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/crypto/ed25519"
	dbm "github.com/cosmos/cosmos-db"

	"github.com/abci-ics/ics/abci"
	"github.com/abci-ics/ics/app"
	"github.com/abci-ics/ics/app/providerapp"
	"github.com/abci-ics/ics/chain/auth"
	"github.com/abci-ics/ics/chain/bank"
	stateproof "github.com/abci-ics/ics/state/proof"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/coin"
)

const chainID = "test-1"

var ctx = context.Background()

// chain drives one App through ABCI.
type chain struct {
	t      *testing.T
	app    *abci.App
	db     dbm.DB
	height int64
	keys   []ed25519.PrivKey
	nonces map[string]uint64
	hashes map[int64][]byte
}

func testKeys(n int) []ed25519.PrivKey {
	keys := make([]ed25519.PrivKey, n)
	for i := range keys {
		keys[i] = ed25519.GenPrivKeyFromSecret([]byte{byte(i), 'k'})
	}
	return keys
}

func addr(k ed25519.PrivKey) []byte { return address.FromPubKey(k.PubKey().Bytes()) }

func genesis(keys []ed25519.PrivKey) []byte {
	g := app.DefaultGenesis()
	for i, k := range keys {
		a := address.Encode("ics", addr(k))
		if i%2 == 0 { // half the accounts have no auth record yet
			g.Auth.Accounts = append(g.Auth.Accounts, auth.GenesisAccount{Address: a, PubKey: k.PubKey().Bytes()})
		}
		g.Bank.Balances = append(g.Bank.Balances, bank.GenesisBalance{Address: a, Coins: []coin.Coin{{Denom: "stake", Amount: 1_000_000}, {Denom: "atom", Amount: 500}}})
	}
	bz, err := g.MarshalJSON()
	if err != nil {
		panic(err)
	}
	return bz
}

func newChain(t *testing.T, db dbm.DB, nkeys int) *chain {
	t.Helper()
	c := &chain{t: t, db: db, keys: testKeys(nkeys), nonces: map[string]uint64{}, hashes: map[int64][]byte{}}
	c.open()
	if _, err := c.app.InitChain(ctx, &abcitypes.RequestInitChain{ChainId: chainID, InitialHeight: 1, AppStateBytes: genesis(c.keys), Time: time.Unix(0, 0)}); err != nil {
		t.Fatal(err)
	}
	return c
}

func (c *chain) open() {
	app, err := providerapp.New(c.db, abci.Options{})
	if err != nil {
		c.t.Fatal(err)
	}
	c.app = app
	info, err := app.Info(ctx, &abcitypes.RequestInfo{})
	if err != nil {
		c.t.Fatal(err)
	}
	c.height = info.LastBlockHeight
}

// block finalizes and commits a block of txs and returns the results.
func (c *chain) block(txs ...[]byte) []*abcitypes.ExecTxResult {
	c.t.Helper()
	resp := c.finalize(txs...)
	if _, err := c.app.Commit(ctx, &abcitypes.RequestCommit{}); err != nil {
		c.t.Fatal(err)
	}
	return resp.TxResults
}

func (c *chain) finalize(txs ...[]byte) *abcitypes.ResponseFinalizeBlock {
	c.t.Helper()
	c.height++
	resp, err := c.app.FinalizeBlock(ctx, &abcitypes.RequestFinalizeBlock{Txs: txs, Height: c.height, Time: time.Unix(c.height, 0)})
	if err != nil {
		c.t.Fatal(err)
	}
	c.hashes[c.height] = resp.AppHash
	return resp
}

func (c *chain) send(from int, to []byte, coins ...coin.Coin) []byte {
	k := c.keys[from]
	msg, err := auth.NewAny(&bank.MsgSend{From: addr(k), To: to, Amount: coins})
	if err != nil {
		c.t.Fatal(err)
	}
	body := auth.TxBody{ChainId: chainID, Nonce: c.nonces[string(addr(k))], Fee: coin.Coin{Denom: "stake", Amount: 10}, Msgs: []auth.Any{msg}}
	c.nonces[string(addr(k))]++
	return sign(c.t, k, &body)
}

func sign(t *testing.T, k ed25519.PrivKey, body *auth.TxBody) []byte {
	tx, err := auth.SignTx(k, body)
	if err != nil {
		t.Fatal(err)
	}
	return tx
}

func (c *chain) query(path string, out any) {
	c.t.Helper()
	res, err := c.app.Query(ctx, &abcitypes.RequestQuery{Path: path})
	if err != nil || res.Code != 0 {
		c.t.Fatalf("query %s: %v %s", path, err, res.GetLog())
	}
	if err := json.Unmarshal(res.Value, out); err != nil {
		c.t.Fatal(err)
	}
}

func (c *chain) balance(a []byte, denom string) uint64 {
	var coins []app.CoinJSON
	c.query(app.PathBalances+address.Encode("ics", a), &coins)
	for _, co := range coins {
		if co.Denom == denom {
			return co.Amount
		}
	}
	return 0
}

func stake(n uint64) coin.Coin { return coin.Coin{Denom: "stake", Amount: n} }

func TestTransfer(t *testing.T) {
	c := newChain(t, dbm.NewMemDB(), 4)
	c.block()
	to := addr(c.keys[1])
	res := c.block(c.send(0, to, stake(100)), c.send(1, addr(c.keys[2]), stake(5), coin.Coin{Denom: "atom", Amount: 7}))
	for i, r := range res {
		if r.Code != 0 {
			t.Fatalf("tx %d: code %d %s", i, r.Code, r.Log)
		}
	}
	if got := c.balance(addr(c.keys[0]), "stake"); got != 1_000_000-100-10 {
		t.Errorf("sender balance %d", got)
	}
	if got := c.balance(to, "stake"); got != 1_000_000+100-5-10 {
		t.Errorf("key 1 balance %d", got)
	}
	if got := c.balance(addr(c.keys[2]), "atom"); got != 507 {
		t.Errorf("key 2 atom balance %d", got)
	}
	if got := c.balance(app.FeeCollectorAddress(), "stake"); got != 20 {
		t.Errorf("fee collector %d", got)
	}
	var supply app.CoinJSON
	c.query(app.PathSupply+"/stake", &supply)
	if supply.Amount != 4*1_000_000 {
		t.Errorf("supply %d", supply.Amount)
	}
	var acc app.AccountJSON
	c.query(app.PathAccount+address.Encode("ics", addr(c.keys[1])), &acc)
	if !acc.Found || acc.Nonce != 1 || !bytes.Equal(acc.PubKey, c.keys[1].PubKey().Bytes()) {
		t.Errorf("account of key 1 (created by its first tx): %+v", acc)
	}
	// Events: a tx event and a transfer event.
	if len(res[0].Events) != 2 || res[0].Events[1].Type != "transfer" {
		t.Errorf("events %+v", res[0].Events)
	}
}

// TestBadInput breaks a valid transaction one rule at a time: each gets its
// code and changes nothing but, where the transaction passed Ante, the fee
// and the nonce.
func TestBadInput(t *testing.T) {
	keys := testKeys(3)
	stranger := ed25519.GenPrivKeyFromSecret([]byte("stranger"))
	to := addr(keys[1])
	good := func() auth.TxBody {
		msg, _ := auth.NewAny(&bank.MsgSend{From: addr(keys[0]), To: to, Amount: []coin.Coin{stake(100)}})
		return auth.TxBody{ChainId: chainID, Nonce: 0, Fee: stake(10), Msgs: []auth.Any{msg}}
	}
	withMsg := func(m *bank.MsgSend) auth.TxBody {
		b := good()
		b.Msgs[0], _ = auth.NewAny(m)
		return b
	}
	signed := func(k ed25519.PrivKey, b auth.TxBody) []byte { return sign(t, k, &b) }
	cases := []struct {
		name    string
		tx      []byte
		code    uint32
		charged bool // the fee was paid and the nonce used
	}{
		{"garbage bytes", []byte{0xff, 0x01, 0x02}, 2, false},
		{"empty", nil, 2, false},
		{"oversized", bytes.Repeat([]byte{1}, auth.MaxTxBytesLimit+1), 3, false},
		{"memo above the parameter", signed(keys[0], func() auth.TxBody { b := good(); b.Memo = string(bytes.Repeat([]byte("m"), 300)); return b }()), 2, false},
		{"wrong chain id", signed(keys[0], func() auth.TxBody { b := good(); b.ChainId = "other-1"; return b }()), 5, false},
		{"bad signature", func() []byte {
			b := good()
			bz, _ := b.Marshal()
			sig, _ := keys[2].Sign(bz)
			tx := auth.Tx{Body: bz, PubKey: keys[0].PubKey().Bytes(), Signature: sig}
			out, _ := tx.Marshal()
			return out
		}(), 4, false},
		{"replayed nonce", signed(keys[0], func() auth.TxBody { b := good(); b.Nonce = 5; return b }()), 6, false},
		{"unknown account", signed(stranger, func() auth.TxBody {
			return withMsg(&bank.MsgSend{From: addr(stranger), To: to, Amount: []coin.Coin{stake(1)}})
		}()), 7, false},
		{"fee below minimum", signed(keys[0], func() auth.TxBody { b := good(); b.Fee = stake(0); return b }()), 8, false},
		{"fee in another denom", signed(keys[0], func() auth.TxBody { b := good(); b.Fee = coin.Coin{Denom: "atom", Amount: 10}; return b }()), 8, false},
		{"unknown message", signed(keys[0], func() auth.TxBody { b := good(); b.Msgs[0].TypeUrl = "/nope.Msg"; return b }()), 14, false},
		{"insufficient funds", signed(keys[0], withMsg(&bank.MsgSend{From: addr(keys[0]), To: to, Amount: []coin.Coin{stake(2_000_000)}})), 9, true},
		{"zero amount", signed(keys[0], withMsg(&bank.MsgSend{From: addr(keys[0]), To: to, Amount: []coin.Coin{stake(0)}})), 10, true},
		{"no coins", signed(keys[0], withMsg(&bank.MsgSend{From: addr(keys[0]), To: to})), 10, true},
		{"bad denom", signed(keys[0], withMsg(&bank.MsgSend{From: addr(keys[0]), To: to, Amount: []coin.Coin{{Denom: "1x", Amount: 1}}})), 11, true},
		{"sender is not the signer", signed(keys[0], withMsg(&bank.MsgSend{From: addr(keys[1]), To: to, Amount: []coin.Coin{stake(1)}})), 12, true},
		{"short recipient", signed(keys[0], withMsg(&bank.MsgSend{From: addr(keys[0]), To: to[:5], Amount: []coin.Coin{stake(1)}})), 12, true},
		{"undecodable message", signed(keys[0], func() auth.TxBody { b := good(); b.Msgs[0].Value = []byte{0xff}; return b }()), 2, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newChain(t, dbm.NewMemDB(), 3)
			c.block()
			chk, err := c.app.CheckTx(ctx, &abcitypes.RequestCheckTx{Tx: tc.tx})
			if err != nil {
				t.Fatal(err)
			}
			if tc.charged {
				if chk.Code != 0 {
					t.Fatalf("CheckTx code %d (%s): Ante should pass", chk.Code, chk.Log)
				}
			} else if chk.Code != tc.code || chk.Log == "" {
				t.Fatalf("CheckTx code %d (%s), want %d", chk.Code, chk.Log, tc.code)
			}
			before := c.hashes[c.height]
			res := c.block(tc.tx)
			if res[0].Code != tc.code || res[0].Log == "" || res[0].Codespace != abci.Codespace {
				t.Fatalf("FinalizeBlock code %d (%s), want %d", res[0].Code, res[0].Log, tc.code)
			}
			want := uint64(1_000_000)
			if tc.charged {
				want -= 10
			}
			if got := c.balance(addr(keys[0]), "stake"); got != want {
				t.Errorf("sender balance %d, want %d", got, want)
			}
			if got := c.balance(to, "stake"); got != 1_000_000 {
				t.Errorf("recipient balance %d", got)
			}
			if !tc.charged && !bytes.Equal(before, c.hashes[c.height]) {
				t.Error("app hash changed")
			}
		})
	}
}

// TestRestart stops and reopens the app on the same database, including
// after a crash between FinalizeBlock and Commit.
func TestRestart(t *testing.T) {
	db := dbm.NewMemDB()
	c := newChain(t, db, 3)
	c.block()
	c.block(c.send(0, addr(c.keys[1]), stake(1)))
	committed := c.hashes[c.height]

	// Crash after FinalizeBlock of height 3, before its Commit.
	tx := c.send(1, addr(c.keys[2]), stake(2))
	resp := c.finalize(tx)
	crashed := resp.AppHash
	c.height--
	c.open() // no Close: as after kill -9, the working state is simply gone
	info, _ := c.app.Info(ctx, &abcitypes.RequestInfo{})
	if info.LastBlockHeight != 2 || !bytes.Equal(info.LastBlockAppHash, committed) {
		t.Fatalf("after crash: height %d hash %X, want 2 %X", info.LastBlockHeight, info.LastBlockAppHash, committed)
	}
	res := c.block(tx)
	if res[0].Code != 0 || !bytes.Equal(c.hashes[3], crashed) {
		t.Fatalf("replay of block 3: code %d, hash %X, want %X", res[0].Code, c.hashes[3], crashed)
	}
	if got := c.balance(addr(c.keys[2]), "stake"); got != 1_000_000+2 {
		t.Fatalf("balance after replay %d", got)
	}
	// A clean stop and reopen keeps going.
	if err := c.app.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestDeterminism feeds two apps the same blocks and compares the app hash
// at every height.
func TestDeterminism(t *testing.T) {
	a := newChain(t, dbm.NewMemDB(), 6)
	b := newChain(t, dbm.NewMemDB(), 6)
	if !bytes.Equal(a.hashes[0], b.hashes[0]) {
		t.Fatal("genesis differs")
	}
	for h := 0; h < 20; h++ {
		var txs [][]byte
		for i := 0; i < 6; i++ {
			if (h+i)%3 == 0 {
				txs = append(txs, a.send(i, addr(a.keys[(i+h)%6]), stake(uint64(1+h*i))))
			}
		}
		a.block(txs...)
		b.block(txs...)
		if !bytes.Equal(a.hashes[a.height], b.hashes[b.height]) {
			t.Fatalf("height %d: %X != %X", a.height, a.hashes[a.height], b.hashes[b.height])
		}
	}
}

// TestProofs verifies balance proofs from Query against the app hash that
// FinalizeBlock returned (the one in the next header). The native balance
// is proven through the account record that holds it.
func TestProofs(t *testing.T) {
	c := newChain(t, dbm.NewMemDB(), 3)
	c.block()
	c.block(c.send(0, addr(c.keys[1]), stake(100)))
	h := c.height
	key := auth.AccountKey(addr(c.keys[1]))
	res, err := c.app.Query(ctx, &abcitypes.RequestQuery{Path: "/store/auth/key", Data: key, Prove: true})
	if err != nil || res.Code != 0 {
		t.Fatalf("query: %v %s", err, res.Log)
	}
	if res.Height != h {
		t.Fatalf("height %d, want %d", res.Height, h)
	}
	store, k, proofs, err := stateproof.FromOps(res.ProofOps)
	if err != nil || store != "auth" || !bytes.Equal(k, key) {
		t.Fatalf("ops: %v %s %x", err, store, k)
	}
	var acc auth.Account
	if err := acc.Unmarshal(res.Value); err != nil || acc.Balance != 1_000_000+100 {
		t.Fatalf("value %v %d", err, acc.Balance)
	}
	if err := stateproof.VerifyMembership(c.hashes[h], "auth", key, res.Value, proofs); err != nil {
		t.Fatalf("membership: %v", err)
	}
	tampered := bytes.Clone(res.Value)
	tampered[len(tampered)-1] ^= 1
	if err := stateproof.VerifyMembership(c.hashes[h], "auth", key, tampered, proofs); err == nil {
		t.Fatal("tampered value verified")
	}
	if err := stateproof.VerifyMembership(c.hashes[h-1], "auth", key, res.Value, proofs); err == nil {
		t.Fatal("proof verified against another height's hash")
	}
	for _, missing := range []struct {
		store string
		key   []byte
	}{
		{"auth", auth.AccountKey(bytes.Repeat([]byte{0xee}, 20))},
		{"bank", bank.BalanceKey(addr(c.keys[1]), "nope")},
	} {
		res, err = c.app.Query(ctx, &abcitypes.RequestQuery{Path: "/store/" + missing.store + "/key", Data: missing.key, Prove: true})
		if err != nil || res.Code != 0 || res.Value != nil {
			t.Fatalf("query missing: %v %s %x", err, res.Log, res.Value)
		}
		_, _, proofs, err = stateproof.FromOps(res.ProofOps)
		if err != nil {
			t.Fatal(err)
		}
		if err := stateproof.VerifyNonMembership(c.hashes[h], missing.store, missing.key, proofs); err != nil {
			t.Fatalf("non-membership in %s: %v", missing.store, err)
		}
		if missing.store == "auth" {
			if err := stateproof.VerifyNonMembership(c.hashes[h], "auth", key, proofs); err == nil {
				t.Fatal("non-membership proof verified for a present key")
			}
		}
	}
}

func TestQueryErrors(t *testing.T) {
	c := newChain(t, dbm.NewMemDB(), 2)
	res, _ := c.app.Query(ctx, &abcitypes.RequestQuery{Path: app.PathParams})
	if res.Code != 16 {
		t.Fatalf("query before the first commit: code %d", res.Code)
	}
	c.block()
	for path, code := range map[string]uint32{
		"/nope":                     15,
		"/store/nope/key":           15,
		app.PathBalances + "xyz":    12,
		app.PathAccount + "cosmos1": 12,
		app.PathSupply + "/1":       11,
	} {
		res, _ := c.app.Query(ctx, &abcitypes.RequestQuery{Path: path})
		if res.Code != code {
			t.Errorf("%s: code %d (%s), want %d", path, res.Code, res.Log, code)
		}
	}
	res, _ = c.app.Query(ctx, &abcitypes.RequestQuery{Path: app.PathParams, Height: 99})
	if res.Code != 17 {
		t.Errorf("future height: code %d", res.Code)
	}
}

func TestGenesisErrors(t *testing.T) {
	keys := testKeys(2)
	good := genesis(keys)
	for name, appState := range map[string][]byte{
		"not json":       []byte("{"),
		"unknown module": []byte(`{"nope":{}}`),
		"unknown field":  []byte(`{"bank":{"nope":1}}`),
		"bad address":    []byte(`{"bank":{"balances":[{"address":"ics1xyz","coins":[{"denom":"stake","amount":"1"}]}]}}`),
		"zero coin":      bytes.Replace(good, []byte(`"amount":"500"`), []byte(`"amount":"0"`), 1),
		"bad params":     []byte(`{"auth":{"params":{"bech32_prefix":"ics"}}}`),
	} {
		app, err := providerapp.New(dbm.NewMemDB(), abci.Options{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = app.InitChain(ctx, &abcitypes.RequestInitChain{ChainId: chainID, AppStateBytes: appState})
		if !errors.Is(err, abci.ErrInvalidGenesis) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestProposals(t *testing.T) {
	c := newChain(t, dbm.NewMemDB(), 2)
	c.block()
	good := c.send(0, addr(c.keys[1]), stake(1))
	prep, _ := c.app.PrepareProposal(ctx, &abcitypes.RequestPrepareProposal{Txs: [][]byte{{0xff}, good, good}, MaxTxBytes: int64(len(good)) + 1})
	if len(prep.Txs) != 1 || !bytes.Equal(prep.Txs[0], good) {
		t.Fatalf("prepare kept %d txs", len(prep.Txs))
	}
	for txs, want := range map[int]abcitypes.ResponseProcessProposal_ProposalStatus{0: abcitypes.ResponseProcessProposal_ACCEPT, 1: abcitypes.ResponseProcessProposal_REJECT} {
		in := [][]byte{good}
		if txs == 1 {
			in = append(in, []byte("junk"))
		}
		res, _ := c.app.ProcessProposal(ctx, &abcitypes.RequestProcessProposal{Txs: in})
		if res.Status != want {
			t.Errorf("process %d: %v", txs, res.Status)
		}
	}
}

// TestRecheck: a recheck (of a transaction CheckTx admitted, after a
// block) checks again what the state decides, the nonce here, and not
// the signature, which the state does not change.
func TestRecheck(t *testing.T) {
	keys := testKeys(3)
	c := newChain(t, dbm.NewMemDB(), 3)
	c.block()
	msg, _ := auth.NewAny(&bank.MsgSend{From: addr(keys[0]), To: addr(keys[1]), Amount: []coin.Coin{stake(100)}})
	body := auth.TxBody{ChainId: chainID, Nonce: 0, Fee: stake(10), Msgs: []auth.Any{msg}}
	good := sign(t, keys[0], &body)
	var tx auth.Tx
	if err := tx.Unmarshal(good); err != nil {
		t.Fatal(err)
	}
	tx.Signature = bytes.Repeat([]byte{1}, len(tx.Signature))
	badSig, _ := tx.Marshal()
	for _, tc := range []struct {
		tx   []byte
		typ  abcitypes.CheckTxType
		code uint32
	}{{badSig, abcitypes.CheckTxType_New, 4}, {badSig, abcitypes.CheckTxType_Recheck, 0}} {
		chk, err := c.app.CheckTx(ctx, &abcitypes.RequestCheckTx{Tx: tc.tx, Type: tc.typ})
		if err != nil || chk.Code != tc.code {
			t.Fatalf("%s: code %d (%s), want %d", tc.typ, chk.Code, chk.Log, tc.code)
		}
	}
	c.block(good) // the block uses nonce 0
	chk, err := c.app.CheckTx(ctx, &abcitypes.RequestCheckTx{Tx: good, Type: abcitypes.CheckTxType_Recheck})
	if err != nil || chk.Code != 6 {
		t.Fatalf("recheck after the block: code %d (%s), want 6 (nonce)", chk.Code, chk.Log)
	}
}

// TestMinimumFee: a node's own minimum fee (app.MinimumFee as Admit)
// refuses cheaper transactions in CheckTx, first check and recheck, but
// blocks still run them: it is the node's policy, not the chain's rule.
func TestMinimumFee(t *testing.T) {
	keys := testKeys(3)
	c := newChain(t, dbm.NewMemDB(), 3)
	c.block()
	if err := c.app.Close(); err != nil {
		t.Fatal(err)
	}
	a, err := providerapp.New(c.db, abci.Options{Admit: app.MinimumFee(stake(10))})
	if err != nil {
		t.Fatal(err)
	}
	c.app = a
	msg, _ := auth.NewAny(&bank.MsgSend{From: addr(keys[0]), To: addr(keys[1]), Amount: []coin.Coin{stake(100)}})
	tx := func(nonce uint64, fee coin.Coin) []byte {
		return sign(t, keys[0], &auth.TxBody{ChainId: chainID, Nonce: nonce, Fee: fee, Msgs: []auth.Any{msg}})
	}
	for _, tc := range []struct {
		fee  coin.Coin
		typ  abcitypes.CheckTxType
		code uint32
	}{
		{stake(9), abcitypes.CheckTxType_New, 8},
		{stake(9), abcitypes.CheckTxType_Recheck, 8},
		{coin.Coin{Denom: "other", Amount: 100}, abcitypes.CheckTxType_New, 8},
		{stake(10), abcitypes.CheckTxType_New, 0},
	} {
		chk, err := c.app.CheckTx(ctx, &abcitypes.RequestCheckTx{Tx: tx(0, tc.fee), Type: tc.typ})
		if err != nil || chk.Code != tc.code {
			t.Fatalf("fee %s, %s: code %d (%s), want %d", tc.fee, tc.typ, chk.Code, chk.Log, tc.code)
		}
	}
	if res := c.block(tx(0, stake(1))); res[0].Code != 0 {
		t.Fatalf("a block with a transaction under the node's minimum: code %d (%s)", res[0].Code, res[0].Log)
	}
}
