package distribution

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/types/coin"
	"github.com/abci-ics/ics/types/fraction"
)

func TestPrefixesFrozen(t *testing.T) {
	if prefixCommunityPool != 0x00 || prefixDelegatorStart != 0x04 || prefixValidatorRewards != 0x06 ||
		prefixCommission != 0x07 || keyParams != 0x09 {
		t.Fatal("distribution key prefixes changed")
	}
	if got := DelegatorStartKey([]byte{0xaa}, []byte{0xbb, 0xcc}); !bytes.Equal(got, []byte{0x04, 1, 0xaa, 2, 0xbb, 0xcc}) {
		t.Fatalf("start key %x", got)
	}
	if got := ValidatorRewardsKey([]byte{0xbb}, "st"); !bytes.Equal(got, []byte{0x06, 1, 0xbb, 's', 't'}) {
		t.Fatalf("rewards key %x", got)
	}
	if got := CommissionKey([]byte{0xbb}, "st"); !bytes.Equal(got, []byte{0x07, 1, 0xbb, 's', 't'}) {
		t.Fatalf("commission key %x", got)
	}
	if got := CommunityPoolKey("st"); !bytes.Equal(got, []byte{0x00, 's', 't'}) {
		t.Fatalf("pool key %x", got)
	}
	if Scale.String() != "1000000000000000000" {
		t.Fatal("scale changed")
	}
}

// check asserts the conservation invariant and an unchanged stake supply.
func (e *env) check(supply uint64) {
	e.t.Helper()
	if err := e.k.CheckInvariant(e.s); err != nil {
		e.t.Fatal(err)
	}
	if got := e.bank.Supply(e.s, denom); got != supply {
		e.t.Fatalf("supply %d, want %d", got, supply)
	}
}

// twoValidators: valA 300 tokens, 10% commission, delegations valA 100 and
// alice 200; valB 100 tokens, 5% commission, delegations alice 50 and bob
// 50.
func (e *env) twoValidators() {
	e.t.Helper()
	e.createValidator("valA", 10)
	e.createValidator("valB", 5)
	for _, d := range []struct {
		del, val string
		amount   uint64
	}{{"valA", "valA", 100}, {"alice", "valA", 200}, {"alice", "valB", 50}, {"bob", "valB", 50}} {
		if err := e.delegate(d.del, d.val, d.amount); err != nil {
			e.t.Fatal(err)
		}
	}
}

