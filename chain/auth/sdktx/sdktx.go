package sdktx

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"math"

	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	txtypes "github.com/cosmos/cosmos-sdk/types/tx"
	"github.com/cosmos/cosmos-sdk/types/tx/signing"
	"golang.org/x/crypto/ripemd160" //nolint:staticcheck // the SDK's address derivation needs it
)

// Errors of decoding and verification.
var (
	// ErrInvalid is a transaction outside the accepted subset.
	ErrInvalid = errors.New("invalid sdk transaction")
	// ErrSignature is a signature that does not verify.
	ErrSignature = errors.New("signature verification failed")
)

// PubKeyTypeURL is the type URL of the one public key type accepted.
const PubKeyTypeURL = "/cosmos.crypto.secp256k1.PubKey"

// AccountNumber is the account number every SignDoc carries.
const AccountNumber = 0

// MaxGasLimit bounds the fee's gas limit: the largest value CometBFT's
// int64 gas fields hold. The limit is otherwise not used.
const MaxGasLimit = math.MaxInt64

// Msg is one message of the body: its type URL and its encoding.
type Msg struct {
	TypeURL string
	Value   []byte
}

// Tx is a decoded SDK transaction.
type Tx struct {
	BodyBytes     []byte
	AuthInfoBytes []byte
	// PubKey is the signer's compressed secp256k1 key and Signature its
	// signature (empty or a dummy in a transaction from DecodeUnsigned).
	PubKey    []byte
	Signature []byte
	Sequence  uint64
	Msgs      []Msg
	Memo      string
	// FeeDenom and FeeAmount are the fee's one coin; both are zero
	// values for a transaction without a fee.
	FeeDenom  string
	FeeAmount uint64
	GasLimit  uint64
	// Payer is the fee payer named in the fee ("" when none).
	Payer string
}

// Decode decodes a signed SDK transaction and checks what needs neither
// state nor the chain id (see the package documentation). Errors wrap
// ErrInvalid.
func Decode(bz []byte) (*Tx, error) { return decode(bz, true) }

// DecodeUnsigned decodes a transaction to simulate: as Decode, except
// that the signature may be empty or any bytes (it is not verified) and
// the sign mode may be unspecified, as relayers send them.
func DecodeUnsigned(bz []byte) (*Tx, error) { return decode(bz, false) }

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

func decode(bz []byte, signed bool) (*Tx, error) {
	var raw txtypes.TxRaw
	if err := raw.Unmarshal(bz); err != nil {
		return nil, invalid("tx raw: %v", err)
	}
	if canon, err := raw.Marshal(); err != nil || !bytes.Equal(canon, bz) {
		return nil, invalid("tx raw is not in its canonical encoding")
	}
	if len(raw.Signatures) != 1 {
		return nil, invalid("%d signatures, want 1", len(raw.Signatures))
	}
	t := &Tx{BodyBytes: raw.BodyBytes, AuthInfoBytes: raw.AuthInfoBytes, Signature: raw.Signatures[0]}
	if signed && len(t.Signature) != 64 {
		return nil, invalid("signature is %d bytes, want 64", len(t.Signature))
	}
	if err := t.decodeBody(); err != nil {
		return nil, err
	}
	if err := t.decodeAuthInfo(signed); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *Tx) decodeBody() error {
	var body txtypes.TxBody
	if err := body.Unmarshal(t.BodyBytes); err != nil {
		return invalid("body: %v", err)
	}
	switch {
	case body.TimeoutHeight != 0:
		return invalid("timeout_height %d: not supported, leave it 0", body.TimeoutHeight)
	case body.TimeoutTimestamp != nil:
		return invalid("timeout_timestamp is not supported")
	case body.Unordered:
		return invalid("unordered transactions are not supported")
	case len(body.ExtensionOptions) > 0:
		return invalid("extension option %q is not supported", body.ExtensionOptions[0].TypeUrl)
	}
	t.Memo = body.Memo
	t.Msgs = make([]Msg, len(body.Messages))
	for i, m := range body.Messages {
		if m == nil {
			return invalid("message %d is empty", i)
		}
		t.Msgs[i] = Msg{TypeURL: m.TypeUrl, Value: m.Value}
	}
	return nil
}

