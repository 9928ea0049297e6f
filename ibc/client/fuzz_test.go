package client

import (
	"testing"
	"time"

	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"
	ibctm "github.com/cosmos/ibc-go/v10/modules/light-clients/07-tendermint"

	"github.com/abci-ics/ics/state"
)

var fuzzSigner = []byte("relayer-address-20by")

func mustBytes(f *testing.F, m interface{ Marshal() ([]byte, error) }) []byte {
	bz, err := m.Marshal()
	if err != nil {
		f.Fatal(err)
	}
	return bz
}

// FuzzHandleUpdateClient feeds arbitrary header bytes to the update
// handler: it must never panic, and whatever it accepts must leave an
// active client whose latest consensus state exists.
func FuzzHandleUpdateClient(f *testing.F) {
	fx := newFixture(f, "counterparty", newSignerSet("a", 4))
	now := t0.Add(time.Hour)
	f.Add(mustBytes(f, fx.block(6).ibcHeader(fx.h0, fx.vals)))
	f.Add(mustBytes(f, fx.block(9).ibcHeader(fx.h0, fx.vals)))
	skip := fx.block(9)
	skip.vals = fx.vals.take(2).merge(newSignerSet("b", 2))
	f.Add(mustBytes(f, skip.ibcHeader(fx.h0, fx.vals)))
	f.Add(mustBytes(f, fx.block(6).ibcHeader(clienttypes.NewHeight(0, 4), fx.vals)))
	f.Add([]byte{})
	f.Add([]byte{0x0a, 0x02, 0x0a, 0x00})
	f.Fuzz(func(t *testing.T, header []byte) {
		c := state.NewCache(fx.s)
		m := &MsgUpdateClient{ClientId: fx.clientID, Header: header, Signer: fuzzSigner}
		if _, err := fx.k.HandleUpdateClient(c, 1, now, fuzzSigner, m); err != nil {
			return
		}
		cs, ok := fx.k.ClientState(c, fx.clientID)
		if !ok {
			t.Fatal("client state lost")
		}
		if cs.FrozenHeight.IsZero() {
			if _, ok := fx.k.ConsensusState(c, fx.clientID, cs.LatestHeight); !ok {
				t.Fatalf("no consensus state at the latest height %s", cs.LatestHeight)
			}
		}
	})
}

// FuzzHandleCreateClient feeds arbitrary client and consensus state bytes
// to the create handler: it must never panic, and a created client must
// be valid and active.
func FuzzHandleCreateClient(f *testing.F) {
	vals := newSignerSet("a", 4)
	cs := NewClientState("chain-1", clienttypes.NewHeight(1, 3), testTrusting, testUnbonding, testDrift)
	cons := &ibctm.ConsensusState{Timestamp: t0, Root: rootOf("r"), NextValidatorsHash: vals.vals.Hash()}
	f.Add(mustBytes(f, cs), mustBytes(f, cons))
	cs.TrustLevel = ibctm.Fraction{Numerator: 0, Denominator: 0}
	f.Add(mustBytes(f, cs), mustBytes(f, cons))
	f.Add([]byte{0x0a, 0x01, 'x'}, []byte{0x12, 0x00})
	ms := openStore(f)
	f.Fuzz(func(t *testing.T, csBz, consBz []byte) {
		c := state.NewCache(ms.Working())
		k := Keeper{}
		evs, err := k.HandleCreateClient(c, 1, t0, fuzzSigner, &MsgCreateClient{ClientState: csBz, ConsensusState: consBz, Signer: fuzzSigner})
		if err != nil {
			return
		}
		id := attr(evs[0], AttributeKeyClientID)
		got, ok := k.ClientState(c, id)
		if !ok || ValidateClientState(got) != nil {
			t.Fatalf("created client %q is invalid: %v", id, got)
		}
		if st := k.Status(c, id, t0); st != Active {
			t.Fatalf("created client is %s", st)
		}
	})
}

// FuzzHandleSubmitMisbehaviour feeds arbitrary evidence bytes to the
// misbehaviour handler: it must never panic.
func FuzzHandleSubmitMisbehaviour(f *testing.F) {
	fx := newFixture(f, "counterparty", newSignerSet("a", 4))
	b1, b2 := fx.block(8), fx.block(8)
	b2.appHash = hash32("fork")
	f.Add(mustBytes(f, &ibctm.Misbehaviour{Header1: b1.ibcHeader(fx.h0, fx.vals), Header2: b2.ibcHeader(fx.h0, fx.vals)}))
	f.Add(mustBytes(f, &ibctm.Misbehaviour{Header1: b1.ibcHeader(fx.h0, fx.vals)}))
	f.Add([]byte{0x12, 0x00, 0x1a, 0x00})
	f.Fuzz(func(t *testing.T, evidence []byte) {
		c := state.NewCache(fx.s)
		m := &MsgSubmitMisbehaviour{ClientId: fx.clientID, Misbehaviour: evidence, Signer: fuzzSigner}
		if _, err := fx.k.HandleSubmitMisbehaviour(c, 1, t0.Add(time.Hour), fuzzSigner, m); err != nil {
			return
		}
		if st := fx.k.Status(c, fx.clientID, t0.Add(time.Hour)); st != Frozen {
			t.Fatalf("accepted misbehaviour left the client %s", st)
		}
	})
}