func TestExactRewards(t *testing.T) {
	e := newEnv(t)
	e.twoValidators()
	supply := e.bank.Supply(e.s, denom)
	// Each block: 1000 fees. Community tax 2%: 20. 980 to validators by
	// power 300:100: valA 735, valB 245. valA's commission floor(73.5) =
	// 73, its delegators 662; valB's commission floor(12.25) = 12, its
	// delegators 233.
	for range 3 {
		e.block(stake(1000))
		e.check(supply)
	}
	// valA's delegators hold 300 shares and got 3*662 = 1986: valA (100
	// shares) 662, alice (200) 1324, exact thanks to the carried
	// remainder. valB's 100 shares got 699: alice and bob 349.5 each,
	// rounded down to 349, leaving 1 of dust.
	want := []struct {
		del, val string
		amount   uint64
	}{{"valA", "valA", 662}, {"alice", "valA", 1324}, {"alice", "valB", 349}, {"bob", "valB", 349}}
	for _, w := range want {
		if got := amountOf(e.k.Rewards(e.s, addr(w.del), addr(w.val)), denom); got != w.amount {
			t.Errorf("pending %s->%s: %d, want %d", w.del, w.val, got, w.amount)
		}
	}
	if got := e.k.CommunityPool(e.s); !reflect.DeepEqual(got, []coin.Coin{stake(60)}) {
		t.Fatalf("community pool %v", got)
	}
	if got := e.k.Commission(e.s, addr("valA")); !reflect.DeepEqual(got, []coin.Coin{stake(219)}) {
		t.Fatalf("valA commission %v", got)
	}
	if got := e.k.Commission(e.s, addr("valB")); !reflect.DeepEqual(got, []coin.Coin{stake(36)}) {
		t.Fatalf("valB commission %v", got)
	}
	dr := e.k.DelegatorRewards(e.s, addr("alice"))
	if len(dr) != 2 || amountOf(dr[0].Rewards, denom)+amountOf(dr[1].Rewards, denom) != 1324+349 {
		t.Fatalf("alice's rewards %+v", dr)
	}
	for _, w := range want {
		got, err := e.withdraw(w.del, w.val)
		if err != nil || !reflect.DeepEqual(got, []coin.Coin{stake(w.amount)}) {
			t.Fatalf("withdraw %s->%s: %v %v, want %d", w.del, w.val, got, err, w.amount)
		}
		e.check(supply)
		// Withdrawing again pays nothing.
		if got, err := e.withdraw(w.del, w.val); err != nil || len(got) != 0 {
			t.Fatalf("second withdraw %s->%s: %v %v", w.del, w.val, got, err)
		}
	}
	if got := e.k.OutstandingRewards(e.s, addr("valB")); !reflect.DeepEqual(got, []coin.Coin{stake(1)}) {
		t.Fatalf("valB outstanding %v", got)
	}
	if got := e.k.OutstandingRewards(e.s, addr("valA")); len(got) != 0 {
		t.Fatalf("valA outstanding %v", got)
	}
	c := state.NewCache(e.s)
	evs, err := e.k.HandleWithdrawCommission(c, e.height, e.now, addr("valA"), &MsgWithdrawCommission{Validator: addr("valA")})
	if err != nil || evs[0].Attributes[1].Value != "219stake" {
		t.Fatalf("withdraw commission: %v %v", evs, err)
	}
	c.Write()
	if got := e.bank.Balance(e.s, addr("valA"), denom); got != 662+219 {
		t.Fatalf("valA holds %d", got)
	}
	e.check(supply)
}

func TestRewardsAfterDelegationChange(t *testing.T) {
	e := newEnv(t)
	e.twoValidators()
	supply := e.bank.Supply(e.s, denom)
	e.block(stake(1000))
	// Block 1 as in TestExactRewards: valA's 300 shares get 662, so
	// reward_per_share = 662e18/300 = 2206666666666666666 (remainder 200).
	// alice delegates 100 more to valA: she is paid
	// floor(200*2206666666666666666/1e18) = 441 with her old shares.
	if err := e.delegate("alice", "valA", 100); err != nil {
		t.Fatal(err)
	}
	if got := e.bank.Balance(e.s, addr("alice"), denom); got != 441 {
		t.Fatalf("alice paid %d on delegation, want 441", got)
	}
	e.check(supply)
	// Block 2: powers 400:100 of 500. valA gets floor(980*400/500) = 784,
	// commission floor(78.4) = 78, delegators 706 over 400 shares:
	// (706e18+200)/400 = 1765000000000000000 (remainder 200).
	e.block(stake(1000))
	// valA (100 shares from the start): floor(100*(2206666666666666666+
	// 1765000000000000000)/1e18) = floor(397.1666...) = 397.
	// alice (300 shares since block 2): floor(300*1.765) = floor(529.5) = 529.
	if got, _ := e.withdraw("valA", "valA"); amountOf(got, denom) != 397 {
		t.Fatalf("valA withdrew %v, want 397", got)
	}
	if got, _ := e.withdraw("alice", "valA"); amountOf(got, denom) != 529 {
		t.Fatalf("alice withdrew %v, want 529", got)
	}
	// 662+706 allocated, 441+397+529 paid: 1 of dust outstanding.
	if got := e.k.OutstandingRewards(e.s, addr("valA")); !reflect.DeepEqual(got, []coin.Coin{stake(1)}) {
		t.Fatalf("valA outstanding %v", got)
	}
	e.check(supply)

	// bob undelegates everything from valB: he is paid his share of
	// valB's 233 + 187 (block 2: floor(980*100/500) = 196, commission 9),
	// i.e. floor(50*(2.33+1.87)) = 210, and his start record goes away.
	if err := e.undelegate("bob", "valB", 50); err != nil {
		t.Fatal(err)
	}
	if got := e.bank.Balance(e.s, addr("bob"), denom); got != 210 {
		t.Fatalf("bob paid %d on undelegation, want 210", got)
	}
	if _, ok := start(kv(e.s), addr("bob"), addr("valB")); ok {
		t.Fatal("start record kept after full undelegation")
	}
	// alice now holds all of valB's shares and gets all of its rewards.
	e.block(stake(1000))
	e.check(supply)
	// Block 3: powers 400:50 of 450. valB gets floor(980*50/450) = 108,
	// commission floor(5.4) = 5, delegators 103, all alice's; plus her
	// share of blocks 1 and 2: floor(50*4.2) = 210.
	if got, _ := e.withdraw("alice", "valB"); amountOf(got, denom) != 313 {
		t.Fatalf("alice withdrew %v from valB, want 313", got)
	}
	if _, err := e.withdraw("bob", "valB"); !errors.Is(err, ErrNoDelegation) {
		t.Fatalf("withdraw without delegation: %v", err)
	}
	e.check(supply)
}

