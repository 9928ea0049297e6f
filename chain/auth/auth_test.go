package auth

import (
	"bytes"
	"errors"
	"testing"

	"github.com/cometbft/cometbft/crypto/ed25519"

	"github.com/abci-ics/ics/chain/bank"
	"github.com/abci-ics/ics/types/coin"
)

// TestPrefixesFrozen: the store layout is consensus-critical.
func TestPrefixesFrozen(t *testing.T) {
	if keyParams != 0x00 || prefixAccount != 0x01 || keyChainID != 0x02 || keyNative != 0x03 {
		t.Fatal("auth key prefixes changed")
	}
	if got := AccountKey([]byte{0xaa, 0xbb}); !bytes.Equal(got, []byte{0x01, 0xaa, 0xbb}) {
		t.Fatalf("account key %x", got)
	}
}

func validTx(t testing.TB) ([]byte, ed25519.PrivKey) {
	k := ed25519.GenPrivKeyFromSecret([]byte("a"))
	msg, err := NewAny(&bank.MsgSend{From: []byte("01234567890123456789"), To: []byte("01234567890123456789"), Amount: []coin.Coin{{Denom: "stake", Amount: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	tx, err := SignTx(k, &TxBody{ChainId: "c-1", Nonce: 3, Fee: coin.Coin{Denom: "stake", Amount: 1}, Msgs: []Any{msg}})
	if err != nil {
		t.Fatal(err)
	}
	return tx, k
}

func TestDecodeTx(t *testing.T) {
	tx, k := validTx(t)
	d, err := DecodeTx(tx)
	if err != nil {
		t.Fatal(err)
	}
	if d.Body.Nonce != 3 || !bytes.Equal(d.PubKey, k.PubKey().Bytes()) || d.VerifySignature() != nil || d.CheckChainID("c-1") != nil {
		t.Fatalf("decoded %+v", d.Body)
	}
	if !errors.Is(d.CheckChainID("c-2"), ErrWrongChainID) {
		t.Fatal("wrong chain id accepted")
	}
	var env Tx
	_ = env.Unmarshal(tx)
	breaks := map[string]func(e *Tx){
		"short key":       func(e *Tx) { e.PubKey = e.PubKey[:31] },
		"short signature": func(e *Tx) { e.Signature = e.Signature[:63] },
		"bad body":        func(e *Tx) { e.Body = []byte{0xff, 0xff} },
		"no messages": func(e *Tx) {
			var b TxBody
			_ = b.Unmarshal(e.Body)
			b.Msgs = nil
			e.Body, _ = b.Marshal()
		},
		"bad fee denom": func(e *Tx) {
			var b TxBody
			_ = b.Unmarshal(e.Body)
			b.Fee.Denom = "x"
			e.Body, _ = b.Marshal()
		},
	}
	for name, brk := range breaks {
		e := env
		e.PubKey, e.Signature, e.Body = bytes.Clone(env.PubKey), bytes.Clone(env.Signature), bytes.Clone(env.Body)
		brk(&e)
		bz, _ := e.Marshal()
		if _, err := DecodeTx(bz); !errors.Is(err, ErrTxDecode) {
			t.Errorf("%s: %v", name, err)
		}
	}
	// A flipped signature bit decodes but does not verify.
	e := env
	e.Signature = bytes.Clone(env.Signature)
	e.Signature[0] ^= 1
	bz, _ := e.Marshal()
	d, err = DecodeTx(bz)
	if err != nil || !errors.Is(d.VerifySignature(), ErrInvalidSignature) {
		t.Fatalf("flipped signature: %v", err)
	}
}

func TestParams(t *testing.T) {
	if err := DefaultParams().Validate(); err != nil {
		t.Fatal(err)
	}
	for name, brk := range map[string]func(p *Params){
		"prefix":   func(p *Params) { p.Bech32Prefix = "ICS" },
		"denom":    func(p *Params) { p.MinFee.Denom = "" },
		"tx bytes": func(p *Params) { p.MaxTxBytes = MaxTxBytesLimit + 1 },
		"msgs":     func(p *Params) { p.MaxMsgs = 0 },
		"memo":     func(p *Params) { p.MaxMemoBytes = uint32(p.MaxTxBytes) + 1 },
	} {
		p := DefaultParams()
		brk(&p)
		if err := p.Validate(); !errors.Is(err, ErrInvalidParams) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func FuzzDecodeTx(f *testing.F) {
	tx, _ := validTx(f)
	f.Add(tx)
	f.Add(validSDKTx(f, sdkUnsigned()))
	f.Add([]byte{})
	f.Add([]byte{0x0a, 0x00})
	f.Fuzz(func(t *testing.T, bz []byte) {
		d, err := DecodeTx(bz)
		if err != nil {
			if !errors.Is(err, ErrTxDecode) && !errors.Is(err, ErrTxTooLarge) && !errors.Is(err, ErrInsufficientFee) {
				t.Fatalf("unclassified error %v", err)
			}
			return
		}
		_ = d.VerifySignature()
		if len(d.Signer) != 20 || len(d.Body.Msgs) == 0 {
			t.Fatal("decoded tx breaks its invariants")
		}
	})
}

// BenchmarkDecodeTx measures the native envelope's decoding, the fast
// path of every block (W1).
func BenchmarkDecodeTx(b *testing.B) {
	tx, _ := validTx(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeTx(tx); err != nil {
			b.Fatal(err)
		}
	}
}
