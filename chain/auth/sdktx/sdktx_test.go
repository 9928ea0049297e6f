package sdktx

import (
	"bytes"
	"errors"
	"math/big"
	"testing"

	sdkmath "cosmossdk.io/math"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	"github.com/cosmos/cosmos-sdk/crypto/keys/ed25519"
	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	sdk "github.com/cosmos/cosmos-sdk/types"
	txtypes "github.com/cosmos/cosmos-sdk/types/tx"
	"github.com/cosmos/cosmos-sdk/types/tx/signing"
)

const chainID = "c-1"

var testKey = secp256k1.GenPrivKeyFromSecret([]byte("relayer"))

func unsigned() Unsigned {
	return Unsigned{
		Msgs:     []Msg{{TypeURL: "/icsd.bank.v1.MsgSend", Value: []byte{0x0a, 0x01, 0x01}}},
		Memo:     "hello",
		FeeDenom: "stake", FeeAmount: 7, GasLimit: 200_000, Sequence: 4,
	}
}

func validTx(t testing.TB) []byte {
	bz, err := Sign(testKey, chainID, unsigned())
	if err != nil {
		t.Fatal(err)
	}
	return bz
}

func TestDecodeAndVerify(t *testing.T) {
	tx, err := Decode(validTx(t))
	if err != nil {
		t.Fatal(err)
	}
	pub := testKey.PubKey().Bytes()
	if !bytes.Equal(tx.PubKey, pub) || tx.Sequence != 4 || tx.Memo != "hello" || tx.FeeDenom != "stake" || tx.FeeAmount != 7 ||
		tx.GasLimit != 200_000 || len(tx.Msgs) != 1 || tx.Msgs[0].TypeURL != "/icsd.bank.v1.MsgSend" {
		t.Fatalf("decoded %+v", tx)
	}
	if err := tx.Verify(chainID); err != nil {
		t.Fatal(err)
	}
	if err := tx.Verify("c-2"); !errors.Is(err, ErrSignature) {
		t.Fatalf("wrong chain id: %v", err)
	}
	// The SDK's own address derivation.
	if !bytes.Equal(Address(pub), testKey.PubKey().Address()) {
		t.Fatal("address differs from the SDK's")
	}
}

// signWith signs body and auth info as a relayer would, with the sign doc
// edited by edit.
func signWith(t *testing.T, u Unsigned, edit func(*txtypes.SignDoc)) []byte {
	body, ai, err := u.Encode(testKey.PubKey().Bytes())
	if err != nil {
		t.Fatal(err)
	}
	doc := txtypes.SignDoc{BodyBytes: body, AuthInfoBytes: ai, ChainId: chainID}
	edit(&doc)
	bz, _ := doc.Marshal()
	sig, err := testKey.Sign(bz)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := Raw(body, ai, sig)
	return raw
}