func TestInflationAndDenoms(t *testing.T) {
	e := newEnv(t)
	e.twoValidators()
	p := e.k.Params(e.s)
	p.InflationPerBlock = 500
	p.CommunityTax = fraction.New(0, 1)
	if err := e.k.SetParams(e.s, p); err != nil {
		t.Fatal(err)
	}
	supply := e.bank.Supply(e.s, denom)
	e.block(coin.Coin{Denom: "atom", Amount: 400})
	// 500 minted stake: valA 375 (commission 37, delegators 338), valB 125
	// (commission 6, delegators 119). 400 atom: valA 300 (30, 270), valB
	// 100 (5, 95).
	e.check(supply + 500)
	if got := e.k.Commission(e.s, addr("valA")); !reflect.DeepEqual(got, []coin.Coin{{Denom: "atom", Amount: 30}, stake(37)}) {
		t.Fatalf("valA commission %v", got)
	}
	if got := e.k.Rewards(e.s, addr("alice"), addr("valA")); !reflect.DeepEqual(got, []coin.Coin{{Denom: "atom", Amount: 180}, stake(225)}) {
		t.Fatalf("alice's rewards from valA %v", got)
	}
	if got := e.k.CommunityPool(e.s); len(got) != 0 {
		t.Fatalf("community pool %v", got)
	}
	e.block()
	e.check(supply + 1000)
}

func TestNoBondedValidators(t *testing.T) {
	e := newEnv(t)
	supply := e.bank.Supply(e.s, denom)
	e.block(stake(1000))
	if got := e.k.CommunityPool(e.s); !reflect.DeepEqual(got, []coin.Coin{stake(1000)}) {
		t.Fatalf("community pool %v", got)
	}
	// A bonded validator without delegator shares: commission to it, the
	// delegators' part to the community pool.
	e.createValidator("valA", 10)
	fv, _ := e.stk.validator(e.s, addr("valA"))
	fv.Tokens = 10
	e.stk.setValidator(e.s, addr("valA"), fv)
	e.block(stake(1000))
	if got := e.k.Commission(e.s, addr("valA")); !reflect.DeepEqual(got, []coin.Coin{stake(98)}) {
		t.Fatalf("commission %v", got)
	}
	if got := e.k.CommunityPool(e.s); !reflect.DeepEqual(got, []coin.Coin{stake(1902)}) {
		t.Fatalf("community pool %v", got)
	}
	e.check(supply)
	if err := e.k.SpendCommunityPool(e.s, addr("grantee"), []coin.Coin{stake(1903)}); !errors.Is(err, ErrInsufficientPool) {
		t.Fatalf("overspend: %v", err)
	}
	if err := e.k.SpendCommunityPool(e.s, addr("grantee"), []coin.Coin{stake(902)}); err != nil {
		t.Fatal(err)
	}
	if e.bank.Balance(e.s, addr("grantee"), denom) != 902 {
		t.Fatal("grant not paid")
	}
	e.check(supply)
}

