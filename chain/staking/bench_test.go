package staking

import (
	"testing"
	"time"

	"github.com/abci-ics/ics/state"
)

// benchFixture is a committed chain with 200 validators (180 bonded) and
// 10,000 delegations from 2,000 delegators.
func benchFixture(b *testing.B) *fixture {
	const validators, delegators, perDelegator = 200, 2_000, 5
	p := DefaultParams()
	f := newFixture(b, p, validators+delegators, 1_000_000_000)
	for i := 0; i < validators; i++ {
		f.createValidator(i, uint64(10_000_000+i*100_000))
	}
	for d := 0; d < delegators; d++ {
		for j := 0; j < perDelegator; j++ {
			f.delegate(acct(validators+d), acct((d*perDelegator+j)%validators), 1_000)
		}
	}
	if ups := f.endBlock(5 * time.Second); len(ups) != int(p.MaxValidators) {
		b.Fatalf("initial set of %d", len(ups))
	}
	if _, err := f.ms.Commit(); err != nil {
		b.Fatal(err)
	}
	return f
}

func BenchmarkEndBlock(b *testing.B) {
	f := benchFixture(b)
	b.Run("no_change", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			ups, _, err := f.k.EndBlock(state.NewCache(f.s), f.height, f.now)
			if err != nil || len(ups) != 0 {
				b.Fatal(len(ups), err)
			}
		}
	})
	b.Run("set_change", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			c := state.NewCache(f.s)
			// The weakest validator overtakes the strongest.
			if _, err := f.k.Delegate(c, f.height, f.now, acct(200), &MsgDelegate{Delegator: acct(200), Validator: acct(0), Amount: 50_000_000}); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			ups, _, err := f.k.EndBlock(c, f.height, f.now)
			if err != nil || len(ups) != 2 {
				b.Fatal(len(ups), err)
			}
		}
	})
}
