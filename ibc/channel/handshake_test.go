package channel

import (
	"bytes"
	"slices"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"
	connectiontypes "github.com/cosmos/ibc-go/v10/modules/core/03-connection/types"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"

	"github.com/abci-ics/ics/ibc/commitment"
	"github.com/abci-ics/ics/ibc/connection"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/state/typed"
)

func eventTypes(evs []abci.Event) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.Type)
	}
	return out
}

func TestHandshakes(t *testing.T) {
	for _, order := range []channeltypes.Order{channeltypes.ORDERED, channeltypes.UNORDERED} {
		t.Run(order.String(), func(t *testing.T) {
			l := newLink(t, order)
			a, b := l.a, l.b
			if l.connA != "connection-0" || l.connB != "connection-0" || l.chanA != "channel-0" || l.chanB != "channel-0" {
				t.Fatalf("ids %s %s %s %s", l.connA, l.connB, l.chanA, l.chanB)
			}
			want := []string{
				connection.EventConnectionOpenInit, connection.EventConnectionOpenTry, connection.EventConnectionOpenAck, connection.EventConnectionOpenConfirm,
				EventChannelOpenInit, EventChannelOpenTry, EventChannelOpenAck, EventChannelOpenConfirm,
			}
			if got := eventTypes(l.handshakeEvents); !slices.Equal(got, want) {
				t.Fatalf("events %v, want %v", got, want)
			}

			// Both connection ends are OPEN, point at each other, and
			// agree on one version with both orderings.
			for _, c := range []struct {
				ch       *chain
				id, cpID string
			}{{a, l.connA, l.connB}, {b, l.connB, l.connA}} {
				conn, ok := c.ch.conns.Connection(c.ch.store(), c.id)
				if !ok || conn.State != connectiontypes.OPEN || conn.ClientId != clientID ||
					conn.Counterparty.ConnectionId != c.cpID || conn.Counterparty.ClientId != clientID ||
					!bytes.Equal(conn.Counterparty.Prefix.KeyPrefix, []byte("ibc")) || conn.DelayPeriod != 0 {
					t.Fatalf("%s connection %+v", c.ch.name, conn)
				}
				if len(conn.Versions) != 1 || conn.Versions[0].Identifier != "1" ||
					!slices.Equal(conn.Versions[0].Features, []string{"ORDER_ORDERED", "ORDER_UNORDERED"}) {
					t.Fatalf("%s versions %v", c.ch.name, conn.Versions)
				}
				if got := c.ch.conns.Connections(c.ch.store()); len(got) != 1 || got[0].Id != c.id {
					t.Fatalf("%s Connections %v", c.ch.name, got)
				}
			}
			for _, c := range []struct {
				ch       *chain
				id, cpID string
				conn     string
			}{{a, l.chanA, l.chanB, l.connA}, {b, l.chanB, l.chanA, l.connB}} {
				ch, ok := c.ch.k.Channel(c.ch.store(), appPort, c.id)
				want := channeltypes.NewChannel(channeltypes.OPEN, order, channeltypes.NewCounterparty(appPort, c.cpID), []string{c.conn}, "app-v1")
				if !ok || !bytes.Equal(mustMarshalT(t, &ch), mustMarshalT(t, &want)) {
					t.Fatalf("%s channel %+v, want %+v", c.ch.name, ch, want)
				}
				for _, path := range []string{commitment.NextSequenceSendPath(appPort, c.id), commitment.NextSequenceRecvPath(appPort, c.id), commitment.NextSequenceAckPath(appPort, c.id)} {
					if bz := c.ch.store().KV(StoreName).Get([]byte(path)); !bytes.Equal(bz, typed.U64(1)) {
						t.Fatalf("%s sequence %s is %X", c.ch.name, path, bz)
					}
				}
				all := c.ch.k.Channels(c.ch.store())
				if len(all) != 1 || all[0].PortId != appPort || all[0].ChannelId != c.id || all[0].State != channeltypes.OPEN {
					t.Fatalf("%s Channels %v", c.ch.name, all)
				}
			}
			if !slices.Equal(a.app.calls, []string{"init", "ack"}) || !slices.Equal(b.app.calls, []string{"try", "confirm"}) {
				t.Fatalf("callbacks A %v B %v", a.app.calls, b.app.calls)
			}
		})
	}
}

