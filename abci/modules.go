package abci

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	"github.com/cosmos/gogoproto/jsonpb"
	gogoproto "github.com/cosmos/gogoproto/proto"

	"github.com/abci-ics/ics/chain/bank"
	"github.com/abci-ics/ics/chain/distribution"
	"github.com/abci-ics/ics/chain/gov"
	"github.com/abci-ics/ics/chain/slashing"
	"github.com/abci-ics/ics/chain/staking"
	"github.com/abci-ics/ics/state"
)

// This file wires the chain modules together: the adapters through which
// gov and distribution see staking, the distribution bookkeeping around
// every change of delegation shares, the block hooks, the message routes
// and the parameter spaces that governance can change.

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

// withRewards runs a staking message that changes the shares of the
// delegations (delegator, validator) for each validator in vals: pending
// rewards are withdrawn before, and the reward accounting restarts after.
func (a *App) withRewards(s state.Store, delegator []byte, vals [][]byte, run func() ([]abcitypes.Event, error)) ([]abcitypes.Event, error) {
	for _, v := range vals {
		if _, ok := a.staking.Delegation(s, delegator, v); ok {
			if err := a.dist.BeforeDelegationSharesModified(s, delegator, v); err != nil {
				return nil, err
			}
		}
	}
	evs, err := run()
	if err != nil {
		return nil, err
	}
	for _, v := range vals {
		a.dist.AfterDelegationModified(s, delegator, v)
	}
	return evs, nil
}

// wireModules builds the keepers and registers hooks, routes and
// parameter spaces.
func (a *App) wireModules() {
	a.staking = &staking.Keeper{Bank: &a.bank}
	a.dist = distribution.Keeper{Bank: &a.bank, Staking: distStaking{a.staking}}
	a.gov = &gov.Keeper{Bank: &a.bank, Staking: govStaking{a.staking}}

	a.AddBeginBlocker(func(s state.Store, b Block) ([]abcitypes.Event, error) {
		return a.dist.BeginBlock(s, b.Height, b.Time)
	})
	a.AddBeginBlocker(func(s state.Store, b Block) ([]abcitypes.Event, error) {
		// slashing holds no state; it is built here with staking's prefix,
		// which setPrefix may change after wiring.
		sk := slashing.Keeper{Staking: a.staking, Prefix: a.staking.Prefix}
		return sk.BeginBlock(s, b.Height, b.Time, b.LastCommit, b.Misbehavior)
	})
	a.AddEndBlocker(func(s state.Store, b Block) ([]abcitypes.Event, error) {
		return a.gov.EndBlock(s, b.Height, b.Time)
	})
	a.valset = func(s state.Store, b Block) ([]abcitypes.ValidatorUpdate, []abcitypes.Event, error) {
		return a.staking.EndBlock(s, b.Height, b.Time)
	}

	handle(a, func(s state.Store, _ Block, signer []byte, m *bank.MsgSend) ([]abcitypes.Event, error) {
		return a.bank.HandleSend(s, signer, m)
	})
	handle(a, func(s state.Store, b Block, signer []byte, m *staking.MsgCreateValidator) ([]abcitypes.Event, error) {
		return a.withRewards(s, m.Operator, [][]byte{m.Operator}, func() ([]abcitypes.Event, error) {
			return a.staking.CreateValidator(s, b.Height, b.Time, signer, m)
		})
	})
	handle(a, func(s state.Store, b Block, signer []byte, m *staking.MsgDelegate) ([]abcitypes.Event, error) {
		return a.withRewards(s, m.Delegator, [][]byte{m.Validator}, func() ([]abcitypes.Event, error) {
			return a.staking.Delegate(s, b.Height, b.Time, signer, m)
		})
	})
	handle(a, func(s state.Store, b Block, signer []byte, m *staking.MsgUndelegate) ([]abcitypes.Event, error) {
		return a.withRewards(s, m.Delegator, [][]byte{m.Validator}, func() ([]abcitypes.Event, error) {
			return a.staking.Undelegate(s, b.Height, b.Time, signer, m)
		})
	})
	handle(a, func(s state.Store, b Block, signer []byte, m *staking.MsgRedelegate) ([]abcitypes.Event, error) {
		return a.withRewards(s, m.Delegator, [][]byte{m.Src, m.Dst}, func() ([]abcitypes.Event, error) {
			return a.staking.Redelegate(s, b.Height, b.Time, signer, m)
		})
	})
	handle(a, func(s state.Store, b Block, signer []byte, m *staking.MsgUnjail) ([]abcitypes.Event, error) {
		return a.staking.Unjail(s, b.Height, b.Time, signer, m)
	})
	handle(a, func(s state.Store, b Block, signer []byte, m *staking.MsgEditValidator) ([]abcitypes.Event, error) {
		return a.staking.EditValidator(s, b.Height, b.Time, signer, m)
	})
	handle(a, func(s state.Store, b Block, signer []byte, m *gov.MsgSubmitProposal) ([]abcitypes.Event, error) {
		return a.gov.HandleSubmitProposal(s, b.Height, b.Time, signer, m)
	})
	handle(a, func(s state.Store, b Block, signer []byte, m *gov.MsgDeposit) ([]abcitypes.Event, error) {
		return a.gov.HandleDeposit(s, b.Height, b.Time, signer, m)
	})
	handle(a, func(s state.Store, b Block, signer []byte, m *gov.MsgVote) ([]abcitypes.Event, error) {
		return a.gov.HandleVote(s, b.Height, b.Time, signer, m)
	})
	handle(a, func(s state.Store, b Block, signer []byte, m *distribution.MsgWithdrawRewards) ([]abcitypes.Event, error) {
		return a.dist.HandleWithdrawRewards(s, b.Height, b.Time, signer, m)
	})
	handle(a, func(s state.Store, b Block, signer []byte, m *distribution.MsgWithdrawCommission) ([]abcitypes.Event, error) {
		return a.dist.HandleWithdrawCommission(s, b.Height, b.Time, signer, m)
	})

	a.gov.RegisterParamSpace("auth", paramSpace(a.auth.Params, a.auth.SetParams))
	a.gov.RegisterParamSpace("staking", paramSpace(a.staking.Params, a.staking.SetParams))
	a.gov.RegisterParamSpace("gov", a.gov.SetParamJSON)
	a.gov.RegisterParamSpace("distribution", a.dist.SetParamJSON)
}

