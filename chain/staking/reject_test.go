package staking

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/abci-ics/ics/chain/staking/shares"
	"github.com/abci-ics/ics/chain/staking/unbonding"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/types/fraction"
)

// rejectFixture builds a chain in which every rule can be broken once:
// validators 0 and 1 bonded, 3 jailed for an hour, 4 tombstoned, 8 without
// tokens, 9 jailed below its minimum self-delegation; account 2 has a
// pending redelegation 0 -> 1, account 5 the maximum of undelegations from
// 0, account 6 the maximum of redelegations 0 -> 1.
func rejectFixture(t *testing.T) *fixture {
	p := testParams()
	p.MaxEntries = 2
	p.MaxValidators = 10
	f := newFixture(t, p, 11, 10_000)
	f.k.Keys = reserved{string(pubKey(100)): true}
	for _, i := range []int{0, 1, 3, 4, 7} {
		f.createValidator(i, 1_000)
	}
	f.createValidator(8, 10)
	m := &MsgCreateValidator{Operator: acct(9), PubKey: pubKey(9), Moniker: "v9", CommissionRate: fraction.New(0, 1),
		CommissionMaxRate: fraction.New(0, 1), SelfDelegation: 1_000, MinSelfDelegation: 500}
	if _, err := f.k.CreateValidator(f.s, f.height, f.now, acct(9), m); err != nil {
		t.Fatal(err)
	}
	f.endBlock(time.Second)
	for _, i := range []int{2, 5, 6} {
		f.delegate(acct(i), acct(0), 1_000)
	}
	f.redelegate(acct(2), acct(0), acct(1), 100)
	for j := 0; j < 2; j++ {
		f.undelegate(acct(5), acct(0), 10)
		f.redelegate(acct(6), acct(0), acct(1), 10)
	}
	if err := f.k.Jail(f.s, ConsAddress(pubKey(3)), f.now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := f.k.Jail(f.s, ConsAddress(pubKey(4)), JailedForever); err != nil {
		t.Fatal(err)
	}
	if err := f.k.Tombstone(f.s, ConsAddress(pubKey(4))); err != nil {
		t.Fatal(err)
	}
	n, err := f.k.Slash(f.s, ConsAddress(pubKey(8)), f.height, 1, fraction.New(1, 1), f.height)
	if err != nil || n != 10 {
		t.Fatal(n, err)
	}
	f.burned += n
	f.undelegate(acct(9), acct(9), 600)
	f.endBlock(time.Second)
	return f
}

// TestRejections breaks one rule per case and checks the specific error and
// that nothing was written, even to the handler's own cache.
func TestRejections(t *testing.T) {
	f := rejectFixture(t)
	a, b := acct(0), acct(1)
	frac := func(n, d uint64) *fraction.Fraction { x := fraction.New(n, d); return &x }
	create := func(mod func(*MsgCreateValidator)) func(state.Store) error {
		return func(s state.Store) error {
			m := &MsgCreateValidator{Operator: acct(10), PubKey: pubKey(10), Moniker: "new", CommissionRate: fraction.New(1, 10),
				CommissionMaxRate: fraction.New(1, 5), SelfDelegation: 100}
			mod(m)
			_, err := f.k.CreateValidator(s, f.height, f.now, acct(10), m)
			return err
		}
	}
	del := func(signer []byte, m MsgDelegate) func(state.Store) error {
		return func(s state.Store) error { _, err := f.k.Delegate(s, f.height, f.now, signer, &m); return err }
	}
	undel := func(signer []byte, m MsgUndelegate) func(state.Store) error {
		return func(s state.Store) error { _, err := f.k.Undelegate(s, f.height, f.now, signer, &m); return err }
	}
	redel := func(signer []byte, m MsgRedelegate) func(state.Store) error {
		return func(s state.Store) error { _, err := f.k.Redelegate(s, f.height, f.now, signer, &m); return err }
	}
	unjail := func(signer, val []byte) func(state.Store) error {
		return func(s state.Store) error {
			_, err := f.k.Unjail(s, f.height, f.now, signer, &MsgUnjail{Validator: val})
			return err
		}
	}
	edit := func(signer []byte, m MsgEditValidator) func(state.Store) error {
		return func(s state.Store) error { _, err := f.k.EditValidator(s, f.height, f.now, signer, &m); return err }
	}
	d2 := acct(2)
	cases := []struct {
		name string
		run  func(state.Store) error
		want error
	}{
		{"create: signer is not the operator", func(s state.Store) error {
			_, err := f.k.CreateValidator(s, f.height, f.now, acct(2), &MsgCreateValidator{Operator: acct(10)})
			return err
		}, ErrUnauthorized},
		{"create: short operator", func(s state.Store) error {
			_, err := f.k.CreateValidator(s, f.height, f.now, acct(10), &MsgCreateValidator{Operator: []byte{1}})
			return err
		}, ErrInvalidAddress},
		{"create: operator exists", func(s state.Store) error {
			_, err := f.k.CreateValidator(s, f.height, f.now, a, &MsgCreateValidator{Operator: a, PubKey: pubKey(10), Moniker: "x", SelfDelegation: 1})
			return err
		}, ErrValidatorExists},
		{"create: short key", create(func(m *MsgCreateValidator) { m.PubKey = m.PubKey[:31] }), ErrInvalidPubKey},
		{"create: duplicate key", create(func(m *MsgCreateValidator) { m.PubKey = pubKey(0) }), ErrDuplicateConsKey},
		{"create: reserved key", create(func(m *MsgCreateValidator) { m.PubKey = pubKey(100) }), ErrConsKeyReserved},
		{"create: empty moniker", create(func(m *MsgCreateValidator) { m.Moniker = "" }), ErrInvalidMoniker},
		{"create: long moniker", create(func(m *MsgCreateValidator) { m.Moniker = strings.Repeat("m", 71) }), ErrInvalidMoniker},
		{"create: rate above max", create(func(m *MsgCreateValidator) { m.CommissionRate = fraction.New(1, 2) }), ErrInvalidCommission},
		{"create: zero denominator", create(func(m *MsgCreateValidator) { m.CommissionMaxRate = fraction.New(1, 0) }), ErrInvalidCommission},
		{"create: max rate above one", create(func(m *MsgCreateValidator) { m.CommissionMaxRate = fraction.New(3, 2) }), ErrInvalidCommission},
		{"create: no self-delegation", create(func(m *MsgCreateValidator) { m.SelfDelegation = 0 }), ErrSelfDelegationTooLow},
		{"create: below own minimum", create(func(m *MsgCreateValidator) { m.MinSelfDelegation = 101 }), ErrSelfDelegationTooLow},
		{"create: above balance", create(func(m *MsgCreateValidator) { m.SelfDelegation = 10_001 }), ErrInsufficientFunds},

		{"delegate: wrong signer", del(b, MsgDelegate{Delegator: d2, Validator: a, Amount: 1}), ErrUnauthorized},
		{"delegate: zero", del(d2, MsgDelegate{Delegator: d2, Validator: a}), ErrZeroAmount},
		{"delegate: unknown validator", del(d2, MsgDelegate{Delegator: d2, Validator: acct(10), Amount: 1}), ErrValidatorNotFound},
		{"delegate: above balance", del(d2, MsgDelegate{Delegator: d2, Validator: a, Amount: 9_001}), ErrInsufficientFunds},
		{"delegate: huge", del(d2, MsgDelegate{Delegator: d2, Validator: a, Amount: 1<<64 - 1}), ErrInsufficientFunds},
		{"delegate: validator without tokens", del(d2, MsgDelegate{Delegator: d2, Validator: acct(8), Amount: 1}), shares.ErrInvalidExchangeRate},

		{"undelegate: wrong signer", undel(b, MsgUndelegate{Delegator: d2, Validator: a, Amount: 1}), ErrUnauthorized},
		{"undelegate: zero", undel(d2, MsgUndelegate{Delegator: d2, Validator: a}), ErrZeroAmount},
		{"undelegate: unknown validator", undel(d2, MsgUndelegate{Delegator: d2, Validator: acct(10), Amount: 1}), ErrValidatorNotFound},
		{"undelegate: no delegation", undel(d2, MsgUndelegate{Delegator: d2, Validator: acct(7), Amount: 1}), ErrDelegationNotFound},
		{"undelegate: more than delegated", undel(d2, MsgUndelegate{Delegator: d2, Validator: a, Amount: 901}), shares.ErrInsufficientDelegation},
		{"undelegate: too many entries", undel(acct(5), MsgUndelegate{Delegator: acct(5), Validator: a, Amount: 1}), ErrTooManyEntries},

		{"redelegate: wrong signer", redel(b, MsgRedelegate{Delegator: d2, Src: a, Dst: acct(7), Amount: 1}), ErrUnauthorized},
		{"redelegate: zero", redel(d2, MsgRedelegate{Delegator: d2, Src: a, Dst: acct(7)}), ErrZeroAmount},
		{"redelegate: to itself", redel(d2, MsgRedelegate{Delegator: d2, Src: a, Dst: a, Amount: 1}), ErrSelfRedelegation},
		{"redelegate: unknown destination", redel(d2, MsgRedelegate{Delegator: d2, Src: a, Dst: acct(10), Amount: 1}), ErrValidatorNotFound},
		{"redelegate: no delegation", redel(d2, MsgRedelegate{Delegator: d2, Src: acct(7), Dst: a, Amount: 1}), ErrDelegationNotFound},
		{"redelegate: more than delegated", redel(d2, MsgRedelegate{Delegator: d2, Src: a, Dst: acct(7), Amount: 901}), shares.ErrInsufficientDelegation},
		{"redelegate: transitive", redel(d2, MsgRedelegate{Delegator: d2, Src: b, Dst: acct(7), Amount: 1}), ErrTransitiveRedelegation},
		{"redelegate: too many entries", redel(acct(6), MsgRedelegate{Delegator: acct(6), Src: a, Dst: b, Amount: 1}), ErrTooManyEntries},
		{"redelegate: destination without tokens", redel(d2, MsgRedelegate{Delegator: d2, Src: a, Dst: acct(8), Amount: 1}), shares.ErrInvalidExchangeRate},

		{"unjail: wrong signer", unjail(a, acct(3)), ErrUnauthorized},
		{"unjail: unknown", unjail(acct(10), acct(10)), ErrValidatorNotFound},
		{"unjail: not jailed", unjail(a, a), ErrNotJailed},
		{"unjail: too early", unjail(acct(3), acct(3)), ErrJailPeriodNotOver},
		{"unjail: tombstoned", unjail(acct(4), acct(4)), ErrTombstoned},
		{"unjail: self-delegation too low", unjail(acct(9), acct(9)), ErrSelfDelegationTooLow},

		{"edit: wrong signer", edit(b, MsgEditValidator{Validator: a, Moniker: "x"}), ErrUnauthorized},
		{"edit: unknown", edit(acct(10), MsgEditValidator{Validator: acct(10), Moniker: "x"}), ErrValidatorNotFound},
		{"edit: long moniker", edit(a, MsgEditValidator{Validator: a, Moniker: strings.Repeat("m", 71)}), ErrInvalidMoniker},
		{"edit: rate above max", edit(a, MsgEditValidator{Validator: a, CommissionRate: frac(1, 4)}), ErrInvalidCommission},

		{"hold: unknown entry", func(s state.Store) error { return f.k.Unbonding().PutOnHold(s, 999, "c") }, unbonding.ErrNotFound},
		{"hold: empty holder", func(s state.Store) error { return f.k.Unbonding().PutOnHold(s, 1, "") }, unbonding.ErrInvalidHolder},
		{"release: unknown entry", func(s state.Store) error { return f.k.Unbonding().ReleaseHold(s, 999, "c") }, unbonding.ErrNotFound},
		{"slash: bad fraction", func(s state.Store) error {
			_, err := f.k.Slash(s, ConsAddress(pubKey(0)), 1, 1, fraction.New(2, 1), f.height)
			return err
		}, ErrInvalidSlash},
		{"slash: negative power", func(s state.Store) error {
			_, err := f.k.Slash(s, ConsAddress(pubKey(0)), 1, -1, fraction.New(1, 2), f.height)
			return err
		}, ErrInvalidSlash},
		{"jail: unknown", func(s state.Store) error { return f.k.Jail(s, []byte("nobody"), f.now) }, ErrValidatorNotFound},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := f.ms.WorkingHash()
			cache := state.NewCache(f.s)
			err := c.run(cache)
			if !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
			cache.Write()
			if !bytes.Equal(before, f.ms.WorkingHash()) {
				t.Fatal("a rejected operation wrote to the store")
			}
		})
	}
	// The fixture itself accepts the valid version of each message.
	cache := state.NewCache(f.s)
	if err := create(func(*MsgCreateValidator) {})(cache); err != nil {
		t.Fatal(err)
	}
	if err := edit(a, MsgEditValidator{Validator: a, CommissionRate: frac(1, 5)})(cache); err != nil {
		t.Fatal(err)
	}
	if err := redel(d2, MsgRedelegate{Delegator: d2, Src: a, Dst: acct(7), Amount: 900})(cache); err != nil {
		t.Fatal(err)
	}
}

func TestSharesFor(t *testing.T) {
	if _, err := (Validator{Tokens: 10, DelegatorShares: 5}).sharesFor(1); !errors.Is(err, shares.ErrDelegationTooSmall) {
		t.Fatalf("a token worth half a share: %v", err)
	}
	if _, err := (Validator{Tokens: 1, DelegatorShares: 1 << 63}).sharesFor(4); !errors.Is(err, shares.ErrOverflow) {
		t.Fatalf("share overflow: %v", err)
	}
	if sh, err := (Validator{Tokens: 3, DelegatorShares: 4}).sharesFor(5); sh != 6 || err != nil {
		t.Fatalf("5 * 4 / 3 = %d %v", sh, err)
	}
}
