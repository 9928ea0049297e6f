package packet

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	dbm "github.com/cosmos/cosmos-db"
	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"
	connectiontypes "github.com/cosmos/ibc-go/v10/modules/core/03-connection/types"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"
	commitmenttypes "github.com/cosmos/ibc-go/v10/modules/core/23-commitment/types"

	"github.com/abci-ics/ics/ibc/channel"
	"github.com/abci-ics/ics/ibc/commitment"
	"github.com/abci-ics/ics/ibc/connection"
	"github.com/abci-ics/ics/state"
	stateproof "github.com/abci-ics/ics/state/proof"
)

// The tests run two real chains, A and B: each is a state.MultiStore over
// memdb with a Keeper over a channel and a connection keeper, and each
// holds a fake light client of the other. The fake client is a map from the other chain's committed heights to
// its app hashes and block times, filled on every commit (as a relayer's
// client update would), and it verifies proofs with the real two-layer
// ICS-23 verification of package state. So every proof in these tests is
// checked for real; only header verification is skipped.

const (
	appStore  = "app"
	appPort   = "app"
	otherPort = "other" // bound to an application that refuses everything
	clientID  = "07-tendermint-0"
	revision  = 1
	blockTime = 5 * time.Second
)

var (
	relayer = []byte("relayer-address-0020")
	genesis = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
)

// consState is what the fake client keeps per height.
type consState struct {
	hash []byte
	time time.Time
}

// fakeClients is a Clients with one client, clientID, of a counterparty
// with revision number `revision`.
type fakeClients struct {
	states map[uint64]consState
	latest uint64
	status string
}

func newFakeClients() *fakeClients {
	return &fakeClients{states: map[uint64]consState{}, status: StatusActive}
}

func (f *fakeClients) update(h uint64, hash []byte, t time.Time) {
	f.states[h] = consState{hash: bytes.Clone(hash), time: t}
	f.latest = max(f.latest, h)
}

func (f *fakeClients) Status(_ state.Store, id string, _ time.Time) string {
	if id != clientID {
		return "Unknown"
	}
	return f.status
}

func (f *fakeClients) LatestHeight(_ state.Store, id string) clienttypes.Height {
	if id != clientID || f.latest == 0 {
		return clienttypes.ZeroHeight()
	}
	return clienttypes.NewHeight(revision, f.latest)
}

func (f *fakeClients) consensus(id string, h clienttypes.Height) (consState, error) {
	cs, ok := f.states[h.RevisionHeight]
	if id != clientID || h.RevisionNumber != revision || !ok {
		return consState{}, fmt.Errorf("fake client: no consensus state at %s", h)
	}
	return cs, nil
}

func (f *fakeClients) ConsensusStateTimestamp(_ state.Store, id string, h clienttypes.Height) (uint64, error) {
	cs, err := f.consensus(id, h)
	if err != nil {
		return 0, err
	}
	return uint64(cs.time.UnixNano()), nil
}

func decodeMerkleProof(proof []byte) (*commitmenttypes.MerkleProof, error) {
	var mp commitmenttypes.MerkleProof
	if err := mp.Unmarshal(proof); err != nil {
		return nil, err
	}
	return &mp, nil
}

func (f *fakeClients) VerifyMembership(_ state.Store, id string, h clienttypes.Height, _ time.Time, proof []byte, path string, value []byte) error {
	cs, err := f.consensus(id, h)
	if err != nil {
		return err
	}
	mp, err := decodeMerkleProof(proof)
	if err != nil {
		return err
	}
	return stateproof.VerifyMembership(cs.hash, StoreName, []byte(path), value, mp.Proofs)
}

func (f *fakeClients) VerifyNonMembership(_ state.Store, id string, h clienttypes.Height, _ time.Time, proof []byte, path string) error {
	cs, err := f.consensus(id, h)
	if err != nil {
		return err
	}
	mp, err := decodeMerkleProof(proof)
	if err != nil {
		return err
	}
	return stateproof.VerifyNonMembership(cs.hash, StoreName, []byte(path), mp.Proofs)
}

