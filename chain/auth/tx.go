package auth

import (
	"fmt"

	"github.com/cometbft/cometbft/crypto/ed25519"
	gogoproto "github.com/cosmos/gogoproto/proto"

	"github.com/abci-ics/ics/chain/auth/sdktx"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/coin"
)

// DecodedTx is a transaction that passed the stateless checks, in either
// envelope. For a Cosmos SDK transaction (KeyType KEY_TYPE_SECP256K1)
// Body holds what its envelope says in icsd's terms: no chain id (the
// signature covers it), the sequence as the nonce, the fee coin, the
// messages and the memo.
type DecodedTx struct {
	Body      TxBody
	KeyType   KeyType
	PubKey    []byte
	Signature []byte
	Signer    []byte // the address of PubKey
	bodyBytes []byte
	sdk       *sdktx.Tx // the SDK envelope; nil for a native one
	// simulate marks a transaction decoded to simulate
	// (DecodeUnsignedTx), whose fee Ante does not hold to the minimum.
	simulate bool
}

// DecodeTx decodes and checks a transaction without reading state: size
// (against MaxTxBytesLimit; Ante checks the chain's parameter), encoding,
// key and signature lengths, message count, fee denomination and nonce
// field. It returns ErrTxTooLarge, ErrTxDecode or, for an SDK transaction
// without a fee, ErrInsufficientFee.
//
// Two envelopes are accepted. A transaction that decodes as the native Tx
// with a 32-byte pub_key and a 64-byte signature is native (the fast
// path); any other is decoded as a Cosmos SDK TxRaw (package sdktx, whose
// documentation shows that no valid transaction of one envelope can be
// taken for the other).
func DecodeTx(bz []byte) (*DecodedTx, error) { return decodeTx(bz, true) }

// DecodeUnsignedTx decodes a transaction to simulate: as DecodeTx, except
// that the signature is not checked for form (an SDK transaction may carry
// an empty or dummy signature and an unspecified sign mode) and that an
// SDK transaction may name no fee. Clients simulate before they price the
// fee (the Go relayer sends gas 0, so a fee of 0), so Ante charges a
// simulated transaction whose fee is zero the chain's minimum fee instead,
// as the SDK's simulation skips its minimum gas price check.
func DecodeUnsignedTx(bz []byte) (*DecodedTx, error) {
	d, err := decodeTx(bz, false)
	if err != nil {
		return nil, err
	}
	d.simulate = true
	return d, nil
}

func decodeTx(bz []byte, signed bool) (*DecodedTx, error) {
	if len(bz) > MaxTxBytesLimit {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrTxTooLarge, len(bz), MaxTxBytesLimit)
	}
	if len(bz) == 0 {
		return nil, fmt.Errorf("%w: empty", ErrTxDecode)
	}
	var tx Tx
	nerr := tx.Unmarshal(bz)
	if nerr == nil && len(tx.PubKey) == ed25519.PubKeySize && len(tx.Signature) == ed25519.SignatureSize {
		return decodeNative(&tx)
	}
	d, serr := decodeSDK(bz, signed)
	if serr == nil {
		return d, nil
	}
	if nerr == nil && !sdktx.LooksLikeTxRaw(bz) {
		// Not an SDK transaction: the native envelope's complaint is the
		// useful one.
		if len(tx.PubKey) != ed25519.PubKeySize {
			return nil, fmt.Errorf("%w: public key is %d bytes, want %d", ErrTxDecode, len(tx.PubKey), ed25519.PubKeySize)
		}
		return nil, fmt.Errorf("%w: signature is %d bytes, want %d", ErrTxDecode, len(tx.Signature), ed25519.SignatureSize)
	}
	return nil, serr
}

func decodeNative(tx *Tx) (*DecodedTx, error) {
	d := &DecodedTx{PubKey: tx.PubKey, Signature: tx.Signature, bodyBytes: tx.Body}
	if err := d.Body.Unmarshal(tx.Body); err != nil {
		return nil, fmt.Errorf("%w: body: %v", ErrTxDecode, err)
	}
	if err := checkMsgs(d.Body.Msgs); err != nil {
		return nil, err
	}
	if err := coin.ValidateDenom(d.Body.Fee.Denom); err != nil {
		return nil, fmt.Errorf("%w: fee: %v", ErrTxDecode, err)
	}
	d.Signer = address.FromPubKey(d.PubKey)
	return d, nil
}

func checkMsgs(msgs []Any) error {
	if n := len(msgs); n == 0 || n > MaxMsgsLimit {
		return fmt.Errorf("%w: %d messages, want 1 to %d", ErrTxDecode, n, MaxMsgsLimit)
	}
	for i, m := range msgs {
		if m.TypeUrl == "" {
			return fmt.Errorf("%w: message %d has no type", ErrTxDecode, i)
		}
	}
	return nil
}

// Size returns the size of the encoded body.
func (d *DecodedTx) Size() int { return len(d.bodyBytes) }

// SignBytes returns the bytes the signature covers: the encoded body.
func (d *DecodedTx) SignBytes() []byte { return d.bodyBytes }

// CheckChainID returns ErrWrongChainID unless the body names chainID. An
// SDK transaction names no chain id: its signature covers it (Verify).
func (d *DecodedTx) CheckChainID(chainID string) error {
	if d.sdk == nil && d.Body.ChainId != chainID {
		return fmt.Errorf("%w: transaction is for %q, this chain is %q", ErrWrongChainID, d.Body.ChainId, chainID)
	}
	return nil
}

// VerifySignature checks the signature of a native transaction over the
// body. It returns ErrInvalidSignature, always for an SDK transaction,
// whose signature needs the chain id (Verify).
func (d *DecodedTx) VerifySignature() error {
	if d.sdk != nil {
		return fmt.Errorf("%w: an sdk transaction is verified for a chain id", ErrInvalidSignature)
	}
	if !ed25519.PubKey(d.PubKey).VerifySignature(d.bodyBytes, d.Signature) {
		return ErrInvalidSignature
	}
	return nil
}

// Verify checks that the transaction is for chain chainID and that its
// signature verifies: ErrWrongChainID or ErrInvalidSignature. A native
// transaction names its chain; an SDK one is signed over it, so a wrong
// chain id (or account number) shows as ErrInvalidSignature.
func (d *DecodedTx) Verify(chainID string) error {
	if d.sdk != nil {
		if err := d.sdk.Verify(chainID); err != nil {
			return fmt.Errorf("%w: %w", ErrInvalidSignature, err)
		}
		return nil
	}
	if err := d.CheckChainID(chainID); err != nil {
		return err
	}
	return d.VerifySignature()
}

// GasLimit returns the gas limit an SDK transaction names (0 for a native
// one). icsd does not meter gas; simulation reports it as gas wanted.
func (d *DecodedTx) GasLimit() uint64 {
	if d.sdk == nil {
		return 0
	}
	return d.sdk.GasLimit
}

// SDK reports whether the transaction came in the Cosmos SDK envelope.
func (d *DecodedTx) SDK() bool { return d.sdk != nil }

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
