package staking

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/abci-ics/ics/chain/staking/shares"
	"github.com/abci-ics/ics/chain/staking/unbonding"
	"github.com/abci-ics/ics/types/fraction"
)

func TestPrefixesFrozen(t *testing.T) {
	got := []byte{keyParams, keyNextUnbondingID, prefixLastPower, prefixValidator, prefixByConsAddr, prefixByPower,
		prefixDelegation, prefixDelegationTo, prefixUndelByPair, prefixEntryBySrc, prefixRedelByDst, prefixUnbonding,
		prefixQueue, prefixSigningInfo, prefixMissed}
	want := []byte{0x01, 0x02, 0x11, 0x21, 0x22, 0x23, 0x31, 0x32, 0x33, 0x35, 0x36, 0x38, 0x41, 0x51, 0x52}
	if !bytes.Equal(got, want) {
		t.Fatalf("staking key prefixes changed: %x", got)
	}
	if k := PowerKey(1, []byte{0xaa}); !bytes.Equal(k, []byte{0x23, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xaa}) {
		t.Fatalf("power key %x", k)
	}
	if k := QueueKey(0, 7); !bytes.Equal(k, []byte{0x41, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7}) {
		t.Fatalf("queue key %x", k)
	}
	if bytes.Compare(QueueKey(-1, 9), QueueKey(0, 1)) >= 0 || bytes.Compare(QueueKey(5, 9), QueueKey(6, 1)) >= 0 {
		t.Fatal("queue keys are not in time order")
	}
}

