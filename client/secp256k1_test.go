package client

import (
	"encoding/hex"
	"errors"
	"testing"

	"github.com/abci-ics/ics/types/address"
)

// fundraiserVector is the first of the Cosmos fundraiser's published
// derivations on m/44'/118'/0'/0/0 (the SDK's crypto/hd testdata).
var fundraiserVector = struct{ mnemonic, priv, pub, addr string }{
	"measure slogan connect luggage stereo federal stuff stomach stumble security end differ",
	"91bba8805845210665d7a9c5aff63ef69f7604fbeddb485706d31f04458f572c",
	"0210ddc89abc90bbcbec8c63f5a4ebb016b58063b9d1a77854502042bdfcac5e51",
	"72e7d6e9cfa899043a0783752a4876423f8effb8",
}

func TestSecp256k1FromMnemonic(t *testing.T) {
	v := fundraiserVector
	priv, err := Secp256k1FromMnemonic(v.mnemonic)
	if err != nil || hex.EncodeToString(priv) != v.priv {
		t.Fatalf("derived %x, %v", priv, err)
	}
	if _, err := Secp256k1FromMnemonic("not a mnemonic"); !errors.Is(err, ErrInvalidMnemonic) {
		t.Fatalf("bad mnemonic: %v", err)
	}
}

// TestSecp256k1Keys: a secp256k1 key is stored, in the clear or encrypted,
// listed with its SDK address and found by it, encrypted by Encrypt, and
// refused by Load (icsd signs with ed25519 keys) and Export.
func TestSecp256k1Keys(t *testing.T) {
	v := fundraiserVector
	for _, backend := range []Backend{BackendTest, BackendFile} {
		kr, err := OpenKeyring(t.TempDir(), backend, func(bool) ([]byte, error) { return []byte("correct horse"), nil })
		if err != nil {
			t.Fatal(err)
		}
		i, err := kr.RecoverSecp256k1("relayer", v.mnemonic)
		if err != nil {
			t.Fatal(err)
		}
		if i.Algo != AlgoSecp256k1 || hex.EncodeToString(i.PubKey) != v.pub || hex.EncodeToString(i.Address()) != v.addr || i.Encrypted != (backend == BackendFile) {
			t.Fatalf("%s: info %+v", backend, i)
		}
		if _, err := kr.Load("relayer"); !errors.Is(err, ErrNotEd25519) {
			t.Fatalf("%s: load: %v", backend, err)
		}
		if _, err := kr.Export("relayer", []byte("export passphrase")); !errors.Is(err, ErrNotEd25519) {
			t.Fatalf("%s: export: %v", backend, err)
		}
		addr, _ := hex.DecodeString(v.addr)
		if f, err := kr.Find(address.Encode("ics", addr)); err != nil || f.Name != "relayer" {
			t.Fatalf("%s: find: %v", backend, err)
		}
		if backend == BackendTest {
			if _, err := kr.Encrypt(); err != nil {
				t.Fatal(err)
			}
			i2, err := kr.Info("relayer")
			if err != nil || !i2.Encrypted || hex.EncodeToString(i2.PubKey) != v.pub {
				t.Fatalf("encrypted: %+v %v", i2, err)
			}
			f, _ := kr.read("relayer")
			if priv, err := f.privKey([]byte("correct horse")); err != nil || hex.EncodeToString(priv) != v.priv {
				t.Fatalf("decrypt: %v", err)
			}
		}
		_, m, err := kr.AddSecp256k1("other")
		if err != nil {
			t.Fatal(err)
		}
		if priv, _ := Secp256k1FromMnemonic(m); len(priv) != 32 {
			t.Fatal("new mnemonic does not derive")
		}
	}
}
