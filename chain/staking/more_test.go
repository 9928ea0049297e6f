package staking

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/abci-ics/ics/chain/bank"
	"github.com/abci-ics/ics/chain/staking/shares"
	"github.com/abci-ics/ics/chain/staking/unbonding"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/state/typed"
	"github.com/abci-ics/ics/types/fraction"
)

// TestRestart: the last returned set is in the store, so a restarted
// keeper reports no change, then only real changes.
func TestRestart(t *testing.T) {
	f := newFixture(t, testParams(), 3, 10_000)
	f.createValidator(0, 1_000)
	f.createValidator(1, 2_000)
	f.endBlock(time.Second)
	if _, err := f.ms.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := f.ms.Close(); err != nil {
		t.Fatal(err)
	}
	ms, err := state.Open(f.db, []string{bank.StoreName, StoreName}, state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	f.ms, f.s = ms, ms.Working()
	if ups := f.endBlock(time.Second); len(ups) != 0 {
		t.Fatalf("updates after restart: %v", ups)
	}
	f.delegate(acct(2), acct(0), 100)
	if ups := f.endBlock(time.Second); len(ups) != 1 || ups[0].Power != 110 {
		t.Fatalf("updates %v", ups)
	}
	f.checkSet()
}

// TestParamChanges: a new PowerReduction changes every power at the next
// EndBlock; a new window drops the liveness windows kept for slashing.
func TestParamChanges(t *testing.T) {
	f := newFixture(t, testParams(), 3, 10_000)
	f.createValidator(0, 1_000)
	f.createValidator(1, 2_000)
	f.endBlock(time.Second)
	cons := ConsAddress(pubKey(0))
	typed.Set(kv(f.s), SigningInfoKey(cons), &SigningInfo{StartHeight: 1, IndexOffset: 1, MissedBlocks: 1})
	kv(f.s).Set(MissedKey(cons, 0), marker)
	p := f.params()
	p.PowerReduction = 100
	if err := f.k.SetParams(f.s, p); err != nil {
		t.Fatal(err)
	}
	if !kv(f.s).Has(SigningInfoKey(cons)) || !kv(f.s).Has(MissedKey(cons, 0)) {
		t.Fatal("window dropped though its length did not change")
	}
	p.SignedBlocksWindow = 20
	if err := f.k.SetParams(f.s, p); err != nil {
		t.Fatal(err)
	}
	if kv(f.s).Has(SigningInfoKey(cons)) || kv(f.s).Has(MissedKey(cons, 0)) {
		t.Fatal("window kept across a window change")
	}
	ups := f.endBlock(time.Second)
	if len(ups) != 2 || f.set[string(pubKey(0))] != 10 || f.set[string(pubKey(1))] != 20 {
		t.Fatalf("updates %v", ups)
	}
	f.checkSet()
	p.PowerReduction = 1_000 // validator 0 drops to power 1, then 0 after a slash
	if err := f.k.SetParams(f.s, p); err != nil {
		t.Fatal(err)
	}
	n, err := f.k.Slash(f.s, ConsAddress(pubKey(0)), f.height, 1, fraction.New(1, 1), f.height)
	if err != nil {
		t.Fatal(err)
	}
	f.burned += n
	f.endBlock(time.Second)
	f.checkSet()
	if _, ok := f.set[string(pubKey(0))]; ok {
		t.Fatal("validator without power in the set")
	}
	if err := f.k.SetParams(f.s, Params{}); !errors.Is(err, ErrInvalidParams) {
		t.Fatalf("empty params: %v", err)
	}
}

// TestStartedUnbondings: each operation returns exactly the ids of the
// entries it started, a failed one returns none and starts none, and
// holding the returned ids holds the new entries, as the provider does.
func TestStartedUnbondings(t *testing.T) {
	p := testParams()
	p.MaxValidators = 2
	f := newFixture(t, p, 5, 10_000)
	a := f.createValidator(0, 3_000)
	b := f.createValidator(1, 2_000)
	c := f.createValidator(2, 1_000)
	f.endBlock(time.Second)
	f.holder = "p"

	next := nextUnbondingID(f.s)
	cache := state.NewCache(f.s)
	r, err := f.k.Undelegate(cache, f.height, f.now, a, &MsgUndelegate{Delegator: a, Validator: a, Amount: 1_000_000})
	if !errors.Is(err, shares.ErrInsufficientDelegation) || len(r.Unbondings) != 0 || len(r.Events) != 0 || nextUnbondingID(cache) != next {
		t.Fatalf("failed undelegation returned %v, %v", r, err)
	}

	id := f.undelegate(a, a, 100)
	if e, ok := f.k.Unbonding().Entry(f.s, id); !ok || e.Kind != unbonding.UNBONDING_KIND_UNDELEGATION || len(e.Holders) != 1 || e.Holders[0] != "p" {
		t.Fatalf("undelegation %d: %v %v", id, e, ok)
	}
	ids := f.redelegate(b, b, a, 100)
	if len(ids) != 1 || ids[0] != id+1 {
		t.Fatalf("redelegation from a bonded validator started %v", ids)
	}
	if ids := f.redelegate(c, c, a, 100); len(ids) != 0 {
		t.Fatalf("redelegation from an unbonded validator started %v", ids)
	}

	// a and b leave the set in the same block: EndBlock returns both
	// validators' entries, in the order it started them.
	for _, i := range []int{0, 1} {
		if err := f.k.Jail(f.s, ConsAddress(pubKey(i)), f.now); err != nil {
			t.Fatal(err)
		}
	}
	before := len(f.ids)
	f.endBlock(time.Second)
	started := f.ids[before:]
	if len(started) != 2 || started[0] >= started[1] {
		t.Fatalf("end block started %v", started)
	}
	for _, op := range [][]byte{a, b} {
		v, _ := f.k.Validator(f.s, op)
		e, ok := f.k.Unbonding().Entry(f.s, v.UnbondingId)
		if v.Status != BOND_STATUS_UNBONDING || !slices.Contains(started, v.UnbondingId) || !ok || e.Kind != unbonding.UNBONDING_KIND_VALIDATOR || len(e.Holders) != 1 {
			t.Fatalf("validator %X: %v, entry %v", op, v, e)
		}
	}
	// Held through the returned ids, nothing completes after the period.
	f.endBlock(p.UnbondingPeriod)
	f.endBlock(time.Second)
	for _, id := range f.ids {
		if e, ok := f.k.Unbonding().Entry(f.s, id); !ok || !e.Matured {
			t.Fatalf("held entry %d: %v %v", id, e, ok)
		}
	}
	if ups, r, err := f.k.EndBlock(state.NewCache(f.s), f.height, f.now); err != nil || len(ups) != 0 || len(r.Unbondings) != 0 {
		t.Fatalf("quiet end block: %v %v %v", ups, r, err)
	}
}

func TestEditValidator(t *testing.T) {
	f := newFixture(t, testParams(), 3, 10_000)
	val := f.createValidator(0, 1_000)
	f.endBlock(time.Second)
	rate := fraction.New(1, 5)
	evs, err := f.k.EditValidator(f.s, f.height, f.now, val, &MsgEditValidator{Validator: val, Moniker: "renamed", CommissionRate: &rate})
	if err != nil || len(evs) != 1 || evs[0].Type != "edit_validator" {
		t.Fatal(evs, err)
	}
	v, _ := f.k.Validator(f.s, val)
	if v.Moniker != "renamed" || v.CommissionRate != rate {
		t.Fatalf("validator %v", v)
	}
	if err := f.k.Unbonding().PutOnHold(f.s, 1, "a"); !errors.Is(err, unbonding.ErrNotFound) {
		t.Fatal(err)
	}
}

// TestRedelegationCompletion: a redelegation from a bonded validator waits
// a full unbonding period, one from an unbonding validator waits for that
// validator's own completion, one from an unbonded validator needs no entry.
func TestRedelegationCompletion(t *testing.T) {
	p := testParams()
	p.MaxValidators = 1
	f := newFixture(t, p, 4, 10_000)
	a := f.createValidator(0, 2_000)
	b := f.createValidator(1, 1_000)
	c := f.createValidator(2, 500)
	del := acct(3)
	f.delegate(del, a, 1_000)
	f.delegate(del, b, 1_000)
	f.endBlock(time.Second)
	if ids := f.redelegate(del, a, c, 100); len(ids) != 1 {
		t.Fatalf("redelegation started %v", ids)
	}
	es := f.k.Unbonding().EntriesOf(f.s, del)
	if len(es) != 1 || es[0].Kind != unbonding.UNBONDING_KIND_REDELEGATION || !es[0].CompletionTime().Equal(f.now.Add(p.UnbondingPeriod)) {
		t.Fatalf("entries %v", es)
	}
	// b (unbonded) -> c: no entry.
	if ids := f.redelegate(del, b, c, 100); len(ids) != 0 {
		t.Fatalf("redelegation started %v", ids)
	}
	if es := f.k.Unbonding().EntriesOf(f.s, del); len(es) != 1 {
		t.Fatalf("entries %v", es)
	}
	// a leaves the set; a redelegation from it ends with a's unbonding.
	if err := f.k.Jail(f.s, ConsAddress(pubKey(0)), f.now); err != nil {
		t.Fatal(err)
	}
	f.endBlock(10 * time.Second)
	va, _ := f.k.Validator(f.s, a)
	if va.Status != BOND_STATUS_UNBONDING {
		t.Fatalf("a %v", va.Status)
	}
	if ids := f.redelegate(del, a, b, 100); len(ids) != 1 {
		t.Fatalf("redelegation started %v", ids)
	}
	es = f.k.Unbonding().EntriesOf(f.s, del)
	if len(es) != 2 || es[1].CompletionTimeNs != va.UnbondingTimeNs {
		t.Fatalf("entries %v, a unbonds at %d", es, va.UnbondingTimeNs)
	}
	f.endBlock(time.Duration(va.UnbondingTimeNs - f.now.UnixNano()))
	f.endBlock(time.Second)
	if es := f.k.Unbonding().Entries(f.s); len(es) != 0 {
		t.Fatalf("entries left %v", es)
	}
	f.checkSet()
}
