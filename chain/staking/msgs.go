package staking

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/abci-ics/ics/chain/staking/unbonding"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/event"
	"github.com/abci-ics/ics/types/fraction"
)

// MaxMonikerLen bounds a validator's moniker, in bytes.
const MaxMonikerLen = 70

// bech encodes an account address under Prefix (hex when Prefix is empty).
func (k Keeper) bech(addr []byte) string {
	if k.Prefix == "" || len(addr) != address.Len {
		return hex.EncodeToString(addr)
	}
	return address.Encode(k.Prefix, addr)
}

func (Keeper) coin(p Params, amount uint64) string {
	return strconv.FormatUint(amount, 10) + p.BondDenom
}

func checkMoniker(m string) error {
	if m == "" || len(m) > MaxMonikerLen || !utf8.ValidString(m) {
		return fmt.Errorf("%w: %q must be 1 to %d bytes of UTF-8", ErrInvalidMoniker, m, MaxMonikerLen)
	}
	return nil
}

func checkCommission(rate, maxRate fraction.Fraction) error {
	if rate.Validate() != nil || maxRate.Validate() != nil || !rate.LessOrEqual(maxRate) {
		return fmt.Errorf("%w: rate %s, max rate %s", ErrInvalidCommission, rate, maxRate)
	}
	return nil
}

// CreateValidator creates the validator of m.Operator, who must be the
// signer, and bonds its self-delegation from the operator's balance. The
// validator starts unbonded and joins the set at the end of the block if
// its power ranks. Errors: ErrUnauthorized, ErrValidatorExists,
// ErrInvalidPubKey, ErrDuplicateConsKey, ErrConsKeyReserved,
// ErrInvalidMoniker, ErrInvalidCommission, ErrSelfDelegationTooLow (below
// the larger of m.MinSelfDelegation and Params.MinSelfDelegation) and
// ErrInsufficientFunds. Nothing is written on error.
func (k Keeper) CreateValidator(s state.Store, height int64, now time.Time, signer []byte, m *MsgCreateValidator) ([]abci.Event, error) {
	if err := checkSigner(signer, m.Operator); err != nil {
		return nil, err
	}
	p := k.Params(s)
	if _, ok := k.Validator(s, m.Operator); ok {
		return nil, fmt.Errorf("%w: %s", ErrValidatorExists, k.bech(m.Operator))
	}
	if len(m.PubKey) != 32 {
		return nil, fmt.Errorf("%w: %d bytes, want 32", ErrInvalidPubKey, len(m.PubKey))
	}
	if _, ok := k.ValidatorByConsAddr(s, ConsAddress(m.PubKey)); ok {
		return nil, fmt.Errorf("%w: %X", ErrDuplicateConsKey, m.PubKey)
	}
	if k.Keys != nil && k.Keys.IsKeyReserved(s, m.PubKey) {
		return nil, fmt.Errorf("%w: %X", ErrConsKeyReserved, m.PubKey)
	}
	if err := checkMoniker(m.Moniker); err != nil {
		return nil, err
	}
	if err := checkCommission(m.CommissionRate, m.CommissionMaxRate); err != nil {
		return nil, err
	}
	minSelf := max(m.MinSelfDelegation, p.MinSelfDelegation)
	if m.SelfDelegation < minSelf {
		return nil, fmt.Errorf("%w: %d, minimum %d", ErrSelfDelegationTooLow, m.SelfDelegation, minSelf)
	}
	if have := k.Bank.Balance(s, m.Operator, p.BondDenom); have < m.SelfDelegation {
		return nil, fmt.Errorf("%w: have %d%s, need %d", ErrInsufficientFunds, have, p.BondDenom, m.SelfDelegation)
	}
	v, d, _, err := k.prepareBond(s, Validator{
		Operator: m.Operator, PubKey: m.PubKey, Moniker: m.Moniker,
		CommissionRate: m.CommissionRate, CommissionMaxRate: m.CommissionMaxRate,
		Status: BOND_STATUS_UNBONDED, MinSelfDelegation: minSelf,
	}, m.Operator, m.SelfDelegation)
	if err != nil {
		return nil, err
	}
	if err := k.moveTokens(s, p, m.Operator, v.pool(), m.SelfDelegation); err != nil {
		return nil, err
	}
	k.writeBond(s, p, v, d)
	return []abci.Event{event.New("create_validator", "validator", k.bech(v.Operator), "amount", k.coin(p, m.SelfDelegation))}, nil
}