// paramSpace returns a governance parameter setter for a module whose
// parameters are one proto message: key names a field (its proto name) and
// valueJSON is that field's new value in proto3 JSON. The result is
// validated by the module's setter.
func paramSpace[P any, PP interface {
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

// initModules writes every module's genesis, in dependency order, and
// returns the initial validator set.
func (a *App) initModules(s state.Store, chainID string, g *Genesis, now time.Time, height int64) ([]abcitypes.ValidatorUpdate, error) {
	if err := a.auth.InitGenesis(s, chainID, &g.Auth); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidGenesis, err)
	}
	prefix := g.Auth.Params.Bech32Prefix
	a.setPrefix(prefix)
	if err := a.bank.InitGenesis(s, &g.Bank); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidGenesis, err)
	}
	if err := a.transfer.InitGenesis(s, &g.Transfer); err != nil {
		return nil, fmt.Errorf("%w: transfer: %v", ErrInvalidGenesis, err)
	}
	if a.role == RoleConsumer {
		updates, err := a.consumer.InitGenesis(s, g.Consumer, height, now)
		if err != nil {
			return nil, fmt.Errorf("%w: consumer: %v", ErrInvalidGenesis, err)
		}
		return updates, nil
	}
	updates, err := a.staking.InitGenesis(s, &g.Staking, height, now)
	if err != nil {
		return nil, fmt.Errorf("%w: staking: %v", ErrInvalidGenesis, err)
	}
	if err := a.dist.InitGenesis(s, &g.Distribution); err != nil {
		return nil, fmt.Errorf("%w: distribution: %v", ErrInvalidGenesis, err)
	}
	for _, v := range a.staking.Validators(s) {
		for _, d := range a.staking.DelegationsTo(s, v.Operator) {
			a.dist.AfterDelegationModified(s, d.Delegator, d.Validator)
		}
	}
	if err := a.gov.InitGenesis(s, &g.Gov); err != nil {
		return nil, fmt.Errorf("%w: gov: %v", ErrInvalidGenesis, err)
	}
	if err := a.provider.InitGenesis(s, &g.Provider, now); err != nil {
		return nil, fmt.Errorf("%w: provider: %v", ErrInvalidGenesis, err)
	}
	return updates, nil
}

// setPrefix tells every keeper the chain's bech32 prefix.
func (a *App) setPrefix(p string) {
	a.bank.Prefix = p
	if a.role == RoleConsumer {
		a.consumer.Prefix = p
		a.transfer.Prefix = p
		return
	}
	a.provider.Prefix = p
	a.provider.FeePoolAddr = feePoolAddr(p)
	a.staking.Prefix = p
	a.dist.Prefix = p
	a.gov.Prefix = p
	a.transfer.Prefix = p
}