func TestUnbondedValidatorKeepsRewards(t *testing.T) {
	e := newEnv(t)
	e.twoValidators()
	supply := e.bank.Supply(e.s, denom)
	e.block(stake(1000))
	fv, _ := e.stk.validator(e.s, addr("valB"))
	fv.Unbonded = true
	e.stk.setValidator(e.s, addr("valB"), fv)
	// valA alone gets the 980 of block 2: commission 98, delegators 882.
	e.block(stake(1000))
	if got := e.k.Commission(e.s, addr("valA")); amountOf(got, denom) != 73+98 {
		t.Fatalf("valA commission %v", got)
	}
	// valB's delegators keep what they earned while bonded.
	if got, _ := e.withdraw("bob", "valB"); amountOf(got, denom) != 116 {
		t.Fatalf("bob withdrew %v, want floor(233/2) = 116", got)
	}
	e.check(supply)
}

func TestValidatorRemoved(t *testing.T) {
	e := newEnv(t)
	e.twoValidators()
	supply := e.bank.Supply(e.s, denom)
	e.block(stake(1000))
	for _, d := range []string{"alice", "bob"} {
		if err := e.undelegate(d, "valB", 50); err != nil {
			t.Fatal(err)
		}
	}
	// 233 allocated, 116 paid to each: 1 of dust; commission 12.
	if err := e.k.AfterValidatorRemoved(e.s, addr("valB")); err != nil {
		t.Fatal(err)
	}
	if e.bank.Balance(e.s, addr("valB"), denom) != 12 {
		t.Fatal("commission not paid on removal")
	}
	if got := e.k.CommunityPool(e.s); !reflect.DeepEqual(got, []coin.Coin{stake(21)}) {
		t.Fatalf("community pool %v", got)
	}
	if len(e.k.OutstandingRewards(e.s, addr("valB"))) != 0 || len(e.k.Commission(e.s, addr("valB"))) != 0 {
		t.Fatal("records of a removed validator remain")
	}
	e.check(supply)
}

func TestHandlerErrors(t *testing.T) {
	e := newEnv(t)
	e.twoValidators()
	cases := []struct {
		name   string
		signer []byte
		m      *MsgWithdrawRewards
		want   error
	}{
		{"other signer", addr("bob"), &MsgWithdrawRewards{Delegator: addr("alice"), Validator: addr("valA")}, ErrUnauthorized},
		{"short delegator", addr("alice"), &MsgWithdrawRewards{Delegator: addr("alice")[:3], Validator: addr("valA")}, ErrInvalidAddress},
		{"short validator", addr("alice"), &MsgWithdrawRewards{Delegator: addr("alice"), Validator: nil}, ErrInvalidAddress},
		{"no delegation", addr("carol"), &MsgWithdrawRewards{Delegator: addr("carol"), Validator: addr("valA")}, ErrNoDelegation},
	}
	for _, c := range cases {
		if _, err := e.k.HandleWithdrawRewards(e.s, 1, e.now, c.signer, c.m); !errors.Is(err, c.want) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	if _, err := e.k.HandleWithdrawCommission(e.s, 1, e.now, addr("bob"), &MsgWithdrawCommission{Validator: addr("valA")}); !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("commission by another signer: %v", err)
	}
	evs, err := e.k.HandleWithdrawCommission(e.s, 1, e.now, addr("valA"), &MsgWithdrawCommission{Validator: addr("valA")})
	if err != nil || evs[0].Attributes[1].Value != "" {
		t.Fatalf("empty commission withdrawal: %v %v", evs, err)
	}
	// An invalid commission from staking fails the block.
	e.stk.setValidator(e.s, addr("valC"), fakeVal{Tokens: 1, Shares: 1, Num: 2, Den: 1})
	_ = e.bank.Send(e.s, addr("payer"), feeCollector, []coin.Coin{stake(1)})
	if _, err := e.k.BeginBlock(e.s, 2, e.now); !errors.Is(err, ErrInvalidValidator) {
		t.Fatalf("invalid commission: %v", err)
	}
}

