package client

import (
	"bytes"
	"errors"
	"testing"
	"time"

	gogotypes "github.com/cosmos/gogoproto/types"

	"github.com/cometbft/cometbft/crypto"
	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"
	ibctm "github.com/cosmos/ibc-go/v10/modules/light-clients/07-tendermint"
	ics23 "github.com/cosmos/ics23/go"

	"github.com/abci-ics/ics/ibc/commitment"
)

func TestKeyLayoutFrozen(t *testing.T) {
	if metaPrefix != 0x00 || keyClientSequence != 0x01 || prefixConsensusMeta != 0x02 {
		t.Fatal("key prefixes changed")
	}
	if got := clientSequenceKey(); !bytes.Equal(got, []byte{0, 1}) {
		t.Fatalf("client sequence key %x", got)
	}
	got := ConsensusMetaKey("07-tendermint-12", clienttypes.NewHeight(3, 258))
	want := append([]byte{0, 2, 16}, "07-tendermint-12"...)
	want = append(want, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 1, 2)
	if !bytes.Equal(got, want) {
		t.Fatalf("consensus metadata key %x, want %x", got, want)
	}
	if got := string(clientStateKey("07-tendermint-12")); got != "clients/07-tendermint-12/clientState" {
		t.Fatalf("client state key %q", got)
	}
	if got := string(consensusStateKey("07-tendermint-12", clienttypes.NewHeight(3, 258))); got != "clients/07-tendermint-12/consensusStates/3-258" {
		t.Fatalf("consensus state key %q", got)
	}
	for _, id := range []string{"07-tendermint-0", "07-tendermint-18446744073709551615"} {
		if !validClientID(id) {
			t.Errorf("%q rejected", id)
		}
	}
	for _, id := range []string{"", "07-tendermint-", "07-tendermint-01", "07-tendermint--1", "06-solomachine-0", "07-tendermint-18446744073709551616", "07-tendermint-1/x"} {
		if validClientID(id) {
			t.Errorf("%q accepted", id)
		}
	}
}

func TestCreateClient(t *testing.T) {
	vals := newSignerSet("a", 4)
	f := newFixture(t, "counterparty", vals)
	if f.clientID != "07-tendermint-0" {
		t.Fatalf("first client id %q", f.clientID)
	}
	cs := f.clientState()
	if cs.ChainId != "counterparty" || !cs.LatestHeight.EQ(clienttypes.NewHeight(0, 5)) || !cs.FrozenHeight.IsZero() {
		t.Fatalf("client state %v", cs)
	}
	if cs.TrustLevel != DefaultTrustLevel || cs.TrustingPeriod != testTrusting || cs.MaxClockDrift != testDrift {
		t.Fatalf("client parameters %v", cs)
	}
	cons, ok := f.k.ConsensusState(f.s, f.clientID, f.h0)
	if !ok || !cons.Timestamp.Equal(t0) || !bytes.Equal(cons.Root.Hash, hash32("app5")) || !bytes.Equal(cons.NextValidatorsHash, vals.vals.Hash()) {
		t.Fatalf("consensus state %v, %v", cons, ok)
	}
	if ts, err := f.k.ConsensusStateTimestamp(f.s, f.clientID, f.h0); err != nil || ts != uint64(t0.UnixNano()) {
		t.Fatalf("timestamp %d, %v", ts, err)
	}
	if _, err := f.k.ConsensusStateTimestamp(f.s, f.clientID, f.height(6)); !errors.Is(err, ErrConsensusStateNotFound) {
		t.Fatalf("timestamp at a missing height: %v", err)
	}
	if pt, ok := f.k.ProcessedTime(f.s, f.clientID, f.h0); !ok || !pt.Equal(t0.Add(time.Minute)) {
		t.Fatalf("processed time %s, %v", pt, ok)
	}
	if ph, ok := f.k.ProcessedHeight(f.s, f.clientID, f.h0); !ok || ph != 100 {
		t.Fatalf("processed height %d, %v", ph, ok)
	}
	if got := f.k.LatestHeight(f.s, f.clientID); !got.EQ(f.h0) {
		t.Fatalf("latest height %s", got)
	}
	if got := f.k.Status(f.s, f.clientID, t0.Add(time.Hour)); got != Active {
		t.Fatalf("status %s", got)
	}
	if got := f.k.Status(f.s, f.clientID, t0.Add(testTrusting)); got != Expired {
		t.Fatalf("status at the end of the trusting period: %s", got)
	}
	if got := f.k.Status(f.s, "07-tendermint-9", t0); got != Unknown {
		t.Fatalf("status of an unknown client: %s", got)
	}
	if got := f.k.LatestHeight(f.s, "07-tendermint-9"); !got.IsZero() {
		t.Fatalf("latest height of an unknown client: %s", got)
	}

	// A second client, of a chain id with a revision number.
	cs2 := NewClientState("provider-3", clienttypes.NewHeight(3, 1), testTrusting, testUnbonding, testDrift)
	cons2 := &ibctm.ConsensusState{Timestamp: t0, Root: rootOf("x"), NextValidatorsHash: vals.vals.Hash()}
	id2, err := f.k.CreateClient(f.s, 101, t0, cs2, cons2)
	if err != nil || id2 != "07-tendermint-1" {
		t.Fatalf("second client %q, %v", id2, err)
	}
	if hs := f.k.ConsensusHeights(f.s, id2); len(hs) != 1 || !hs[0].EQ(clienttypes.NewHeight(3, 1)) {
		t.Fatalf("consensus heights %v", hs)
	}
}

