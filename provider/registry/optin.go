package registry

import (
	"bytes"
	"fmt"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/abci-ics/ics/provider/shaping"
	"github.com/abci-ics/ics/provider/vsc"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/state/typed"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/event"
	"github.com/abci-ics/ics/types/fraction"
)

// IsOptedIn reports whether the validator with provider consensus address
// addr is opted in to a consumer (by itself, or as a top-N validator).
func IsOptedIn(s state.Store, consumerID string, addr []byte) bool {
	return kv(s).Has(OptedInKey(consumerID, addr))
}

// OptedIn returns the provider consensus addresses opted in to a consumer,
// in address order.
func OptedIn(s state.Store, consumerID string) [][]byte {
	return typed.Keys(kv(s), typed.Key(prefixOptedIn, vsc.IDPart(consumerID)))
}

// Commission returns a validator's commission on a consumer, if it set one.
func Commission(s state.Store, consumerID string, addr []byte) (fraction.Fraction, bool) {
	return typed.Get[fraction.Fraction](kv(s), CommissionKey(consumerID, addr))
}

// operatorValidator returns the validator operated by signer, which must
// be operator.
func (k *Keeper) operatorValidator(s state.Store, signer, operator []byte) (Validator, error) {
	if !bytes.Equal(signer, operator) {
		return Validator{}, ErrUnauthorized
	}
	v, ok := k.Staking.ValidatorByOperator(s, operator)
	if !ok {
		return Validator{}, fmt.Errorf("%w: operator %X", ErrValidatorNotFound, operator)
	}
	return v, nil
}

// validatorOn returns the validator operated by signer (which must be
// operator) and the live consumer consumerID.
func (k *Keeper) validatorOn(s state.Store, signer, operator []byte, consumerID string) (Validator, Consumer, error) {
	v, err := k.operatorValidator(s, signer, operator)
	if err != nil {
		return Validator{}, Consumer{}, err
	}
	c, err := Live(s, consumerID)
	if err != nil {
		return Validator{}, Consumer{}, err
	}
	return v, c, nil
}

// Live returns the consumer id, or ErrConsumerNotFound when it is unknown,
// stopped or deleted.
func Live(s state.Store, id string) (Consumer, error) {
	c, ok := Get(s, id)
	if !ok || !c.Live() {
		return Consumer{}, fmt.Errorf("%w: %q", ErrConsumerNotFound, id)
	}
	return c, nil
}

// HandleOptIn opts the validator operated by signer in to a consumer from
// the next epoch, assigning m.ConsumerKey first when it is set. Errors:
// ErrUnauthorized, ErrValidatorNotFound, ErrConsumerNotFound, and key
// assignment's.
func (k *Keeper) HandleOptIn(s state.Store, height int64, now time.Time, signer []byte, m *MsgOptIn) ([]abci.Event, error) {
	v, c, err := k.validatorOn(s, signer, m.Operator, m.ConsumerId)
	if err != nil {
		return nil, err
	}
	var events []abci.Event
	if len(m.ConsumerKey) > 0 {
		if events, err = k.Keys.Assign(s, c.ConsumerId, v, m.ConsumerKey); err != nil {
			return nil, err
		}
	}
	kv(s).Set(OptedInKey(c.ConsumerId, v.ConsAddr), []byte{})
	return append(events, event.New("opt_in", "consumer_id", c.ConsumerId, "chain_id", c.ChainId,
		"provider_validator_address", address.Encode(k.Prefix+"valcons", v.ConsAddr))), nil
}

