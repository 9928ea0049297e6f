package poaprovider

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

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

func decodeAdminTx(raw []byte) (AdminTx, error) {
	var tx AdminTx
	if err := json.Unmarshal(raw, &tx); err != nil || len(tx.Body) == 0 || len(tx.Signature) != ed25519.SignatureSize {
		return AdminTx{}, fmt.Errorf("not a relay transaction nor a signed admin transaction: %v", err)
	}
	return tx, nil
}

// handleAdmin checks the admin's signature and nonce and runs the body.
func (a *App) handleAdmin(s state.Store, b interchain.Block, raw []byte) error {
	tx, err := decodeAdminTx(raw)
	if err != nil {
		return err
	}
	kv := s.KV(poaStore)
	if !ed25519.PubKey(kv.Get(adminKey)).VerifySignature(tx.Body, tx.Signature) {
		return errors.New("admin transaction: bad signature")
	}
	var body AdminBody
	if err := json.Unmarshal(tx.Body, &body); err != nil {
		return fmt.Errorf("admin transaction: %w", err)
	}
	if next := u64(kv.Get(nonceKey)); body.Nonce != next {
		return fmt.Errorf("admin transaction: nonce %d, want %d", body.Nonce, next)
	}
	kv.Set(nonceKey, be64(body.Nonce+1))
	switch {
	case body.SetPower != nil:
		v := *body.SetPower
		if len(v.PubKey) != ed25519.PubKeySize || v.Power < 0 {
			return errors.New("set_power: want a 32-byte key and a power >= 0")
		}
		if old, ok := (POA{}).get(s, v.ConsAddr()); ok {
			old.Power = v.Power
			v = old
		}
		POA{}.set(s, v)
	case body.Unjail != nil:
		v, ok := (POA{}).get(s, ed25519.PubKey(body.Unjail).Address())
		if !ok || v.JailedUntil == 0 || v.Tombstoned || b.Time.UnixNano() < v.JailedUntil {
			return errors.New("unjail: no such jailed validator, tombstoned, or jailed until later")
		}
		v.JailedUntil = 0
		POA{}.set(s, v)
	case body.AddConsumer != nil:
		return a.execute(s, b, &provider.ConsumerAdditionProposal{}, body.AddConsumer)
	case body.RemoveConsumer != nil:
		return a.execute(s, b, &provider.ConsumerRemovalProposal{}, body.RemoveConsumer)
	default:
		return errors.New("admin transaction: no operation")
	}
	return nil
}

// execute runs a provider proposal content given in proto3 JSON.
func (a *App) execute(s state.Store, b interchain.Block, content interface {
	gogoproto.Message
	Marshal() ([]byte, error)
}, js json.RawMessage) error {
	if err := (&jsonpb.Unmarshaler{}).Unmarshal(bytes.NewReader(js), content); err != nil {
		return fmt.Errorf("proposal content: %w", err)
	}
	bz, err := content.Marshal()
	if err != nil {
		return err
	}
	for _, p := range a.layer.Proposals() {
		if p.TypeURL == interchain.TypeURL(content) {
			if err := p.Check(bz); err != nil {
				return err
			}
			return p.Execute(s, b.Height, b.Time, bz)
		}
	}
	return fmt.Errorf("no executor for %s", interchain.TypeURL(content))
}

func be64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

func u64(b []byte) uint64 {
	if len(b) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(b)
}