func TestCreateClientRejects(t *testing.T) {
	vals := newSignerSet("a", 4)
	valid := func() (*ibctm.ClientState, *ibctm.ConsensusState) {
		return NewClientState("chain-2", clienttypes.NewHeight(2, 10), testTrusting, testUnbonding, testDrift),
			&ibctm.ConsensusState{Timestamp: t0, Root: rootOf("r"), NextValidatorsHash: vals.vals.Hash()}
	}
	for _, tc := range []struct {
		name   string
		err    error
		break_ func(cs *ibctm.ClientState, cons *ibctm.ConsensusState)
	}{
		{"empty chain id", ErrInvalidClientState, func(cs *ibctm.ClientState, _ *ibctm.ConsensusState) { cs.ChainId = "" }},
		{"long chain id", ErrInvalidClientState, func(cs *ibctm.ClientState, _ *ibctm.ConsensusState) {
			cs.ChainId = string(bytes.Repeat([]byte("c"), 49)) + "-2"
		}},
		{"trust level below 1/3", ErrInvalidClientState, func(cs *ibctm.ClientState, _ *ibctm.ConsensusState) {
			cs.TrustLevel = ibctm.Fraction{Numerator: 1, Denominator: 4}
		}},
		{"trust level above 1", ErrInvalidClientState, func(cs *ibctm.ClientState, _ *ibctm.ConsensusState) {
			cs.TrustLevel = ibctm.Fraction{Numerator: 4, Denominator: 3}
		}},
		{"zero trust level denominator", ErrInvalidClientState, func(cs *ibctm.ClientState, _ *ibctm.ConsensusState) {
			cs.TrustLevel = ibctm.Fraction{}
		}},
		{"zero trusting period", ErrInvalidClientState, func(cs *ibctm.ClientState, _ *ibctm.ConsensusState) { cs.TrustingPeriod = 0 }},
		{"negative unbonding period", ErrInvalidClientState, func(cs *ibctm.ClientState, _ *ibctm.ConsensusState) { cs.UnbondingPeriod = -1 }},
		{"trusting = unbonding", ErrInvalidClientState, func(cs *ibctm.ClientState, _ *ibctm.ConsensusState) { cs.TrustingPeriod = cs.UnbondingPeriod }},
		{"zero clock drift", ErrInvalidClientState, func(cs *ibctm.ClientState, _ *ibctm.ConsensusState) { cs.MaxClockDrift = 0 }},
		{"zero latest height", ErrInvalidClientState, func(cs *ibctm.ClientState, _ *ibctm.ConsensusState) { cs.LatestHeight.RevisionHeight = 0 }},
		{"huge latest height", ErrInvalidClientState, func(cs *ibctm.ClientState, _ *ibctm.ConsensusState) { cs.LatestHeight.RevisionHeight = 1 << 63 }},
		{"wrong revision", ErrInvalidClientState, func(cs *ibctm.ClientState, _ *ibctm.ConsensusState) { cs.LatestHeight.RevisionNumber = 1 }},
		{"frozen", ErrInvalidClientState, func(cs *ibctm.ClientState, _ *ibctm.ConsensusState) { cs.FrozenHeight = frozenHeight }},
		{"no proof specs", ErrInvalidClientState, func(cs *ibctm.ClientState, _ *ibctm.ConsensusState) { cs.ProofSpecs = nil }},
		{"specs swapped", ErrInvalidClientState, func(cs *ibctm.ClientState, _ *ibctm.ConsensusState) {
			cs.ProofSpecs = []*ics23.ProofSpec{ics23.TendermintSpec, ics23.IavlSpec}
		}},
		{"nil spec", ErrInvalidClientState, func(cs *ibctm.ClientState, _ *ibctm.ConsensusState) {
			cs.ProofSpecs = []*ics23.ProofSpec{ics23.IavlSpec, nil}
		}},
		{"short root", ErrInvalidConsensusState, func(_ *ibctm.ClientState, cons *ibctm.ConsensusState) { cons.Root.Hash = cons.Root.Hash[:31] }},
		{"empty next validators hash", ErrInvalidConsensusState, func(_ *ibctm.ClientState, cons *ibctm.ConsensusState) {
			cons.NextValidatorsHash = nil
		}},
		{"zero timestamp", ErrInvalidConsensusState, func(_ *ibctm.ClientState, cons *ibctm.ConsensusState) { cons.Timestamp = time.Unix(0, 0) }},
		{"expired", ErrClientExpired, func(_ *ibctm.ClientState, cons *ibctm.ConsensusState) { cons.Timestamp = t0.Add(-testTrusting) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ms := openStore(t)
			s := ms.Working()
			cs, cons := valid()
			tc.break_(cs, cons)
			before := dump(s)
			if _, err := (Keeper{}).CreateClient(s, 1, t0, cs, cons); !errors.Is(err, tc.err) {
				t.Fatalf("got %v, want %v", err, tc.err)
			}
			if dump(s) != before {
				t.Fatal("a rejected client changed the store")
			}
		})
	}
	// The unbroken fixture is accepted, so each case breaks one rule.
	cs, cons := valid()
	if _, err := (Keeper{}).CreateClient(openStore(t).Working(), 1, t0, cs, cons); err != nil {
		t.Fatal(err)
	}
	if _, err := (Keeper{}).CreateClient(openStore(t).Working(), 1, t0, nil, cons); !errors.Is(err, ErrInvalidClientState) {
		t.Fatalf("nil client state: %v", err)
	}
}