// Delegate bonds m.Amount of the delegator's tokens (the delegator must be
// the signer) to a validator. Errors: ErrUnauthorized, ErrZeroAmount,
// ErrValidatorNotFound, ErrInsufficientFunds,
// shares.ErrInvalidExchangeRate, shares.ErrDelegationTooSmall,
// shares.ErrOverflow. Nothing is written on error.
func (k Keeper) Delegate(s state.Store, height int64, now time.Time, signer []byte, m *MsgDelegate) ([]abci.Event, error) {
	if err := checkSigner(signer, m.Delegator); err != nil {
		return nil, err
	}
	if m.Amount == 0 {
		return nil, ErrZeroAmount
	}
	p := k.Params(s)
	v, ok := k.Validator(s, m.Validator)
	if !ok {
		return nil, fmt.Errorf("%w: %X", ErrValidatorNotFound, m.Validator)
	}
	if have := k.Bank.Balance(s, m.Delegator, p.BondDenom); have < m.Amount {
		return nil, fmt.Errorf("%w: have %d%s, need %d", ErrInsufficientFunds, have, p.BondDenom, m.Amount)
	}
	v, d, sh, err := k.prepareBond(s, v, m.Delegator, m.Amount)
	if err != nil {
		return nil, err
	}
	if err := k.moveTokens(s, p, m.Delegator, v.pool(), m.Amount); err != nil {
		return nil, err
	}
	k.writeBond(s, p, v, d)
	return []abci.Event{event.New("delegate", "validator", k.bech(v.Operator), "delegator", k.bech(m.Delegator),
		"amount", k.coin(p, m.Amount), "new_shares", strconv.FormatUint(sh, 10))}, nil
}

// Undelegate starts unbonding m.Amount tokens of the delegator's (the
// signer's) delegation. The tokens leave the validator at once, wait in the
// not-bonded pool, stay slashable, and return to the delegator at the first
// EndBlock at or after now+UnbondingPeriod when nobody holds the entry. An
// operator whose self-delegation falls below its minimum is jailed. Errors:
// ErrUnauthorized, ErrZeroAmount, ErrValidatorNotFound,
// ErrDelegationNotFound, shares.ErrInsufficientDelegation,
// ErrTooManyEntries. Nothing is written on error. The Result holds the id
// of the one entry it started.
func (k Keeper) Undelegate(s state.Store, height int64, now time.Time, signer []byte, m *MsgUndelegate) (Result, error) {
	if err := checkSigner(signer, m.Delegator); err != nil {
		return Result{}, err
	}
	if m.Amount == 0 {
		return Result{}, ErrZeroAmount
	}
	p := k.Params(s)
	v, ok := k.Validator(s, m.Validator)
	if !ok {
		return Result{}, fmt.Errorf("%w: %X", ErrValidatorNotFound, m.Validator)
	}
	d, ok := k.Delegation(s, m.Delegator, m.Validator)
	if !ok {
		return Result{}, fmt.Errorf("%w: %s to %s", ErrDelegationNotFound, k.bech(m.Delegator), k.bech(m.Validator))
	}
	if n := queue.CountUndelegations(s, m.Delegator, m.Validator); n >= int(p.MaxEntries) {
		return Result{}, fmt.Errorf("%w: %d pending undelegations", ErrTooManyEntries, n)
	}
	shares, tokens, err := v.unbondAmount(d, m.Amount)
	if err != nil {
		return Result{}, err
	}
	if err := k.moveTokens(s, p, v.pool(), notBondedPool, tokens); err != nil {
		return Result{}, err
	}
	k.unbond(s, p, &v, d, shares, tokens)
	if bytes.Equal(m.Delegator, v.Operator) && !v.Jailed && k.selfBondTooLow(s, v) {
		v.Jailed, v.JailedUntilNs = true, nanos(now)
		k.setValidator(s, p, v)
	}
	e := unbonding.UnbondingEntry{
		Kind: unbonding.UNBONDING_KIND_UNDELEGATION, Delegator: m.Delegator, Validator: m.Validator,
		CreationHeight: height, CompletionTimeNs: nanos(now.Add(p.UnbondingPeriod)),
		InitialBalance: tokens, Balance: tokens,
	}
	queue.Add(s, &e)
	return Result{
		Events: []abci.Event{event.New("unbond", "validator", k.bech(v.Operator), "delegator", k.bech(m.Delegator),
			"amount", k.coin(p, tokens), "completion_time", e.CompletionTime().Format(time.RFC3339Nano),
			"unbonding_id", strconv.FormatUint(e.Id, 10))},
		Unbondings: []uint64{e.Id},
	}, nil
}

