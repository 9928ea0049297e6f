package distribution

import (
	"testing"

	"github.com/abci-ics/ics/types/coin"
	"github.com/abci-ics/ics/types/fraction"
)

// TestAllocateToValidator pays a validator from an account in any
// denomination: commission, then its delegators by shares; the module
// account stays exactly what it owes.
func TestAllocateToValidator(t *testing.T) {
	e := newEnv(t)
	e.createValidator("v", 10)
	if err := e.delegate("alice", "v", 300); err != nil {
		t.Fatal(err)
	}
	if err := e.delegate("bob", "v", 100); err != nil {
		t.Fatal(err)
	}
	v := Validator{Operator: addr("v"), Tokens: 400, DelegatorShares: 400, Commission: fraction.New(1, 10)}
	pay := []coin.Coin{{Denom: "atom", Amount: 1001}}
	if err := e.k.AllocateToValidator(e.s, addr("payer"), v, pay); err != nil {
		t.Fatal(err)
	}
	if got := e.k.Commission(e.s, addr("v")); len(got) != 1 || got[0].Amount != 100 {
		t.Fatalf("commission %v, want 100atom", got)
	}
	a, err := e.withdraw("alice", "v")
	if err != nil {
		t.Fatal(err)
	}
	b, err := e.withdraw("bob", "v")
	if err != nil {
		t.Fatal(err)
	}
	// 901 to the delegators: 675.75 and 225.25, rounded down.
	if amountOf(a, "atom") != 675 || amountOf(b, "atom") != 225 {
		t.Fatalf("alice %v, bob %v", a, b)
	}
	if err := e.k.CheckInvariant(e.s); err != nil {
		t.Fatal(err)
	}
	// Without delegators the rest goes to the community pool.
	lone := Validator{Operator: addr("w"), Commission: fraction.New(1, 2)}
	if err := e.k.AllocateToValidator(e.s, addr("payer"), lone, []coin.Coin{{Denom: "atom", Amount: 11}}); err != nil {
		t.Fatal(err)
	}
	if got := amountOf(e.k.CommunityPool(e.s), "atom"); got != 6 {
		t.Fatalf("community pool %d atom, want 6", got)
	}
	if err := e.k.FundCommunityPool(e.s, addr("payer"), []coin.Coin{{Denom: "atom", Amount: 4}}); err != nil {
		t.Fatal(err)
	}
	if got := amountOf(e.k.CommunityPool(e.s), "atom"); got != 10 {
		t.Fatalf("community pool %d atom, want 10", got)
	}
	if err := e.k.CheckInvariant(e.s); err != nil {
		t.Fatal(err)
	}
	// A payer without the coins changes nothing the caller keeps.
	if err := e.k.FundCommunityPool(e.s, addr("nobody"), []coin.Coin{{Denom: "atom", Amount: 4}}); err == nil {
		t.Fatal("funded from an empty account")
	}
	if err := e.k.AllocateToValidator(e.s, addr("payer"), Validator{Operator: []byte{1}}, []coin.Coin{{Denom: "atom", Amount: 1}}); err == nil {
		t.Fatal("allocated to an operator that is not an address")
	}
}