func TestUpdateAdjacent(t *testing.T) {
	f := newFixture(t, "counterparty", newSignerSet("a", 4))
	b := f.block(6)
	now := b.time.Add(time.Second)
	evs := f.update(now, b.ibcHeader(f.h0, f.vals))
	if len(evs) != 1 || evs[0].Type != EventTypeUpdateClient || attr(evs[0], AttributeKeyClientID) != f.clientID ||
		attr(evs[0], AttributeKeyConsensusHeight) != "0-6" || attr(evs[0], AttributeKeyClientType) != ClientType {
		t.Fatalf("events %v", evs)
	}
	cons, ok := f.k.ConsensusState(f.s, f.clientID, f.height(6))
	if !ok || !cons.Timestamp.Equal(b.time) || !bytes.Equal(cons.Root.Hash, b.appHash) || !bytes.Equal(cons.NextValidatorsHash, f.vals.vals.Hash()) {
		t.Fatalf("consensus state %v", cons)
	}
	if got := f.k.LatestHeight(f.s, f.clientID); !got.EQ(f.height(6)) {
		t.Fatalf("latest height %s", got)
	}
	if pt, ok := f.k.ProcessedTime(f.s, f.clientID, f.height(6)); !ok || !pt.Equal(now) {
		t.Fatalf("processed time %s", pt)
	}
	if hs := f.k.ConsensusHeights(f.s, f.clientID); len(hs) != 2 {
		t.Fatalf("consensus heights %v", hs)
	}

	// The same header again changes nothing.
	before := dump(f.s)
	evs = f.update(now.Add(time.Second), b.ibcHeader(f.h0, f.vals))
	if len(evs) != 1 || evs[0].Type != EventTypeUpdateClient || dump(f.s) != before {
		t.Fatalf("duplicate update: events %v, store changed %v", evs, dump(f.s) != before)
	}

	// An update through the message handler, encoded as a relayer sends
	// it, from the new height.
	bz, err := f.block(7).ibcHeader(f.height(6), f.vals).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	signer := []byte("relayer-address-20by")
	if _, err := f.k.HandleUpdateClient(f.s, 201, f.block(7).time, signer, &MsgUpdateClient{ClientId: f.clientID, Header: bz, Signer: []byte("someone-else-20bytes")}); !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("update signed by another: %v", err)
	}
	if _, err := f.k.HandleUpdateClient(f.s, 201, f.block(7).time, signer, &MsgUpdateClient{ClientId: f.clientID, Header: bz, Signer: signer}); err != nil {
		t.Fatal(err)
	}
	if got := f.k.LatestHeight(f.s, f.clientID); !got.EQ(f.height(7)) {
		t.Fatalf("latest height %s", got)
	}
}

// TestUpdateSkipping100 skips from height 5 to 50 over a validator set
// change where 35 of the 100 trusted validators remain: more than 1/3 of
// the trusted power signed, so the update is accepted; with 33 it is not.
func TestUpdateSkipping100(t *testing.T) {
	old := newSignerSet("old", 100)
	f := newFixture(t, "consumer-1", old)
	for _, tc := range []struct {
		keep int
		err  error
	}{{33, ErrInsufficientTrust}, {35, nil}} {
		next := old.take(tc.keep).merge(newSignerSet("new", 100-tc.keep))
		b := f.block(50)
		b.vals = next
		before := dump(f.s)
		_, err := f.k.UpdateClient(f.s, 300, b.time.Add(time.Second), f.clientID, b.ibcHeader(f.h0, old))
		if !errors.Is(err, tc.err) && !(tc.err == nil && err == nil) {
			t.Fatalf("keep %d: got %v, want %v", tc.keep, err, tc.err)
		}
		if tc.err != nil {
			if dump(f.s) != before {
				t.Fatalf("keep %d: rejected update changed the store", tc.keep)
			}
			continue
		}
		if got := f.k.LatestHeight(f.s, f.clientID); !got.EQ(clienttypes.NewHeight(1, 50)) {
			t.Fatalf("latest height %s", got)
		}
		cons, _ := f.k.ConsensusState(f.s, f.clientID, clienttypes.NewHeight(1, 50))
		if !bytes.Equal(cons.NextValidatorsHash, next.vals.Hash()) {
			t.Fatal("next validators hash not stored")
		}
	}
}

