package auth

import (
	"fmt"

	"github.com/cometbft/cometbft/crypto/ed25519"
	gogoproto "github.com/cosmos/gogoproto/proto"

	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/coin"
)

// DecodedTx is a transaction that passed the stateless checks.
type DecodedTx struct {
	Body      TxBody
	PubKey    []byte
	Signature []byte
	Signer    []byte // the address of PubKey
	bodyBytes []byte
}

// DecodeTx decodes and checks a transaction without reading state: size
// (against MaxTxBytesLimit; Ante checks the chain's parameter), encoding,
// key and signature lengths, message count, fee denomination and nonce
// field. It returns ErrTxTooLarge or ErrTxDecode.
func DecodeTx(bz []byte) (*DecodedTx, error) {
	if len(bz) > MaxTxBytesLimit {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrTxTooLarge, len(bz), MaxTxBytesLimit)
	}
	if len(bz) == 0 {
		return nil, fmt.Errorf("%w: empty", ErrTxDecode)
	}
	var tx Tx
	if err := tx.Unmarshal(bz); err != nil {
		return nil, fmt.Errorf("%w: envelope: %v", ErrTxDecode, err)
	}
	if len(tx.PubKey) != ed25519.PubKeySize {
		return nil, fmt.Errorf("%w: public key is %d bytes, want %d", ErrTxDecode, len(tx.PubKey), ed25519.PubKeySize)
	}
	if len(tx.Signature) != ed25519.SignatureSize {
		return nil, fmt.Errorf("%w: signature is %d bytes, want %d", ErrTxDecode, len(tx.Signature), ed25519.SignatureSize)
	}
	d := &DecodedTx{PubKey: tx.PubKey, Signature: tx.Signature, bodyBytes: tx.Body}
	if err := d.Body.Unmarshal(tx.Body); err != nil {
		return nil, fmt.Errorf("%w: body: %v", ErrTxDecode, err)
	}
	if n := len(d.Body.Msgs); n == 0 || n > MaxMsgsLimit {
		return nil, fmt.Errorf("%w: %d messages, want 1 to %d", ErrTxDecode, n, MaxMsgsLimit)
	}
	for i, m := range d.Body.Msgs {
		if m.TypeUrl == "" {
			return nil, fmt.Errorf("%w: message %d has no type", ErrTxDecode, i)
		}
	}
	if err := coin.ValidateDenom(d.Body.Fee.Denom); err != nil {
		return nil, fmt.Errorf("%w: fee: %v", ErrTxDecode, err)
	}
	d.Signer = address.FromPubKey(d.PubKey)
	return d, nil
}

// Size returns the size of the encoded body.
func (d *DecodedTx) Size() int { return len(d.bodyBytes) }

// SignBytes returns the bytes the signature covers: the encoded body.
func (d *DecodedTx) SignBytes() []byte { return d.bodyBytes }

// CheckChainID returns ErrWrongChainID unless the body names chainID.
func (d *DecodedTx) CheckChainID(chainID string) error {
	if d.Body.ChainId != chainID {
		return fmt.Errorf("%w: transaction is for %q, this chain is %q", ErrWrongChainID, d.Body.ChainId, chainID)
	}
	return nil
}

// VerifySignature checks the signature over the body. It returns
// ErrInvalidSignature.
func (d *DecodedTx) VerifySignature() error {
	if !ed25519.PubKey(d.PubKey).VerifySignature(d.bodyBytes, d.Signature) {
		return ErrInvalidSignature
	}
	return nil
}

// TypeURL returns the type URL under which a message is routed.
func TypeURL(m gogoproto.Message) string { return "/" + gogoproto.MessageName(m) }

// NewAny packs a message for a transaction body.
func NewAny(m gogoproto.Message) (Any, error) {
	bz, err := gogoproto.Marshal(m)
	if err != nil {
		return Any{}, err
	}
	return Any{TypeUrl: TypeURL(m), Value: bz}, nil
}

// SignTx encodes and signs body with priv and returns the encoded Tx.
func SignTx(priv ed25519.PrivKey, body *TxBody) ([]byte, error) {
	bodyBytes, err := body.Marshal()
	if err != nil {
		return nil, err
	}
	sig, err := priv.Sign(bodyBytes)
	if err != nil {
		return nil, err
	}
	tx := Tx{Body: bodyBytes, PubKey: priv.PubKey().Bytes(), Signature: sig}
	return tx.Marshal()
}