// TestSecondChannel opens a second channel on the same connection and
// checks that identifiers advance.
func TestSecondChannel(t *testing.T) {
	l := newLink(t, channeltypes.UNORDERED)
	chanA, chanB, _ := openChannel(t, l.a, l.b, l.connA, channeltypes.ORDERED)
	if chanA != "channel-1" || chanB != "channel-1" {
		t.Fatalf("second channel ids %s %s", chanA, chanB)
	}
	if n := len(l.a.k.Channels(l.a.store())); n != 2 {
		t.Fatalf("%d channels", n)
	}
}

// TestHandshakeRejections breaks handshake steps one rule at a time.
func TestHandshakeRejections(t *testing.T) {
	a, b := newPair(t)
	cp := connectiontypes.NewCounterparty(clientID, "", connection.Prefix())

	// Init: bad ids, prefix, version, client status.
	badPrefix := cp
	badPrefix.Prefix.KeyPrefix = []byte("store")
	withConn := cp
	withConn.ConnectionId = "connection-7"
	unsupported := connectiontypes.NewVersion("2", []string{"ORDER_ORDERED"})
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
		{"unsupported version", clientID, cp, unsupported, ErrInvalidVersion},
		{"unknown client", "07-tendermint-9", cp, nil, ErrClientNotActive},
	} {
		t.Run(c.name, func(t *testing.T) {
			a.unchanged(t, c.want, func(s state.Store) ([]abci.Event, error) {
				_, ev, err := a.conns.ConnOpenInit(s, a.now, c.clientID, c.cp, c.v)
				return ev, err
			})
		})
	}

	// A real init, then a Try with broken proofs.
	var connA string
	a.mustTx(func(s state.Store) ([]abci.Event, error) {
		id, ev, err := a.conns.ConnOpenInit(s, a.now, clientID, cp, nil)
		connA = id
		return ev, err
	})
	a.commit()
	proof, h := a.prove(commitment.ConnectionPath(connA))
	cpB := connectiontypes.NewCounterparty(clientID, connA, connection.Prefix())
	tampered := bytes.Clone(proof)
	tampered[len(tampered)/2] ^= 1
	wrongVersions := []*connectiontypes.Version{connectiontypes.NewVersion("1", []string{"ORDER_ORDERED"})}
	for _, c := range []struct {
		name     string
		proof    []byte
		h        clienttypes.Height
		versions []*connectiontypes.Version
		want     error
	}{
		{"tampered proof", tampered, h, connection.CompatibleVersions(), ErrInvalidProof},
		{"other height", proof, clienttypes.NewHeight(revision, h.RevisionHeight-1), connection.CompatibleVersions(), ErrInvalidProof},
		{"unknown height", proof, clienttypes.NewHeight(revision, h.RevisionHeight+5), connection.CompatibleVersions(), ErrInvalidProof},
		{"zero height", proof, clienttypes.ZeroHeight(), connection.CompatibleVersions(), ErrInvalidHeight},
		{"versions not the stored ones", proof, h, wrongVersions, ErrInvalidProof},
		{"no versions", proof, h, nil, ErrInvalidVersion},
		{"empty proof", nil, h, connection.CompatibleVersions(), ErrInvalidProof},
	} {
		t.Run(c.name, func(t *testing.T) {
			b.unchanged(t, c.want, func(s state.Store) ([]abci.Event, error) {
				_, ev, err := b.conns.ConnOpenTry(s, b.now, clientID, cpB, c.versions, c.proof, c.h)
				return ev, err
			})
		})
	}
	t.Run("frozen client", func(t *testing.T) {
		b.clients.status = "Frozen"
		defer func() { b.clients.status = StatusActive }()
		b.unchanged(t, ErrClientNotActive, func(s state.Store) ([]abci.Event, error) {
			_, ev, err := b.conns.ConnOpenTry(s, b.now, clientID, cpB, connection.CompatibleVersions(), proof, h)
			return ev, err
		})
	})
	t.Run("ack before try", func(t *testing.T) {
		a.unchanged(t, ErrInvalidProof, func(s state.Store) ([]abci.Event, error) {
			// B has no connection yet: prove the absent key with a
			// membership proof of something else.
			p, ph := b.prove(commitment.ConnectionPath("connection-0"))
			return a.conns.ConnOpenAck(s, a.now, connA, "connection-0", connection.CompatibleVersions()[0], p, ph)
		})
	})
	t.Run("confirm on INIT", func(t *testing.T) {
		a.unchanged(t, ErrInvalidConnectionState, func(s state.Store) ([]abci.Event, error) {
			return a.conns.ConnOpenConfirm(s, a.now, connA, proof, h)
		})
	})
	t.Run("channel on a connection not open", func(t *testing.T) {
		a.unchanged(t, ErrInvalidConnectionState, func(s state.Store) ([]abci.Event, error) {
			_, ev, err := a.k.ChanOpenInit(s, a.now, appPort, channeltypes.ORDERED, []string{connA}, channeltypes.NewCounterparty(appPort, ""), "")
			return ev, err
		})
	})
}

