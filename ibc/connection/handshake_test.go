package connection

import (
	"bytes"
	"errors"
	"slices"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	dbm "github.com/cosmos/cosmos-db"
	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"
	connectiontypes "github.com/cosmos/ibc-go/v10/modules/core/03-connection/types"

	"github.com/abci-ics/ics/ibc/commitment"
	"github.com/abci-ics/ics/state"
)

// These tests run the handshake between two chains whose fake clients
// "verify" a proof by reading the counterparty's working store: a proof
// is accepted when it is proofOK and the counterparty stores exactly the
// value under the path. Real ICS-23 proofs through a connection are
// exercised by package channel's tests, which open their connections with
// this package.

const clientID = "07-tendermint-0"

var (
	proofOK = []byte("proof")
	signer  = []byte("relayer-address-0020")
	now     = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	h1      = clienttypes.NewHeight(1, 1)
)

type testChain struct {
	ms     *state.MultiStore
	k      *Keeper
	cp     *testChain
	status string
}

func (c *testChain) Status(_ state.Store, id string, _ time.Time) string {
	if id != clientID {
		return "Unknown"
	}
	return c.status
}

func (c *testChain) VerifyMembership(_ state.Store, id string, _ clienttypes.Height, _ time.Time, proof []byte, path string, value []byte) error {
	if got := c.cp.ms.Working().KV(StoreName).Get([]byte(path)); !bytes.Equal(proof, proofOK) || !bytes.Equal(got, value) {
		return errors.New("fake client: no such value")
	}
	return nil
}

func (c *testChain) VerifyNonMembership(state.Store, string, clienttypes.Height, time.Time, []byte, string) error {
	return errors.New("fake client: not used")
}

func newTestPair(t *testing.T) (a, b *testChain) {
	t.Helper()
	mk := func() *testChain {
		ms, err := state.Open(dbm.NewMemDB(), []string{StoreName}, state.Options{CacheSize: 1000})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = ms.Close() })
		c := &testChain{ms: ms, status: StatusActive}
		c.k = NewKeeper(c)
		return c
	}
	a, b = mk(), mk()
	a.cp, b.cp = b, a
	return a, b
}

func marshal(t *testing.T, m interface{ Marshal() ([]byte, error) }) []byte {
	t.Helper()
	bz, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return bz
}

func attrOf(ev abci.Event, key string) string {
	for _, a := range ev.Attributes {
		if a.Key == key {
			return a.Value
		}
	}
	return ""
}

// unchanged runs step on the chain's working state and checks that it
// fails with want, returns no events and leaves the state as it was.
func (c *testChain) unchanged(t *testing.T, want error, step func(s state.Store) ([]abci.Event, error)) {
	t.Helper()
	before := c.ms.WorkingHash()
	ev, err := step(c.ms.Working())
	if !errors.Is(err, want) {
		t.Fatalf("got error %v, want %v", err, want)
	}
	if ev != nil {
		t.Fatalf("events on error: %v", ev)
	}
	if !bytes.Equal(before, c.ms.WorkingHash()) {
		t.Fatal("working state changed on error")
	}
}

