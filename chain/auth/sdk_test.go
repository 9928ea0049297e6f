package auth

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"

	"github.com/abci-ics/ics/chain/auth/sdktx"
	"github.com/abci-ics/ics/chain/bank"
	"github.com/abci-ics/ics/types/coin"
)

var sdkKey = secp256k1.GenPrivKeyFromSecret([]byte("relayer"))

func sdkUnsigned() sdktx.Unsigned {
	msg, _ := NewAny(&bank.MsgSend{From: []byte("01234567890123456789"), To: []byte("01234567890123456789"), Amount: []coin.Coin{{Denom: "stake", Amount: 1}}})
	return sdktx.Unsigned{Msgs: []sdktx.Msg{{TypeURL: msg.TypeUrl, Value: msg.Value}}, FeeDenom: "stake", FeeAmount: 2, GasLimit: 100_000, Sequence: 9, Memo: "m"}
}

func validSDKTx(t testing.TB, u sdktx.Unsigned) []byte {
	bz, err := sdktx.Sign(sdkKey, "c-1", u)
	if err != nil {
		t.Fatal(err)
	}
	return bz
}

// TestEnvelopes: each envelope is read as itself.
func TestEnvelopes(t *testing.T) {
	native, _ := validTx(t)
	d, err := DecodeTx(native)
	if err != nil || d.SDK() || d.KeyType != KEY_TYPE_ED25519 {
		t.Fatalf("native: %v", err)
	}
	d, err = DecodeTx(validSDKTx(t, sdkUnsigned()))
	if err != nil {
		t.Fatal(err)
	}
	pub := sdkKey.PubKey().Bytes()
	if !d.SDK() || d.KeyType != KEY_TYPE_SECP256K1 || !bytes.Equal(d.PubKey, pub) || !bytes.Equal(d.Signer, sdkKey.PubKey().Address()) ||
		d.Body.Nonce != 9 || d.Body.Fee != (coin.Coin{Denom: "stake", Amount: 2}) || d.Body.Memo != "m" || len(d.Body.Msgs) != 1 || d.GasLimit() != 100_000 {
		t.Fatalf("sdk: %+v", d)
	}
	if err := d.Verify("c-1"); err != nil {
		t.Fatal(err)
	}
	if err := d.Verify("c-2"); !errors.Is(err, ErrInvalidSignature) || !strings.Contains(err.Error(), "chain-id (c-2)") {
		t.Fatalf("wrong chain id: %v", err)
	}
	if err := d.VerifySignature(); !errors.Is(err, ErrInvalidSignature) {
		t.Fatalf("VerifySignature of an sdk tx: %v", err)
	}
	// An SDK transaction with a problem reports the SDK decoder's error.
	u := sdkUnsigned()
	u.FeeDenom = ""
	if _, err := DecodeTx(validSDKTx(t, u)); !errors.Is(err, ErrInsufficientFee) {
		t.Fatalf("no fee: %v", err)
	}
	u = sdkUnsigned()
	u.FeeDenom = "x"
	if _, err := DecodeTx(validSDKTx(t, u)); !errors.Is(err, ErrTxDecode) {
		t.Fatalf("bad fee denom: %v", err)
	}
	u = sdkUnsigned()
	u.Msgs = nil
	if _, err := DecodeTx(validSDKTx(t, u)); !errors.Is(err, ErrTxDecode) {
		t.Fatalf("no messages: %v", err)
	}
	// A native envelope with a short key still says so.
	var env Tx
	_ = env.Unmarshal(native)
	env.PubKey = env.PubKey[:31]
	bz, _ := env.Marshal()
	if _, err := DecodeTx(bz); !errors.Is(err, ErrTxDecode) || !strings.Contains(err.Error(), "public key is 31 bytes") {
		t.Fatalf("short native key: %v", err)
	}
}

func TestSequenceError(t *testing.T) {
	err := error(&SequenceError{Expected: 3, Got: 1})
	if err.Error() != "account sequence mismatch, expected 3, got 1: incorrect account sequence" || !errors.Is(err, ErrBadNonce) {
		t.Fatal(err)
	}
	if space, code := (&SequenceError{}).ABCICode(); space != "sdk" || code != 32 {
		t.Fatal(space, code)
	}
}

func TestKeyAddress(t *testing.T) {
	pub := sdkKey.PubKey().Bytes()
	if !bytes.Equal(keyAddress(KEY_TYPE_SECP256K1, pub), sdkKey.PubKey().Address()) || keyAddress(KEY_TYPE_ED25519, pub) != nil {
		t.Fatal("secp256k1 key address")
	}
}
