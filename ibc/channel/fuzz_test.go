package channel

import (
	"bytes"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	connectiontypes "github.com/cosmos/ibc-go/v10/modules/core/03-connection/types"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"

	"github.com/abci-ics/ics/ibc/commitment"
	"github.com/abci-ics/ics/ibc/connection"
	"github.com/abci-ics/ics/state"
)

type message interface {
	Marshal() ([]byte, error)
	Unmarshal([]byte) error
}

// handlers lists every message type with its handler.
var handlers = []struct {
	new    func() message
	handle func(k *Keeper, s state.Store, h int64, c *chain, m message) ([]abci.Event, error)
}{
	{func() message { return new(connection.MsgConnectionOpenInit) }, func(k *Keeper, s state.Store, h int64, c *chain, m message) ([]abci.Event, error) {
		return c.conns.HandleConnectionOpenInit(s, h, c.now, m.(*connection.MsgConnectionOpenInit).Signer, m.(*connection.MsgConnectionOpenInit))
	}},
	{func() message { return new(connection.MsgConnectionOpenTry) }, func(k *Keeper, s state.Store, h int64, c *chain, m message) ([]abci.Event, error) {
		return c.conns.HandleConnectionOpenTry(s, h, c.now, m.(*connection.MsgConnectionOpenTry).Signer, m.(*connection.MsgConnectionOpenTry))
	}},
	{func() message { return new(connection.MsgConnectionOpenAck) }, func(k *Keeper, s state.Store, h int64, c *chain, m message) ([]abci.Event, error) {
		return c.conns.HandleConnectionOpenAck(s, h, c.now, m.(*connection.MsgConnectionOpenAck).Signer, m.(*connection.MsgConnectionOpenAck))
	}},
	{func() message { return new(connection.MsgConnectionOpenConfirm) }, func(k *Keeper, s state.Store, h int64, c *chain, m message) ([]abci.Event, error) {
		return c.conns.HandleConnectionOpenConfirm(s, h, c.now, m.(*connection.MsgConnectionOpenConfirm).Signer, m.(*connection.MsgConnectionOpenConfirm))
	}},
	{func() message { return new(MsgChannelOpenInit) }, func(k *Keeper, s state.Store, h int64, c *chain, m message) ([]abci.Event, error) {
		return k.HandleChannelOpenInit(s, h, c.now, m.(*MsgChannelOpenInit).Signer, m.(*MsgChannelOpenInit))
	}},
	{func() message { return new(MsgChannelOpenTry) }, func(k *Keeper, s state.Store, h int64, c *chain, m message) ([]abci.Event, error) {
		return k.HandleChannelOpenTry(s, h, c.now, m.(*MsgChannelOpenTry).Signer, m.(*MsgChannelOpenTry))
	}},
	{func() message { return new(MsgChannelOpenAck) }, func(k *Keeper, s state.Store, h int64, c *chain, m message) ([]abci.Event, error) {
		return k.HandleChannelOpenAck(s, h, c.now, m.(*MsgChannelOpenAck).Signer, m.(*MsgChannelOpenAck))
	}},
	{func() message { return new(MsgChannelOpenConfirm) }, func(k *Keeper, s state.Store, h int64, c *chain, m message) ([]abci.Event, error) {
		return k.HandleChannelOpenConfirm(s, h, c.now, m.(*MsgChannelOpenConfirm).Signer, m.(*MsgChannelOpenConfirm))
	}},
	{func() message { return new(MsgChannelCloseInit) }, func(k *Keeper, s state.Store, h int64, c *chain, m message) ([]abci.Event, error) {
		return k.HandleChannelCloseInit(s, h, c.now, m.(*MsgChannelCloseInit).Signer, m.(*MsgChannelCloseInit))
	}},
	{func() message { return new(MsgChannelCloseConfirm) }, func(k *Keeper, s state.Store, h int64, c *chain, m message) ([]abci.Event, error) {
		return k.HandleChannelCloseConfirm(s, h, c.now, m.(*MsgChannelCloseConfirm).Signer, m.(*MsgChannelCloseConfirm))
	}},
}