// testApp records callbacks and writes to the "app" store so that tests
// can see which writes are kept.
type testApp struct {
	k        *Keeper
	version  string
	calls    []string
	acks     map[uint64]channeltypes.Acknowledgement
	timeouts []uint64
	failAck  error // returned by OnAcknowledgementPacket
}

func newTestApp(k *Keeper) *testApp {
	return &testApp{k: k, version: "app-v1", acks: map[uint64]channeltypes.Acknowledgement{}}
}

func (a *testApp) OnChanOpenInit(_ state.Store, _ channeltypes.Order, _ []string, _, _ string, _ channeltypes.Counterparty, version string) (string, error) {
	a.calls = append(a.calls, "init")
	if version != "" && version != a.version {
		return "", fmt.Errorf("unsupported version %q", version)
	}
	return a.version, nil
}

func (a *testApp) OnChanOpenTry(_ state.Store, _ channeltypes.Order, _ []string, _, _ string, _ channeltypes.Counterparty, cpVersion string) (string, error) {
	a.calls = append(a.calls, "try")
	if cpVersion != a.version {
		return "", fmt.Errorf("unsupported counterparty version %q", cpVersion)
	}
	return a.version, nil
}

func (a *testApp) OnChanOpenAck(_ state.Store, _, _, _, cpVersion string) error {
	a.calls = append(a.calls, "ack")
	if cpVersion != a.version {
		return fmt.Errorf("unsupported counterparty version %q", cpVersion)
	}
	return nil
}

func (a *testApp) OnChanOpenConfirm(state.Store, string, string) error {
	a.calls = append(a.calls, "confirm")
	return nil
}

func (a *testApp) OnChanCloseConfirm(state.Store, string, string) error {
	a.calls = append(a.calls, "close-confirm")
	return nil
}

// OnRecvPacket writes recv/<seq>. Data containing "fail" gets an error
// acknowledgement; data "echo-fail" first sends a packet back.
func (a *testApp) OnRecvPacket(s state.Store, height int64, now time.Time, p channeltypes.Packet, _ []byte) (channeltypes.Acknowledgement, []abci.Event) {
	s.KV(appStore).Set(appKey("recv", p.Sequence), p.Data)
	var events []abci.Event
	if string(p.Data) == "echo-fail" {
		_, evs, err := a.k.SendPacket(s, height, now, p.DestinationPort, p.DestinationChannel, clienttypes.ZeroHeight(), uint64(now.Add(time.Hour).UnixNano()), []byte("echo"))
		if err != nil {
			panic(err)
		}
		events = append(events, evs...)
	}
	if bytes.Contains(p.Data, []byte("fail")) {
		// The echo is discarded with the rest: so is its event.
		return channeltypes.Acknowledgement{Response: &channeltypes.Acknowledgement_Error{Error: "refused"}}, nil
	}
	return channeltypes.NewResultAcknowledgement([]byte{1}), events
}

func (a *testApp) OnAcknowledgementPacket(s state.Store, _ int64, _ time.Time, p channeltypes.Packet, ack channeltypes.Acknowledgement, _ []byte) ([]abci.Event, error) {
	s.KV(appStore).Set(appKey("acked", p.Sequence), []byte{1})
	if a.failAck != nil {
		return nil, a.failAck
	}
	a.acks[p.Sequence] = ack
	return nil, nil
}

func (a *testApp) OnTimeoutPacket(s state.Store, _ int64, _ time.Time, p channeltypes.Packet, _ []byte) ([]abci.Event, error) {
	s.KV(appStore).Set(appKey("refund", p.Sequence), p.Data)
	a.timeouts = append(a.timeouts, p.Sequence)
	return nil, nil
}

func appKey(kind string, seq uint64) []byte { return []byte(kind + "/" + strconv.FormatUint(seq, 10)) }

// refuser is an application that refuses every handshake.
type refuser struct{ testApp }

func (refuser) OnChanOpenInit(state.Store, channeltypes.Order, []string, string, string, channeltypes.Counterparty, string) (string, error) {
	return "", errors.New("refused")
}

// closer is a testApp that lets transactions close its channels.
type closer struct{ *testApp }

func (c closer) OnChanCloseInit(state.Store, string, string) error { return nil }

