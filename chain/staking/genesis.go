package staking

import (
	"fmt"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/abci-ics/ics/chain/staking/shares"
	"github.com/abci-ics/ics/chain/staking/unbonding"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/state/typed"
	"github.com/abci-ics/ics/types/address"
)

// DefaultGenesis returns a genesis with default parameters and no
// validators.
func DefaultGenesis() *GenesisState { return &GenesisState{Params: DefaultParams()} }

// InitGenesis writes the staking genesis and returns the initial validator
// set, which the application returns from InitChain. The bank genesis must
// be loaded first: exported records (validator_records, delegation_records,
// unbonding_entries) must match the pool balances exactly, and new
// validators and delegations are paid from their owners' balances, with the
// same checks as CreateValidator and Delegate, in file order. The set is
// empty when no validator has power (CometBFT then refuses to start unless
// its own genesis lists validators). A bonded record that no longer ranks
// starts unbonding here; its entry is not reported, since no module that
// holds entries has loaded its genesis yet. Every error wraps
// ErrInvalidGenesis; the caller discards s on error.
func (k Keeper) InitGenesis(s state.Store, gs *GenesisState, height int64, now time.Time) ([]abci.ValidatorUpdate, error) {
	if err := k.SetParams(s, gs.Params); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidGenesis, err)
	}
	if err := k.importRecords(s, gs); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidGenesis, err)
	}
	for i, gv := range gs.Validators {
		op, err := address.Decode(k.Prefix, gv.Operator)
		if err != nil {
			return nil, fmt.Errorf("%w: validator %d: %v", ErrInvalidGenesis, i, err)
		}
		m := &MsgCreateValidator{Operator: op, PubKey: gv.PubKey, Moniker: gv.Moniker,
			CommissionRate: gv.CommissionRate, CommissionMaxRate: gv.CommissionMaxRate,
			SelfDelegation: gv.SelfDelegation, MinSelfDelegation: gv.MinSelfDelegation}
		if _, err := k.CreateValidator(s, height, now, op, m); err != nil {
			return nil, fmt.Errorf("%w: validator %d (%s): %v", ErrInvalidGenesis, i, gv.Operator, err)
		}
	}
	for i, gd := range gs.Delegations {
		del, err1 := address.Decode(k.Prefix, gd.Delegator)
		val, err2 := address.Decode(k.Prefix, gd.Validator)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("%w: delegation %d: bad address", ErrInvalidGenesis, i)
		}
		if _, err := k.Delegate(s, height, now, del, &MsgDelegate{Delegator: del, Validator: val, Amount: gd.Amount}); err != nil {
			return nil, fmt.Errorf("%w: delegation %d: %v", ErrInvalidGenesis, i, err)
		}
	}
	p := k.Params(s)
	if _, _, err := k.applyValidatorSet(s, p, height, now); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidGenesis, err)
	}
	var set []abci.ValidatorUpdate
	for _, lp := range k.lastPowers(s) {
		v, _ := k.Validator(s, lp.operator)
		set = append(set, abci.Ed25519ValidatorUpdate(v.PubKey, lp.power))
	}
	return set, nil
}

// importRecords writes exported validators, delegations and unbonding
// entries after checking them against each other and the pools. A bonded
// validator counts as returned to CometBFT with its current power.
func (k Keeper) importRecords(s state.Store, gs *GenesisState) error {
	p := k.Params(s)
	var bonded, notBonded uint64
	for i, v := range gs.ValidatorRecords {
		if len(v.Operator) != address.Len || len(v.PubKey) != 32 || v.Status < BOND_STATUS_UNBONDED || v.Status > BOND_STATUS_BONDED ||
			checkCommission(v.CommissionRate, v.CommissionMaxRate) != nil || v.Tokens > 0 && v.DelegatorShares == 0 {
			return fmt.Errorf("validator record %d is malformed", i)
		}
		if _, dup := k.Validator(s, v.Operator); dup {
			return fmt.Errorf("validator record %d: operator %X twice", i, v.Operator)
		}
		if _, dup := k.ValidatorByConsAddr(s, v.ConsAddress()); dup {
			return fmt.Errorf("validator record %d: %w", i, ErrDuplicateConsKey)
		}
		k.setValidator(s, p, v)
		var err error
		if v.Status == BOND_STATUS_BONDED {
			typed.Set(kv(s), LastPowerKey(v.Operator), &LastPower{Power: v.ConsensusPower(p.PowerReduction)})
			bonded, err = shares.Add(bonded, v.Tokens)
		} else {
			notBonded, err = shares.Add(notBonded, v.Tokens)
		}
		if err != nil {
			return err
		}
	}
	held := map[string]uint64{}
	for i, d := range gs.DelegationRecords {
		if _, ok := k.Validator(s, d.Validator); !ok || len(d.Delegator) != address.Len || d.Shares == 0 {
			return fmt.Errorf("delegation record %d is malformed", i)
		}
		if _, dup := k.Delegation(s, d.Delegator, d.Validator); dup {
			return fmt.Errorf("delegation record %d appears twice", i)
		}
		setDelegation(s, d)
		sum, err := shares.Add(held[string(d.Validator)], d.Shares)
		if err != nil {
			return err
		}
		held[string(d.Validator)] = sum
	}
	for _, v := range gs.ValidatorRecords {
		if held[string(v.Operator)] != v.DelegatorShares {
			return fmt.Errorf("validator %X: delegations hold %d shares, validator %d", v.Operator, held[string(v.Operator)], v.DelegatorShares)
		}
	}
	for i, e := range gs.UnbondingEntries {
		_, srcOK := k.Validator(s, e.Validator)
		_, dstOK := k.Validator(s, e.DstValidator)
		if !srcOK || e.Kind == unbonding.UNBONDING_KIND_REDELEGATION && !dstOK {
			return fmt.Errorf("unbonding entry %d is malformed", i)
		}
		if e.Kind == unbonding.UNBONDING_KIND_UNDELEGATION {
			var err error
			if notBonded, err = shares.Add(notBonded, e.Balance); err != nil {
				return err
			}
		}
	}
	if err := queue.Import(s, gs.UnbondingEntries, gs.NextUnbondingId); err != nil {
		return err
	}
	for _, v := range gs.ValidatorRecords {
		e, ok := queue.Entry(s, v.UnbondingId)
		if v.Status == BOND_STATUS_UNBONDING && (!ok || e.Kind != unbonding.UNBONDING_KIND_VALIDATOR || string(e.Validator) != string(v.Operator)) {
			return fmt.Errorf("unbonding validator %X has no unbonding entry", v.Operator)
		}
	}
	if b := k.Bank.Balance(s, bondedPool, p.BondDenom); b != bonded {
		return fmt.Errorf("bonded pool holds %d, bonded validators %d", b, bonded)
	}
	if b := k.Bank.Balance(s, notBondedPool, p.BondDenom); b != notBonded {
		return fmt.Errorf("not-bonded pool holds %d, validators and undelegations %d", b, notBonded)
	}
	return nil
}

// ExportGenesis returns the parameters and the full staking state as
// records; liveness windows are not exported and restart empty.
func (k Keeper) ExportGenesis(s state.Store) *GenesisState {
	gs := &GenesisState{Params: k.Params(s)}
	gs.ValidatorRecords = k.Validators(s)
	gs.DelegationRecords = typed.All[Delegation](kv(s), []byte{prefixDelegation})
	gs.UnbondingEntries = queue.Entries(s)
	gs.NextUnbondingId = queue.NextID(s)
	return gs
}
