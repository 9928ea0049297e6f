package sovereign

import (
	"bytes"
	"errors"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/proto/tendermint/crypto"
	dbm "github.com/cosmos/cosmos-db"

	"github.com/abci-ics/ics/state"
)

func openStore(t *testing.T) state.Store {
	t.Helper()
	ms, err := state.Open(dbm.NewMemDB(), []string{StoreName}, state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ms.Close() })
	return ms.Working()
}

// TestSchedule: a plan for a later height with a self-bond is recorded
// with its event and due only at its height; a plan for the current or a
// past height, without a self-bond, or while one is planned, is refused
// and writes nothing; only governance plans by message.
func TestSchedule(t *testing.T) {
	s := openStore(t)
	gov := []byte("gov-module-account-20")
	for _, tc := range []struct {
		m    MsgScheduleSovereignTransition
		want error
	}{
		{MsgScheduleSovereignTransition{Authority: gov, Height: 10, SelfBond: 5}, ErrInvalidTransition},
		{MsgScheduleSovereignTransition{Authority: gov, Height: 9, SelfBond: 5}, ErrInvalidTransition},
		{MsgScheduleSovereignTransition{Authority: gov, Height: 11}, ErrInvalidTransition},
		{MsgScheduleSovereignTransition{Height: 11, SelfBond: 5}, ErrInvalidTransition},
		{MsgScheduleSovereignTransition{Authority: []byte("someone"), Height: 11, SelfBond: 5}, ErrNotAuthority},
	} {
		if _, err := HandleSchedule(s, 10, tc.m.Authority, gov, &tc.m); !errors.Is(err, tc.want) {
			t.Fatalf("%+v: %v, want %v", tc.m, err, tc.want)
		}
		if _, ok := Planned(s); ok {
			t.Fatalf("%+v planned", tc.m)
		}
	}
	m := &MsgScheduleSovereignTransition{Authority: gov, Height: 12, SelfBond: 7}
	evs, err := HandleSchedule(s, 10, gov, gov, m)
	if err != nil || len(evs) != 1 || evs[0].Type != EventScheduled {
		t.Fatalf("schedule: %v %v", evs, err)
	}
	if _, ok := Due(s, 11); ok {
		t.Fatal("due before its height")
	}
	if p, ok := Due(s, 12); !ok || p.SelfBond != 7 || p.Reason != ReasonGovernance {
		t.Fatalf("due at 12: %+v %v", p, ok)
	}
	if _, err := Schedule(s, 10, SovereignTransition{Height: 20, SelfBond: 1, Reason: ReasonStopped}); !errors.Is(err, ErrAlreadyPlanned) {
		t.Fatalf("second plan: %v", err)
	}
	if p, _ := Planned(s); p.Height != 12 {
		t.Fatalf("the second plan changed the first: %+v", p)
	}
	if !bytes.Equal(Key(), []byte{0x3a}) || StoreName != "consumer" {
		t.Fatal("the plan's key changed")
	}
}

func upd(key byte, power int64) abci.ValidatorUpdate {
	return abci.ValidatorUpdate{PubKey: crypto.PublicKey{Sum: &crypto.PublicKey_Ed25519{Ed25519: bytes.Repeat([]byte{key}, 32)}}, Power: power}
}

// TestHandover: the transition's updates give own staking's set its
// powers and remove the CCV members it does not have, each key once, in
// key order; an empty, duplicated or powerless own set is refused.
func TestHandover(t *testing.T) {
	ccv := []abci.ValidatorUpdate{upd(3, 30), upd(1, 10), upd(2, 20)}
	got, err := Handover(ccv, []abci.ValidatorUpdate{upd(4, 5), upd(2, 5)})
	if err != nil {
		t.Fatal(err)
	}
	want := []abci.ValidatorUpdate{upd(1, 0), upd(2, 5), upd(3, 0), upd(4, 5)}
	if len(got) != len(want) {
		t.Fatalf("updates %v", got)
	}
	for i := range want {
		if !bytes.Equal(got[i].PubKey.GetEd25519(), want[i].PubKey.GetEd25519()) || got[i].Power != want[i].Power {
			t.Fatalf("update %d: %v, want %v", i, got[i], want[i])
		}
	}
	for _, own := range [][]abci.ValidatorUpdate{nil, {upd(1, 5), upd(1, 6)}, {upd(1, 0)}, {upd(1, -1)}} {
		if _, err := Handover(ccv, own); !errors.Is(err, ErrInvalidTransition) {
			t.Fatalf("own %v: %v", own, err)
		}
	}
}
