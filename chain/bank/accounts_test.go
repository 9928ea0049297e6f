package bank

import (
	"bytes"
	"maps"
	"slices"
	"testing"

	dbm "github.com/cosmos/cosmos-db"

	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/coin"
)

// recordAccounts is a test Accounts keeping native balances in a map.
type recordAccounts struct{ bal map[string]uint64 }

func (recordAccounts) NativeDenom(state.Store) string { return "stake" }
func (r recordAccounts) NativeBalance(_ state.Store, addr []byte) uint64 {
	return r.bal[string(addr)]
}
func (r recordAccounts) SetNativeBalance(_ state.Store, addr []byte, amount uint64) {
	r.bal[string(addr)] = amount
}
func (r recordAccounts) IterateNativeBalances(_ state.Store, fn func([]byte, uint64)) {
	for _, a := range slices.Sorted(maps.Keys(r.bal)) {
		if r.bal[a] > 0 {
			fn([]byte(a), r.bal[a])
		}
	}
}

// TestNativeBalancesInRecords: the native denomination moves through the
// account records only, every other denomination through the bank store,
// and the queries and the export show both.
func TestNativeBalancesInRecords(t *testing.T) {
	ms, err := state.Open(dbm.NewMemDB(), []string{StoreName}, state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ms.Close()
	s := ms.Working()
	recs := recordAccounts{bal: map[string]uint64{}}
	k := Keeper{Prefix: "ics", Accounts: recs}
	alice, bob := bytes.Repeat([]byte{1}, address.Len), bytes.Repeat([]byte{2}, address.Len)
	if err := k.Mint(s, alice, []coin.Coin{{Denom: "stake", Amount: 100}, {Denom: "atom", Amount: 7}, {Denom: "zeta", Amount: 1}}); err != nil {
		t.Fatal(err)
	}
	if err := k.Send(s, alice, bob, []coin.Coin{{Denom: "stake", Amount: 40}, {Denom: "atom", Amount: 2}}); err != nil {
		t.Fatal(err)
	}
	if recs.bal[string(alice)] != 60 || recs.bal[string(bob)] != 40 {
		t.Fatalf("records hold %v", recs.bal)
	}
	if s.KV(StoreName).Has(BalanceKey(alice, "stake")) || s.KV(StoreName).Has(BalanceKey(bob, "stake")) {
		t.Fatal("a native balance was written to the bank store")
	}
	if k.Balance(s, bob, "atom") != 2 || getAmount(s.KV(StoreName), BalanceKey(bob, "atom")) != 2 {
		t.Fatal("atom did not move through the bank store")
	}
	if got := k.Balances(s, alice); !slices.Equal(got, []coin.Coin{{Denom: "atom", Amount: 5}, {Denom: "stake", Amount: 60}, {Denom: "zeta", Amount: 1}}) {
		t.Fatalf("alice's balances %v", got)
	}
	if k.Supply(s, "stake") != 100 {
		t.Fatalf("supply %d", k.Supply(s, "stake"))
	}
	if err := k.Send(s, bob, alice, []coin.Coin{{Denom: "stake", Amount: 41}}); err == nil {
		t.Fatal("overdraft of a native balance succeeded")
	}
	if err := k.Burn(s, bob, []coin.Coin{{Denom: "stake", Amount: 40}}); err != nil || recs.bal[string(bob)] != 0 || k.Supply(s, "stake") != 60 {
		t.Fatalf("burn: %v, bob %d, supply %d", err, recs.bal[string(bob)], k.Supply(s, "stake"))
	}
	gs := k.ExportGenesis(s)
	want := []GenesisBalance{
		{Address: address.Encode("ics", alice), Coins: []coin.Coin{{Denom: "atom", Amount: 5}, {Denom: "stake", Amount: 60}, {Denom: "zeta", Amount: 1}}},
		{Address: address.Encode("ics", bob), Coins: []coin.Coin{{Denom: "atom", Amount: 2}}},
	}
	if !slices.EqualFunc(gs.Balances, want, func(a, b GenesisBalance) bool {
		return a.Address == b.Address && slices.Equal(a.Coins, b.Coins)
	}) {
		t.Fatalf("export %v, want %v", gs.Balances, want)
	}
}
