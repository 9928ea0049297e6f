package sdktx

import (
	sdkmath "cosmossdk.io/math"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	sdk "github.com/cosmos/cosmos-sdk/types"
	txtypes "github.com/cosmos/cosmos-sdk/types/tx"
	"github.com/cosmos/cosmos-sdk/types/tx/signing"
)

// Unsigned is what a signer puts in a transaction.
type Unsigned struct {
	Msgs      []Msg
	Memo      string
	FeeDenom  string // no fee coin when empty
	FeeAmount uint64
	GasLimit  uint64
	Sequence  uint64
}

// Encode returns the body and auth info bytes of u for the signer with
// compressed secp256k1 key pub, in sign mode SIGN_MODE_DIRECT.
func (u Unsigned) Encode(pub []byte) (bodyBytes, authInfoBytes []byte, err error) {
	body := txtypes.TxBody{Memo: u.Memo}
	for _, m := range u.Msgs {
		body.Messages = append(body.Messages, &codectypes.Any{TypeUrl: m.TypeURL, Value: m.Value})
	}
	if bodyBytes, err = body.Marshal(); err != nil {
		return nil, nil, err
	}
	pk, err := codectypes.NewAnyWithValue(&secp256k1.PubKey{Key: pub})
	if err != nil {
		return nil, nil, err
	}
	ai := txtypes.AuthInfo{
		SignerInfos: []*txtypes.SignerInfo{{
			PublicKey: pk,
			ModeInfo:  &txtypes.ModeInfo{Sum: &txtypes.ModeInfo_Single_{Single: &txtypes.ModeInfo_Single{Mode: signing.SignMode_SIGN_MODE_DIRECT}}},
			Sequence:  u.Sequence,
		}},
		Fee: &txtypes.Fee{GasLimit: u.GasLimit},
	}
	if u.FeeDenom != "" {
		ai.Fee.Amount = sdk.Coins{{Denom: u.FeeDenom, Amount: sdkmath.NewIntFromUint64(u.FeeAmount)}}
	}
	if authInfoBytes, err = ai.Marshal(); err != nil {
		return nil, nil, err
	}
	return bodyBytes, authInfoBytes, nil
}

// Sign signs u with priv for chain chainID (account number
// AccountNumber) and returns the encoded TxRaw.
func Sign(priv *secp256k1.PrivKey, chainID string, u Unsigned) ([]byte, error) {
	bodyBytes, authInfoBytes, err := u.Encode(priv.PubKey().Bytes())
	if err != nil {
		return nil, err
	}
	sig, err := priv.Sign(SignDoc(bodyBytes, authInfoBytes, chainID))
	if err != nil {
		return nil, err
	}
	return Raw(bodyBytes, authInfoBytes, sig)
}

// Raw encodes a TxRaw of one signature.
func Raw(bodyBytes, authInfoBytes, sig []byte) ([]byte, error) {
	raw := txtypes.TxRaw{BodyBytes: bodyBytes, AuthInfoBytes: authInfoBytes, Signatures: [][]byte{sig}}
	return raw.Marshal()
}