// chain is one of the two test chains.
type chain struct {
	t       testing.TB
	name    string
	ms      *state.MultiStore
	k       *Keeper
	chans   *channel.Keeper
	conns   *connection.Keeper
	app     *testApp
	clients *fakeClients // this chain's client of cp
	cp      *chain
	height  int64 // height of the block being executed
	now     time.Time
}

func newChain(t testing.TB, name string, closable bool) *chain {
	t.Helper()
	ms, err := state.Open(dbm.NewMemDB(), []string{StoreName, appStore}, state.Options{CacheSize: 10_000})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ms.Close() })
	c := &chain{t: t, name: name, ms: ms, clients: newFakeClients(), height: 1, now: genesis}
	c.conns = connection.NewKeeper(c.clients)
	c.chans = channel.NewKeeper(c.clients, c.conns)
	c.k = NewKeeper(c.chans, c.clients, c.conns, revision)
	c.app = newTestApp(c.k)
	if closable {
		c.chans.BindPort(appPort, closer{c.app})
	} else {
		c.chans.BindPort(appPort, c.app)
	}
	c.chans.BindPort(otherPort, &refuser{})
	return c
}

// newPair returns two chains whose clients of each other are up to date.
func newPair(t testing.TB) (a, b *chain) {
	a, b = newChain(t, "A", false), newChain(t, "B", true)
	a.cp, b.cp = b, a
	// Seed each store so that the first proofs have a non-empty tree.
	for _, c := range []*chain{a, b} {
		c.ms.Working().KV(StoreName).Set([]byte("\x00test/seed"), []byte{1})
		c.ms.Working().KV(appStore).Set([]byte("seed"), []byte{1})
		c.commit()
	}
	return a, b
}

// commit ends the block: the counterparty's client learns its app hash
// and time, and a new block starts blockTime later.
func (c *chain) commit() {
	c.t.Helper()
	info, err := c.ms.Commit()
	if err != nil {
		c.t.Fatal(err)
	}
	if info.Version != c.height {
		c.t.Fatalf("%s committed version %d at height %d", c.name, info.Version, c.height)
	}
	if c.cp != nil {
		c.cp.clients.update(uint64(info.Version), info.Hash, c.now)
	}
	c.height++
	c.now = c.now.Add(blockTime)
}

// tx runs a step as a transaction: on a cache written only on success.
func (c *chain) tx(step func(s state.Store) ([]abci.Event, error)) ([]abci.Event, error) {
	cache := state.NewCache(c.ms.Working())
	ev, err := step(cache)
	if err == nil {
		cache.Write()
	}
	return ev, err
}

// mustTx runs a transaction that must succeed.
func (c *chain) mustTx(step func(s state.Store) ([]abci.Event, error)) []abci.Event {
	c.t.Helper()
	ev, err := c.tx(step)
	if err != nil {
		c.t.Fatalf("%s: %v", c.name, err)
	}
	return ev
}

// prove returns the proof of path in the last committed version and its
// height.
func (c *chain) prove(path string) ([]byte, clienttypes.Height) {
	c.t.Helper()
	return c.proveAt(path, 0)
}

func (c *chain) proveAt(path string, version int64) ([]byte, clienttypes.Height) {
	c.t.Helper()
	v, err := c.ms.View(version)
	if err != nil {
		c.t.Fatal(err)
	}
	_, proofs, err := v.Prove(StoreName, []byte(path))
	if err != nil {
		c.t.Fatal(err)
	}
	mp := commitmenttypes.MerkleProof{Proofs: proofs}
	bz, err := mp.Marshal()
	if err != nil {
		c.t.Fatal(err)
	}
	return bz, clienttypes.NewHeight(revision, uint64(v.Version()))
}

func (c *chain) store() state.Store { return c.ms.Working() }

func mustMarshalT(t testing.TB, m interface{ Marshal() ([]byte, error) }) []byte {
	t.Helper()
	bz, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return bz
}

// link is an open connection and channel between A and B.
type link struct {
	a, b            *chain
	connA, connB    string
	chanA, chanB    string
	order           channeltypes.Order
	handshakeEvents []abci.Event
}