func TestParamsValidate(t *testing.T) {
	if err := DefaultParams().Validate(); err != nil {
		t.Fatal(err)
	}
	for name, breakIt := range map[string]func(*Params){
		"denom":       func(p *Params) { p.BondDenom = "x" },
		"unbonding":   func(p *Params) { p.UnbondingPeriod = 0 },
		"validators":  func(p *Params) { p.MaxValidators = 0 },
		"too many":    func(p *Params) { p.MaxValidators = MaxValidatorsLimit + 1 },
		"reduction":   func(p *Params) { p.PowerReduction = 0 },
		"min self":    func(p *Params) { p.MinSelfDelegation = 0 },
		"entries":     func(p *Params) { p.MaxEntries = 0 },
		"window":      func(p *Params) { p.SignedBlocksWindow = 0 },
		"min signed":  func(p *Params) { p.MinSignedPerWindow = fraction.New(3, 2) },
		"jail":        func(p *Params) { p.DowntimeJailDuration = -time.Second },
		"downtime":    func(p *Params) { p.SlashFractionDowntime = fraction.New(1, 0) },
		"double sign": func(p *Params) { p.SlashFractionDoubleSign = fraction.New(2, 1) },
	} {
		p := DefaultParams()
		breakIt(&p)
		if err := p.Validate(); !errors.Is(err, ErrInvalidParams) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestDelegationLifecycle: power follows delegations, each change is
// reported once, undelegations complete exactly at their time, holds delay
// them until released, and the supply is conserved throughout.
func TestDelegationLifecycle(t *testing.T) {
	f := newFixture(t, testParams(), 4, 10_000)
	val := f.createValidator(0, 1_000)
	ups := f.endBlock(time.Second)
	if len(ups) != 1 || ups[0].Power != 100 {
		t.Fatalf("first set %v", ups)
	}
	if v, _ := f.k.Validator(f.s, val); v.Status != BOND_STATUS_BONDED || f.balance(bondedPool) != 1_000 {
		t.Fatalf("validator %v, bonded pool %d", v, f.balance(bondedPool))
	}
	if ups := f.endBlock(time.Second); len(ups) != 0 {
		t.Fatalf("no change, got %v", ups)
	}
	del := f.accs[1]
	f.delegate(del, val, 500)
	if ups := f.endBlock(time.Second); len(ups) != 1 || ups[0].Power != 150 {
		t.Fatalf("after delegation %v", ups)
	}
	if ups := f.endBlock(time.Second); len(ups) != 0 {
		t.Fatalf("update repeated: %v", ups)
	}

	f.undelegate(del, val, 200)
	if f.balance(del) != 10_000-500 {
		t.Fatalf("tokens returned early: %d", f.balance(del))
	}
	entries := f.k.Unbonding().EntriesOf(f.s, del)
	if len(entries) != 1 || entries[0].Balance != 200 || entries[0].CompletionTime() != f.now.Add(100*time.Second) {
		t.Fatalf("entries %v", entries)
	}
	done := entries[0].CompletionTime()
	if ups := f.endBlock(done.Sub(f.now) - time.Nanosecond); len(ups) != 1 || ups[0].Power != 130 {
		t.Fatalf("after undelegation %v", ups)
	}
	f.endBlock(time.Nanosecond) // one nanosecond before completion
	if f.balance(del) != 9_500 || len(f.k.Unbonding().Entries(f.s)) != 1 {
		t.Fatal("completed before its time")
	}
	if !f.now.Equal(done) {
		t.Fatalf("clock %v, completion %v", f.now, done)
	}
	f.endBlock(time.Second) // exactly at completion
	if f.balance(del) != 9_700 || len(f.k.Unbonding().Entries(f.s)) != 0 {
		t.Fatalf("not completed at its time: balance %d", f.balance(del))
	}

	// With a hold, maturity is not enough.
	f.holder = "consumer-1"
	id := f.undelegate(del, val, 100)
	f.endBlock(200 * time.Second)
	f.endBlock(time.Second)
	e, ok := f.k.Unbonding().Entry(f.s, id)
	if !ok || !e.Matured || len(e.Holders) != 1 || f.balance(del) != 9_700 {
		t.Fatalf("held entry %v %v", e, ok)
	}
	if err := f.k.Unbonding().ReleaseHold(f.s, id, "consumer-2"); !errors.Is(err, unbonding.ErrInvalidHolder) {
		t.Fatalf("release by a non-holder: %v", err)
	}
	if err := f.k.Unbonding().ReleaseHold(f.s, id, "consumer-1"); err != nil {
		t.Fatal(err)
	}
	if f.balance(del) != 9_700 {
		t.Fatal("release completed the entry before EndBlock")
	}
	f.endBlock(time.Second)
	if _, ok := f.k.Unbonding().Entry(f.s, id); ok || f.balance(del) != 9_800 {
		t.Fatalf("released entry not completed: %d", f.balance(del))
	}
	if err := f.k.Unbonding().ReleaseHold(f.s, id, "consumer-1"); !errors.Is(err, unbonding.ErrNotFound) {
		t.Fatalf("release of a completed entry: %v", err)
	}
	// A hold released before maturity changes nothing.
	id = f.undelegate(del, val, 100)
	if err := f.k.Unbonding().ReleaseHold(f.s, id, "consumer-1"); err != nil {
		t.Fatal(err)
	}
	f.endBlock(50 * time.Second)
	if _, ok := f.k.Unbonding().Entry(f.s, id); !ok {
		t.Fatal("completed early after release")
	}
	f.endBlock(60 * time.Second)
	f.endBlock(time.Second)
	if _, ok := f.k.Unbonding().Entry(f.s, id); ok || f.balance(del) != 9_900 {
		t.Fatal("not completed")
	}
	f.checkSet()
}

// TestValidatorUnbonding: a validator leaving the set unbonds, is held,
// completes; a validator coming back cancels its unbonding.
func TestValidatorUnbonding(t *testing.T) {
	p := testParams()
	p.MaxValidators = 1
	f := newFixture(t, p, 3, 10_000)
	a := f.createValidator(0, 1_000)
	b := f.createValidator(1, 500)
	f.endBlock(time.Second)
	f.checkSet()
	f.holder = "consumer-1"
	f.delegate(f.accs[2], b, 1_000) // b overtakes a
	ups := f.endBlock(time.Second)
	if len(ups) != 2 {
		t.Fatalf("updates %v", ups)
	}
	f.checkSet()
	va, _ := f.k.Validator(f.s, a)
	if va.Status != BOND_STATUS_UNBONDING || f.balance(notBondedPool) != 1_000 || f.balance(bondedPool) != 1_500 {
		t.Fatalf("a %v, pools %d %d", va.Status, f.balance(bondedPool), f.balance(notBondedPool))
	}
	e, ok := f.k.Unbonding().Entry(f.s, va.UnbondingId)
	if !ok || e.Kind != unbonding.UNBONDING_KIND_VALIDATOR || len(e.Holders) != 1 {
		t.Fatalf("validator entry %v", e)
	}
	f.endBlock(101 * time.Second)
	f.endBlock(time.Second)
	if va, _ = f.k.Validator(f.s, a); va.Status != BOND_STATUS_UNBONDING {
		t.Fatal("held validator unbonding completed")
	}
	if err := f.k.Unbonding().ReleaseHold(f.s, va.UnbondingId, "consumer-1"); err != nil {
		t.Fatal(err)
	}
	f.endBlock(time.Second)
	if va, _ = f.k.Validator(f.s, a); va.Status != BOND_STATUS_UNBONDED {
		t.Fatalf("status %v", va.Status)
	}
	// b leaves (jailed), a comes back; b's unbonding is cancelled when it
	// overtakes a again.
	vb, _ := f.k.Validator(f.s, b)
	if err := f.k.Jail(f.s, vb.ConsAddress(), f.now); err != nil {
		t.Fatal(err)
	}
	f.endBlock(time.Second)
	f.checkSet()
	vb, _ = f.k.Validator(f.s, b)
	if vb.Status != BOND_STATUS_UNBONDING {
		t.Fatalf("b %v", vb.Status)
	}
	if _, err := f.k.Unjail(f.s, f.height, f.now, b, &MsgUnjail{Validator: b}); err != nil {
		t.Fatal(err)
	}
	f.endBlock(time.Second)
	f.checkSet()
	if _, ok := f.k.Unbonding().Entry(f.s, vb.UnbondingId); ok {
		t.Fatal("unbonding of a rebonded validator still pending")
	}
	if vb, _ = f.k.Validator(f.s, b); vb.Status != BOND_STATUS_BONDED {
		t.Fatalf("b %v", vb.Status)
	}
	if got := f.k.BondedValidators(f.s); len(got) != 1 || !bytes.Equal(got[0].Operator, b) {
		t.Fatalf("bonded %v", got)
	}
}

// TestSlashEntries: undelegations and redelegations made at or after the
// infraction are slashed first, each by at most the fraction of its initial
// balance; earlier ones are not.
func TestSlashEntries(t *testing.T) {
	f := newFixture(t, testParams(), 4, 10_000)
	a := f.createValidator(0, 1_000)
	b := f.createValidator(1, 1_000)
	f.endBlock(time.Second)
	del := f.accs[2]
	f.delegate(del, a, 3_000)
	f.undelegate(del, a, 400) // before the infraction
	f.endBlock(time.Second)
	infraction := f.height
	f.undelegate(del, a, 1_000)
	f.redelegate(del, a, b, 1_000)
	f.endBlock(time.Second)
	// a had 4000 tokens (power 400) at the infraction; slash 10% = 400:
	// 100 from the undelegation, 100 from the redelegation, 200 from a.
	burned, err := f.k.Slash(f.s, ConsAddress(pubKey(0)), infraction, 400, fraction.New(1, 10), f.height)
	if err != nil || burned != 400 {
		t.Fatalf("burned %d %v", burned, err)
	}
	f.burned = burned
	f.check()
	va, _ := f.k.Validator(f.s, a)
	vb, _ := f.k.Validator(f.s, b)
	if va.Tokens != 1_600-200 || vb.Tokens != 2_000-100 {
		t.Fatalf("tokens a %d b %d", va.Tokens, vb.Tokens)
	}
	var bal []uint64
	for _, e := range f.k.Unbonding().EntriesOf(f.s, del) {
		bal = append(bal, e.Balance)
	}
	if len(bal) != 3 || bal[0] != 400 || bal[1] != 900 || bal[2] != 900 {
		t.Fatalf("entry balances %v", bal)
	}
	if _, err := f.k.Slash(f.s, ConsAddress(pubKey(0)), f.height+1, 1, fraction.New(1, 2), f.height); !errors.Is(err, ErrInvalidSlash) {
		t.Fatalf("future infraction: %v", err)
	}
	if _, err := f.k.Slash(f.s, ConsAddress(pubKey(7)), 1, 1, fraction.New(1, 2), f.height); !errors.Is(err, ErrValidatorNotFound) {
		t.Fatalf("unknown validator: %v", err)
	}
}

// TestSharesRounding: after a slash a share is worth less than a token;
// undelegating everything leaves nothing behind and creates nothing.
func TestSharesRounding(t *testing.T) {
	f := newFixture(t, testParams(), 3, 10_000)
	val := f.createValidator(0, 1_000)
	f.endBlock(time.Second)
	burned, err := f.k.Slash(f.s, ConsAddress(pubKey(0)), f.height, 100, fraction.New(1, 3), f.height)
	if err != nil || burned != 333 {
		t.Fatal(burned, err)
	}
	f.burned = burned
	del := f.accs[1]
	f.delegate(del, val, 7) // 7 * 1000 / 667 = 10.49 -> 10 shares
	d, _ := f.k.Delegation(f.s, del, val)
	v, _ := f.k.Validator(f.s, val)
	if d.Shares != 10 || v.TokensFromShares(d.Shares) > 7 {
		t.Fatalf("shares %d worth %d", d.Shares, v.TokensFromShares(d.Shares))
	}
	worth := v.TokensFromShares(d.Shares)
	if _, err := f.k.Undelegate(f.s, f.height, f.now, del, &MsgUndelegate{Delegator: del, Validator: val, Amount: worth + 1}); !errors.Is(err, shares.ErrInsufficientDelegation) {
		t.Fatalf("over-undelegation: %v", err)
	}
	f.undelegate(del, val, worth)
	if _, ok := f.k.Delegation(f.s, del, val); ok {
		t.Fatal("dust delegation left")
	}
	f.undelegate(val, val, v.TokensFromShares(1000))
	v, _ = f.k.Validator(f.s, val)
	if v.Tokens != 0 || v.DelegatorShares != 0 || !v.Jailed {
		t.Fatalf("emptied validator %v", v)
	}
	f.endBlock(200 * time.Second)
	f.endBlock(time.Second)
	if got := f.balance(del) + f.balance(val); got != 20_000-333 {
		t.Fatalf("balances %d", got)
	}
}

func TestGenesisRoundTrip(t *testing.T) {
	f := newFixture(t, testParams(), 4, 10_000)
	gs := &GenesisState{Params: testParams()}
	for i := 0; i < 2; i++ {
		gs.Validators = append(gs.Validators, GenesisValidator{Operator: f.k.bech(acct(i)), PubKey: pubKey(i), Moniker: "v",
			CommissionRate: fraction.New(0, 1), CommissionMaxRate: fraction.New(1, 1), SelfDelegation: 1_000 * uint64(i+1)})
	}
	gs.Delegations = []GenesisDelegation{{Delegator: f.k.bech(acct(2)), Validator: f.k.bech(acct(0)), Amount: 5_000}}
	set, err := f.k.InitGenesis(f.s, gs, 1, f.now)
	if err != nil || len(set) != 2 {
		t.Fatalf("%v %v", set, err)
	}
	f.apply(set)
	f.check()
	f.checkSet()
	f.holder = "c"
	f.undelegate(acct(2), acct(0), 1_000)
	f.redelegate(acct(2), acct(0), acct(1), 1_000)
	f.endBlock(time.Second)

	exported := f.k.ExportGenesis(f.s)
	bankGen := f.bank.ExportGenesis(f.s)
	g := newFixture(t, testParams(), 0, 0)
	if err := g.bank.InitGenesis(g.s, bankGen); err != nil {
		t.Fatal(err)
	}
	set2, err := g.k.InitGenesis(g.s, exported, 1, f.now)
	if err != nil {
		t.Fatal(err)
	}
	if len(set2) != len(f.set) {
		t.Fatalf("imported set %v, was %v", set2, f.set)
	}
	for _, u := range set2 {
		if f.set[string(u.PubKey.GetEd25519())] != u.Power {
			t.Fatalf("imported set %v, was %v", set2, f.set)
		}
	}
	again := g.k.ExportGenesis(g.s)
	a, _ := exported.Marshal()
	b, _ := again.Marshal()
	if !bytes.Equal(a, b) {
		t.Fatal("export after import differs")
	}
	// A genesis whose pools do not match its records is refused.
	h := newFixture(t, testParams(), 0, 0)
	if _, err := h.k.InitGenesis(h.s, exported, 1, f.now); !errors.Is(err, ErrInvalidGenesis) {
		t.Fatalf("unfunded pools accepted: %v", err)
	}
	bad := *gs
	bad.Validators = append([]GenesisValidator(nil), gs.Validators...)
	bad.Validators[1].PubKey = pubKey(0)
	h = newFixture(t, testParams(), 4, 10_000)
	if _, err := h.k.InitGenesis(h.s, &bad, 1, f.now); !errors.Is(err, ErrInvalidGenesis) || !errors.Is(err, ErrInvalidGenesis) {
		t.Fatalf("duplicate key accepted: %v", err)
	}
}

func TestQueries(t *testing.T) {
	f := newFixture(t, testParams(), 3, 10_000)
	a := f.createValidator(1, 1_000)
	b := f.createValidator(0, 2_000)
	f.delegate(f.accs[2], a, 10)
	f.delegate(f.accs[2], b, 10)
	f.endBlock(time.Second)
	vs := f.k.Validators(f.s)
	if len(vs) != 2 || bytes.Compare(vs[0].Operator, vs[1].Operator) >= 0 {
		t.Fatal("validators not sorted by operator")
	}
	bv := f.k.BondedValidators(f.s)
	if len(bv) != 2 || !bytes.Equal(bv[0].Operator, b) {
		t.Fatal("bonded validators not by power")
	}
	if len(f.k.DelegationsOf(f.s, f.accs[2])) != 2 || len(f.k.DelegationsTo(f.s, a)) != 2 {
		t.Fatal("delegation queries")
	}
	if got := f.k.TotalBondedTokens(f.s); got != 3_020 {
		t.Fatalf("total bonded %d", got)
	}
	if v, ok := f.k.ValidatorByConsAddr(f.s, ConsAddress(pubKey(1))); !ok || !bytes.Equal(v.Operator, a) {
		t.Fatal("by consensus address")
	}
}