// TestHandshake runs the four steps through the message handlers and
// checks the ends, the events and the queries.
func TestHandshake(t *testing.T) {
	a, b := newTestPair(t)
	cpOfA := connectiontypes.NewCounterparty(clientID, "", Prefix())
	evA, err := a.k.HandleConnectionOpenInit(a.ms.Working(), 1, now, signer, &MsgConnectionOpenInit{
		ClientId: clientID, Counterparty: marshal(t, &cpOfA), Signer: signer})
	if err != nil {
		t.Fatal(err)
	}
	connA := attrOf(evA[0], AttrConnectionID)
	var versions [][]byte
	for _, v := range CompatibleVersions() {
		versions = append(versions, marshal(t, v))
	}
	cpOfB := connectiontypes.NewCounterparty(clientID, connA, Prefix())
	evB, err := b.k.HandleConnectionOpenTry(b.ms.Working(), 1, now, signer, &MsgConnectionOpenTry{
		ClientId: clientID, Counterparty: marshal(t, &cpOfB), CounterpartyVersions: versions,
		ProofInit: proofOK, ProofRevisionNumber: 1, ProofRevisionHeight: 1, Signer: signer})
	if err != nil {
		t.Fatal(err)
	}
	connB := attrOf(evB[0], AttrConnectionID)
	endB, _ := b.k.Connection(b.ms.Working(), connB)
	evAck, err := a.k.HandleConnectionOpenAck(a.ms.Working(), 2, now, signer, &MsgConnectionOpenAck{
		ConnectionId: connA, CounterpartyConnectionId: connB, Version: marshal(t, endB.Versions[0]),
		ProofTry: proofOK, ProofRevisionNumber: 1, ProofRevisionHeight: 2, Signer: signer})
	if err != nil {
		t.Fatal(err)
	}
	evConfirm, err := b.k.HandleConnectionOpenConfirm(b.ms.Working(), 2, now, signer, &MsgConnectionOpenConfirm{
		ConnectionId: connB, ProofAck: proofOK, ProofRevisionNumber: 1, ProofRevisionHeight: 2, Signer: signer})
	if err != nil {
		t.Fatal(err)
	}

	if connA != "connection-0" || connB != "connection-0" {
		t.Fatalf("ids %q %q", connA, connB)
	}
	var types []string
	for _, ev := range slices.Concat(evA, evB, evAck, evConfirm) {
		types = append(types, ev.Type)
	}
	if want := []string{EventConnectionOpenInit, EventConnectionOpenTry, EventConnectionOpenAck, EventConnectionOpenConfirm}; !slices.Equal(types, want) {
		t.Fatalf("events %v, want %v", types, want)
	}
	if got := attrOf(evAck[0], AttrCounterpartyConnectionID); got != connB {
		t.Fatalf("ack event counterparty connection %q", got)
	}
	for _, c := range []*testChain{a, b} {
		conn, err := c.k.Open(c.ms.Working(), "connection-0")
		if err != nil || conn.ClientId != clientID || conn.Counterparty.ConnectionId != "connection-0" ||
			len(conn.Versions) != 1 || conn.Versions[0].Identifier != "1" || conn.DelayPeriod != 0 {
			t.Fatalf("connection %+v %v", conn, err)
		}
		if all := c.k.Connections(c.ms.Working()); len(all) != 1 || all[0].Id != "connection-0" || all[0].State != connectiontypes.OPEN {
			t.Fatalf("Connections %v", all)
		}
	}
	// The next connection gets the next id.
	if _, _, err := a.k.ConnOpenInit(a.ms.Working(), now, clientID, cpOfA, nil); err != nil {
		t.Fatal(err)
	}
	if _, ok := a.k.Connection(a.ms.Working(), "connection-1"); !ok {
		t.Fatal("second connection is not connection-1")
	}
}

