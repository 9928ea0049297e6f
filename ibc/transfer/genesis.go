package transfer

import (
	"fmt"
	"sort"

	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/state/typed"
	"github.com/abci-ics/ics/types/coin"
)

// DefaultGenesis is the genesis of a chain that has never transferred:
// both directions enabled, no traces, nothing escrowed.
func DefaultGenesis() *GenesisState { return &GenesisState{Params: DefaultParams()} }

// ValidateGenesis checks the transfer genesis without touching state: each
// trace names a voucher denomination that checkDenom accepts, has a
// non-empty path, and its path and base are SplitDenom's; no denomination
// appears twice in traces or in the escrow totals; each total is a valid
// positive coin. That the escrow accounts hold the totals is the bank
// genesis' part and is not checked here.
func ValidateGenesis(gs *GenesisState) error {
	seen := make(map[string]struct{}, len(gs.DenomTraces))
	for i, t := range gs.DenomTraces {
		if err := checkDenom(t.Denom); err != nil {
			return fmt.Errorf("%w: trace %d: %v", ErrInvalidGenesis, i, err)
		}
		path, base := SplitDenom(t.Denom)
		if path == "" || path != t.Path || base != t.BaseDenom {
			return fmt.Errorf("%w: trace %d: %q splits into path %q and base %q, not %q and %q", ErrInvalidGenesis, i, t.Denom, path, base, t.Path, t.BaseDenom)
		}
		if _, dup := seen[t.Denom]; dup {
			return fmt.Errorf("%w: trace %d: %q appears twice", ErrInvalidGenesis, i, t.Denom)
		}
		seen[t.Denom] = struct{}{}
	}
	if len(gs.TotalEscrow) > 0 {
		if err := coin.ValidateCoins(gs.TotalEscrow); err != nil {
			return fmt.Errorf("%w: total escrow: %v", ErrInvalidGenesis, err)
		}
	}
	return nil
}

// InitGenesis validates gs and writes it, in key order.
func (k Keeper) InitGenesis(s state.Store, gs *GenesisState) error {
	if err := ValidateGenesis(gs); err != nil {
		return err
	}
	k.SetParams(s, gs.Params)
	traces := append([]DenomTrace(nil), gs.DenomTraces...)
	sort.Slice(traces, func(i, j int) bool { return traces[i].Denom < traces[j].Denom })
	for i := range traces {
		typed.Set(kv(s), DenomTraceKey(traces[i].Denom), &traces[i])
	}
	escrow := append([]coin.Coin(nil), gs.TotalEscrow...)
	coin.SortCoins(escrow)
	for _, c := range escrow {
		k.setTotalEscrow(s, c.Denom, c.Amount)
	}
	return nil
}

// ExportGenesis returns the parameters, every trace and every escrow total.
func (k Keeper) ExportGenesis(s state.Store) *GenesisState {
	return &GenesisState{Params: k.Params(s), DenomTraces: k.DenomTraces(s), TotalEscrow: k.TotalEscrows(s)}
}
