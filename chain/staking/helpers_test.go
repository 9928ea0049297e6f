package staking

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"sort"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	dbm "github.com/cosmos/cosmos-db"

	"github.com/abci-ics/ics/chain/bank"
	"github.com/abci-ics/ics/chain/staking/unbonding"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/state/typed"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/coin"
	"github.com/abci-ics/ics/types/fraction"
)

var genesisTime = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// testParams are small parameters that tests can drive through quickly.
func testParams() Params {
	p := DefaultParams()
	p.UnbondingPeriod = 100 * time.Second
	p.MaxValidators = 3
	p.PowerReduction = 10
	p.SignedBlocksWindow = 10
	p.DowntimeJailDuration = 60 * time.Second
	return p
}

// reserved is a KeyRegistry over a fixed set of keys.
type reserved map[string]bool

func (r reserved) IsKeyReserved(_ state.Store, pk []byte) bool { return r[string(pk)] }

// tester is what the fixture needs of *testing.T, *testing.B and *rapid.T.
type tester interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
}

type fixture struct {
	t      tester
	db     dbm.DB
	ms     *state.MultiStore
	s      state.Store
	bank   bank.Keeper
	k      Keeper
	holder string   // when set, hold puts every started entry on hold for it
	ids    []uint64 // every unbonding id an operation returned, in order
	accs   [][]byte
	height int64
	now    time.Time
	supply uint64 // initial supply of the bond denomination
	burned uint64 // reported burns
	set    map[string]int64
}

func acct(i int) []byte   { return address.Module(fmt.Sprintf("account-%d", i)) }
func pubKey(i int) []byte { h := sha256.Sum256([]byte(fmt.Sprintf("key-%d", i))); return h[:] }

// newFixture opens a memdb multistore, funds n accounts with balance each
// and writes the staking parameters.
func newFixture(t tester, p Params, n int, balance uint64) *fixture {
	t.Helper()
	db := dbm.NewMemDB()
	ms, err := state.Open(db, []string{bank.StoreName, StoreName}, state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, db: db, ms: ms, s: ms.Working(), bank: bank.Keeper{Prefix: "ics"}, height: 1, now: genesisTime, set: map[string]int64{}}
	f.k = Keeper{Bank: f.bank, Prefix: "ics"}
	for i := 0; i < n; i++ {
		f.accs = append(f.accs, acct(i))
		if err := f.bank.Mint(f.s, acct(i), []coin.Coin{{Denom: p.BondDenom, Amount: balance}}); err != nil {
			t.Fatal(err)
		}
	}
	f.supply = uint64(n) * balance
	if err := f.k.SetParams(f.s, p); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) params() Params { return f.k.Params(f.s) }

func (f *fixture) balance(addr []byte) uint64 { return f.bank.Balance(f.s, addr, f.params().BondDenom) }

func (f *fixture) createValidator(i int, self uint64) []byte {
	f.t.Helper()
	m := &MsgCreateValidator{Operator: acct(i), PubKey: pubKey(i), Moniker: fmt.Sprintf("val-%d", i),
		CommissionRate: fraction.New(1, 10), CommissionMaxRate: fraction.New(1, 5), SelfDelegation: self}
	if _, err := f.k.CreateValidator(f.s, f.height, f.now, acct(i), m); err != nil {
		f.t.Fatalf("create validator %d: %v", i, err)
	}
	return acct(i)
}

func (f *fixture) delegate(del, val []byte, amount uint64) {
	f.t.Helper()
	if _, err := f.k.Delegate(f.s, f.height, f.now, del, &MsgDelegate{Delegator: del, Validator: val, Amount: amount}); err != nil {
		f.t.Fatalf("delegate: %v", err)
	}
}

// undelegate runs Undelegate and holds the entry it returns, and returns
// the entry's id.
func (f *fixture) undelegate(del, val []byte, amount uint64) uint64 {
	f.t.Helper()
	next := nextUnbondingID(f.s)
	r, err := f.k.Undelegate(f.s, f.height, f.now, del, &MsgUndelegate{Delegator: del, Validator: val, Amount: amount})
	if err != nil {
		f.t.Fatalf("undelegate: %v", err)
	}
	f.hold(f.s, next, r.Unbondings)
	if len(r.Unbondings) != 1 {
		f.t.Fatalf("undelegate started %v, want one entry", r.Unbondings)
	}
	return r.Unbondings[0]
}

// redelegate runs Redelegate and holds the entry it returns, if any.
func (f *fixture) redelegate(del, src, dst []byte, amount uint64) []uint64 {
	f.t.Helper()
	next := nextUnbondingID(f.s)
	r, err := f.k.Redelegate(f.s, f.height, f.now, del, &MsgRedelegate{Delegator: del, Src: src, Dst: dst, Amount: amount})
	if err != nil {
		f.t.Fatalf("redelegate: %v", err)
	}
	f.hold(f.s, next, r.Unbondings)
	return r.Unbondings
}

// nextUnbondingID returns the id the next unbonding entry will get.
func nextUnbondingID(s state.Store) uint64 {
	seq, _ := typed.Get[unbonding.Sequence](kv(s), []byte{keyNextUnbondingID})
	return max(seq.Next, 1)
}