// openConnection runs the four connection handshake steps through the
// message handlers, committing after each.
func openConnection(t testing.TB, a, b *chain) (connA, connB string, events []abci.Event) {
	t.Helper()
	cpOfA := connectiontypes.NewCounterparty(clientID, "", connection.Prefix())
	ev := a.mustTx(func(s state.Store) ([]abci.Event, error) {
		return a.conns.HandleConnectionOpenInit(s, a.height, a.now, relayer, &connection.MsgConnectionOpenInit{
			ClientId: clientID, Counterparty: mustMarshalT(t, &cpOfA), Signer: relayer})
	})
	events = append(events, ev...)
	connA = attr(t, ev[0], channel.AttrConnectionID)
	a.commit()

	proof, h := a.prove(commitment.ConnectionPath(connA))
	cpOfB := connectiontypes.NewCounterparty(clientID, connA, connection.Prefix())
	var versions [][]byte
	for _, v := range connection.CompatibleVersions() {
		versions = append(versions, mustMarshalT(t, v))
	}
	ev = b.mustTx(func(s state.Store) ([]abci.Event, error) {
		return b.conns.HandleConnectionOpenTry(s, b.height, b.now, relayer, &connection.MsgConnectionOpenTry{
			ClientId: clientID, Counterparty: mustMarshalT(t, &cpOfB), CounterpartyVersions: versions,
			ProofInit: proof, ProofRevisionNumber: h.RevisionNumber, ProofRevisionHeight: h.RevisionHeight, Signer: relayer})
	})
	events = append(events, ev...)
	connB = attr(t, ev[0], channel.AttrConnectionID)
	b.commit()

	proof, h = b.prove(commitment.ConnectionPath(connB))
	connEndB, _ := b.conns.Connection(b.store(), connB)
	ev = a.mustTx(func(s state.Store) ([]abci.Event, error) {
		return a.conns.HandleConnectionOpenAck(s, a.height, a.now, relayer, &connection.MsgConnectionOpenAck{
			ConnectionId: connA, CounterpartyConnectionId: connB, Version: mustMarshalT(t, connEndB.Versions[0]),
			ProofTry: proof, ProofRevisionNumber: h.RevisionNumber, ProofRevisionHeight: h.RevisionHeight, Signer: relayer})
	})
	events = append(events, ev...)
	a.commit()

	proof, h = a.prove(commitment.ConnectionPath(connA))
	ev = b.mustTx(func(s state.Store) ([]abci.Event, error) {
		return b.conns.HandleConnectionOpenConfirm(s, b.height, b.now, relayer, &connection.MsgConnectionOpenConfirm{
			ConnectionId: connB, ProofAck: proof, ProofRevisionNumber: h.RevisionNumber, ProofRevisionHeight: h.RevisionHeight, Signer: relayer})
	})
	events = append(events, ev...)
	b.commit()
	return connA, connB, events
}