func TestUpdateRejects(t *testing.T) {
	vals := newSignerSet("a", 4)
	for _, tc := range []struct {
		name  string
		err   []error
		setup func(f *fixture) // optional state before the update
		mk    func(f *fixture) (*ibctm.Header, time.Time, string)
	}{
		{"unknown client", []error{ErrClientNotFound}, nil, func(f *fixture) (*ibctm.Header, time.Time, string) {
			b := f.block(6)
			return b.ibcHeader(f.h0, f.vals), b.time, "07-tendermint-7"
		}},
		{"another chain id", []error{ErrChainIDMismatch}, nil, func(f *fixture) (*ibctm.Header, time.Time, string) {
			b := f.block(6)
			b.chainID = "other"
			return b.ibcHeader(f.h0, f.vals), b.time, f.clientID
		}},
		{"trusted height without consensus state", []error{ErrConsensusStateNotFound}, nil, func(f *fixture) (*ibctm.Header, time.Time, string) {
			b := f.block(9)
			return b.ibcHeader(f.height(4), f.vals), b.time, f.clientID
		}},
		{"wrong trusted validators", []error{ErrInvalidTrustedValidators}, nil, func(f *fixture) (*ibctm.Header, time.Time, string) {
			b := f.block(9)
			return b.ibcHeader(f.h0, newSignerSet("b", 4)), b.time, f.clientID
		}},
		{"signed by under 1/3 of the trusted power", []error{ErrInsufficientTrust}, nil, func(f *fixture) (*ibctm.Header, time.Time, string) {
			b := f.block(9)
			b.vals = f.vals.take(1).merge(newSignerSet("b", 3))
			return b.ibcHeader(f.h0, f.vals), b.time, f.clientID
		}},
		{"skipping with 2/3 of the new power, not more", []error{ErrInvalidHeader}, nil, func(f *fixture) (*ibctm.Header, time.Time, string) {
			b := f.block(9)
			b.vals = f.vals.take(3) // equal power: 2 of 3 is exactly 2/3
			b.signs = func(i int) bool { return i < 2 }
			return b.ibcHeader(f.h0, f.vals), b.time, f.clientID
		}},
		{"adjacent signed by half", []error{ErrInvalidHeader}, nil, func(f *fixture) (*ibctm.Header, time.Time, string) {
			b := f.block(6)
			b.signs = func(i int) bool { return i < 2 }
			return b.ibcHeader(f.h0, f.vals), b.time, f.clientID
		}},
		{"adjacent with another validator set", []error{ErrInvalidHeader}, nil, func(f *fixture) (*ibctm.Header, time.Time, string) {
			b := f.block(6)
			b.vals = newSignerSet("b", 4)
			return b.ibcHeader(f.h0, f.vals), b.time, f.clientID
		}},
		{"bad signatures", []error{ErrInvalidHeader}, nil, func(f *fixture) (*ibctm.Header, time.Time, string) {
			b := f.block(9)
			b.sigKeys = map[string]crypto.PrivKey{}
			for _, v := range f.vals.vals.Validators {
				b.sigKeys[string(v.Address)] = testKey("impostor", 0)
			}
			return b.ibcHeader(f.h0, f.vals), b.time, f.clientID
		}},
		{"expired client", []error{ErrClientNotActive, ErrClientExpired}, nil, func(f *fixture) (*ibctm.Header, time.Time, string) {
			b := f.block(6)
			return b.ibcHeader(f.h0, f.vals), t0.Add(testTrusting), f.clientID
		}},
		{"expired trusted state of an active client", []error{ErrTrustingPeriodExpired}, func(f *fixture) {
			b := f.block(6)
			b.time = t0.Add(testTrusting - time.Hour)
			f.update(b.time, b.ibcHeader(f.h0, f.vals))
		}, func(f *fixture) (*ibctm.Header, time.Time, string) {
			b := f.block(7) // trusted from height 5, which expired
			b.time = t0.Add(testTrusting)
			return b.ibcHeader(f.h0, f.vals), b.time, f.clientID
		}},
		{"header too far in the future", []error{ErrHeaderInFuture}, nil, func(f *fixture) (*ibctm.Header, time.Time, string) {
			b := f.block(6)
			return b.ibcHeader(f.h0, f.vals), b.time.Add(-testDrift), f.clientID
		}},
		{"header time not after the trusted time", []error{ErrInvalidHeader}, nil, func(f *fixture) (*ibctm.Header, time.Time, string) {
			b := f.block(6)
			b.time = t0
			return b.ibcHeader(f.h0, f.vals), t0.Add(time.Minute), f.clientID
		}},
		{"frozen client", []error{ErrClientNotActive, ErrClientFrozen}, func(f *fixture) {
			cs := f.clientState()
			cs.FrozenHeight = frozenHeight
			setClientState(kv(f.s), f.clientID, cs)
		}, func(f *fixture) (*ibctm.Header, time.Time, string) {
			b := f.block(6)
			return b.ibcHeader(f.h0, f.vals), b.time, f.clientID
		}},
		{"height not above the trusted height", []error{ErrInvalidHeaderHeight}, nil, func(f *fixture) (*ibctm.Header, time.Time, string) {
			b := f.block(5)
			return b.ibcHeader(f.h0, f.vals), b.time, f.clientID
		}},
		{"trusted height in another revision", []error{ErrInvalidHeaderHeight}, nil, func(f *fixture) (*ibctm.Header, time.Time, string) {
			b := f.block(6)
			return b.ibcHeader(clienttypes.NewHeight(1, 5), f.vals), b.time, f.clientID
		}},
		{"no validator set", []error{ErrInvalidHeader}, nil, func(f *fixture) (*ibctm.Header, time.Time, string) {
			b := f.block(6)
			h := b.ibcHeader(f.h0, f.vals)
			h.ValidatorSet = nil
			return h, b.time, f.clientID
		}},
		{"no commit", []error{ErrInvalidHeader}, nil, func(f *fixture) (*ibctm.Header, time.Time, string) {
			b := f.block(6)
			h := b.ibcHeader(f.h0, f.vals)
			h.SignedHeader.Commit = nil
			return h, b.time, f.clientID
		}},
		{"nil header", []error{ErrInvalidHeader}, nil, func(f *fixture) (*ibctm.Header, time.Time, string) {
			return nil, t0, f.clientID
		}},
		{"commit of another block", []error{ErrInvalidHeader}, nil, func(f *fixture) (*ibctm.Header, time.Time, string) {
			b := f.block(6)
			h := b.ibcHeader(f.h0, f.vals)
			h.SignedHeader.Header.AppHash = hash32("forged")
			return h, b.time, f.clientID
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, "counterparty", vals)
			if tc.setup != nil {
				tc.setup(f)
			}
			h, now, id := tc.mk(f)
			before := dump(f.s)
			evs, err := f.k.UpdateClient(f.s, 300, now, id, h)
			t.Log(err)
			for _, want := range tc.err {
				if !errors.Is(err, want) {
					t.Fatalf("got %v, want %v", err, want)
				}
			}
			if evs != nil || dump(f.s) != before {
				t.Fatal("a rejected update changed the store or returned events")
			}
		})
	}
}

