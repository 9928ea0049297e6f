package distribution

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"testing"
	"time"

	dbm "github.com/cosmos/cosmos-db"

	"github.com/abci-ics/ics/chain/bank"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/coin"
	"github.com/abci-ics/ics/types/fraction"
)

// fakeStore is the store of fakeStaking.
const fakeStore = "fake"

// fakeStaking keeps validators and delegations in the fake store. It calls
// the distribution hooks the way the staking module must.
type fakeStaking struct{}

type fakeVal struct {
	Tokens, Shares uint64
	Num, Den       uint64
	Unbonded       bool
}

func valKey(op []byte) []byte       { return append([]byte("v"), op...) }
func delKey(del, val []byte) []byte { return append(append([]byte("d"), del...), val...) }

func (fakeStaking) validator(s state.Store, op []byte) (fakeVal, bool) {
	bz := s.KV(fakeStore).Get(valKey(op))
	if bz == nil {
		return fakeVal{}, false
	}
	var v fakeVal
	if err := json.Unmarshal(bz, &v); err != nil {
		panic(err)
	}
	return v, true
}

func (fakeStaking) setValidator(s state.Store, op []byte, v fakeVal) {
	bz, _ := json.Marshal(v)
	s.KV(fakeStore).Set(valKey(op), bz)
}

func (fakeStaking) setShares(s state.Store, del, val []byte, shares uint64) {
	if shares == 0 {
		s.KV(fakeStore).Delete(delKey(del, val))
		return
	}
	bz, _ := json.Marshal(shares)
	s.KV(fakeStore).Set(delKey(del, val), bz)
}

func (fakeStaking) BondedValidators(s state.Store) []Validator {
	it := s.KV(fakeStore).Iterator([]byte("v"), []byte("w"))
	defer it.Close()
	var out []Validator
	for ; it.Valid(); it.Next() {
		var v fakeVal
		if err := json.Unmarshal(it.Value(), &v); err != nil {
			panic(err)
		}
		if !v.Unbonded {
			out = append(out, Validator{Operator: bytes.Clone(it.Key()[1:]), Tokens: v.Tokens,
				DelegatorShares: v.Shares, Commission: fraction.New(v.Num, v.Den)})
		}
	}
	return out
}

func (fakeStaking) Delegation(s state.Store, del, val []byte) (uint64, bool) {
	bz := s.KV(fakeStore).Get(delKey(del, val))
	if bz == nil {
		return 0, false
	}
	var sh uint64
	if err := json.Unmarshal(bz, &sh); err != nil {
		panic(err)
	}
	return sh, true
}

// env is a chain with bank, distribution and the fake staking over an IAVL
// memdb.
type env struct {
	t      *testing.T
	s      state.Store
	bank   bank.Keeper
	stk    fakeStaking
	k      Keeper
	height int64
	now    time.Time
}

const denom = "stake"

func addr(name string) []byte { return address.Module("test/" + name) }

func newEnv(t testing.TB) *env {
	ms, err := state.Open(dbm.NewMemDB(), []string{bank.StoreName, StoreName, fakeStore}, state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ms.Close() })
	e := &env{s: ms.Working(), bank: bank.Keeper{Prefix: "ics"}, height: 1, now: time.Unix(1_700_000_000, 0).UTC()}
	if tt, ok := t.(*testing.T); ok {
		e.t = tt
	}
	e.k = Keeper{Bank: e.bank, Staking: e.stk, Prefix: "ics"}
	if err := e.k.InitGenesis(e.s, DefaultGenesis()); err != nil {
		t.Fatal(err)
	}
	if err := e.bank.Mint(e.s, addr("payer"), []coin.Coin{{Denom: denom, Amount: 1 << 50}, {Denom: "atom", Amount: 1 << 50}}); err != nil {
		t.Fatal(err)
	}
	return e
}

// createValidator adds a bonded validator with commission num/100 and no
// delegations.
func (e *env) createValidator(name string, num uint64) {
	e.stk.setValidator(e.s, addr(name), fakeVal{Num: num, Den: 100})
}

