package slashing

import (
	"bytes"
	"errors"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/abci-ics/ics/chain/staking"
	"github.com/abci-ics/ics/types/fraction"
)

func TestDowntime(t *testing.T) {
	f := newFixture(t, testParams(), 3, 10_000)
	f.createValidator(0, 1_000)
	val1 := f.createValidator(1, 2_000)
	f.endBlock(time.Second)
	p := f.params()
	// Validator 1 misses every block; validator 0 signs.
	jailedAt := int64(0)
	for i := 0; i < 20 && jailedAt == 0; i++ {
		evs := f.beginBlock([]abci.VoteInfo{vote(0, 100, true), vote(1, 200, false)})
		if countType(evs, "slash") == 1 {
			jailedAt = f.height
		}
		f.endBlock(time.Second)
	}
	// The window fills at block 11 (10 votes), with 10 > 5 missed.
	if jailedAt != p.SignedBlocksWindow+1 {
		t.Fatalf("jailed at %d", jailedAt)
	}
	v, _ := f.st.Validator(f.s, val1)
	if !v.Jailed || v.Status != staking.BOND_STATUS_UNBONDING {
		t.Fatalf("validator %v", v)
	}
	if _, ok := f.set[string(pubKey(1))]; ok {
		t.Fatal("jailed validator still in the set")
	}
	// Still missing while jailed: not jailed again, window untouched.
	until := v.JailedUntilNs
	for i := 0; i < 15; i++ {
		if evs := f.beginBlock([]abci.VoteInfo{vote(1, 200, false)}); countType(evs, "slash") != 0 {
			t.Fatal("jailed twice")
		}
		f.endBlock(time.Second)
	}
	if v, _ = f.st.Validator(f.s, val1); v.JailedUntilNs != until {
		t.Fatal("jail extended")
	}
	// Unjail before the end fails; after, it succeeds and the validator returns.
	f.now = time.Unix(0, until).Add(-time.Second)
	if _, err := f.st.Unjail(f.s, f.height, f.now, val1, &staking.MsgUnjail{Validator: val1}); !errors.Is(err, staking.ErrJailPeriodNotOver) {
		t.Fatalf("early unjail: %v", err)
	}
	f.now = time.Unix(0, until)
	if _, err := f.st.Unjail(f.s, f.height, f.now, val1, &staking.MsgUnjail{Validator: val1}); err != nil {
		t.Fatal(err)
	}
	ups := f.endBlock(time.Second)
	if len(ups) != 1 || ups[0].Power != 200 || f.set[string(pubKey(1))] != 200 {
		t.Fatalf("rejoin %v", ups)
	}
	if _, err := f.st.Unjail(f.s, f.height, f.now, val1, &staking.MsgUnjail{Validator: val1}); !errors.Is(err, staking.ErrNotJailed) {
		t.Fatalf("unjail of a free validator: %v", err)
	}
	f.checkSet()
}

func TestDowntimeSlashAmount(t *testing.T) {
	p := testParams()
	p.SlashFractionDowntime = fraction.New(1, 10)
	p.SignedBlocksWindow = 4
	p.MinSignedPerWindow = fraction.New(1, 4) // more than 3 missed of 4
	f := newFixture(t, p, 2, 10_000)
	val := f.createValidator(0, 1_000)
	f.createValidator(1, 1_000)
	f.endBlock(time.Second)
	for i := 0; i < 4; i++ {
		f.beginBlock([]abci.VoteInfo{vote(0, 100, i == 0), vote(1, 100, true)})
		f.endBlock(time.Second)
	}
	if v, _ := f.st.Validator(f.s, val); v.Jailed {
		t.Fatal("3 of 4 missed is not more than 3")
	}
	evs := f.beginBlock([]abci.VoteInfo{vote(0, 100, false)})
	f.endBlock(time.Second)
	v, _ := f.st.Validator(f.s, val)
	if !v.Jailed || v.Tokens != 900 || f.burned != 100 || countType(evs, "slash") != 1 {
		t.Fatalf("validator %v events %v", v, evs)
	}
	if info, _ := f.k.SigningInfo(f.s, v.ConsAddress()); info.MissedBlocks != 0 || info.IndexOffset != 0 {
		t.Fatalf("window not reset: %v", info)
	}
}