// Redelegate moves m.Amount tokens of the delegator's (the signer's)
// delegation from m.Src to m.Dst without unbonding them. The tokens stay
// slashable for infractions at m.Src until the entry completes, like an
// undelegation (at once when m.Src is unbonded). Errors: ErrUnauthorized,
// ErrZeroAmount, ErrSelfRedelegation, ErrValidatorNotFound,
// ErrDelegationNotFound, shares.ErrInsufficientDelegation,
// ErrTransitiveRedelegation (m.Src has a redelegation of the delegator
// into it still pending), ErrTooManyEntries,
// shares.ErrInvalidExchangeRate, shares.ErrDelegationTooSmall. Nothing is
// written on error. The Result holds the id of the entry it started, none
// when m.Src is unbonded.
func (k Keeper) Redelegate(s state.Store, height int64, now time.Time, signer []byte, m *MsgRedelegate) (Result, error) {
	if err := checkSigner(signer, m.Delegator); err != nil {
		return Result{}, err
	}
	if m.Amount == 0 {
		return Result{}, ErrZeroAmount
	}
	if bytes.Equal(m.Src, m.Dst) {
		return Result{}, fmt.Errorf("%w: %X", ErrSelfRedelegation, m.Src)
	}
	p := k.Params(s)
	src, ok1 := k.Validator(s, m.Src)
	dst, ok2 := k.Validator(s, m.Dst)
	if !ok1 || !ok2 {
		return Result{}, fmt.Errorf("%w: %X or %X", ErrValidatorNotFound, m.Src, m.Dst)
	}
	d, ok := k.Delegation(s, m.Delegator, m.Src)
	if !ok {
		return Result{}, fmt.Errorf("%w: %s to %s", ErrDelegationNotFound, k.bech(m.Delegator), k.bech(m.Src))
	}
	if queue.CountRedelegations(s, m.Delegator, m.Src, nil) > 0 {
		return Result{}, fmt.Errorf("%w: %s", ErrTransitiveRedelegation, k.bech(m.Src))
	}
	if n := queue.CountRedelegations(s, m.Delegator, m.Dst, m.Src); n >= int(p.MaxEntries) {
		return Result{}, fmt.Errorf("%w: %d pending redelegations", ErrTooManyEntries, n)
	}
	shares, tokens, err := src.unbondAmount(d, m.Amount)
	if err != nil {
		return Result{}, err
	}
	dst, dstDel, dstShares, err := k.prepareBond(s, dst, m.Delegator, tokens)
	if err != nil {
		return Result{}, err
	}
	if err := k.moveTokens(s, p, src.pool(), dst.pool(), tokens); err != nil {
		return Result{}, err
	}
	k.unbond(s, p, &src, d, shares, tokens)
	k.writeBond(s, p, dst, dstDel)
	if bytes.Equal(m.Delegator, src.Operator) && !src.Jailed && k.selfBondTooLow(s, src) {
		src.Jailed, src.JailedUntilNs = true, nanos(now)
		k.setValidator(s, p, src)
	}
	completion := now
	switch src.Status {
	case BOND_STATUS_BONDED:
		completion = now.Add(p.UnbondingPeriod)
	case BOND_STATUS_UNBONDING:
		completion = time.Unix(0, src.UnbondingTimeNs)
	}
	ev := event.New("redelegate", "source_validator", k.bech(m.Src), "destination_validator", k.bech(m.Dst),
		"delegator", k.bech(m.Delegator), "amount", k.coin(p, tokens),
		"completion_time", completion.UTC().Format(time.RFC3339Nano))
	if src.Status == BOND_STATUS_UNBONDED {
		return Result{Events: []abci.Event{ev}}, nil
	}
	e := unbonding.UnbondingEntry{
		Kind: unbonding.UNBONDING_KIND_REDELEGATION, Delegator: m.Delegator, Validator: m.Src, DstValidator: m.Dst,
		CreationHeight: height, CompletionTimeNs: nanos(completion),
		InitialBalance: tokens, Balance: tokens, DstShares: dstShares,
	}
	queue.Add(s, &e)
	ev.Attributes = append(ev.Attributes, abci.EventAttribute{Key: "unbonding_id", Value: strconv.FormatUint(e.Id, 10), Index: true})
	return Result{Events: []abci.Event{ev}, Unbondings: []uint64{e.Id}}, nil
}