// delegate bonds amount tokens from del to val, calling the hooks around
// the share change as the staking module does.
func (e *env) delegate(del, val string, amount uint64) error {
	d, v := addr(del), addr(val)
	fv, ok := e.stk.validator(e.s, v)
	if !ok {
		return fmt.Errorf("no validator %s", val)
	}
	shares := amount
	if fv.Shares > 0 && fv.Tokens == 0 {
		return fmt.Errorf("validator %s has no tokens left", val)
	}
	if fv.Shares > 0 {
		var ok bool
		if shares, ok = mulDiv(amount, fv.Shares, fv.Tokens); !ok {
			return fmt.Errorf("shares overflow")
		}
	}
	if shares == 0 {
		return fmt.Errorf("delegation of %d buys no shares", amount)
	}
	if err := e.k.BeforeDelegationSharesModified(e.s, d, v); err != nil {
		return err
	}
	old, _ := e.stk.Delegation(e.s, d, v)
	e.stk.setShares(e.s, d, v, old+shares)
	fv.Shares += shares
	fv.Tokens += amount
	e.stk.setValidator(e.s, v, fv)
	e.k.AfterDelegationModified(e.s, d, v)
	return nil
}

// undelegate removes shares of del's delegation to val.
func (e *env) undelegate(del, val string, shares uint64) error {
	d, v := addr(del), addr(val)
	old, ok := e.stk.Delegation(e.s, d, v)
	if !ok || old < shares {
		return fmt.Errorf("not enough shares")
	}
	fv, _ := e.stk.validator(e.s, v)
	if err := e.k.BeforeDelegationSharesModified(e.s, d, v); err != nil {
		return err
	}
	tokens, _ := mulDiv(shares, fv.Tokens, fv.Shares)
	e.stk.setShares(e.s, d, v, old-shares)
	fv.Shares -= shares
	fv.Tokens -= tokens
	e.stk.setValidator(e.s, v, fv)
	e.k.AfterDelegationModified(e.s, d, v)
	return nil
}

// block collects fees (paid by "payer") and runs BeginBlock.
func (e *env) block(fees ...coin.Coin) {
	if len(fees) > 0 {
		if err := e.bank.Send(e.s, addr("payer"), feeCollector, fees); err != nil {
			panic(err)
		}
	}
	e.height++
	e.now = e.now.Add(5 * time.Second)
	if _, err := e.k.BeginBlock(e.s, e.height, e.now); err != nil {
		panic(err)
	}
}

func (e *env) withdraw(del, val string) ([]coin.Coin, error) {
	before := e.bank.Balances(e.s, addr(del))
	c := state.NewCache(e.s)
	_, err := e.k.HandleWithdrawRewards(c, e.height, e.now, addr(del), &MsgWithdrawRewards{Delegator: addr(del), Validator: addr(val)})
	if err != nil {
		return nil, err
	}
	c.Write()
	return diff(before, e.bank.Balances(e.s, addr(del))), nil
}

// diff returns after - before, for balances that only grew.
func diff(before, after []coin.Coin) []coin.Coin {
	var out []coin.Coin
	for _, a := range after {
		var b uint64
		for _, c := range before {
			if c.Denom == a.Denom {
				b = c.Amount
			}
		}
		if a.Amount > b {
			out = append(out, coin.Coin{Denom: a.Denom, Amount: a.Amount - b})
		}
	}
	return out
}

func stake(n uint64) coin.Coin { return coin.Coin{Denom: denom, Amount: n} }

func amountOf(cs []coin.Coin, d string) uint64 {
	for _, c := range cs {
		if c.Denom == d {
			return c.Amount
		}
	}
	return 0
}

// mulDiv returns a*b/c and whether it fits in a uint64.
func mulDiv(a, b, c uint64) (uint64, bool) {
	r := new(big.Int).SetUint64(a)
	r.Mul(r, new(big.Int).SetUint64(b)).Quo(r, new(big.Int).SetUint64(c))
	return r.Uint64(), r.IsUint64()
}