// A delegation created without AfterDelegationModified earns nothing
// until its first withdrawal, and never takes others' rewards.
func TestDelegationWithoutHook(t *testing.T) {
	e := newEnv(t)
	e.twoValidators()
	e.block(stake(1000))
	e.stk.setShares(e.s, addr("carol"), addr("valA"), 300)
	fv, _ := e.stk.validator(e.s, addr("valA"))
	fv.Shares, fv.Tokens = fv.Shares+300, fv.Tokens+300
	e.stk.setValidator(e.s, addr("valA"), fv)
	if got, err := e.withdraw("carol", "valA"); err != nil || len(got) != 0 {
		t.Fatalf("first withdrawal %v %v", got, err)
	}
	e.block(stake(1000))
	if got, _ := e.withdraw("carol", "valA"); amountOf(got, denom) == 0 {
		t.Fatal("no rewards after the first withdrawal")
	}
	if err := e.k.CheckInvariant(e.s); err != nil {
		t.Fatal(err)
	}
}

func TestGenesis(t *testing.T) {
	e := newEnv(t)
	e.twoValidators()
	e.block(stake(1000), coin.Coin{Denom: "atom", Amount: 77})
	e.block(stake(1000))
	gs := e.k.ExportGenesis(e.s)
	if len(gs.ValidatorRewards) != 4 || len(gs.Commissions) != 2 || len(gs.DelegatorStarts) != 4 || len(gs.CommunityPool) != 2 {
		t.Fatalf("export %+v", gs)
	}
	e2 := newEnv(t)
	// Without the module account's balance the genesis is refused.
	if err := e2.k.InitGenesis(e2.s, gs); !errors.Is(err, ErrInvalidGenesis) {
		t.Fatalf("genesis without escrow: %v", err)
	}
	e2 = newEnv(t)
	if err := e2.bank.Mint(e2.s, moduleAddr, e.bank.Balances(e.s, moduleAddr)); err != nil {
		t.Fatal(err)
	}
	if err := e2.k.InitGenesis(e2.s, gs); err != nil {
		t.Fatal(err)
	}
	if again := e2.k.ExportGenesis(e2.s); !reflect.DeepEqual(again, gs) {
		t.Fatalf("round trip:\n%+v\n%+v", again, gs)
	}
	// Pending rewards survive the round trip.
	for _, d := range []struct{ del, val string }{{"alice", "valA"}, {"bob", "valB"}} {
		if a, b := e.k.Rewards(e.s, addr(d.del), addr(d.val)), e2.k.Rewards(e2.s, addr(d.del), addr(d.val)); !reflect.DeepEqual(a, b) {
			t.Fatalf("%s->%s: %v != %v", d.del, d.val, a, b)
		}
	}

	valid := func() *GenesisState {
		g := e.k.ExportGenesis(e.s)
		return g
	}
	breaks := map[string]func(g *GenesisState){
		"bad tax":          func(g *GenesisState) { g.Params.CommunityTax = fraction.New(3, 2) },
		"bad bond denom":   func(g *GenesisState) { g.Params.BondDenom = "x" },
		"zero pool coin":   func(g *GenesisState) { g.CommunityPool[0].Amount = 0 },
		"bad validator":    func(g *GenesisState) { g.ValidatorRewards[0].Validator = []byte{1} },
		"bad denom":        func(g *GenesisState) { g.ValidatorRewards[0].Denom = "!" },
		"negative rps":     func(g *GenesisState) { g.ValidatorRewards[0].Rewards.RewardPerShare = "-1" },
		"non-canonical":    func(g *GenesisState) { g.ValidatorRewards[0].Rewards.Remainder = "007" },
		"duplicate reward": func(g *GenesisState) { g.ValidatorRewards = append(g.ValidatorRewards, g.ValidatorRewards[0]) },
		"dup commission":   func(g *GenesisState) { g.Commissions = append(g.Commissions, g.Commissions[0]) },
		"zero shares":      func(g *GenesisState) { g.DelegatorStarts[0].Start.Shares = 0 },
		"bad start": func(g *GenesisState) {
			g.DelegatorStarts[0].Start.RewardPerShare = append(g.DelegatorStarts[0].Start.RewardPerShare, DenomValue{Denom: denom, Value: "x"})
		},
		"dup start": func(g *GenesisState) { g.DelegatorStarts = append(g.DelegatorStarts, g.DelegatorStarts[0]) },
	}
	for name, b := range breaks {
		g := valid()
		b(g)
		if err := ValidateGenesis(g); !errors.Is(err, ErrInvalidGenesis) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestSetParamJSON(t *testing.T) {
	e := newEnv(t)
	for _, c := range []struct{ key, value string }{
		{"community_tax", `"0.05"`}, {"inflation_per_block", `12`}, {"bond_denom", `"uatom"`},
	} {
		if err := e.k.SetParamJSON(e.s, c.key, c.value); err != nil {
			t.Fatalf("%s: %v", c.key, err)
		}
	}
	if p := e.k.Params(e.s); p.CommunityTax != fraction.New(5, 100) || p.InflationPerBlock != 12 || p.BondDenom != "uatom" {
		t.Fatalf("params %+v", p)
	}
	for _, c := range []struct {
		key, value string
		want       error
	}{
		{"nope", `1`, ErrUnknownParam},
		{"community_tax", `"1.5"`, ErrInvalidParams},
		{"community_tax", `0.5`, ErrInvalidParams},
		{"inflation_per_block", `-1`, ErrInvalidParams},
		{"inflation_per_block", `1 2`, ErrInvalidParams},
		{"bond_denom", `"x"`, ErrInvalidParams},
	} {
		if err := e.k.SetParamJSON(e.s, c.key, c.value); !errors.Is(err, c.want) {
			t.Errorf("%s=%s: %v", c.key, c.value, err)
		}
	}
}

func FuzzMessages(f *testing.F) {
	for _, m := range []interface{ Marshal() ([]byte, error) }{
		&MsgWithdrawRewards{Delegator: addr("a"), Validator: addr("b")},
		&MsgWithdrawCommission{Validator: addr("b")},
	} {
		bz, _ := m.Marshal()
		f.Add(bz)
	}
	f.Fuzz(func(t *testing.T, bz []byte) {
		type msg interface {
			Marshal() ([]byte, error)
			Unmarshal([]byte) error
			ValidateBasic() error
		}
		for _, mk := range []func() msg{
			func() msg { return &MsgWithdrawRewards{} },
			func() msg { return &MsgWithdrawCommission{} },
		} {
			m := mk()
			if m.Unmarshal(bz) != nil {
				continue
			}
			_ = m.ValidateBasic()
			out, err := m.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			m2 := mk()
			if err := m2.Unmarshal(out); err != nil {
				t.Fatal(err)
			}
			if out2, _ := m2.Marshal(); !bytes.Equal(out, out2) {
				t.Fatalf("%T: encoding not stable", m)
			}
		}
	})
}