func TestChannelOpenRejections(t *testing.T) {
	l := newLink(t, channeltypes.UNORDERED)
	a := l.a
	cp := channeltypes.NewCounterparty(appPort, "")
	for _, c := range []struct {
		name  string
		port  string
		order channeltypes.Order
		hops  []string
		cp    channeltypes.Counterparty
		ver   string
		want  error
	}{
		{"unbound port", "nobody", channeltypes.ORDERED, []string{l.connA}, cp, "", ErrPortNotBound},
		{"bad port", "a/b", channeltypes.ORDERED, []string{l.connA}, cp, "", ErrInvalidIdentifier},
		{"no ordering", appPort, channeltypes.NONE, []string{l.connA}, cp, "", ErrInvalidChannelOrdering},
		{"two hops", appPort, channeltypes.ORDERED, []string{l.connA, l.connA}, cp, "", ErrInvalidConnectionHops},
		{"unknown connection", appPort, channeltypes.ORDERED, []string{"connection-9"}, cp, "", ErrConnectionNotFound},
		{"counterparty channel set", appPort, channeltypes.ORDERED, []string{l.connA}, channeltypes.NewCounterparty(appPort, "channel-3"), "", ErrInvalidCounterparty},
		{"app refuses", otherPort, channeltypes.ORDERED, []string{l.connA}, cp, "", ErrAppRejected},
		{"app refuses version", appPort, channeltypes.ORDERED, []string{l.connA}, cp, "app-v9", ErrAppRejected},
		{"version too long", appPort, channeltypes.ORDERED, []string{l.connA}, cp, string(make([]byte, MaxVersionLen+1)), ErrInvalidVersion},
	} {
		t.Run(c.name, func(t *testing.T) {
			a.unchanged(t, c.want, func(s state.Store) ([]abci.Event, error) {
				_, ev, err := a.k.ChanOpenInit(s, a.now, c.port, c.order, c.hops, c.cp, c.ver)
				return ev, err
			})
		})
	}
	t.Run("open message with wrong state", func(t *testing.T) {
		ch := channeltypes.NewChannel(channeltypes.OPEN, channeltypes.ORDERED, cp, []string{l.connA}, "")
		a.unchanged(t, ErrInvalidMessage, func(s state.Store) ([]abci.Event, error) {
			return a.k.HandleChannelOpenInit(s, a.height, a.now, relayer, &MsgChannelOpenInit{PortId: appPort, Channel: mustMarshalT(t, &ch), Signer: relayer})
		})
	})
	t.Run("wrong signer", func(t *testing.T) {
		a.unchanged(t, ErrUnauthorized, func(s state.Store) ([]abci.Event, error) {
			return a.k.HandleChannelOpenInit(s, a.height, a.now, []byte("someone-else"), &MsgChannelOpenInit{PortId: appPort, Signer: relayer})
		})
	})
	t.Run("ack on an open channel", func(t *testing.T) {
		proof, h := l.b.prove(commitment.ChannelPath(appPort, l.chanB))
		a.unchanged(t, ErrInvalidChannelState, func(s state.Store) ([]abci.Event, error) {
			return a.k.ChanOpenAck(s, a.now, appPort, l.chanA, l.chanB, "app-v1", proof, h)
		})
	})
	t.Run("try with a proof of the wrong channel state", func(t *testing.T) {
		// B's channel end is OPEN, not INIT.
		proof, h := l.b.prove(commitment.ChannelPath(appPort, l.chanB))
		try := channeltypes.NewCounterparty(appPort, l.chanB)
		a.unchanged(t, ErrInvalidProof, func(s state.Store) ([]abci.Event, error) {
			_, ev, err := a.k.ChanOpenTry(s, a.now, appPort, channeltypes.UNORDERED, []string{l.connA}, try, "app-v1", proof, h)
			return ev, err
		})
	})
}