func TestConflictingHeaderFreezes(t *testing.T) {
	f := newFixture(t, "counterparty", newSignerSet("a", 4))
	b := f.block(7)
	f.update(b.time, b.ibcHeader(f.h0, f.vals))
	fork := f.block(7)
	fork.appHash = hash32("fork")
	evs, err := f.k.UpdateClient(f.s, 300, b.time, f.clientID, fork.ibcHeader(f.h0, f.vals))
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || evs[0].Type != EventTypeSubmitMisbehaviour || attr(evs[0], AttributeKeyClientID) != f.clientID {
		t.Fatalf("events %v", evs)
	}
	if st := f.k.Status(f.s, f.clientID, b.time); st != Frozen {
		t.Fatalf("status %s", st)
	}
	if cs := f.clientState(); !cs.FrozenHeight.EQ(clienttypes.NewHeight(0, 1)) {
		t.Fatalf("frozen height %s", cs.FrozenHeight)
	}
	cons, _ := f.k.ConsensusState(f.s, f.clientID, f.height(7))
	if !bytes.Equal(cons.Root.Hash, b.appHash) {
		t.Fatal("the conflicting header replaced the consensus state")
	}
	if _, err := f.k.UpdateClient(f.s, 301, b.time, f.clientID, f.block(8).ibcHeader(f.height(7), f.vals)); !errors.Is(err, ErrClientFrozen) {
		t.Fatalf("update of a frozen client: %v", err)
	}
}

func TestTimeMonotonicity(t *testing.T) {
	setup := func(t *testing.T) *fixture {
		f := newFixture(t, "counterparty", newSignerSet("a", 4))
		b := f.block(10) // 5 minutes after height 5
		f.update(b.time, b.ibcHeader(f.h0, f.vals))
		return f
	}
	t10 := t0.Add(5 * time.Minute)
	for _, tc := range []struct {
		name   string
		time   time.Time
		frozen bool
	}{
		{"between the neighbours", t0.Add(2 * time.Minute), false},
		{"equal to the next", t10, true},
		{"after the next", t10.Add(time.Second), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := setup(t)
			b := f.block(7)
			b.time = tc.time
			evs, err := f.k.UpdateClient(f.s, 300, t10.Add(time.Minute), f.clientID, b.ibcHeader(f.h0, f.vals))
			if err != nil {
				t.Fatal(err)
			}
			if got := f.k.Status(f.s, f.clientID, t10) == Frozen; got != tc.frozen {
				t.Fatalf("frozen %v, want %v (events %v)", got, tc.frozen, evs)
			}
			_, stored := f.k.ConsensusState(f.s, f.clientID, f.height(7))
			if stored == tc.frozen {
				t.Fatalf("consensus state at 7 stored: %v", stored)
			}
			if got := f.k.LatestHeight(f.s, f.clientID); !got.EQ(f.height(10)) {
				t.Fatalf("a past header moved the latest height to %s", got)
			}
		})
	}
}