// HandleOptOut opts the validator operated by signer out of a consumer
// from the next epoch: the next VSC gives it power 0; holds it already has
// stay. A validator in the top N of a top-N consumer cannot opt out.
// Errors: ErrUnauthorized, ErrValidatorNotFound, ErrConsumerNotFound,
// ErrNotOptedIn, ErrOptOutRefused.
func (k *Keeper) HandleOptOut(s state.Store, height int64, now time.Time, signer []byte, m *MsgOptOut) ([]abci.Event, error) {
	v, c, err := k.validatorOn(s, signer, m.Operator, m.ConsumerId)
	if err != nil {
		return nil, err
	}
	if !IsOptedIn(s, c.ConsumerId, v.ConsAddr) {
		return nil, fmt.Errorf("%w: consumer %s", ErrNotOptedIn, c.ConsumerId)
	}
	if c.PowerShaping.TopN > 0 {
		if min, ok := shaping.MinPowerInTopN(candidates(k.Staking.Candidates(s)), c.PowerShaping.TopN); ok && v.Bonded && v.Power >= min {
			return nil, fmt.Errorf("%w: the validator is in the top %d%% of consumer %s", ErrOptOutRefused, c.PowerShaping.TopN, c.ConsumerId)
		}
	}
	kv(s).Delete(OptedInKey(c.ConsumerId, v.ConsAddr))
	return []abci.Event{event.New("opt_out", "consumer_id", c.ConsumerId, "chain_id", c.ChainId,
		"provider_validator_address", address.Encode(k.Prefix+"valcons", v.ConsAddr))}, nil
}

// HandleSetConsumerCommissionRate sets the commission of the validator
// operated by signer on a consumer. Errors: ErrUnauthorized,
// ErrValidatorNotFound, ErrConsumerNotFound, ErrInvalidConsumer (a rate
// that is not a fraction in [0, 1]).
func (k *Keeper) HandleSetConsumerCommissionRate(s state.Store, height int64, now time.Time, signer []byte, m *MsgSetConsumerCommissionRate) ([]abci.Event, error) {
	if err := m.Rate.Validate(); err != nil {
		return nil, fmt.Errorf("%w: commission rate: %v", ErrInvalidConsumer, err)
	}
	v, c, err := k.validatorOn(s, signer, m.Operator, m.ConsumerId)
	if err != nil {
		return nil, err
	}
	typed.Set(kv(s), CommissionKey(c.ConsumerId, v.ConsAddr), &m.Rate)
	return []abci.Event{event.New("set_consumer_commission_rate", "consumer_id", c.ConsumerId,
		"provider_validator_address", address.Encode(k.Prefix+"valcons", v.ConsAddr), "rate", m.Rate.String())}, nil
}

// candidates returns the provider's validators as package shaping sees
// them.
func candidates(vs []Validator) []shaping.Candidate {
	out := make([]shaping.Candidate, 0, len(vs))
	for _, v := range vs {
		if v.Jailed || v.Tombstoned || v.Power <= 0 {
			continue
		}
		out = append(out, shaping.Candidate{ConsAddr: v.ConsAddr, Power: v.Power, Tokens: v.Tokens, Active: v.Bonded})
	}
	return out
}

// optInTopN opts in every validator in the top N of a top-N consumer.
func (k *Keeper) optInTopN(s state.Store, c Consumer, cands []shaping.Candidate) {
	if c.PowerShaping.TopN == 0 {
		return
	}
	min, ok := shaping.MinPowerInTopN(cands, c.PowerShaping.TopN)
	if !ok {
		return
	}
	for _, v := range cands {
		if key := OptedInKey(c.ConsumerId, v.ConsAddr); v.Active && v.Power >= min && !kv(s).Has(key) {
			kv(s).Set(key, []byte{})
		}
	}
}

// Choose returns the validators that run consumer c next, with
// their shaped powers: the top N opted in first, then the opted-in
// validators that its lists, minimum stake and caps keep (SPEC 6).
func (k *Keeper) Choose(s state.Store, c Consumer, vals []Validator) []Validator {
	cands := candidates(vals)
	k.optInTopN(s, c, cands)
	chosen := shaping.Select(cands, func(addr []byte) bool { return IsOptedIn(s, c.ConsumerId, addr) }, c.PowerShaping.Rules())
	byAddr := make(map[string]Validator, len(vals))
	for _, v := range vals {
		byAddr[string(v.ConsAddr)] = v
	}
	out := make([]Validator, 0, len(chosen))
	for _, ch := range chosen {
		v := byAddr[string(ch.ConsAddr)]
		v.Power = ch.Power
		out = append(out, v)
	}
	return out
}