func TestDoubleSign(t *testing.T) {
	f := newFixture(t, testParams(), 3, 10_000)
	val := f.createValidator(0, 2_000)
	f.createValidator(1, 1_000)
	f.endBlock(time.Second)
	f.endBlock(time.Second)
	ev := abci.Misbehavior{Type: abci.MisbehaviorType_DUPLICATE_VOTE, Validator: abci.Validator{Address: staking.ConsAddress(pubKey(0)), Power: 200},
		Height: f.height - 1, Time: f.now.Add(-time.Second)}
	if evs := f.beginBlock(nil, ev); len(evs) != 1 || evs[0].Type != "slash" {
		t.Fatalf("events %v", evs)
	}
	ups := f.endBlock(time.Second)
	v, _ := f.st.Validator(f.s, val)
	if v.Tokens != 1_900 || f.burned != 100 || !v.Tombstoned || !v.Jailed || !v.JailedUntil().Equal(staking.JailedForever) || !f.st.IsTombstoned(f.s, v.ConsAddress()) {
		t.Fatalf("validator %v", v)
	}
	if len(ups) != 1 || ups[0].Power != 0 {
		t.Fatalf("updates %v", ups)
	}
	before := f.ms.WorkingHash()
	if evs := f.beginBlock(nil, ev); len(evs) != 0 || !bytes.Equal(before, f.ms.WorkingHash()) {
		t.Fatalf("second submission acted: %v", evs)
	}
	f.now = f.now.Add(100 * 365 * 24 * time.Hour)
	if _, err := f.st.Unjail(f.s, f.height, f.now, val, &staking.MsgUnjail{Validator: val}); !errors.Is(err, staking.ErrTombstoned) {
		t.Fatalf("unjail while tombstoned: %v", err)
	}
	// Unknown validators and stale evidence are ignored.
	stale := ev
	stale.Validator.Address = staking.ConsAddress(pubKey(1))
	stale.Time = f.now.Add(-101 * time.Second)
	unknown := ev
	unknown.Validator.Address = staking.ConsAddress(pubKey(9))
	before = f.ms.WorkingHash()
	if evs := f.beginBlock(nil, stale, unknown); len(evs) != 0 || !bytes.Equal(before, f.ms.WorkingHash()) {
		t.Fatalf("ignored evidence acted: %v", evs)
	}
	f.check()
}

// TestWindowRestart: a window keeps its missed blocks until the window
// length changes, which drops every window.
func TestWindowRestart(t *testing.T) {
	f := newFixture(t, testParams(), 3, 10_000)
	f.createValidator(0, 1_000)
	f.createValidator(1, 2_000)
	f.endBlock(time.Second)
	f.beginBlock(nil)
	f.beginBlock([]abci.VoteInfo{vote(0, 100, false)})
	f.beginBlock([]abci.VoteInfo{vote(0, 100, true), vote(1, 200, true)})
	cons := staking.ConsAddress(pubKey(0))
	if info, ok := f.k.SigningInfo(f.s, cons); !ok || info.MissedBlocks != 1 || info.IndexOffset != 2 || info.StartHeight != f.height {
		t.Fatalf("signing info %v", info)
	}
	if info, ok := f.k.SigningInfo(f.s, staking.ConsAddress(pubKey(1))); !ok || info.MissedBlocks != 0 || info.IndexOffset != 1 {
		t.Fatalf("signing info %v", info)
	}
	p := f.params()
	p.SignedBlocksWindow = 20
	if err := f.st.SetParams(f.s, p); err != nil {
		t.Fatal(err)
	}
	if _, ok := f.k.SigningInfo(f.s, cons); ok {
		t.Fatal("window kept across a window change")
	}
}
