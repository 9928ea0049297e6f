package poaprovider

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/crypto/ed25519"
	"github.com/cosmos/gogoproto/jsonpb"
	gogoproto "github.com/cosmos/gogoproto/proto"

	"github.com/abci-ics/ics/interchain"
	"github.com/abci-ics/ics/provider"
	"github.com/abci-ics/ics/state"
)

// AdminTx is the chain's own transaction: a JSON body signed by the admin
// key. Body is the JSON of AdminBody; Signature signs Body's bytes.
type AdminTx struct {
	Body      []byte `json:"body"`
	Signature []byte `json:"signature"`
}

// AdminBody is one admin operation. Nonce must be the admin's next nonce
// (0 first); exactly one operation is set.
type AdminBody struct {
	Nonce uint64 `json:"nonce"`
	// SetPower sets a validator's power (adding it when new; 0 removes it
	// from the set).
	SetPower *Validator `json:"set_power,omitempty"`
	// Unjail brings a jailed validator (by public key) back.
	Unjail []byte `json:"unjail,omitempty"`
	// AddConsumer and RemoveConsumer carry the proto3 JSON of a
	// provider.ConsumerAdditionProposal or ConsumerRemovalProposal, executed
	// at once as a passed governance proposal would be.
	AddConsumer    json.RawMessage `json:"add_consumer,omitempty"`
	RemoveConsumer json.RawMessage `json:"remove_consumer,omitempty"`
}

// NewAdminTx signs body with the admin's key.
func NewAdminTx(admin ed25519.PrivKey, body AdminBody) ([]byte, error) {
	bz, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	sig, err := admin.Sign(bz)
	if err != nil {
		return nil, err
	}
	return json.Marshal(AdminTx{Body: bz, Signature: sig})
}

// Errors of admin transactions; the error a refused transaction reports
// wraps one of them.
var (
	// ErrNotAdminTx: the bytes are neither a relay transaction nor a
	// signed admin transaction.
	ErrNotAdminTx = errors.New("not a relay transaction nor a signed admin transaction")
	// ErrBadSignature: the signature is not the admin's over the body.
	ErrBadSignature = errors.New("admin transaction: bad signature")
	// ErrBadNonce: the body's nonce is not the admin's next one.
	ErrBadNonce = errors.New("admin transaction: wrong nonce")
	// ErrOperation: the body has no operation or more than one, or its
	// operation is invalid.
	ErrOperation = errors.New("admin transaction: invalid operation")
)

// MaxPower bounds a validator's power, so that the list's total stays far
// below CometBFT's limit on the total voting power.
const MaxPower = 1 << 40

