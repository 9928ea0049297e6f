package bank

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/state/typed"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/coin"
)

// ValidateGenesis checks the bank genesis without touching state: valid
// addresses under prefix, valid coins, no address twice, no supply overflow.
func ValidateGenesis(gs *GenesisState, prefix string) error {
	seen := make(map[string]struct{}, len(gs.Balances))
	supply := map[string]uint64{}
	for i, b := range gs.Balances {
		addr, err := address.Decode(prefix, b.Address)
		if err != nil {
			return fmt.Errorf("%w: balance %d: %v", ErrInvalidGenesis, i, err)
		}
		if _, dup := seen[string(addr)]; dup {
			return fmt.Errorf("%w: balance %d: address %s appears twice", ErrInvalidGenesis, i, b.Address)
		}
		seen[string(addr)] = struct{}{}
		if err := coin.ValidateCoins(b.Coins); err != nil {
			return fmt.Errorf("%w: balance %d (%s): %v", ErrInvalidGenesis, i, b.Address, err)
		}
		for _, c := range b.Coins {
			s, err := add(supply[c.Denom], c.Amount)
			if err != nil {
				return fmt.Errorf("%w: supply of %s: %v", ErrInvalidGenesis, c.Denom, err)
			}
			supply[c.Denom] = s
		}
	}
	return nil
}

// InitGenesis validates gs and writes its balances and the resulting
// supply. Balances are written in address order so that the tree is the
// same whatever the order of the file.
func (k Keeper) InitGenesis(s state.Store, gs *GenesisState) error {
	if err := ValidateGenesis(gs, k.Prefix); err != nil {
		return err
	}
	type entry struct {
		addr  []byte
		coins []coin.Coin
	}
	entries := make([]entry, 0, len(gs.Balances))
	for _, b := range gs.Balances {
		addr, _ := address.Decode(k.Prefix, b.Address)
		entries = append(entries, entry{addr, b.Coins})
	}
	sort.Slice(entries, func(i, j int) bool { return bytes.Compare(entries[i].addr, entries[j].addr) < 0 })
	for _, e := range entries {
		if err := k.Mint(s, e.addr, e.coins); err != nil {
			return fmt.Errorf("%w: %v", ErrInvalidGenesis, err)
		}
	}
	return nil
}

// ExportGenesis returns every balance, in address order, each account's
// coins sorted by denomination.
func (k Keeper) ExportGenesis(s state.Store) *GenesisState {
	byAddr := map[string][]coin.Coin{}
	typed.Each(kv(s), []byte{prefixBalance}, func(rest []byte, a coin.Amount) {
		n := int(rest[0])
		addr, denom := rest[1:1+n], string(rest[1+n:])
		byAddr[string(addr)] = append(byAddr[string(addr)], coin.Coin{Denom: denom, Amount: a.Amount})
	})
	if k.Accounts != nil {
		denom := k.Accounts.NativeDenom(s)
		k.Accounts.IterateNativeBalances(s, func(addr []byte, amount uint64) {
			byAddr[string(addr)] = append(byAddr[string(addr)], coin.Coin{Denom: denom, Amount: amount})
		})
	}
	gs := &GenesisState{}
	for _, addr := range slices.Sorted(maps.Keys(byAddr)) {
		coins := byAddr[addr]
		slices.SortFunc(coins, func(a, b coin.Coin) int { return strings.Compare(a.Denom, b.Denom) })
		gs.Balances = append(gs.Balances, GenesisBalance{Address: address.Encode(k.Prefix, []byte(addr)), Coins: coins})
	}
	return gs
}
