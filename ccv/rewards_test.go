package ccv_test

import (
	"math"
	"slices"
	"testing"

	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/types/coin"
	"github.com/abci-ics/ics/types/fraction"
)

func TestSplitFees(t *testing.T) {
	fees := []coin.Coin{{Denom: "a", Amount: 1}, {Denom: "b", Amount: 3}, {Denom: "c", Amount: 1001}, {Denom: "d", Amount: math.MaxUint64}}
	for _, tc := range []struct {
		keep           fraction.Fraction
		kept, provider []coin.Coin
	}{
		{fraction.New(3, 4),
			[]coin.Coin{{Denom: "b", Amount: 2}, {Denom: "c", Amount: 750}, {Denom: "d", Amount: 13835058055282163711}},
			[]coin.Coin{{Denom: "a", Amount: 1}, {Denom: "b", Amount: 1}, {Denom: "c", Amount: 251}, {Denom: "d", Amount: 4611686018427387904}}},
		{fraction.New(1, 1), fees, nil},
		{fraction.New(0, 1), nil, fees},
		{fraction.New(1, 3),
			[]coin.Coin{{Denom: "b", Amount: 1}, {Denom: "c", Amount: 333}, {Denom: "d", Amount: 6148914691236517205}},
			[]coin.Coin{{Denom: "a", Amount: 1}, {Denom: "b", Amount: 2}, {Denom: "c", Amount: 668}, {Denom: "d", Amount: 12297829382473034410}}},
	} {
		kept, provider := ccv.SplitFees(fees, tc.keep)
		if !slices.Equal(kept, tc.kept) || !slices.Equal(provider, tc.provider) {
			t.Errorf("SplitFees(%s) = %v, %v; want %v, %v", tc.keep, kept, provider, tc.kept, tc.provider)
		}
		for _, f := range fees {
			var sum uint64
			for _, c := range append(slices.Clone(kept), provider...) {
				if c.Denom == f.Denom {
					sum += c.Amount
				}
			}
			if sum != f.Amount {
				t.Errorf("SplitFees(%s): %s parts add to %d, want %d", tc.keep, f.Denom, sum, f.Amount)
			}
		}
	}
}
