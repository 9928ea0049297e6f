package staking

import (
	"errors"
	"testing"
	"time"

	"github.com/abci-ics/ics/chain/bank"
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

type failingHooks struct{}

var errHook = errors.New("hook refused")

func (failingHooks) AfterUnbondingInitiated(state.Store, uint64) error { return errHook }

func TestHooksAndEdit(t *testing.T) {
	f := newFixture(t, testParams(), 3, 10_000)
	val := f.createValidator(0, 1_000)
	f.endBlock(time.Second)
	f.k.Hooks = failingHooks{}
	if _, err := f.k.Undelegate(state.NewCache(f.s), f.height, f.now, val, &MsgUndelegate{Delegator: val, Validator: val, Amount: 1}); !errors.Is(err, errHook) {
		t.Fatalf("hook error lost: %v", err)
	}
	f.k.Hooks = nil
	rate := fraction.New(1, 5)
	evs, err := f.k.EditValidator(f.s, f.height, f.now, val, &MsgEditValidator{Validator: val, Moniker: "renamed", CommissionRate: &rate})
	if err != nil || len(evs) != 1 || evs[0].Type != "edit_validator" {
		t.Fatal(evs, err)
	}
	v, _ := f.k.Validator(f.s, val)
	if v.Moniker != "renamed" || v.CommissionRate != rate {
		t.Fatalf("validator %v", v)
	}
	if err := f.k.PutOnHold(f.s, 1, "a"); !errors.Is(err, ErrUnbondingNotFound) {
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
	if _, err := f.k.Redelegate(f.s, f.height, f.now, del, &MsgRedelegate{Delegator: del, Src: a, Dst: c, Amount: 100}); err != nil {
		t.Fatal(err)
	}
	es := f.k.UnbondingEntriesOf(f.s, del)
	if len(es) != 1 || es[0].Kind != UNBONDING_KIND_REDELEGATION || !es[0].CompletionTime().Equal(f.now.Add(p.UnbondingPeriod)) {
		t.Fatalf("entries %v", es)
	}
	// b (unbonded) -> c: no entry.
	if _, err := f.k.Redelegate(f.s, f.height, f.now, del, &MsgRedelegate{Delegator: del, Src: b, Dst: c, Amount: 100}); err != nil {
		t.Fatal(err)
	}
	if es := f.k.UnbondingEntriesOf(f.s, del); len(es) != 1 {
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
	if _, err := f.k.Redelegate(f.s, f.height, f.now, del, &MsgRedelegate{Delegator: del, Src: a, Dst: b, Amount: 100}); err != nil {
		t.Fatal(err)
	}
	es = f.k.UnbondingEntriesOf(f.s, del)
	if len(es) != 2 || es[1].CompletionTimeNs != va.UnbondingTimeNs {
		t.Fatalf("entries %v, a unbonds at %d", es, va.UnbondingTimeNs)
	}
	f.endBlock(time.Duration(va.UnbondingTimeNs - f.now.UnixNano()))
	f.endBlock(time.Second)
	if es := f.k.UnbondingEntries(f.s); len(es) != 0 {
		t.Fatalf("entries left %v", es)
	}
	f.checkSet()
}