// openChannel runs the four channel handshake steps on appPort.
func openChannel(t testing.TB, a, b *chain, connA string, order channeltypes.Order) (chanA, chanB string, events []abci.Event) {
	t.Helper()
	ch := channeltypes.NewChannel(channeltypes.INIT, order, channeltypes.NewCounterparty(appPort, ""), []string{connA}, "app-v1")
	ev := a.mustTx(func(s state.Store) ([]abci.Event, error) {
		return a.chans.HandleChannelOpenInit(s, a.height, a.now, relayer, &channel.MsgChannelOpenInit{PortId: appPort, Channel: mustMarshalT(t, &ch), Signer: relayer})
	})
	events = append(events, ev...)
	chanA = attr(t, ev[0], channel.AttrChannelID)
	a.commit()

	connEndA, _ := a.conns.Connection(a.store(), connA)
	proof, h := a.prove(commitment.ChannelPath(appPort, chanA))
	try := channeltypes.NewChannel(channeltypes.TRYOPEN, order, channeltypes.NewCounterparty(appPort, chanA),
		[]string{connEndA.Counterparty.ConnectionId}, "")
	ev = b.mustTx(func(s state.Store) ([]abci.Event, error) {
		return b.chans.HandleChannelOpenTry(s, b.height, b.now, relayer, &channel.MsgChannelOpenTry{
			PortId: appPort, Channel: mustMarshalT(t, &try), CounterpartyVersion: "app-v1", ProofInit: proof,
			ProofRevisionNumber: h.RevisionNumber, ProofRevisionHeight: h.RevisionHeight, Signer: relayer})
	})
	events = append(events, ev...)
	chanB = attr(t, ev[0], channel.AttrChannelID)
	b.commit()

	proof, h = b.prove(commitment.ChannelPath(appPort, chanB))
	ev = a.mustTx(func(s state.Store) ([]abci.Event, error) {
		return a.chans.HandleChannelOpenAck(s, a.height, a.now, relayer, &channel.MsgChannelOpenAck{
			PortId: appPort, ChannelId: chanA, CounterpartyChannelId: chanB, CounterpartyVersion: "app-v1", ProofTry: proof,
			ProofRevisionNumber: h.RevisionNumber, ProofRevisionHeight: h.RevisionHeight, Signer: relayer})
	})
	events = append(events, ev...)
	a.commit()

	proof, h = a.prove(commitment.ChannelPath(appPort, chanA))
	ev = b.mustTx(func(s state.Store) ([]abci.Event, error) {
		return b.chans.HandleChannelOpenConfirm(s, b.height, b.now, relayer, &channel.MsgChannelOpenConfirm{
			PortId: appPort, ChannelId: chanB, ProofAck: proof,
			ProofRevisionNumber: h.RevisionNumber, ProofRevisionHeight: h.RevisionHeight, Signer: relayer})
	})
	events = append(events, ev...)
	b.commit()
	return chanA, chanB, events
}

// newLink opens a connection and a channel of the given ordering.
func newLink(t testing.TB, order channeltypes.Order) *link {
	t.Helper()
	a, b := newPair(t)
	l := &link{a: a, b: b, order: order}
	var ev1, ev2 []abci.Event
	l.connA, l.connB, ev1 = openConnection(t, a, b)
	l.chanA, l.chanB, ev2 = openChannel(t, a, b, l.connA, order)
	l.handshakeEvents = append(ev1, ev2...)
	return l
}

// send sends data from A (timeout: an hour of B's time, in timestamp) and
// commits A; it returns the packet rebuilt from the send_packet event, as
// a relayer would.
func (l *link) send(data string) channeltypes.Packet {
	l.a.t.Helper()
	return l.sendWithTimeout(data, clienttypes.ZeroHeight(), uint64(l.b.now.Add(time.Hour).UnixNano()))
}

func (l *link) sendWithTimeout(data string, th clienttypes.Height, ts uint64) channeltypes.Packet {
	t := l.a.t
	t.Helper()
	ev := l.a.mustTx(func(s state.Store) ([]abci.Event, error) {
		_, evs, err := l.a.k.SendPacket(s, l.a.height, l.a.now, appPort, l.chanA, th, ts, []byte(data))
		return evs, err
	})
	if len(ev) != 1 || ev[0].Type != EventSendPacket {
		t.Fatalf("send events %v", ev)
	}
	l.a.commit()
	return packetFromEvent(t, ev[0])
}

// recvMsg builds the MsgRecvPacket of p with a proof from A's last commit.
func (l *link) recvMsg(p channeltypes.Packet) *MsgRecvPacket {
	t := l.a.t
	t.Helper()
	proof, h := l.a.prove(commitment.PacketCommitmentPath(p.SourcePort, p.SourceChannel, p.Sequence))
	return &MsgRecvPacket{Packet: mustMarshalT(t, &p), ProofCommitment: proof,
		ProofRevisionNumber: h.RevisionNumber, ProofRevisionHeight: h.RevisionHeight, Signer: relayer}
}

// recv delivers p to B, commits B and returns the acknowledgement bytes
// read from the write_acknowledgement event.
func (l *link) recv(p channeltypes.Packet) []byte {
	t := l.a.t
	t.Helper()
	m := l.recvMsg(p)
	ev := l.b.mustTx(func(s state.Store) ([]abci.Event, error) {
		return l.b.k.HandleRecvPacket(s, l.b.height, l.b.now, relayer, m)
	})
	if len(ev) != 2 || ev[0].Type != EventRecvPacket || ev[1].Type != EventWriteAck {
		t.Fatalf("recv events %v", ev)
	}
	ack, err := hex.DecodeString(attr(t, ev[1], AttrPacketAckHex))
	if err != nil {
		t.Fatal(err)
	}
	l.b.commit()
	return ack
}