// startedSince checks that ids, returned by an operation that ran on s
// when the next unbonding id was next, are exactly the entries it created:
// every id from next on, in order, each stored in s.
func startedSince(s state.Store, k Keeper, next uint64, ids []uint64) error {
	end := nextUnbondingID(s)
	if uint64(len(ids)) != end-next {
		return fmt.Errorf("returned unbondings %v, created ids %d to %d", ids, next, end-1)
	}
	for i, id := range ids {
		if id != next+uint64(i) {
			return fmt.Errorf("returned unbondings %v, created ids %d to %d", ids, next, end-1)
		}
		if _, ok := k.Unbonding().Entry(s, id); !ok {
			return fmt.Errorf("returned unbonding %d is not stored", id)
		}
	}
	return nil
}

// hold checks the ids an operation returned (see startedSince), records
// them and, when f.holder is set, puts each on hold for it, as the
// provider does with the ids the chain passes it.
func (f *fixture) hold(s state.Store, next uint64, ids []uint64) {
	f.t.Helper()
	if err := startedSince(s, f.k, next, ids); err != nil {
		f.t.Fatal(err)
	}
	f.ids = append(f.ids, ids...)
	if f.holder == "" {
		return
	}
	for _, id := range ids {
		if err := f.k.Unbonding().PutOnHold(s, id, f.holder); err != nil {
			f.t.Fatalf("hold %d: %v", id, err)
		}
	}
}

// endBlock runs EndBlock, holds the entries it started, applies its
// updates to the fixture's model of CometBFT's set, checks the invariants
// and moves to the next block after dt.
func (f *fixture) endBlock(dt time.Duration) []abci.ValidatorUpdate {
	f.t.Helper()
	next := nextUnbondingID(f.s)
	ups, r, err := f.k.EndBlock(f.s, f.height, f.now)
	if err != nil {
		f.t.Fatalf("end block %d: %v", f.height, err)
	}
	f.hold(f.s, next, r.Unbondings)
	f.apply(ups)
	f.check()
	f.height++
	f.now = f.now.Add(dt)
	return ups
}

func (f *fixture) apply(ups []abci.ValidatorUpdate) {
	f.t.Helper()
	seen := map[string]bool{}
	for _, u := range ups {
		pk := string(u.PubKey.GetEd25519())
		if seen[pk] || u.Power < 0 {
			f.t.Fatalf("bad update set %v", ups)
		}
		seen[pk] = true
		if u.Power == 0 {
			if _, ok := f.set[pk]; !ok {
				f.t.Fatalf("removal of a key not in the set: %X", pk)
			}
			delete(f.set, pk)
		} else {
			f.set[pk] = u.Power
		}
	}
}

// check asserts the accounting invariants and that the model set is the
// top of the eligible validators.
func (f *fixture) check() {
	f.t.Helper()
	if err := f.invariants(); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) invariants() error {
	p := f.params()
	supply := f.bank.Supply(f.s, p.BondDenom)
	var sum uint64
	for _, a := range f.accs {
		sum += f.balance(a)
	}
	bonded, notBonded := f.balance(bondedPool), f.balance(notBondedPool)
	sum += bonded + notBonded
	if sum != supply {
		return fmt.Errorf("balances %d != supply %d", sum, supply)
	}
	if supply+f.burned != f.supply {
		return fmt.Errorf("supply %d + burned %d != initial %d", supply, f.burned, f.supply)
	}
	var wantBonded, wantNotBonded uint64
	for _, v := range f.k.Validators(f.s) {
		if v.Status == BOND_STATUS_BONDED {
			wantBonded += v.Tokens
		} else {
			wantNotBonded += v.Tokens
		}
		var shares, worth uint64
		for _, d := range f.k.DelegationsTo(f.s, v.Operator) {
			shares += d.Shares
			worth += v.TokensFromShares(d.Shares)
		}
		if shares != v.DelegatorShares || worth > v.Tokens {
			return fmt.Errorf("validator %X: delegations %d shares worth %d, validator %d shares %d tokens", v.Operator, shares, worth, v.DelegatorShares, v.Tokens)
		}
	}
	for _, e := range f.k.Unbonding().Entries(f.s) {
		if e.Kind == unbonding.UNBONDING_KIND_UNDELEGATION {
			wantNotBonded += e.Balance
		}
	}
	if bonded != wantBonded || notBonded != wantNotBonded {
		return fmt.Errorf("pools bonded %d not-bonded %d, want %d and %d", bonded, notBonded, wantBonded, wantNotBonded)
	}
	return nil
}

// expectedSet computes the top-N set from the validators directly.
func (f *fixture) expectedSet() map[string]int64 {
	p := f.params()
	var vs []Validator
	for _, v := range f.k.Validators(f.s) {
		if !v.Jailed && !v.Tombstoned && v.ConsensusPower(p.PowerReduction) > 0 {
			vs = append(vs, v)
		}
	}
	sort.SliceStable(vs, func(i, j int) bool {
		pi, pj := vs[i].ConsensusPower(p.PowerReduction), vs[j].ConsensusPower(p.PowerReduction)
		if pi != pj {
			return pi > pj
		}
		return bytes.Compare(vs[i].Operator, vs[j].Operator) < 0
	})
	out := map[string]int64{}
	for i, v := range vs {
		if i == int(p.MaxValidators) {
			break
		}
		out[string(v.PubKey)] = v.ConsensusPower(p.PowerReduction)
	}
	return out
}

func (f *fixture) checkSet() {
	f.t.Helper()
	want := f.expectedSet()
	if len(want) != len(f.set) {
		f.t.Fatalf("set %v, want %v", f.set, want)
	}
	for pk, pw := range want {
		if f.set[pk] != pw {
			f.t.Fatalf("set %v, want %v", f.set, want)
		}
	}
}