// fuzzFixture is a pair of chains with an unordered and an ordered
// channel; seeds are valid messages. (Package packet fuzzes the same
// handlers and the packet ones on a fixture with packets in flight.)
func fuzzFixture(f *testing.F) (*link, []message) {
	l := newLink(f, channeltypes.UNORDERED)
	a, b := l.a, l.b
	openChannel(f, a, b, l.connA, channeltypes.ORDERED)

	cp := connectiontypes.NewCounterparty(clientID, "", connection.Prefix())
	cpTry := connectiontypes.NewCounterparty(clientID, l.connA, connection.Prefix())
	var versions [][]byte
	for _, v := range connection.CompatibleVersions() {
		versions = append(versions, mustMarshalT(f, v))
	}
	connProof, h := a.prove(commitment.ConnectionPath(l.connA))
	chInit := channeltypes.NewChannel(channeltypes.INIT, channeltypes.UNORDERED, channeltypes.NewCounterparty(appPort, ""), []string{l.connA}, "app-v1")
	chTry := channeltypes.NewChannel(channeltypes.TRYOPEN, channeltypes.UNORDERED, channeltypes.NewCounterparty(appPort, l.chanA), []string{l.connB}, "")
	chProof, ch := a.prove(commitment.ChannelPath(appPort, l.chanA))
	seeds := []message{
		&connection.MsgConnectionOpenInit{ClientId: clientID, Counterparty: mustMarshalT(f, &cp), Signer: relayer},
		&connection.MsgConnectionOpenTry{ClientId: clientID, Counterparty: mustMarshalT(f, &cpTry), CounterpartyVersions: versions,
			ProofInit: connProof, ProofRevisionNumber: h.RevisionNumber, ProofRevisionHeight: h.RevisionHeight, Signer: relayer},
		&connection.MsgConnectionOpenAck{ConnectionId: l.connA, CounterpartyConnectionId: l.connB, Version: versions[0], ProofTry: connProof,
			ProofRevisionNumber: h.RevisionNumber, ProofRevisionHeight: h.RevisionHeight, Signer: relayer},
		&connection.MsgConnectionOpenConfirm{ConnectionId: l.connB, ProofAck: connProof, ProofRevisionNumber: h.RevisionNumber, ProofRevisionHeight: h.RevisionHeight, Signer: relayer},
		&MsgChannelOpenInit{PortId: appPort, Channel: mustMarshalT(f, &chInit), Signer: relayer},
		&MsgChannelOpenTry{PortId: appPort, Channel: mustMarshalT(f, &chTry), CounterpartyVersion: "app-v1", ProofInit: chProof,
			ProofRevisionNumber: ch.RevisionNumber, ProofRevisionHeight: ch.RevisionHeight, Signer: relayer},
		&MsgChannelOpenAck{PortId: appPort, ChannelId: l.chanA, CounterpartyChannelId: l.chanB, CounterpartyVersion: "app-v1",
			ProofTry: chProof, ProofRevisionNumber: ch.RevisionNumber, ProofRevisionHeight: ch.RevisionHeight, Signer: relayer},
		&MsgChannelOpenConfirm{PortId: appPort, ChannelId: l.chanB, ProofAck: chProof,
			ProofRevisionNumber: ch.RevisionNumber, ProofRevisionHeight: ch.RevisionHeight, Signer: relayer},
		&MsgChannelCloseInit{PortId: appPort, ChannelId: l.chanB, Signer: relayer},
		&MsgChannelCloseConfirm{PortId: appPort, ChannelId: l.chanA, ProofInit: chProof,
			ProofRevisionNumber: ch.RevisionNumber, ProofRevisionHeight: ch.RevisionHeight, Signer: relayer},
	}
	return l, seeds
}

// FuzzMsgs decodes arbitrary bytes as each message type and runs the
// handler, signed by the message's own signer, on a fresh cache of chain
// A or B of the fixture. It must never panic, and a failed handler must
// leave the cache empty.
func FuzzMsgs(f *testing.F) {
	l, seeds := fuzzFixture(f)
	for i, m := range seeds {
		bz, err := m.Marshal()
		if err != nil {
			f.Fatal(err)
		}
		// Each seed is tried on chain A (kind < len(handlers)) and B.
		f.Add(uint8(i), bz)
		f.Add(uint8(i+len(handlers)), bz)
	}
	f.Fuzz(func(t *testing.T, kind uint8, bz []byte) {
		h := handlers[int(kind)%len(handlers)]
		c := l.a
		if int(kind)/len(handlers)%2 == 1 {
			c = l.b
		}
		m := h.new()
		if m.Unmarshal(bz) != nil {
			return
		}
		s := state.NewCache(c.ms.Working())
		before := c.ms.WorkingHash()
		_, err := h.handle(c.k, s, c.height, c, m)
		if err != nil {
			s.Write()
			if !bytes.Equal(before, c.ms.WorkingHash()) {
				t.Fatalf("failed handler wrote state: %v", err)
			}
		}
	})
}