// verifyAdminTx decodes raw, checks the admin's signature against the
// admin key in s and decodes the body, which must hold exactly one
// operation. It does not check the nonce.
func verifyAdminTx(s state.Store, raw []byte) (AdminBody, error) {
	var tx AdminTx
	if err := json.Unmarshal(raw, &tx); err != nil {
		return AdminBody{}, fmt.Errorf("%w: %w", ErrNotAdminTx, err)
	}
	if len(tx.Body) == 0 || len(tx.Signature) != ed25519.SignatureSize {
		return AdminBody{}, fmt.Errorf("%w: want a body and a %d-byte signature", ErrNotAdminTx, ed25519.SignatureSize)
	}
	if !ed25519.PubKey(s.KV(poaStore).Get(adminKey)).VerifySignature(tx.Body, tx.Signature) {
		return AdminBody{}, ErrBadSignature
	}
	var body AdminBody
	dec := json.NewDecoder(bytes.NewReader(tx.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		return AdminBody{}, fmt.Errorf("%w: body: %w", ErrOperation, err)
	}
	n := 0
	for _, set := range []bool{body.SetPower != nil, body.Unjail != nil, body.AddConsumer != nil, body.RemoveConsumer != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		return AdminBody{}, fmt.Errorf("%w: %d operations, want exactly one of set_power, unjail, add_consumer, remove_consumer", ErrOperation, n)
	}
	return body, nil
}

// handleAdmin checks the admin's signature and nonce, runs the body and
// returns its events.
// Errors wrap ErrNotAdminTx, ErrBadSignature, ErrBadNonce or
// ErrOperation; the caller discards s on error.
func (a *App) handleAdmin(s state.Store, b interchain.Block, raw []byte) ([]abci.Event, error) {
	body, err := verifyAdminTx(s, raw)
	if err != nil {
		return nil, err
	}
	kv := s.KV(poaStore)
	if next := u64(kv.Get(nonceKey)); body.Nonce != next {
		return nil, fmt.Errorf("%w: %d, want %d", ErrBadNonce, body.Nonce, next)
	}
	kv.Set(nonceKey, be64(body.Nonce+1))
	switch {
	case body.SetPower != nil:
		return nil, a.setPower(s, *body.SetPower)
	case body.Unjail != nil:
		return nil, unjail(s, b, body.Unjail)
	case body.AddConsumer != nil:
		return a.execute(s, b, &provider.ConsumerAdditionProposal{}, body.AddConsumer)
	default:
		return a.execute(s, b, &provider.ConsumerRemovalProposal{}, body.RemoveConsumer)
	}
}

// setPower sets the power of the validator with v's key, adding v when
// the key is new (and not in use as a consumer key).
func (a *App) setPower(s state.Store, v Validator) error {
	if len(v.PubKey) != ed25519.PubKeySize || v.Power < 0 || v.Power > MaxPower {
		return fmt.Errorf("%w: set_power: want a %d-byte key and a power in [0, %d]", ErrOperation, ed25519.PubKeySize, MaxPower)
	}
	old, ok := (POA{}).get(s, v.ConsAddr())
	switch {
	case ok:
		old.Power = v.Power
		v = old
	case a.layer.IsKeyReserved(s, v.PubKey):
		return fmt.Errorf("%w: set_power: key %X is assigned as a consumer key", ErrOperation, v.PubKey)
	}
	POA{}.set(s, v)
	for _, v := range (POA{}).Validators(s) {
		if v.active() {
			return nil
		}
	}
	return fmt.Errorf("%w: set_power: it would leave no validator in the set", ErrOperation)
}

// unjail brings the jailed validator with public key pk back, once its
// jail time is over.
func unjail(s state.Store, b interchain.Block, pk []byte) error {
	if len(pk) != ed25519.PubKeySize {
		return fmt.Errorf("%w: unjail: want a %d-byte key, got %d bytes", ErrOperation, ed25519.PubKeySize, len(pk))
	}
	v, ok := (POA{}).get(s, ed25519.PubKey(pk).Address())
	switch {
	case !ok:
		return fmt.Errorf("%w: unjail: no validator with key %X", ErrOperation, pk)
	case v.Tombstoned:
		return fmt.Errorf("%w: unjail: validator %q is tombstoned", ErrOperation, v.Name)
	case v.JailedUntil == 0:
		return fmt.Errorf("%w: unjail: validator %q is not jailed", ErrOperation, v.Name)
	case b.Time.UnixNano() < v.JailedUntil:
		return fmt.Errorf("%w: unjail: validator %q is jailed until %s", ErrOperation, v.Name, time.Unix(0, v.JailedUntil).UTC())
	}
	v.JailedUntil = 0
	POA{}.set(s, v)
	return nil
}

// execute runs a provider proposal content given in proto3 JSON and
// returns its events.
func (a *App) execute(s state.Store, b interchain.Block, content interface {
	gogoproto.Message
	Marshal() ([]byte, error)
}, js json.RawMessage) ([]abci.Event, error) {
	name := interchain.TypeURL(content)
	if err := (&jsonpb.Unmarshaler{}).Unmarshal(bytes.NewReader(js), content); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrOperation, name, err)
	}
	bz, err := content.Marshal()
	if err != nil {
		return nil, err
	}
	for _, p := range a.layer.Proposals() {
		if p.TypeURL == name {
			if err := p.Check(bz); err != nil {
				return nil, fmt.Errorf("%w: %s: %w", ErrOperation, name, err)
			}
			evs, err := p.Execute(s, b.Height, b.Time, bz)
			if err != nil {
				return nil, fmt.Errorf("%w: %s: %w", ErrOperation, name, err)
			}
			return evs, nil
		}
	}
	return nil, fmt.Errorf("no executor for %s", interchain.TypeURL(content))
}

func be64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

func u64(b []byte) uint64 {
	if len(b) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(b)
}