// ackMsg builds the MsgAcknowledgement of p with a proof from B's last
// commit.
func (l *link) ackMsg(p channeltypes.Packet, ack []byte) *MsgAcknowledgement {
	t := l.a.t
	t.Helper()
	proof, h := l.b.prove(commitment.PacketAcknowledgementPath(p.DestinationPort, p.DestinationChannel, p.Sequence))
	return &MsgAcknowledgement{Packet: mustMarshalT(t, &p), Acknowledgement: ack, ProofAcked: proof,
		ProofRevisionNumber: h.RevisionNumber, ProofRevisionHeight: h.RevisionHeight, Signer: relayer}
}

// timeoutMsg builds the MsgTimeout of p with a proof from B's last commit.
func (l *link) timeoutMsg(p channeltypes.Packet) *MsgTimeout {
	t := l.a.t
	t.Helper()
	m := &MsgTimeout{Packet: mustMarshalT(t, &p), Signer: relayer}
	var path string
	if l.order == channeltypes.ORDERED {
		path = commitment.NextSequenceRecvPath(p.DestinationPort, p.DestinationChannel)
		m.NextSequenceRecv, _ = l.b.k.NextSequenceRecv(l.b.store(), p.DestinationPort, p.DestinationChannel)
	} else {
		path = commitment.PacketReceiptPath(p.DestinationPort, p.DestinationChannel, p.Sequence)
	}
	proof, h := l.b.prove(path)
	m.ProofUnreceived, m.ProofRevisionNumber, m.ProofRevisionHeight = proof, h.RevisionNumber, h.RevisionHeight
	return m
}

// packetFromEvent rebuilds a packet from a send_packet event.
func packetFromEvent(t testing.TB, ev abci.Event) channeltypes.Packet {
	t.Helper()
	data, err := hex.DecodeString(attr(t, ev, AttrPacketDataHex))
	if err != nil {
		t.Fatal(err)
	}
	seq, err1 := strconv.ParseUint(attr(t, ev, AttrPacketSequence), 10, 64)
	ts, err2 := strconv.ParseUint(attr(t, ev, AttrPacketTimeoutTimestamp), 10, 64)
	th, err3 := clienttypes.ParseHeight(attr(t, ev, AttrPacketTimeoutHeight))
	if err := errors.Join(err1, err2, err3); err != nil {
		t.Fatal(err)
	}
	return channeltypes.NewPacket(data, seq, attr(t, ev, AttrPacketSrcPort), attr(t, ev, AttrPacketSrcChannel),
		attr(t, ev, AttrPacketDstPort), attr(t, ev, AttrPacketDstChannel), th, ts)
}

func eventTypes(evs []abci.Event) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.Type)
	}
	return out
}

// attr returns the value of an event attribute, failing if absent.
func attr(t testing.TB, ev abci.Event, key string) string {
	t.Helper()
	for _, a := range ev.Attributes {
		if a.Key == key {
			return a.Value
		}
	}
	t.Fatalf("event %s has no attribute %s", ev.Type, key)
	return ""
}

// unchanged runs step directly on the chain's working state (no cache)
// and checks that it fails with want, returns no events and leaves the
// working state as it was.
func (c *chain) unchanged(t *testing.T, want error, step func(s state.Store) ([]abci.Event, error)) {
	t.Helper()
	before := c.ms.WorkingHash()
	ev, err := step(c.ms.Working())
	if !errors.Is(err, want) {
		t.Fatalf("%s: got error %v, want %v", c.name, err, want)
	}
	if ev != nil {
		t.Fatalf("%s: events on error: %v", c.name, ev)
	}
	if after := c.ms.WorkingHash(); !bytes.Equal(before, after) {
		t.Fatalf("%s: state changed by a failed step (%v)", c.name, err)
	}
}