func TestMisbehaviour(t *testing.T) {
	vals := newSignerSet("a", 4)
	for _, tc := range []struct {
		name string
		err  []error // nil: the client freezes
		mk   func(f *fixture) *ibctm.Misbehaviour
	}{
		{"fork at the same height", nil, func(f *fixture) *ibctm.Misbehaviour {
			b1, b2 := f.block(8), f.block(8)
			b2.appHash = hash32("fork")
			return &ibctm.Misbehaviour{Header1: b1.ibcHeader(f.h0, f.vals), Header2: b2.ibcHeader(f.h0, f.vals)}
		}},
		{"time violation", nil, func(f *fixture) *ibctm.Misbehaviour {
			b1, b2 := f.block(9), f.block(8)
			b1.time = b2.time
			return &ibctm.Misbehaviour{Header1: b1.ibcHeader(f.h0, f.vals), Header2: b2.ibcHeader(f.h0, f.vals)}
		}},
		{"time violation, headers in the other order", nil, func(f *fixture) *ibctm.Misbehaviour {
			b1, b2 := f.block(9), f.block(8)
			b1.time = b2.time.Add(-time.Second)
			return &ibctm.Misbehaviour{Header1: b2.ibcHeader(f.h0, f.vals), Header2: b1.ibcHeader(f.h0, f.vals)}
		}},
		{"same header twice", []error{ErrInvalidMisbehaviour}, func(f *fixture) *ibctm.Misbehaviour {
			b := f.block(8)
			return &ibctm.Misbehaviour{Header1: b.ibcHeader(f.h0, f.vals), Header2: b.ibcHeader(f.h0, f.vals)}
		}},
		{"consistent headers", []error{ErrInvalidMisbehaviour}, func(f *fixture) *ibctm.Misbehaviour {
			return &ibctm.Misbehaviour{Header1: f.block(9).ibcHeader(f.h0, f.vals), Header2: f.block(8).ibcHeader(f.h0, f.vals)}
		}},
		{"fork signed by strangers", []error{ErrInsufficientTrust}, func(f *fixture) *ibctm.Misbehaviour {
			b1, b2 := f.block(8), f.block(8)
			b2.vals = newSignerSet("b", 4)
			return &ibctm.Misbehaviour{Header1: b1.ibcHeader(f.h0, f.vals), Header2: b2.ibcHeader(f.h0, f.vals)}
		}},
		{"fork with too few signatures", []error{ErrInvalidHeader}, func(f *fixture) *ibctm.Misbehaviour {
			b1, b2 := f.block(8), f.block(8)
			b2.appHash = hash32("fork")
			b2.signs = func(i int) bool { return i < 2 }
			return &ibctm.Misbehaviour{Header1: b1.ibcHeader(f.h0, f.vals), Header2: b2.ibcHeader(f.h0, f.vals)}
		}},
		{"unknown trusted height", []error{ErrConsensusStateNotFound}, func(f *fixture) *ibctm.Misbehaviour {
			b1, b2 := f.block(8), f.block(8)
			b2.appHash = hash32("fork")
			return &ibctm.Misbehaviour{Header1: b1.ibcHeader(f.h0, f.vals), Header2: b2.ibcHeader(f.height(6), f.vals)}
		}},
		{"another chain", []error{ErrChainIDMismatch}, func(f *fixture) *ibctm.Misbehaviour {
			b1, b2 := f.block(8), f.block(8)
			b2.chainID = "other"
			return &ibctm.Misbehaviour{Header1: b1.ibcHeader(f.h0, f.vals), Header2: b2.ibcHeader(f.h0, f.vals)}
		}},
		{"missing header", []error{ErrInvalidHeader}, func(f *fixture) *ibctm.Misbehaviour {
			return &ibctm.Misbehaviour{Header1: f.block(8).ibcHeader(f.h0, f.vals)}
		}},
		{"nil", []error{ErrInvalidMisbehaviour}, func(f *fixture) *ibctm.Misbehaviour { return nil }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, "counterparty", vals)
			m := tc.mk(f)
			now := t0.Add(time.Hour)
			before := dump(f.s)
			evs, err := f.k.SubmitMisbehaviour(f.s, 400, now, f.clientID, m)
			t.Log(err)
			if tc.err == nil {
				if err != nil {
					t.Fatal(err)
				}
				if len(evs) != 1 || evs[0].Type != EventTypeSubmitMisbehaviour || f.k.Status(f.s, f.clientID, now) != Frozen {
					t.Fatalf("events %v, status %s", evs, f.k.Status(f.s, f.clientID, now))
				}
				// A frozen client takes no further evidence and no proofs.
				if _, err := f.k.SubmitMisbehaviour(f.s, 401, now, f.clientID, m); !errors.Is(err, ErrClientFrozen) {
					t.Fatalf("misbehaviour on a frozen client: %v", err)
				}
				return
			}
			for _, want := range tc.err {
				if !errors.Is(err, want) {
					t.Fatalf("got %v, want %v", err, want)
				}
			}
			if evs != nil || dump(f.s) != before {
				t.Fatal("rejected misbehaviour changed the store")
			}
		})
	}
	// Through the message handler.
	f := newFixture(t, "counterparty", vals)
	b1, b2 := f.block(8), f.block(8)
	b2.appHash = hash32("fork")
	bz, err := (&ibctm.Misbehaviour{Header1: b1.ibcHeader(f.h0, f.vals), Header2: b2.ibcHeader(f.h0, f.vals)}).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	signer := []byte("relayer-address-20by")
	if _, err := f.k.HandleSubmitMisbehaviour(f.s, 1, t0.Add(time.Hour), signer, &MsgSubmitMisbehaviour{ClientId: f.clientID, Misbehaviour: []byte{0xff}, Signer: signer}); !errors.Is(err, ErrInvalidMisbehaviour) {
		t.Fatalf("garbage misbehaviour: %v", err)
	}
	if _, err := f.k.HandleSubmitMisbehaviour(f.s, 1, t0.Add(time.Hour), signer, &MsgSubmitMisbehaviour{ClientId: f.clientID, Misbehaviour: bz, Signer: signer}); err != nil {
		t.Fatal(err)
	}
	if f.k.Status(f.s, f.clientID, t0.Add(time.Hour)) != Frozen {
		t.Fatal("not frozen")
	}
}

