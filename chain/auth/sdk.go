package auth

import (
	"fmt"

	"github.com/abci-ics/ics/chain/auth/sdktx"
	"github.com/abci-ics/ics/types/coin"
)

// decodeSDK decodes a Cosmos SDK TxRaw (sdktx.Decode, or DecodeUnsigned
// when signed is false) into a DecodedTx. Errors wrap ErrTxDecode, or
// ErrInsufficientFee for a signed transaction without a fee coin.
func decodeSDK(bz []byte, signed bool) (*DecodedTx, error) {
	decode := sdktx.Decode
	if !signed {
		decode = sdktx.DecodeUnsigned
	}
	t, err := decode(bz)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrTxDecode, err)
	}
	msgs := make([]Any, len(t.Msgs))
	for i, m := range t.Msgs {
		msgs[i] = Any{TypeUrl: m.TypeURL, Value: m.Value}
	}
	if err := checkMsgs(msgs); err != nil {
		return nil, err
	}
	switch {
	case t.FeeDenom == "" && signed:
		return nil, fmt.Errorf("%w: no fee; pay at least the chain's minimum fee in its fee denomination", ErrInsufficientFee)
	case t.FeeDenom != "":
		if err := coin.ValidateDenom(t.FeeDenom); err != nil {
			return nil, fmt.Errorf("%w: fee: %v", ErrTxDecode, err)
		}
	}
	return &DecodedTx{
		Body: TxBody{
			Nonce: t.Sequence,
			Fee:   coin.Coin{Denom: t.FeeDenom, Amount: t.FeeAmount},
			Msgs:  msgs,
			Memo:  t.Memo,
		},
		KeyType:   KEY_TYPE_SECP256K1,
		PubKey:    t.PubKey,
		Signature: t.Signature,
		Signer:    sdktx.Address(t.PubKey),
		bodyBytes: t.BodyBytes,
		sdk:       t,
	}, nil
}
