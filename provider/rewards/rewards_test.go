package rewards

import (
	"math"
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
