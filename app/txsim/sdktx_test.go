package txsim_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	txtypes "github.com/cosmos/cosmos-sdk/types/tx"
	"github.com/cosmos/cosmos-sdk/types/tx/signing"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"

	"github.com/abci-ics/ics/app/ibctest"
	"github.com/abci-ics/ics/app/txsim"
	"github.com/abci-ics/ics/chain/auth"
	"github.com/abci-ics/ics/chain/auth/sdktx"
	"github.com/abci-ics/ics/chain/bank"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/coin"
)

const chainID = "sdk-1"

// fixture is a chain whose secp256k1 account (an SDK signer) holds
// 1,000,000stake and 50atom, sent to it by native account 0.
type fixture struct {
	c    *ibctest.Chain
	key  *secp256k1.PrivKey
	addr []byte // the secp256k1 account
	to   []byte // native account 1
}

func newFixture(t *testing.T) *fixture {
	clock := &ibctest.Clock{Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	c := ibctest.NewChain(t, clock, chainID, 1, 2)
	f := &fixture{c: c, key: secp256k1.GenPrivKeyFromSecret([]byte("relayer"))}
	f.addr = f.key.PubKey().Address()
	f.to = c.Address(1)
	c.MustSucceed(c.NextBlock(c.Tx(0, &bank.MsgSend{From: c.Address(0), To: f.addr, Amount: []coin.Coin{{Denom: "stake", Amount: 1_000_000}}})))
	return f
}

// send returns an unsigned SDK bank send of amount stake to f.to.
func (f *fixture) send(amount, seq uint64) sdktx.Unsigned {
	msg, err := auth.NewAny(&bank.MsgSend{From: f.addr, To: f.to, Amount: []coin.Coin{{Denom: "stake", Amount: amount}}})
	if err != nil {
		f.c.T.Fatal(err)
	}
	return sdktx.Unsigned{Msgs: []sdktx.Msg{{TypeURL: msg.TypeUrl, Value: msg.Value}}, FeeDenom: "stake", FeeAmount: 10, GasLimit: 200_000, Sequence: seq}
}

func (f *fixture) sign(u sdktx.Unsigned) []byte {
	bz, err := sdktx.Sign(f.key, chainID, u)
	if err != nil {
		f.c.T.Fatal(err)
	}
	return bz
}

func (f *fixture) check(tx []byte) *abcitypes.ResponseCheckTx {
	res, err := f.c.App.CheckTx(context.Background(), &abcitypes.RequestCheckTx{Tx: tx})
	if err != nil {
		f.c.T.Fatal(err)
	}
	return res
}

// account answers the Cosmos gRPC Account query for addr.
func (f *fixture) account(addr []byte) *authtypes.BaseAccount {
	req, _ := (&authtypes.QueryAccountRequest{Address: address.Encode("ics", addr)}).Marshal()
	res := f.c.Query("/cosmos.auth.v1beta1.Query/Account", req, 0, false)
	if res.Code != 0 {
		f.c.T.Fatalf("account query: %s", res.Log)
	}
	var resp authtypes.QueryAccountResponse
	var ba authtypes.BaseAccount
	if resp.Unmarshal(res.Value) != nil || ba.Unmarshal(resp.Account.Value) != nil {
		f.c.T.Fatal("account answer does not decode")
	}
	return &ba
}

// TestSDKTxExecutes: a bank send in the SDK envelope, signed with
// secp256k1 over the SignDoc (account number 0), passes CheckTx and runs:
// the amount and the fee move, the sequence increases, and the account's
// key is answered as a secp256k1 key.
func TestSDKTxExecutes(t *testing.T) {
	f := newFixture(t)
	c := f.c
	from0, to0 := c.Balance(f.addr, "stake"), c.Balance(f.to, "stake")
	tx := f.sign(f.send(1234, 0))
	if res := f.check(tx); res.Code != 0 {
		t.Fatalf("CheckTx: %d %s", res.Code, res.Log)
	}
	c.MustSucceed(c.NextBlock(tx))
	if got := c.Balance(f.addr, "stake"); got != from0-1234-10 {
		t.Fatalf("sender has %d, want %d", got, from0-1234-10)
	}
	if got := c.Balance(f.to, "stake"); got != to0+1234 {
		t.Fatalf("receiver has %d, want %d", got, to0+1234)
	}
	ba := f.account(f.addr)
	var pk secp256k1.PubKey
	if ba.Sequence != 1 || ba.AccountNumber != 0 || ba.PubKey == nil || ba.PubKey.TypeUrl != "/cosmos.crypto.secp256k1.PubKey" ||
		pk.Unmarshal(ba.PubKey.Value) != nil || !bytes.Equal(pk.Key, f.key.PubKey().Bytes()) {
		t.Fatalf("account %+v", ba)
	}
	// The next one, and native transactions beside it, still run.
	c.MustSucceed(c.NextBlock(f.sign(f.send(1, 1)), c.Tx(1, &bank.MsgSend{From: f.to, To: f.addr, Amount: []coin.Coin{{Denom: "stake", Amount: 5}}})))
	if ba := f.account(f.addr); ba.Sequence != 2 {
		t.Fatalf("sequence %d after two transactions", ba.Sequence)
	}
}

// TestSDKTxRejects breaks the valid transaction one rule at a time: each
// fails CheckTx and FinalizeBlock with its error and changes nothing.
func TestSDKTxRejects(t *testing.T) {
	f := newFixture(t)
	c := f.c
	resign := func(edit func(*txtypes.SignDoc)) []byte {
		body, ai, _ := f.send(1, 0).Encode(f.key.PubKey().Bytes())
		doc := txtypes.SignDoc{BodyBytes: body, AuthInfoBytes: ai, ChainId: chainID}
		edit(&doc)
		bz, _ := doc.Marshal()
		sig, _ := f.key.Sign(bz)
		raw, _ := sdktx.Raw(body, ai, sig)
		return raw
	}
	reencode := func(edit func(*txtypes.TxRaw, *txtypes.AuthInfo)) []byte {
		var raw txtypes.TxRaw
		var ai txtypes.AuthInfo
		_ = raw.Unmarshal(f.sign(f.send(1, 0)))
		_ = ai.Unmarshal(raw.AuthInfoBytes)
		edit(&raw, &ai)
		raw.AuthInfoBytes, _ = ai.Marshal()
		bz, _ := raw.Marshal()
		return bz
	}
	withFee := func(denom string, amount uint64) []byte {
		u := f.send(1, 0)
		u.FeeDenom, u.FeeAmount = denom, amount
		return f.sign(u)
	}
	cases := []struct {
		name      string
		tx        []byte
		code      uint32
		codespace string
		log       string
	}{
		{"wrong sequence", f.sign(f.send(1, 3)), 32, "sdk", "account sequence mismatch, expected 0, got 3: incorrect account sequence"},
		{"wrong chain id", resign(func(d *txtypes.SignDoc) { d.ChainId = "other-1" }), 4, "icsd", "please verify account number (0) and chain-id (sdk-1)"},
		{"wrong account number", resign(func(d *txtypes.SignDoc) { d.AccountNumber = 7 }), 4, "icsd", "signature verification failed"},
		{"bad signature", reencode(func(r *txtypes.TxRaw, _ *txtypes.AuthInfo) { r.Signatures[0][3] ^= 1 }), 4, "icsd", "signature verification failed"},
		{"sign mode not direct", reencode(func(_ *txtypes.TxRaw, ai *txtypes.AuthInfo) {
			ai.SignerInfos[0].ModeInfo.GetSingle().Mode = signing.SignMode_SIGN_MODE_LEGACY_AMINO_JSON
		}), 2, "icsd", "only SIGN_MODE_DIRECT is supported"},
		{"two signers", reencode(func(_ *txtypes.TxRaw, ai *txtypes.AuthInfo) {
			ai.SignerInfos = append(ai.SignerInfos, ai.SignerInfos[0])
		}), 2, "icsd", "2 signers, want 1"},
		{"fee in another denom", withFee("atom", 10), 8, "icsd", "paid 10atom, minimum 1stake"},
		{"fee below the minimum", withFee("stake", 0), 8, "icsd", "paid 0stake, minimum 1stake"},
		{"no fee", withFee("", 0), 8, "icsd", "no fee"},
	}
	from0, to0 := c.Balance(f.addr, "stake"), c.Balance(f.to, "stake")
	var txs [][]byte
	for _, tc := range cases {
		res := f.check(tc.tx)
		if res.Code != tc.code || res.Codespace != tc.codespace || !strings.Contains(res.Log, tc.log) {
			t.Errorf("%s: CheckTx code %s/%d %q, want %s/%d containing %q", tc.name, res.Codespace, res.Code, res.Log, tc.codespace, tc.code, tc.log)
		}
		txs = append(txs, tc.tx)
	}
	// The exact text stock relayers parse.
	if res := f.check(cases[0].tx); res.Log != cases[0].log {
		t.Errorf("wrong sequence log %q", res.Log)
	}
	resp := c.NextBlock(txs...)
	for i, r := range resp.TxResults {
		if r.Code != cases[i].code || r.Codespace != cases[i].codespace || len(r.Events) != 0 {
			t.Errorf("%s: FinalizeBlock code %s/%d %q with %d events", cases[i].name, r.Codespace, r.Code, r.Log, len(r.Events))
		}
	}
	if c.Balance(f.addr, "stake") != from0 || c.Balance(f.to, "stake") != to0 {
		t.Fatal("a refused transaction moved coins")
	}
	if ba := f.account(f.addr); ba.Sequence != 0 || ba.PubKey != nil {
		t.Fatalf("a refused transaction touched the account: %+v", ba)
	}
}

// simulate runs Simulate over abci_query.
func (f *fixture) simulate(raw []byte) (*txtypes.SimulateResponse, *abcitypes.ResponseQuery) {
	req, _ := (&txtypes.SimulateRequest{TxBytes: raw}).Marshal()
	res := f.c.Query("/cosmos.tx.v1beta1.Service/Simulate", req, 0, false)
	if res.Code != 0 {
		return nil, res
	}
	var resp txtypes.SimulateResponse
	if err := resp.Unmarshal(res.Value); err != nil {
		f.c.T.Fatal(err)
	}
	return &resp, res
}

// TestSimulate: an unsigned transaction (empty signature, as the Go
// relayer simulates) answers the gas estimate and its events, and writes
// nothing; a failing one answers its error.
func TestSimulate(t *testing.T) {
	f := newFixture(t)
	body, ai, err := f.send(100, 0).Encode(f.key.PubKey().Bytes())
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := sdktx.Raw(body, ai, nil)
	resp, res := f.simulate(raw)
	if resp == nil {
		t.Fatalf("simulate: %d %s", res.Code, res.Log)
	}
	if resp.GasInfo.GasUsed != txsim.Gas(len(raw), 1) || resp.GasInfo.GasWanted != 200_000 || len(resp.Result.Events) == 0 {
		t.Fatalf("simulate answered %+v", resp)
	}
	if ba := f.account(f.addr); ba.Sequence != 0 {
		t.Fatal("simulation wrote the account")
	}
	// The Go relayer sends the deprecated decoded form, with an empty
	// signature and the sign mode of its configuration (possibly none).
	var decodedTx txtypes.Tx
	decodedTx.Body, decodedTx.AuthInfo = new(txtypes.TxBody), new(txtypes.AuthInfo)
	if decodedTx.Body.Unmarshal(body) != nil || decodedTx.AuthInfo.Unmarshal(ai) != nil {
		t.Fatal("fixture does not decode")
	}
	decodedTx.AuthInfo.SignerInfos[0].ModeInfo.GetSingle().Mode = signing.SignMode_SIGN_MODE_UNSPECIFIED
	decodedTx.Signatures = [][]byte{{}}
	req, _ := (&txtypes.SimulateRequest{Tx: &decodedTx}).Marshal()
	res = f.c.Query("/cosmos.tx.v1beta1.Service/Simulate", req, 0, false)
	var rlyResp txtypes.SimulateResponse
	if res.Code != 0 || rlyResp.Unmarshal(res.Value) != nil || rlyResp.GasInfo.GasUsed < txsim.BaseGas+txsim.GasPerMsg {
		t.Fatalf("simulate the deprecated form: %d %s", res.Code, res.Log)
	}
	// The native envelope simulates too.
	if resp, res := f.simulate(f.c.Tx(1, &bank.MsgSend{From: f.to, To: f.addr, Amount: []coin.Coin{{Denom: "stake", Amount: 5}}})); resp == nil || resp.GasInfo.GasUsed == 0 {
		t.Fatalf("native simulate: %v", res.Log)
	}
	// A wrong sequence, and a message that fails.
	body, ai, _ = f.send(100, 5).Encode(f.key.PubKey().Bytes())
	raw, _ = sdktx.Raw(body, ai, nil)
	if resp, res := f.simulate(raw); resp != nil || !strings.Contains(res.Log, "account sequence mismatch, expected 0, got 5: incorrect account sequence") {
		t.Fatalf("wrong sequence simulated: %v", res.Log)
	}
	body, ai, _ = f.send(1<<40, 0).Encode(f.key.PubKey().Bytes())
	raw, _ = sdktx.Raw(body, ai, nil)
	if resp, res := f.simulate(raw); resp != nil || !strings.Contains(res.Log, "insufficient funds") {
		t.Fatalf("overspend simulated: %v", res.Log)
	}
}

// TestSimulateZeroFee: the Go relayer simulates before it prices the fee,
// with gas 0 and so a fee of 0stake (or none without gas prices); as the
// SDK's simulation skips the minimum gas price, such a simulation succeeds
// and is charged the chain's minimum fee, while a signed transaction with
// that fee is still refused (TestSDKTxRejects).
func TestSimulateZeroFee(t *testing.T) {
	f := newFixture(t)
	for _, fee := range []struct {
		denom  string
		amount uint64
	}{{"stake", 0}, {"", 0}} {
		u := f.send(100, 0)
		u.FeeDenom, u.FeeAmount, u.GasLimit = fee.denom, fee.amount, 0
		body, ai, err := u.Encode(f.key.PubKey().Bytes())
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := sdktx.Raw(body, ai, nil)
		resp, res := f.simulate(raw)
		if resp == nil {
			t.Fatalf("simulate with fee %d%q: %d %s", fee.amount, fee.denom, res.Code, res.Log)
		}
		if resp.GasInfo.GasUsed != txsim.Gas(len(raw), 1) || resp.GasInfo.GasWanted != 0 {
			t.Fatalf("simulate with fee %d%q answered %+v", fee.amount, fee.denom, resp.GasInfo)
		}
		charged := false
		for _, ev := range resp.Result.Events {
			for _, a := range ev.Attributes {
				charged = charged || ev.Type == "tx" && a.Key == "fee" && a.Value == "1stake"
			}
		}
		if !charged {
			t.Fatalf("simulate with fee %d%q: no tx event charging the minimum fee in %v", fee.amount, fee.denom, resp.Result.Events)
		}
	}
	if ba := f.account(f.addr); ba.Sequence != 0 {
		t.Fatal("simulation wrote the account")
	}
}
