package staking

import (
	"errors"
	"sort"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"pgregory.net/rapid"

	"github.com/abci-ics/ics/chain/staking/shares"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/types/fraction"
)

var expectedErrors = []error{
	ErrInsufficientFunds, ErrValidatorNotFound, ErrValidatorExists, ErrDuplicateConsKey, ErrSelfDelegationTooLow,
	ErrDelegationNotFound, shares.ErrInsufficientDelegation, shares.ErrDelegationTooSmall, shares.ErrInvalidExchangeRate,
	ErrTooManyEntries, ErrSelfRedelegation, ErrTransitiveRedelegation, ErrNotJailed, ErrJailPeriodNotOver,
	ErrTombstoned, ErrZeroAmount,
}

// TestProperties runs random sequences of operations and checks after each
// one that the supply is conserved (up to reported burns), that the pools
// match the validators and undelegations, that every update set is valid,
// and that the updates applied to a model of CometBFT's set give exactly
// the top MaxValidators.
func TestProperties(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		p := testParams()
		p.MaxValidators = uint32(rapid.IntRange(1, 4).Draw(rt, "max_validators"))
		p.MaxEntries = 3
		p.UnbondingPeriod = 20 * time.Second
		p.SignedBlocksWindow = 4
		p.SlashFractionDowntime = fraction.New(1, 10)
		const accounts = 8
		f := newFixture(rt, p, accounts, 100_000)
		var vals []int
		// try runs op on a cache and keeps its writes if it succeeds. The
		// ids op returns must be exactly the entries it started; some of
		// them are held, as a provider would.
		try := func(op func(state.Store) (Result, error)) {
			c := state.NewCache(f.s)
			next := nextUnbondingID(c)
			r, err := op(c)
			if err == nil {
				if err := startedSince(c, f.k, next, r.Unbondings); err != nil {
					rt.Fatal(err)
				}
				for _, id := range r.Unbondings {
					if rapid.Bool().Draw(rt, "hold started") {
						if err := f.k.Unbonding().PutOnHold(c, id, "c1"); err != nil {
							rt.Fatal(err)
						}
					}
				}
				c.Write()
				return
			}
			if len(r.Unbondings) != 0 || nextUnbondingID(c) != next {
				rt.Fatalf("failed operation started %v (next id %d, was %d): %v", r.Unbondings, nextUnbondingID(c), next, err)
			}
			for _, e := range expectedErrors {
				if errors.Is(err, e) {
					return
				}
			}
			rt.Fatalf("unexpected error: %v", err)
		}
		pickVal := func() int { return rapid.SampledFrom(vals).Draw(rt, "validator") }
		pickAcc := func() int { return rapid.IntRange(0, accounts-1).Draw(rt, "account") }
		// pickDelegation mostly picks an existing delegation.
		pickDelegation := func() (int, int) {
			var ds []Delegation
			for i := 0; i < accounts; i++ {
				ds = append(ds, f.k.DelegationsOf(f.s, acct(i))...)
			}
			if len(ds) == 0 || rapid.IntRange(0, 4).Draw(rt, "any") == 0 {
				return pickAcc(), pickVal()
			}
			d := rapid.SampledFrom(ds).Draw(rt, "delegation")
			return index(d.Delegator), index(d.Validator)
		}
		amountOf := func(del, val int) uint64 {
			v, _ := f.k.Validator(f.s, acct(val))
			d, _ := f.k.Delegation(f.s, acct(del), acct(val))
			w := v.TokensFromShares(d.Shares)
			return rapid.Uint64Range(1, max(w, 1)).Draw(rt, "amount")
		}
		actions := map[string]func(*rapid.T){
			"create": func(rt *rapid.T) {
				i := pickAcc()
				if _, ok := f.k.Validator(f.s, acct(i)); ok {
					return
				}
				self := rapid.Uint64Range(1, 30_000).Draw(rt, "self")
				try(func(s state.Store) (Result, error) {
					m := &MsgCreateValidator{Operator: acct(i), PubKey: pubKey(i), Moniker: "v", CommissionRate: fraction.New(0, 1),
						CommissionMaxRate: fraction.New(1, 1), SelfDelegation: self}
					evs, err := f.k.CreateValidator(s, f.height, f.now, acct(i), m)
					if err == nil {
						vals = append(vals, i)
					}
					return Result{Events: evs}, err
				})
			},
			"delegate": func(rt *rapid.T) {
				if len(vals) == 0 {
					return
				}
				d, v := pickAcc(), pickVal()
				amt := rapid.Uint64Range(1, 40_000).Draw(rt, "amount")
				try(func(s state.Store) (Result, error) {
					return events(f.k.Delegate(s, f.height, f.now, acct(d), &MsgDelegate{Delegator: acct(d), Validator: acct(v), Amount: amt}))
				})
			},
			"undelegate": func(rt *rapid.T) {
				if len(vals) == 0 {
					return
				}
				d, v := pickDelegation()
				amt := amountOf(d, v)
				try(func(s state.Store) (Result, error) {
					return f.k.Undelegate(s, f.height, f.now, acct(d), &MsgUndelegate{Delegator: acct(d), Validator: acct(v), Amount: amt})
				})
			},
			"redelegate": func(rt *rapid.T) {
				if len(vals) == 0 {
					return
				}
				d, src := pickDelegation()
				dst := pickVal()
				amt := amountOf(d, src)
				try(func(s state.Store) (Result, error) {
					return f.k.Redelegate(s, f.height, f.now, acct(d), &MsgRedelegate{Delegator: acct(d), Src: acct(src), Dst: acct(dst), Amount: amt})
				})
			},
			"slash": func(rt *rapid.T) {
				if len(vals) == 0 {
					return
				}
				v, _ := f.k.Validator(f.s, acct(pickVal()))
				infraction := rapid.Int64Range(max(1, f.height-6), f.height).Draw(rt, "infraction")
				power := rapid.Int64Range(0, v.ConsensusPower(p.PowerReduction)+100).Draw(rt, "power")
				den := rapid.Uint64Range(1, 20).Draw(rt, "den")
				frac := fraction.New(rapid.Uint64Range(0, den).Draw(rt, "num"), den)
				n, err := f.k.Slash(f.s, v.ConsAddress(), infraction, power, frac, f.height)
				if err != nil {
					rt.Fatal(err)
				}
				f.burned += n
			},
			"jail": func(rt *rapid.T) {
				if len(vals) == 0 {
					return
				}
				i := pickVal()
				if err := f.k.Jail(f.s, ConsAddress(pubKey(i)), f.now.Add(time.Duration(rapid.IntRange(0, 60).Draw(rt, "jail"))*time.Second)); err != nil {
					rt.Fatal(err)
				}
			},
			"unjail": func(rt *rapid.T) {
				if len(vals) == 0 {
					return
				}
				i := pickVal()
				try(func(s state.Store) (Result, error) {
					return events(f.k.Unjail(s, f.height, f.now, acct(i), &MsgUnjail{Validator: acct(i)}))
				})
			},
			"hold": func(rt *rapid.T) {
				es := f.k.Unbonding().Entries(f.s)
				if len(es) == 0 {
					return
				}
				e := rapid.SampledFrom(es).Draw(rt, "entry")
				holder := rapid.SampledFrom([]string{"c1", "c2"}).Draw(rt, "holder")
				if rapid.Bool().Draw(rt, "release") {
					_ = f.k.Unbonding().ReleaseHold(f.s, e.Id, holder)
				} else if err := f.k.Unbonding().PutOnHold(f.s, e.Id, holder); err != nil {
					rt.Fatal(err)
				}
			},
			"tombstone": func(rt *rapid.T) {
				// What double-sign evidence does (see package slashing).
				if len(vals) == 0 || rapid.IntRange(0, 4).Draw(rt, "rare") != 0 {
					return
				}
				v, _ := f.k.Validator(f.s, acct(pickVal()))
				if v.Tombstoned {
					return
				}
				n, err := f.k.Slash(f.s, v.ConsAddress(), max(1, f.height-1), v.ConsensusPower(p.PowerReduction), p.SlashFractionDoubleSign, f.height)
				if err != nil {
					rt.Fatal(err)
				}
				f.burned += n
				if err := f.k.Jail(f.s, v.ConsAddress(), JailedForever); err != nil {
					rt.Fatal(err)
				}
				if err := f.k.Tombstone(f.s, v.ConsAddress()); err != nil {
					rt.Fatal(err)
				}
			},
			"end block": func(rt *rapid.T) {
				f.holder = rapid.SampledFrom([]string{"", "c2"}).Draw(rt, "holder")
				f.endBlock(time.Duration(rapid.IntRange(1, 15).Draw(rt, "dt")) * time.Second)
				f.checkSet()
			},
		}
		names := make([]string, 0, len(actions))
		for name := range actions {
			names = append(names, name)
		}
		sort.Strings(names)
		steps := rapid.IntRange(50, 300).Draw(rt, "steps")
		for i := 0; i < steps; i++ {
			actions[rapid.SampledFrom(names).Draw(rt, "action")](rt)
			if err := f.invariants(); err != nil {
				rt.Fatal(err)
			}
		}
		// Nothing waits forever: with every hold released, every entry
		// completes one unbonding period later.
		f.holder = ""
		for _, e := range f.k.Unbonding().Entries(f.s) {
			for _, h := range e.Holders {
				if err := f.k.Unbonding().ReleaseHold(f.s, e.Id, h); err != nil {
					rt.Fatal(err)
				}
			}
		}
		f.endBlock(p.UnbondingPeriod)
		f.endBlock(time.Second)
		f.checkSet()
		if es := f.k.Unbonding().Entries(f.s); len(es) != 0 {
			rt.Fatalf("entries left: %v", es)
		}
		for _, v := range f.k.Validators(f.s) {
			if v.Status == BOND_STATUS_UNBONDING {
				rt.Fatalf("validator %X still unbonding", v.Operator)
			}
		}
	})
}

// events gives the result of an operation that starts no unbonding.
func events(evs []abci.Event, err error) (Result, error) { return Result{Events: evs}, err }

// index returns i such that acct(i) is addr.
func index(addr []byte) int {
	for i := 0; ; i++ {
		if string(acct(i)) == string(addr) {
			return i
		}
	}
}
