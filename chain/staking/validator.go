package staking

import (
	"bytes"
	"fmt"
	"sort"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/crypto/ed25519"

	"github.com/abci-ics/ics/chain/bank"
	"github.com/abci-ics/ics/chain/staking/shares"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/state/typed"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/coin"
)

// Bank is what staking needs of the bank: balances, transfers between
// accounts and the pools, and burning slashed tokens.
type Bank interface {
	Balance(s state.Store, addr []byte, denom string) uint64
	Send(s state.Store, from, to []byte, coins []coin.Coin) error
	Burn(s state.Store, addr []byte, coins []coin.Coin) error
}

var (
	_ Bank = bank.Keeper{}
	_ Bank = (*bank.Keeper)(nil)
)

// Result is what an operation that can start unbonding entries hands back
// besides its error: its events, and the ids of the entries it started, in
// the order it started them (increasing). The caller passes each id on to
// whatever holds entries (the provider's AfterUnbondingInitiated, which
// may PutOnHold it) before anything else runs on the store, so staking
// never calls up into the module that holds its entries.
type Result struct {
	Events     []abci.Event
	Unbondings []uint64
}

// KeyRegistry tells whether a consensus public key is reserved by another
// module (for example assigned as a consumer chain key).
type KeyRegistry interface {
	IsKeyReserved(s state.Store, pubKey []byte) bool
}

// Keeper reads and writes the staking store and moves staked tokens through
// Bank. It holds no state of its own: every method takes the store it works
// on. Keys is optional. Prefix is the chain's bech32 prefix, used in
// events (consensus addresses use Prefix+"valcons").
type Keeper struct {
	Bank   Bank
	Keys   KeyRegistry
	Prefix string
}

var (
	bondedPool    = address.Module(BondedPoolName)
	notBondedPool = address.Module(NotBondedPoolName)
)

// BondedPool returns the address of the module account holding the tokens
// of bonded validators.
func BondedPool() []byte { return bytes.Clone(bondedPool) }

// NotBondedPool returns the address of the module account holding the
// tokens of unbonding and unbonded validators and of undelegations.
func NotBondedPool() []byte { return bytes.Clone(notBondedPool) }

func kv(s state.Store) state.KVStore { return s.KV(StoreName) }

// ConsAddress returns the consensus address of an ed25519 public key, as
// CometBFT computes it.
func ConsAddress(pubKey []byte) []byte { return ed25519.PubKey(pubKey).Address() }

// ConsAddress returns the validator's consensus address.
func (v Validator) ConsAddress() []byte { return ConsAddress(v.PubKey) }

// ConsensusPower returns tokens / reduction, capped at MaxPower.
func (v Validator) ConsensusPower(reduction uint64) int64 {
	return int64(min(v.Tokens/reduction, MaxPower))
}

// rate returns v's exchange rate of delegator shares to tokens.
func (v Validator) rate() shares.Rate {
	return shares.Rate{Tokens: v.Tokens, Shares: v.DelegatorShares}
}

// TokensFromShares returns the tokens that n shares of v are worth, rounded
// down.
func (v Validator) TokensFromShares(n uint64) uint64 { return v.rate().Value(n) }

// TokensFromShares returns the tokens that shares of v are worth, rounded
// down.
func (Keeper) TokensFromShares(v Validator, shares uint64) uint64 { return v.TokensFromShares(shares) }

// indexedPower returns the validator's power and whether it belongs in the
// power index: not jailed, not tombstoned and with positive power.
func (v Validator) indexedPower(reduction uint64) (int64, bool) {
	p := v.ConsensusPower(reduction)
	return p, p > 0 && !v.Jailed && !v.Tombstoned
}

// pool returns the module account holding v's tokens.
func (v Validator) pool() []byte {
	if v.Status == BOND_STATUS_BONDED {
		return bondedPool
	}
	return notBondedPool
}

// Validator returns the validator operated by operator.
func (Keeper) Validator(s state.Store, operator []byte) (Validator, bool) {
	return typed.Get[Validator](kv(s), ValidatorKey(operator))
}

// ValidatorByConsAddr returns the validator with the given consensus
// address.
func (k Keeper) ValidatorByConsAddr(s state.Store, consAddr []byte) (Validator, bool) {
	op := kv(s).Get(ConsAddrKey(consAddr))
	if op == nil {
		return Validator{}, false
	}
	v, ok := k.Validator(s, op)
	if !ok {
		panic(fmt.Sprintf("staking: consensus address %X indexes missing validator %X", consAddr, op))
	}
	return v, true
}

// Validators returns every validator, sorted by operator.
func (Keeper) Validators(s state.Store) []Validator {
	return typed.All[Validator](kv(s), []byte{prefixValidator})
}

// BondedValidators returns the validator set last returned to CometBFT,
// by power descending, ties by operator.
func (k Keeper) BondedValidators(s state.Store) []Validator {
	type member struct {
		v     Validator
		power int64
	}
	var ms []member
	for _, lp := range k.lastPowers(s) {
		v, ok := k.Validator(s, lp.operator)
		if !ok {
			panic(fmt.Sprintf("staking: last validator set holds missing validator %X", lp.operator))
		}
		ms = append(ms, member{v, lp.power})
	}
	sort.SliceStable(ms, func(i, j int) bool { return ms[i].power > ms[j].power })
	out := make([]Validator, len(ms))
	for i, m := range ms {
		out[i] = m.v
	}
	return out
}

// TotalBondedTokens returns the tokens of all bonded validators.
func (k Keeper) TotalBondedTokens(s state.Store) uint64 {
	return k.Bank.Balance(s, bondedPool, k.Params(s).BondDenom)
}

// setValidator stores v and keeps the consensus address and power indexes
// in step with it.
func (k Keeper) setValidator(s state.Store, p Params, v Validator) {
	st := kv(s)
	if old, ok := k.Validator(s, v.Operator); ok {
		if pw, in := old.indexedPower(p.PowerReduction); in {
			st.Delete(PowerKey(pw, old.Operator))
		}
	} else {
		st.Set(ConsAddrKey(v.ConsAddress()), v.Operator)
	}
	typed.Set(st, ValidatorKey(v.Operator), &v)
	if pw, in := v.indexedPower(p.PowerReduction); in {
		st.Set(PowerKey(pw, v.Operator), marker)
	}
}

// reindexPower rebuilds the power index, after a change of PowerReduction.
func (k Keeper) reindexPower(s state.Store, p Params) {
	typed.DeletePrefix(kv(s), []byte{prefixByPower})
	for _, v := range k.Validators(s) {
		if pw, in := v.indexedPower(p.PowerReduction); in {
			kv(s).Set(PowerKey(pw, v.Operator), marker)
		}
	}
}

// moveTokens sends amount of the bond denomination between two accounts.
func (k Keeper) moveTokens(s state.Store, p Params, from, to []byte, amount uint64) error {
	if amount == 0 || bytes.Equal(from, to) {
		return nil
	}
	if err := k.Bank.Send(s, from, to, []coin.Coin{{Denom: p.BondDenom, Amount: amount}}); err != nil {
		return fmt.Errorf("move %d%s: %w", amount, p.BondDenom, err)
	}
	return nil
}

// burn destroys amount of the bond denomination held by pool.
func (k Keeper) burn(s state.Store, p Params, pool []byte, amount uint64) error {
	if amount == 0 {
		return nil
	}
	if err := k.Bank.Burn(s, pool, []coin.Coin{{Denom: p.BondDenom, Amount: amount}}); err != nil {
		return fmt.Errorf("burn %d%s: %w", amount, p.BondDenom, err)
	}
	return nil
}