func (t *Tx) decodeAuthInfo(signed bool) error {
	var ai txtypes.AuthInfo
	if err := ai.Unmarshal(t.AuthInfoBytes); err != nil {
		return invalid("auth info: %v", err)
	}
	if len(ai.SignerInfos) != 1 || ai.SignerInfos[0] == nil {
		return invalid("%d signers, want 1", len(ai.SignerInfos))
	}
	if ai.Tip != nil { //nolint:staticcheck // refused, as the SDK no longer accepts tips
		return invalid("tips are not supported")
	}
	si := ai.SignerInfos[0]
	if si.PublicKey == nil {
		return invalid("signer has no public key")
	}
	if si.PublicKey.TypeUrl != PubKeyTypeURL {
		return invalid("public key type %q, want %q", si.PublicKey.TypeUrl, PubKeyTypeURL)
	}
	var pk secp256k1.PubKey
	if err := pk.Unmarshal(si.PublicKey.Value); err != nil {
		return invalid("public key: %v", err)
	}
	if len(pk.Key) != secp256k1.PubKeySize || (pk.Key[0] != 2 && pk.Key[0] != 3) {
		return invalid("public key is not a %d-byte compressed secp256k1 key", secp256k1.PubKeySize)
	}
	t.PubKey = pk.Key
	t.Sequence = si.Sequence
	single := si.ModeInfo.GetSingle()
	if single == nil {
		return invalid("sign mode info is not single")
	}
	switch mode := single.Mode; {
	case mode == signing.SignMode_SIGN_MODE_DIRECT:
	case mode == signing.SignMode_SIGN_MODE_UNSPECIFIED && !signed:
	default:
		return invalid("sign mode %s: only SIGN_MODE_DIRECT is supported", mode)
	}
	if ai.Fee == nil {
		return nil
	}
	fee := ai.Fee
	if fee.Granter != "" {
		return invalid("fee granter %q: fee grants are not supported", fee.Granter)
	}
	if fee.GasLimit > MaxGasLimit {
		return invalid("gas limit %d above %d", fee.GasLimit, uint64(MaxGasLimit))
	}
	t.GasLimit, t.Payer = fee.GasLimit, fee.Payer
	switch len(fee.Amount) {
	case 0:
	case 1:
		c := fee.Amount[0]
		if c.Amount.IsNil() || c.Amount.IsNegative() || !c.Amount.IsUint64() {
			return invalid("fee amount %s out of range", c.Amount)
		}
		t.FeeDenom, t.FeeAmount = c.Denom, c.Amount.Uint64()
	default:
		return invalid("fee of %d coins, want one in the chain's fee denomination", len(fee.Amount))
	}
	return nil
}

// SignBytes returns the bytes the signature covers on chain chainID: the
// encoded SignDoc with account number AccountNumber.
func (t *Tx) SignBytes(chainID string) []byte {
	return SignDoc(t.BodyBytes, t.AuthInfoBytes, chainID)
}

// SignDoc encodes the SIGN_MODE_DIRECT sign doc of body and auth info for
// chainID, with account number AccountNumber.
func SignDoc(bodyBytes, authInfoBytes []byte, chainID string) []byte {
	doc := txtypes.SignDoc{BodyBytes: bodyBytes, AuthInfoBytes: authInfoBytes, ChainId: chainID, AccountNumber: AccountNumber}
	bz, err := doc.Marshal()
	if err != nil {
		panic("sdktx: broken invariant: sign doc does not encode: " + err.Error())
	}
	return bz
}

// Verify checks the signature for chain chainID. It returns an error
// wrapping ErrSignature that names the account number and chain id, as a
// wrong one of either is the usual cause.
func (t *Tx) Verify(chainID string) error {
	pk := secp256k1.PubKey{Key: t.PubKey}
	if !pk.VerifySignature(t.SignBytes(chainID), t.Signature) {
		return fmt.Errorf("%w; please verify account number (%d) and chain-id (%s)", ErrSignature, AccountNumber, chainID)
	}
	return nil
}

// Address returns the address of a compressed secp256k1 key:
// ripemd160(sha256(key)), as the SDK derives it.
func Address(pub []byte) []byte {
	sha := sha256.Sum256(pub)
	h := ripemd160.New()
	h.Write(sha[:])
	return h.Sum(nil)
}

// LooksLikeTxRaw reports whether bz decodes as a TxRaw whose auth info
// decodes and names at least one signer: a transaction meant for the SDK
// envelope, whose decoding error (Decode) is then the one to report.
func LooksLikeTxRaw(bz []byte) bool {
	var raw txtypes.TxRaw
	if raw.Unmarshal(bz) != nil {
		return false
	}
	var ai txtypes.AuthInfo
	return ai.Unmarshal(raw.AuthInfoBytes) == nil && len(ai.SignerInfos) > 0
}