// Unjail brings the signer's jailed validator back into the running for
// the set. Errors: ErrUnauthorized, ErrValidatorNotFound, ErrTombstoned,
// ErrNotJailed, ErrJailPeriodNotOver (now is before the jail's end),
// ErrSelfDelegationTooLow.
func (k Keeper) Unjail(s state.Store, height int64, now time.Time, signer []byte, m *MsgUnjail) ([]abci.Event, error) {
	if err := checkSigner(signer, m.Validator); err != nil {
		return nil, err
	}
	v, ok := k.Validator(s, m.Validator)
	switch {
	case !ok:
		return nil, fmt.Errorf("%w: %X", ErrValidatorNotFound, m.Validator)
	case v.Tombstoned:
		return nil, fmt.Errorf("%w: %s", ErrTombstoned, k.bech(v.Operator))
	case !v.Jailed:
		return nil, fmt.Errorf("%w: %s", ErrNotJailed, k.bech(v.Operator))
	case nanos(now) < v.JailedUntilNs:
		return nil, fmt.Errorf("%w: until %s", ErrJailPeriodNotOver, v.JailedUntil().Format(time.RFC3339Nano))
	case k.selfBondTooLow(s, v):
		return nil, fmt.Errorf("%w: minimum %d", ErrSelfDelegationTooLow, v.MinSelfDelegation)
	}
	v.Jailed = false
	k.setValidator(s, k.Params(s), v)
	return []abci.Event{event.New("unjail", "validator", k.bech(v.Operator))}, nil
}

// EditValidator changes the signer's validator's moniker (when m.Moniker
// is not empty) and commission rate (when set; at most the maximum rate).
// Errors: ErrUnauthorized, ErrValidatorNotFound, ErrInvalidMoniker,
// ErrInvalidCommission.
func (k Keeper) EditValidator(s state.Store, height int64, now time.Time, signer []byte, m *MsgEditValidator) ([]abci.Event, error) {
	if err := checkSigner(signer, m.Validator); err != nil {
		return nil, err
	}
	v, ok := k.Validator(s, m.Validator)
	if !ok {
		return nil, fmt.Errorf("%w: %X", ErrValidatorNotFound, m.Validator)
	}
	if m.Moniker != "" {
		if err := checkMoniker(m.Moniker); err != nil {
			return nil, err
		}
		v.Moniker = m.Moniker
	}
	if m.CommissionRate != nil {
		if err := checkCommission(*m.CommissionRate, v.CommissionMaxRate); err != nil {
			return nil, err
		}
		v.CommissionRate = *m.CommissionRate
	}
	k.setValidator(s, k.Params(s), v)
	return []abci.Event{event.New("edit_validator", "validator", k.bech(v.Operator),
		"moniker", v.Moniker, "commission_rate", v.CommissionRate.String())}, nil
}
