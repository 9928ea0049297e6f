package distribution

import (
	"math/big"
	"testing"

	"pgregory.net/rapid"

	"github.com/abci-ics/ics/types/coin"
	"github.com/abci-ics/ics/types/fraction"
)

// model is the reference: each delegation's exact (rational) entitlement,
// accrued block by block from the allocation rules, against what the
// keeper paid.
type model struct {
	entitled map[string]*big.Rat // del/val/denom
	paid     map[string]uint64   // del/val/denom
	resets   map[string]int      // del/val: withdrawals and share changes
}

func mkey(del, val string) string { return del + "/" + val }

// delegations lists the fake staking's delegations to val with shares.
func (e *env) delegations(val string, names []string) map[string]uint64 {
	out := map[string]uint64{}
	for _, d := range names {
		if sh, ok := e.stk.Delegation(e.s, addr(d), addr(val)); ok {
			out[d] = sh
		}
	}
	return out
}

// TestAccumulatorProperty drives random blocks, delegations, undelegations,
// slashes, unbondings and withdrawals, and checks after every step that the
// module account holds exactly what it owes, that the supply moves only by
// inflation, and that every delegation's paid plus pending rewards are
// within rounding of its exact entitlement.
func TestAccumulatorProperty(t *testing.T) {
	vals := []string{"v0", "v1", "v2"}
	dels := []string{"v0", "v1", "v2", "d0", "d1", "d2"}
	denoms := []string{"atom", denom}
	byAddr := map[string]string{}
	for _, v := range vals {
		byAddr[string(addr(v))] = v
	}
	rapid.Check(t, func(rt *rapid.T) {
		e := newEnv(t)
		p := e.k.Params(e.s)
		p.CommunityTax = fraction.Fraction{Numerator: rapid.Uint64Range(0, 10).Draw(rt, "tax"), Denominator: 100}
		p.InflationPerBlock = rapid.Uint64Range(0, 1000).Draw(rt, "inflation")
		if err := e.k.SetParams(e.s, p); err != nil {
			rt.Fatal(err)
		}
		m := model{entitled: map[string]*big.Rat{}, paid: map[string]uint64{}, resets: map[string]int{}}
		balances := func(del string) []coin.Coin { return e.bank.Balances(e.s, addr(del)) }
		pay := func(del, val string, before []coin.Coin) {
			for _, c := range diff(before, balances(del)) {
				m.paid[mkey(del, val)+"/"+c.Denom] += c.Amount
			}
			m.resets[mkey(del, val)]++
		}
		for _, v := range vals {
			e.createValidator(v, rapid.Uint64Range(0, 100).Draw(rt, "commission"))
			if err := e.delegate(v, v, rapid.Uint64Range(1, 1000).Draw(rt, "self")); err != nil {
				rt.Fatal(err)
			}
		}
		supply := e.bank.Supply(e.s, denom)
		steps := rapid.IntRange(1, 40).Draw(rt, "steps")
		for step := range steps {
			del := rapid.SampledFrom(dels).Draw(rt, "del")
			val := rapid.SampledFrom(vals).Draw(rt, "val")
			switch rapid.IntRange(0, 5).Draw(rt, "action") {
			case 0, 1: // a block
				fees := []coin.Coin{
					{Denom: "atom", Amount: rapid.Uint64Range(0, 1_000_000_000_000).Draw(rt, "atom")},
					stake(rapid.Uint64Range(0, 100_000).Draw(rt, "stake")),
				}
				var paid []coin.Coin
				for _, c := range fees {
					if c.Amount > 0 {
						paid = append(paid, c)
					}
				}
				total := map[string]uint64{"atom": fees[0].Amount, denom: fees[1].Amount + p.InflationPerBlock}
				var power uint64
				bonded := e.stk.BondedValidators(e.s)
				for _, v := range bonded {
					power += v.Tokens
				}
				for _, d := range denoms {
					a := total[d]
					toVals := a - a*p.CommunityTax.Numerator/p.CommunityTax.Denominator
					for _, v := range bonded {
						if power == 0 || v.DelegatorShares == 0 {
							continue
						}
						r := new(big.Int).SetUint64(toVals)
						r.Mul(r, new(big.Int).SetUint64(v.Tokens)).Quo(r, new(big.Int).SetUint64(power))
						toDels := r.Uint64() - v.Commission.MulFloor(r.Uint64())
						name := byAddr[string(v.Operator)]
						for dn, sh := range e.delegations(name, dels) {
							k := mkey(dn, name) + "/" + d
							if m.entitled[k] == nil {
								m.entitled[k] = new(big.Rat)
							}
							num := new(big.Int).SetUint64(toDels)
							num.Mul(num, new(big.Int).SetUint64(sh))
							m.entitled[k].Add(m.entitled[k], new(big.Rat).SetFrac(num, new(big.Int).SetUint64(v.DelegatorShares)))
						}
					}
				}
				e.block(paid...)
				supply += p.InflationPerBlock
			case 2: // delegate
				before := balances(del)
				if err := e.delegate(del, val, rapid.Uint64Range(1, 1_000_000_000).Draw(rt, "amount")); err == nil {
					pay(del, val, before)
				}
			case 3: // undelegate part or all
				if sh, ok := e.stk.Delegation(e.s, addr(del), addr(val)); ok {
					before := balances(del)
					if err := e.undelegate(del, val, rapid.Uint64Range(1, sh).Draw(rt, "shares")); err != nil {
						rt.Fatal(err)
					}
					pay(del, val, before)
				}
			case 4: // withdraw
				before := balances(del)
				if _, err := e.withdraw(del, val); err == nil {
					pay(del, val, before)
				}
			case 5: // slash or flip bonded
				fv, _ := e.stk.validator(e.s, addr(val))
				if rapid.Bool().Draw(rt, "slash") {
					fv.Tokens = fv.Tokens * rapid.Uint64Range(1, 99).Draw(rt, "keep") / 100
				} else {
					fv.Unbonded = !fv.Unbonded
				}
				e.stk.setValidator(e.s, addr(val), fv)
			}
			if err := e.k.CheckInvariant(e.s); err != nil {
				rt.Fatalf("step %d: %v", step, err)
			}
			if got := e.bank.Supply(e.s, denom); got != supply {
				rt.Fatalf("step %d: supply %d, want %d", step, got, supply)
			}
			for _, d := range dels {
				for _, v := range vals {
					pending := e.k.Rewards(e.s, addr(d), addr(v))
					for _, dn := range denoms {
						k := mkey(d, v) + "/" + dn
						got := new(big.Rat).SetInt64(int64(m.paid[k] + amountOf(pending, dn)))
						want := m.entitled[k]
						if want == nil {
							want = new(big.Rat)
						}
						// Each withdrawal or share change rounds down once (by
						// less than 1); the fixed point may add a hair.
						lo := new(big.Rat).Sub(want, big.NewRat(int64(m.resets[mkey(d, v)]+1), 1))
						hi := new(big.Rat).Add(want, big.NewRat(1, 1000))
						if got.Cmp(lo) < 0 || got.Cmp(hi) > 0 {
							rt.Fatalf("step %d: %s paid+pending %s, entitled %s (resets %d)",
								step, k, got.RatString(), want.FloatString(4), m.resets[mkey(d, v)])
						}
					}
				}
			}
		}
	})
}