// TestPruning updates a client every hour for three trusting periods: the
// number of consensus states stays bounded and the latest one is kept.
func TestPruning(t *testing.T) {
	f := newFixture(t, "counterparty", newSignerSet("a", 2))
	trusted := f.h0
	var max int
	for n := int64(6); n < 6+3*24; n++ {
		b := f.block(n)
		b.time = t0.Add(time.Duration(n-5) * time.Hour)
		f.update(b.time, b.ibcHeader(trusted, f.vals))
		trusted = f.height(uint64(n))
		hs := f.k.ConsensusHeights(f.s, f.clientID)
		max = maxInt(max, len(hs))
		if !hs[len(hs)-1].EQ(trusted) {
			t.Fatalf("latest consensus state missing at %d", n)
		}
		// Everything left is within the trusting period, or the latest.
		for _, h := range hs[:len(hs)-1] {
			cons, _ := f.k.ConsensusState(f.s, f.clientID, h)
			if expired(f.clientState(), cons.Timestamp, b.time) {
				t.Fatalf("expired consensus state at %s kept at %s", h, b.time)
			}
		}
	}
	if max > 25 {
		t.Fatalf("up to %d consensus states kept with hourly updates and a %s trusting period", max, testTrusting)
	}
	// Pruned states leave no metadata behind.
	if _, ok := f.k.ProcessedTime(f.s, f.clientID, f.h0); ok {
		t.Fatal("metadata of a pruned consensus state kept")
	}
	if _, ok := f.k.ConsensusState(f.s, f.clientID, f.h0); ok {
		t.Fatal("expired initial consensus state kept")
	}
}

func maxInt(a, b int) int {
	if a > b {
		return a
	}
	return b
}

func TestPruneKeepsLatest(t *testing.T) {
	f := newFixture(t, "counterparty", newSignerSet("a", 2))
	b := f.block(6)
	f.update(b.time, b.ibcHeader(f.h0, f.vals))
	// A past height filled in much later: height 6 stays the latest even
	// though height 5 and 6 are old, and only height 5 may be pruned.
	prune(kv(f.s), f.clientID, f.clientState(), t0.Add(10*testTrusting))
	hs := f.k.ConsensusHeights(f.s, f.clientID)
	if len(hs) != 1 || !hs[0].EQ(f.height(6)) {
		t.Fatalf("after pruning: %v", hs)
	}
}

func TestVerifyMembership(t *testing.T) {
	// The counterparty's state, committed at its height 9: its app hash
	// is in the header of height 10.
	cp := openStore(t)
	commit := commitment.PacketCommitmentPath("transfer", "channel-0", 1)
	value := hash32("packet")
	if err := cp.SetInitialVersion(9); err != nil {
		t.Fatal(err)
	}
	cp.Working().KV(commitment.StoreName).Set([]byte(commit), value)
	ci, err := cp.Commit()
	if err != nil {
		t.Fatal(err)
	}
	view, err := cp.View(ci.Version)
	if err != nil {
		t.Fatal(err)
	}
	_, proof, err := commitment.Prove(view, commit)
	if err != nil {
		t.Fatal(err)
	}
	absent := commitment.PacketReceiptPath("transfer", "channel-0", 1)
	_, absProof, err := commitment.Prove(view, absent)
	if err != nil {
		t.Fatal(err)
	}

	f := newFixture(t, "counterparty", newSignerSet("a", 4))
	b := f.block(10)
	b.appHash = ci.Hash
	f.update(b.time, b.ibcHeader(f.h0, f.vals))
	h := f.height(10)
	now := b.time.Add(time.Minute)

	if err := f.k.VerifyMembership(f.s, f.clientID, h, now, proof, commit, value); err != nil {
		t.Fatal(err)
	}
	if err := f.k.VerifyNonMembership(f.s, f.clientID, h, now, absProof, absent); err != nil {
		t.Fatal(err)
	}
	tampered := bytes.Clone(proof)
	tampered[len(tampered)/2] ^= 1
	for _, tc := range []struct {
		name string
		err  error
		run  func() error
	}{
		{"tampered proof", commitment.ErrInvalidProof, func() error { return f.k.VerifyMembership(f.s, f.clientID, h, now, tampered, commit, value) }},
		{"wrong value", commitment.ErrInvalidProof, func() error { return f.k.VerifyMembership(f.s, f.clientID, h, now, proof, commit, hash32("other")) }},
		{"wrong path", commitment.ErrInvalidProof, func() error {
			return f.k.VerifyMembership(f.s, f.clientID, h, now, proof, commitment.PacketCommitmentPath("transfer", "channel-0", 2), value)
		}},
		{"wrong height", commitment.ErrInvalidProof, func() error { return f.k.VerifyMembership(f.s, f.clientID, f.h0, now, proof, commit, value) }},
		{"height without consensus state", ErrConsensusStateNotFound, func() error {
			return f.k.VerifyMembership(f.s, f.clientID, f.height(9), now, proof, commit, value)
		}},
		{"height above the latest", ErrInvalidProofHeight, func() error {
			return f.k.VerifyMembership(f.s, f.clientID, f.height(11), now, proof, commit, value)
		}},
		{"absence of a present path", commitment.ErrInvalidProof, func() error { return f.k.VerifyNonMembership(f.s, f.clientID, h, now, absProof, commit) }},
		{"membership proof as absence", commitment.ErrInvalidProof, func() error { return f.k.VerifyNonMembership(f.s, f.clientID, h, now, proof, commit) }},
		{"expired client", ErrClientExpired, func() error {
			return f.k.VerifyMembership(f.s, f.clientID, h, b.time.Add(testTrusting), proof, commit, value)
		}},
		{"unknown client", ErrClientNotFound, func() error { return f.k.VerifyMembership(f.s, "07-tendermint-5", h, now, proof, commit, value) }},
	} {
		if err := tc.run(); !errors.Is(err, tc.err) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.err)
		}
	}

	// Freeze the client: the honest proof no longer verifies.
	fork := f.block(10)
	fork.appHash = hash32("fork")
	if _, err := f.k.UpdateClient(f.s, 500, now, f.clientID, fork.ibcHeader(f.h0, f.vals)); err != nil {
		t.Fatal(err)
	}
	if err := f.k.VerifyMembership(f.s, f.clientID, h, now, proof, commit, value); !errors.Is(err, ErrClientFrozen) {
		t.Fatalf("frozen client: %v", err)
	}
	if err := f.k.VerifyNonMembership(f.s, f.clientID, h, now, absProof, absent); !errors.Is(err, ErrClientNotActive) {
		t.Fatalf("frozen client: %v", err)
	}
}