func TestVerifyRejects(t *testing.T) {
	for name, raw := range map[string][]byte{
		"account number 1": signWith(t, unsigned(), func(d *txtypes.SignDoc) { d.AccountNumber = 1 }),
		"chain id":         signWith(t, unsigned(), func(d *txtypes.SignDoc) { d.ChainId = "c-2" }),
		"high s": func() []byte {
			var r txtypes.TxRaw
			_ = r.Unmarshal(validTx(t))
			n := secp256k1N()
			s := new(big.Int).SetBytes(r.Signatures[0][32:])
			s.Sub(n, s)
			copy(r.Signatures[0][32:], s.FillBytes(make([]byte, 32)))
			bz, _ := r.Marshal()
			return bz
		}(),
		"flipped bit": func() []byte {
			var r txtypes.TxRaw
			_ = r.Unmarshal(validTx(t))
			r.Signatures[0][5] ^= 1
			bz, _ := r.Marshal()
			return bz
		}(),
	} {
		tx, err := Decode(raw)
		if err != nil {
			t.Fatalf("%s: decode: %v", name, err)
		}
		if err := tx.Verify(chainID); !errors.Is(err, ErrSignature) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func secp256k1N() *big.Int {
	n, _ := new(big.Int).SetString("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", 16)
	return n
}

// breakTx decodes the valid fixture into its parts, lets brk change them
// and encodes it again (unsigned: the decoder fails before any signature
// check).
func breakTx(t *testing.T, brk func(raw *txtypes.TxRaw, body *txtypes.TxBody, ai *txtypes.AuthInfo)) []byte {
	var raw txtypes.TxRaw
	var body txtypes.TxBody
	var ai txtypes.AuthInfo
	if raw.Unmarshal(validTx(t)) != nil || body.Unmarshal(raw.BodyBytes) != nil || ai.Unmarshal(raw.AuthInfoBytes) != nil {
		t.Fatal("fixture does not decode")
	}
	brk(&raw, &body, &ai)
	raw.BodyBytes, _ = body.Marshal()
	raw.AuthInfoBytes, _ = ai.Marshal()
	bz, _ := raw.Marshal()
	return bz
}

func TestDecodeRejects(t *testing.T) {
	edPub, _ := codectypes.NewAnyWithValue(ed25519.GenPrivKeyFromSecret([]byte("x")).PubKey())
	mode := func(m signing.SignMode) *txtypes.ModeInfo {
		return &txtypes.ModeInfo{Sum: &txtypes.ModeInfo_Single_{Single: &txtypes.ModeInfo_Single{Mode: m}}}
	}
	for name, brk := range map[string]func(*txtypes.TxRaw, *txtypes.TxBody, *txtypes.AuthInfo){
		"two signatures": func(r *txtypes.TxRaw, _ *txtypes.TxBody, _ *txtypes.AuthInfo) {
			r.Signatures = append(r.Signatures, r.Signatures[0])
		},
		"no signature":    func(r *txtypes.TxRaw, _ *txtypes.TxBody, _ *txtypes.AuthInfo) { r.Signatures = nil },
		"short signature": func(r *txtypes.TxRaw, _ *txtypes.TxBody, _ *txtypes.AuthInfo) { r.Signatures[0] = r.Signatures[0][:63] },
		"two signers": func(_ *txtypes.TxRaw, _ *txtypes.TxBody, ai *txtypes.AuthInfo) {
			ai.SignerInfos = append(ai.SignerInfos, ai.SignerInfos[0])
		},
		"no public key": func(_ *txtypes.TxRaw, _ *txtypes.TxBody, ai *txtypes.AuthInfo) { ai.SignerInfos[0].PublicKey = nil },
		"ed25519 key":   func(_ *txtypes.TxRaw, _ *txtypes.TxBody, ai *txtypes.AuthInfo) { ai.SignerInfos[0].PublicKey = edPub },
		"amino json": func(_ *txtypes.TxRaw, _ *txtypes.TxBody, ai *txtypes.AuthInfo) {
			ai.SignerInfos[0].ModeInfo = mode(signing.SignMode_SIGN_MODE_LEGACY_AMINO_JSON)
		},
		"textual": func(_ *txtypes.TxRaw, _ *txtypes.TxBody, ai *txtypes.AuthInfo) {
			ai.SignerInfos[0].ModeInfo = mode(signing.SignMode_SIGN_MODE_TEXTUAL)
		},
		"unspecified mode": func(_ *txtypes.TxRaw, _ *txtypes.TxBody, ai *txtypes.AuthInfo) {
			ai.SignerInfos[0].ModeInfo = mode(signing.SignMode_SIGN_MODE_UNSPECIFIED)
		},
		"no mode info": func(_ *txtypes.TxRaw, _ *txtypes.TxBody, ai *txtypes.AuthInfo) { ai.SignerInfos[0].ModeInfo = nil },
		"two fee coins": func(_ *txtypes.TxRaw, _ *txtypes.TxBody, ai *txtypes.AuthInfo) {
			ai.Fee.Amount = sdk.Coins{{Denom: "atom", Amount: sdkmath.NewInt(1)}, {Denom: "stake", Amount: sdkmath.NewInt(1)}}
		},
		"negative fee": func(_ *txtypes.TxRaw, _ *txtypes.TxBody, ai *txtypes.AuthInfo) {
			ai.Fee.Amount = sdk.Coins{{Denom: "stake", Amount: sdkmath.NewInt(-1)}}
		},
		"fee granter":    func(_ *txtypes.TxRaw, _ *txtypes.TxBody, ai *txtypes.AuthInfo) { ai.Fee.Granter = "ics1x" },
		"huge gas limit": func(_ *txtypes.TxRaw, _ *txtypes.TxBody, ai *txtypes.AuthInfo) { ai.Fee.GasLimit = 1 << 63 },
		"timeout height": func(_ *txtypes.TxRaw, b *txtypes.TxBody, _ *txtypes.AuthInfo) { b.TimeoutHeight = 10 },
		"unordered":      func(_ *txtypes.TxRaw, b *txtypes.TxBody, _ *txtypes.AuthInfo) { b.Unordered = true },
		"extension option": func(_ *txtypes.TxRaw, b *txtypes.TxBody, _ *txtypes.AuthInfo) {
			b.ExtensionOptions = []*codectypes.Any{{TypeUrl: "/x.Ext"}}
		},
	} {
		if _, err := Decode(breakTx(t, brk)); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
	// Not canonical: a TxRaw with an unknown field appended.
	if _, err := Decode(append(validTx(t), 0x20, 0x01)); !errors.Is(err, ErrInvalid) {
		t.Errorf("unknown field: %v", err)
	}
}

// TestDecodeUnsigned: a relayer simulates with an empty signature and
// possibly an unspecified sign mode; Decode refuses both.
func TestDecodeUnsigned(t *testing.T) {
	body, ai, err := unsigned().Encode(testKey.PubKey().Bytes())
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := Raw(body, ai, nil)
	if _, err := Decode(raw); !errors.Is(err, ErrInvalid) {
		t.Fatalf("empty signature decoded: %v", err)
	}
	tx, err := DecodeUnsigned(raw)
	if err != nil || tx.Sequence != 4 {
		t.Fatalf("unsigned: %v", err)
	}
	unspec := breakTx(t, func(_ *txtypes.TxRaw, _ *txtypes.TxBody, ai *txtypes.AuthInfo) {
		ai.SignerInfos[0].ModeInfo.GetSingle().Mode = signing.SignMode_SIGN_MODE_UNSPECIFIED
	})
	if _, err := DecodeUnsigned(unspec); err != nil {
		t.Fatalf("unspecified mode: %v", err)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(validTx(f))
	f.Add([]byte{})
	f.Add([]byte{0x0a, 0x00, 0x12, 0x00, 0x1a, 0x00})
	f.Fuzz(func(t *testing.T, bz []byte) {
		for _, decode := range []func([]byte) (*Tx, error){Decode, DecodeUnsigned} {
			tx, err := decode(bz)
			if err != nil {
				if !errors.Is(err, ErrInvalid) {
					t.Fatalf("unclassified error %v", err)
				}
				continue
			}
			if len(tx.PubKey) != secp256k1.PubKeySize || len(Address(tx.PubKey)) != 20 {
				t.Fatal("decoded tx breaks its invariants")
			}
			_ = tx.Verify(chainID)
		}
	})
}
