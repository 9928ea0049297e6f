package pos

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/cosmos/gogoproto/jsonpb"
	gogoproto "github.com/cosmos/gogoproto/proto"

	"github.com/abci-ics/ics/chain/distribution"
	"github.com/abci-ics/ics/chain/gov"
	"github.com/abci-ics/ics/chain/staking"
	"github.com/abci-ics/ics/state"
)

// This file holds the adapters through which gov and distribution see
// staking, and the governance parameter spaces.

// govStaking shows gov the bonded stake.
type govStaking struct{ k *staking.Keeper }

func (g govStaking) BondedValidators(s state.Store) []gov.Validator {
	vs := g.k.BondedValidators(s)
	out := make([]gov.Validator, len(vs))
	for i, v := range vs {
		out[i] = gov.Validator{Operator: v.Operator, Tokens: v.Tokens, DelegatorShares: v.DelegatorShares}
	}
	return out
}

func (g govStaking) Delegations(s state.Store, delegator []byte) []gov.Delegation {
	ds := g.k.DelegationsOf(s, delegator)
	out := make([]gov.Delegation, len(ds))
	for i, d := range ds {
		out[i] = gov.Delegation{Validator: d.Validator, Shares: d.Shares}
	}
	return out
}

// distStaking shows distribution the bonded validators and delegations.
type distStaking struct{ k *staking.Keeper }

func (d distStaking) BondedValidators(s state.Store) []distribution.Validator {
	vs := d.k.BondedValidators(s)
	out := make([]distribution.Validator, len(vs))
	for i, v := range vs {
		out[i] = distribution.Validator{
			Operator: v.Operator, Tokens: v.Tokens, DelegatorShares: v.DelegatorShares,
			Commission: v.CommissionRate,
		}
	}
	return out
}

func (d distStaking) Delegation(s state.Store, delegator, validator []byte) (uint64, bool) {
	del, ok := d.k.Delegation(s, delegator, validator)
	return del.Shares, ok
}

// ParamSpace returns a governance parameter setter for a module whose
// parameters are one proto message read by get and written by set: key
// names a field (its proto name) and valueJSON is that field's new value
// in proto3 JSON. The result is validated by set.
func ParamSpace[P any, PP interface {
	*P
	gogoproto.Message
}](get func(state.Store) P, set func(state.Store, P) error) gov.ParamSetter {
	return func(s state.Store, key, valueJSON string) error {
		cur := get(s)
		var buf bytes.Buffer
		if err := (&jsonpb.Marshaler{OrigName: true, EmitDefaults: true}).Marshal(&buf, PP(&cur)); err != nil {
			return err
		}
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(buf.Bytes(), &fields); err != nil {
			return err
		}
		if _, ok := fields[key]; !ok {
			return fmt.Errorf("unknown parameter %q", key)
		}
		if !json.Valid([]byte(valueJSON)) {
			return fmt.Errorf("parameter %s: value is not JSON: %s", key, valueJSON)
		}
		fields[key] = json.RawMessage(valueJSON)
		merged, err := json.Marshal(fields)
		if err != nil {
			return err
		}
		var next P
		if err := (&jsonpb.Unmarshaler{}).Unmarshal(strings.NewReader(string(merged)), PP(&next)); err != nil {
			return fmt.Errorf("parameter %s: %w", key, err)
		}
		return set(s, next)
	}
}