func TestHandleCreateClient(t *testing.T) {
	vals := newSignerSet("a", 4)
	cs := NewClientState("chain-1", clienttypes.NewHeight(1, 3), testTrusting, testUnbonding, testDrift)
	cons := &ibctm.ConsensusState{Timestamp: t0, Root: rootOf("r"), NextValidatorsHash: vals.vals.Hash()}
	csBz, _ := cs.Marshal()
	consBz, _ := cons.Marshal()
	signer := []byte("relayer-address-20by")
	s := openStore(t).Working()
	k := Keeper{}
	for _, tc := range []struct {
		name   string
		signer []byte
		m      *MsgCreateClient
		err    error
	}{
		{"another signer", []byte("x"), &MsgCreateClient{ClientState: csBz, ConsensusState: consBz, Signer: signer}, ErrUnauthorized},
		{"no signer", nil, &MsgCreateClient{ClientState: csBz, ConsensusState: consBz}, ErrUnauthorized},
		{"garbage client state", signer, &MsgCreateClient{ClientState: []byte{0xff, 0xff}, ConsensusState: consBz, Signer: signer}, ErrInvalidClientState},
		{"empty consensus state", signer, &MsgCreateClient{ClientState: csBz, Signer: signer}, ErrInvalidConsensusState},
		{"consensus state as client state", signer, &MsgCreateClient{ClientState: consBz, ConsensusState: consBz, Signer: signer}, ErrInvalidClientState},
	} {
		if _, err := k.HandleCreateClient(s, 1, t0, tc.signer, tc.m); !errors.Is(err, tc.err) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.err)
		}
	}
	evs, err := k.HandleCreateClient(s, 1, t0, signer, &MsgCreateClient{ClientState: csBz, ConsensusState: consBz, Signer: signer})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || evs[0].Type != EventTypeCreateClient || attr(evs[0], AttributeKeyClientID) != "07-tendermint-0" ||
		attr(evs[0], AttributeKeyConsensusHeight) != "1-3" {
		t.Fatalf("events %v", evs)
	}
	got, ok := k.ClientState(s, "07-tendermint-0")
	if !ok {
		t.Fatal("client not stored")
	}
	gotBz, _ := got.Marshal()
	if !bytes.Equal(gotBz, csBz) {
		t.Fatal("stored client state differs from the message's")
	}
	// Stored as ibc-go stores it: an Any of the tendermint client state.
	want, _ := (&gogotypes.Any{TypeUrl: "/ibc.lightclients.tendermint.v1.ClientState", Value: csBz}).Marshal()
	if raw := s.KV(commitment.StoreName).Get([]byte(commitment.ClientStatePath("07-tendermint-0"))); !bytes.Equal(raw, want) {
		t.Fatal("client state not stored under its ICS-24 path as an Any")
	}
	want, _ = (&gogotypes.Any{TypeUrl: "/ibc.lightclients.tendermint.v1.ConsensusState", Value: consBz}).Marshal()
	if raw := s.KV(commitment.StoreName).Get([]byte(commitment.ConsensusStatePath("07-tendermint-0", cs.LatestHeight))); !bytes.Equal(raw, want) {
		t.Fatal("consensus state not stored under its ICS-24 path as an Any")
	}
}