// TestCloseHandshake closes a channel from B by a transaction (B's app
// allows it) and confirms on A; A's app does not allow transactions to
// close, but a module can.
func TestCloseHandshake(t *testing.T) {
	l := newLink(t, channeltypes.UNORDERED)
	a, b := l.a, l.b
	a.unchanged(t, ErrCloseRefused, func(s state.Store) ([]abci.Event, error) {
		return a.k.HandleChannelCloseInit(s, a.height, a.now, relayer, &MsgChannelCloseInit{PortId: appPort, ChannelId: l.chanA, Signer: relayer})
	})
	// Confirm before the counterparty closed: the proof shows OPEN.
	proof, h := b.prove(commitment.ChannelPath(appPort, l.chanB))
	a.unchanged(t, ErrInvalidProof, func(s state.Store) ([]abci.Event, error) {
		return a.k.ChanCloseConfirm(s, a.now, appPort, l.chanA, proof, h)
	})

	ev := b.mustTx(func(s state.Store) ([]abci.Event, error) {
		return b.k.HandleChannelCloseInit(s, b.height, b.now, relayer, &MsgChannelCloseInit{PortId: appPort, ChannelId: l.chanB, Signer: relayer})
	})
	if len(ev) != 1 || ev[0].Type != EventChannelCloseInit || attr(t, ev[0], AttrCounterpartyChannelID) != l.chanA {
		t.Fatalf("close init events %v", ev)
	}
	b.commit()
	b.unchanged(t, ErrChannelClosed, func(s state.Store) ([]abci.Event, error) {
		return b.k.ChanCloseInit(s, b.now, appPort, l.chanB)
	})

	proof, h = b.prove(commitment.ChannelPath(appPort, l.chanB))
	ev = a.mustTx(func(s state.Store) ([]abci.Event, error) {
		return a.k.HandleChannelCloseConfirm(s, a.height, a.now, relayer, &MsgChannelCloseConfirm{PortId: appPort, ChannelId: l.chanA,
			ProofInit: proof, ProofRevisionNumber: h.RevisionNumber, ProofRevisionHeight: h.RevisionHeight, Signer: relayer})
	})
	if len(ev) != 1 || ev[0].Type != EventChannelCloseConfirm {
		t.Fatalf("close confirm events %v", ev)
	}
	if ch, _ := a.k.Channel(a.store(), appPort, l.chanA); ch.State != channeltypes.CLOSED {
		t.Fatalf("A channel %s", ch.State)
	}
	if a.app.calls[len(a.app.calls)-1] != "close-confirm" {
		t.Fatalf("A callbacks %v", a.app.calls)
	}
	a.unchanged(t, ErrChannelClosed, func(s state.Store) ([]abci.Event, error) {
		return a.k.ChanCloseConfirm(s, a.now, appPort, l.chanA, proof, h)
	})
	// Module-initiated close on a fresh channel of A.
	chanA, _, _ := openChannel(t, a, b, l.connA, channeltypes.ORDERED)
	a.mustTx(func(s state.Store) ([]abci.Event, error) { return a.k.ChanCloseInit(s, a.now, appPort, chanA) })
	if ch, _ := a.k.Channel(a.store(), appPort, chanA); ch.State != channeltypes.CLOSED {
		t.Fatalf("module close: %s", ch.State)
	}
}

func TestBindPortPanics(t *testing.T) {
	fc := newFakeClients()
	k := NewKeeper(fc, connection.NewKeeper(fc))
	k.BindPort("transfer", newTestApp())
	for name, f := range map[string]func(){
		"duplicate": func() { k.BindPort("transfer", newTestApp()) },
		"bad id":    func() { k.BindPort("a/b", newTestApp()) },
		"nil app":   func() { k.BindPort("nil", nil) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
	if got := k.Ports(); !slices.Equal(got, []string{"transfer"}) {
		t.Fatalf("ports %v", got)
	}
}