// TestRejections breaks the steps one rule at a time.
func TestRejections(t *testing.T) {
	a, b := newTestPair(t)
	cp := connectiontypes.NewCounterparty(clientID, "", Prefix())
	badPrefix := cp
	badPrefix.Prefix.KeyPrefix = []byte("store")
	withConn := cp
	withConn.ConnectionId = "connection-7"
	for _, c := range []struct {
		name     string
		clientID string
		cp       connectiontypes.Counterparty
		v        *connectiontypes.Version
		want     error
	}{
		{"bad client id", "a/b", cp, nil, ErrInvalidIdentifier},
		{"bad prefix", clientID, badPrefix, nil, ErrInvalidCounterparty},
		{"counterparty connection set", clientID, withConn, nil, ErrInvalidCounterparty},
		{"unsupported version", clientID, cp, connectiontypes.NewVersion("2", []string{"ORDER_ORDERED"}), ErrInvalidVersion},
		{"unknown client", "07-tendermint-9", cp, nil, ErrClientNotActive},
	} {
		t.Run(c.name, func(t *testing.T) {
			a.unchanged(t, c.want, func(s state.Store) ([]abci.Event, error) {
				_, ev, err := a.k.ConnOpenInit(s, now, c.clientID, c.cp, c.v)
				return ev, err
			})
		})
	}
	t.Run("unauthorized", func(t *testing.T) {
		a.unchanged(t, ErrUnauthorized, func(s state.Store) ([]abci.Event, error) {
			return a.k.HandleConnectionOpenInit(s, 1, now, []byte("someone else"), &MsgConnectionOpenInit{
				ClientId: clientID, Counterparty: marshal(t, &cp), Signer: signer})
		})
	})
	t.Run("malformed counterparty", func(t *testing.T) {
		a.unchanged(t, ErrInvalidMessage, func(s state.Store) ([]abci.Event, error) {
			return a.k.HandleConnectionOpenInit(s, 1, now, signer, &MsgConnectionOpenInit{
				ClientId: clientID, Counterparty: []byte{0xff, 0xff}, Signer: signer})
		})
	})

	connA, _, err := a.k.ConnOpenInit(a.ms.Working(), now, clientID, cp, nil)
	if err != nil {
		t.Fatal(err)
	}
	cpB := connectiontypes.NewCounterparty(clientID, connA, Prefix())
	tooMany := make([]*connectiontypes.Version, MaxCounterpartyVersions+1)
	for i := range tooMany {
		tooMany[i] = CompatibleVersions()[0]
	}
	for _, c := range []struct {
		name     string
		proof    []byte
		h        clienttypes.Height
		versions []*connectiontypes.Version
		want     error
	}{
		{"bad proof", []byte("forged"), h1, CompatibleVersions(), ErrInvalidProof},
		{"empty proof", nil, h1, CompatibleVersions(), ErrInvalidProof},
		{"zero height", proofOK, clienttypes.ZeroHeight(), CompatibleVersions(), ErrInvalidHeight},
		{"versions not the stored ones", proofOK, h1, []*connectiontypes.Version{connectiontypes.NewVersion("1", []string{"ORDER_ORDERED"})}, ErrInvalidProof},
		{"no versions", proofOK, h1, nil, ErrInvalidVersion},
		{"too many versions", proofOK, h1, tooMany, ErrInvalidVersion},
	} {
		t.Run(c.name, func(t *testing.T) {
			b.unchanged(t, c.want, func(s state.Store) ([]abci.Event, error) {
				_, ev, err := b.k.ConnOpenTry(s, now, clientID, cpB, c.versions, c.proof, c.h)
				return ev, err
			})
		})
	}
	t.Run("frozen client", func(t *testing.T) {
		b.status = "Frozen"
		defer func() { b.status = StatusActive }()
		b.unchanged(t, ErrClientNotActive, func(s state.Store) ([]abci.Event, error) {
			_, ev, err := b.k.ConnOpenTry(s, now, clientID, cpB, CompatibleVersions(), proofOK, h1)
			return ev, err
		})
	})
	t.Run("ack before try", func(t *testing.T) {
		a.unchanged(t, ErrInvalidProof, func(s state.Store) ([]abci.Event, error) {
			return a.k.ConnOpenAck(s, now, connA, "connection-0", CompatibleVersions()[0], proofOK, h1)
		})
	})
	t.Run("ack of an unknown connection", func(t *testing.T) {
		a.unchanged(t, ErrConnectionNotFound, func(s state.Store) ([]abci.Event, error) {
			return a.k.ConnOpenAck(s, now, "connection-9", "connection-0", CompatibleVersions()[0], proofOK, h1)
		})
	})
	t.Run("confirm on INIT", func(t *testing.T) {
		a.unchanged(t, ErrInvalidConnectionState, func(s state.Store) ([]abci.Event, error) {
			return a.k.ConnOpenConfirm(s, now, connA, proofOK, h1)
		})
	})
	t.Run("open on INIT", func(t *testing.T) {
		if _, err := a.k.Open(a.ms.Working(), connA); !errors.Is(err, ErrInvalidConnectionState) {
			t.Fatalf("Open: %v", err)
		}
		if _, err := a.k.Open(a.ms.Working(), "connection-9"); !errors.Is(err, ErrConnectionNotFound) {
			t.Fatalf("Open: %v", err)
		}
	})
	if path := commitment.ConnectionPath(connA); a.ms.Working().KV(StoreName).Get([]byte(path)) == nil {
		t.Fatalf("no connection end under %q", path)
	}
}
