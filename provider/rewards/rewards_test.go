package rewards

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/abci-ics/ics/provider/vsc"
	"github.com/abci-ics/ics/types/coin"
)

// TestSplitExact splits by power with exact integers: each share rounded
// down, the remainder kept, members without power skipped.
func TestSplitExact(t *testing.T) {
	set := []vsc.Member{{ProviderAddr: []byte("a"), Power: 1}, {ProviderAddr: []byte("b"), Power: 2},
		{ProviderAddr: []byte("c"), Power: 3}, {ProviderAddr: []byte("d"), Power: 0}}
	pool := []coin.Coin{{Denom: "x", Amount: 100}, {Denom: "y", Amount: 7}, {Denom: "z", Amount: math.MaxUint64}}
	shares, rest := Split(pool, set)
	if len(shares) != 3 {
		t.Fatalf("%d shares, want 3", len(shares))
	}
	third := uint64(math.MaxUint64 / 6)
	want := [][]coin.Coin{
		{{Denom: "x", Amount: 16}, {Denom: "y", Amount: 1}, {Denom: "z", Amount: third}},
		{{Denom: "x", Amount: 33}, {Denom: "y", Amount: 2}, {Denom: "z", Amount: math.MaxUint64 / 3}},
		{{Denom: "x", Amount: 50}, {Denom: "y", Amount: 3}, {Denom: "z", Amount: math.MaxUint64 / 2}},
	}
	for i, sh := range shares {
		if coin.FormatCoins(sh.Coins) != coin.FormatCoins(want[i]) {
			t.Errorf("share %s: %v, want %v", sh.ProviderAddr, sh.Coins, want[i])
		}
	}
	zrest := uint64(math.MaxUint64) - third - math.MaxUint64/3 - math.MaxUint64/2
	if got := coin.FormatCoins(rest); got != coin.FormatCoins([]coin.Coin{{Denom: "x", Amount: 1}, {Denom: "y", Amount: 1}, {Denom: "z", Amount: zrest}}) {
		t.Errorf("rest %s", got)
	}
	// Without power nothing moves.
	if shares, rest := Split(pool, []vsc.Member{{ProviderAddr: []byte("a")}}); shares != nil || len(rest) != 3 {
		t.Errorf("no power: %v %v", shares, rest)
	}
}

// TestSplitConserves: over many pools and sets, the shares and what stays
// add up to the pool, each share is floor(amount*power/total), and what
// stays is less than the number of members in each denomination.
func TestSplitConserves(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	for n := 0; n < 500; n++ {
		var set []vsc.Member
		var total uint64
		for i := 0; i < 1+r.IntN(8); i++ {
			p := r.Int64N(1000)
			set = append(set, vsc.Member{ProviderAddr: []byte{byte(i)}, Power: p})
			total += uint64(p)
		}
		pool := []coin.Coin{{Denom: "a", Amount: r.Uint64N(1 << 40)}, {Denom: "b", Amount: r.Uint64()}}
		shares, rest := Split(pool, set)
		got := map[string]uint64{}
		for _, sh := range shares {
			for _, c := range sh.Coins {
				got[c.Denom] += c.Amount
			}
		}
		for _, c := range rest {
			if total > 0 && c.Amount >= uint64(len(set)) {
				t.Fatalf("pool %v, set %v: %d %s stays", pool, set, c.Amount, c.Denom)
			}
			got[c.Denom] += c.Amount
		}
		for _, c := range pool {
			if total > 0 && got[c.Denom] != c.Amount {
				t.Fatalf("pool %v, set %v: %d %s accounted for", pool, set, got[c.Denom], c.Denom)
			}
		}
	}
}
