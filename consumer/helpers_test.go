package consumer

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	dbm "github.com/cosmos/cosmos-db"
	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"
	connectiontypes "github.com/cosmos/ibc-go/v10/modules/core/03-connection/types"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"
	ibctm "github.com/cosmos/ibc-go/v10/modules/light-clients/07-tendermint"

	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/ibc/channel"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/fraction"
)

const (
	ibcStore     = "ibc"
	providerConn = "connection-0"
	otherConn    = "connection-1"
	ccvChannel   = "channel-0"
	providerCh   = "channel-7" // the provider's end
	clientID     = "07-tendermint-0"
	feePool      = "cosmos1feepool"
	blockTime    = 6 * time.Second
)

var t0 = time.Unix(1_700_000_000, 0).UTC()

// fakeChannels stands in for the channel keeper. It writes a key in the
// ibc store for each send and close (so tests see whether the caller keeps
// those writes) and records what it sent.
type fakeChannels struct {
	conns    map[string]string
	nextSeq  uint64
	sent     []channeltypes.Packet
	sendErr  error
	closed   []string
	closeErr error
}

func (f *fakeChannels) SendPacket(s state.Store, height int64, now time.Time, sourcePort, sourceChannel string, timeoutHeight clienttypes.Height, timeoutTimestamp uint64, data []byte) (uint64, []abci.Event, error) {
	if f.sendErr != nil {
		return 0, nil, f.sendErr
	}
	if timeoutHeight.IsZero() && timeoutTimestamp == 0 {
		return 0, nil, errors.New("fake: packet without a timeout")
	}
	f.nextSeq++
	s.KV(ibcStore).Set(fmt.Appendf(nil, "commitments/ports/%s/channels/%s/sequences/%d", sourcePort, sourceChannel, f.nextSeq), []byte{1})
	f.sent = append(f.sent, channeltypes.Packet{
		Sequence: f.nextSeq, SourcePort: sourcePort, SourceChannel: sourceChannel,
		DestinationPort: ccv.ProviderPortID, DestinationChannel: providerCh,
		Data: bytes.Clone(data), TimeoutHeight: timeoutHeight, TimeoutTimestamp: timeoutTimestamp,
	})
	return f.nextSeq, []abci.Event{{Type: "send_packet"}}, nil
}

func (f *fakeChannels) ChanCloseInit(s state.Store, now time.Time, portID, channelID string) ([]abci.Event, error) {
	if f.closeErr != nil {
		return nil, f.closeErr
	}
	s.KV(ibcStore).Set([]byte("closed/"+portID+"/"+channelID), []byte{1})
	f.closed = append(f.closed, portID+"/"+channelID)
	return []abci.Event{{Type: channel.EventChannelCloseInit}}, nil
}

func (f *fakeChannels) Connection(s state.Store, connectionID string) (connectiontypes.ConnectionEnd, bool) {
	c, ok := f.conns[connectionID]
	return connectiontypes.ConnectionEnd{ClientId: c, State: connectiontypes.OPEN}, ok
}

type fakeClients struct {
	err     error
	created int
}

func (f *fakeClients) CreateClient(s state.Store, height int64, now time.Time, cs *ibctm.ClientState, cons *ibctm.ConsensusState) (string, error) {
	if f.err != nil {
		return "", f.err
	}
	if cs.ChainId != "provider-1" {
		return "", errors.New("fake: wrong client state")
	}
	f.created++
	s.KV(ibcStore).Set([]byte("clients/"+clientID), []byte{1})
	return clientID, nil
}

// TrackedChain: every client the fake knows tracks provider-1, active.
func (f *fakeClients) TrackedChain(s state.Store, id string, now time.Time) (string, bool) {
	if !s.KV(ibcStore).Has([]byte("clients/" + id)) {
		return "", false
	}
	return "provider-1", true
}

// pubKey returns a deterministic 32-byte key; any 32 bytes are an ed25519
// public key as far as the consumer is concerned.
func pubKey(i int) []byte {
	h := sha256.Sum256(fmt.Appendf(nil, "validator %d", i))
	return h[:]
}

func addrOf(i int) []byte { return ConsAddress(pubKey(i)) }

// testParams are the default parameters with a small window.
func testParams() ccv.ConsumerParams {
	p := ccv.DefaultConsumerParams()
	p.SignedBlocksWindow = 10
	p.MinSignedPerWindow = fraction.New(1, 2)
	p.UnbondingPeriod = time.Hour
	p.RetryDelayPeriod = 10 * time.Minute
	return p
}

func mustBytes(t testing.TB, m interface{ Marshal() ([]byte, error) }) []byte {
	t.Helper()
	bz, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return bz
}

// genesis returns a valid consumer genesis with validators 0..n-1 of
// power 10+i.
func genesis(t testing.TB, n int) *ccv.ConsumerGenesis {
	t.Helper()
	cs := &ibctm.ClientState{ChainId: "provider-1", TrustLevel: ibctm.DefaultTrustLevel,
		TrustingPeriod: 14 * 24 * time.Hour, UnbondingPeriod: 21 * 24 * time.Hour, MaxClockDrift: 10 * time.Second,
		LatestHeight: clienttypes.NewHeight(1, 5)}
	cons := &ibctm.ConsensusState{Timestamp: t0.Add(-time.Hour), NextValidatorsHash: make([]byte, 32)}
	g := &ccv.ConsumerGenesis{
		ProviderClientState:    mustBytes(t, cs),
		ProviderConsensusState: mustBytes(t, cons),
		Params:                 testParams(),
	}
	for i := range n {
		g.InitialValidators = append(g.InitialValidators, ccv.InitialValidator{PubKey: pubKey(i), Power: int64(10 + i)})
	}
	return g
}

// harness is a consumer chain: a multistore over memdb with the consumer
// and ibc stores, a keeper over fake channels and clients, and a clock.
type harness struct {
	t       testing.TB
	ms      *state.MultiStore
	s       state.Store
	k       Keeper
	ch      *fakeChannels
	cl      *fakeClients
	height  int64
	now     time.Time
	recvSeq uint64
}

func openStore(t testing.TB) *state.MultiStore {
	t.Helper()
	ms, err := state.Open(dbm.NewMemDB(), []string{StoreName, ibcStore}, state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ms.Close() })
	return ms
}

func newBare(t testing.TB) *harness {
	t.Helper()
	ms := openStore(t)
	ch := &fakeChannels{conns: map[string]string{providerConn: clientID, otherConn: "07-tendermint-9"}}
	cl := &fakeClients{}
	return &harness{t: t, ms: ms, s: ms.Working(), ch: ch, cl: cl, height: 1, now: t0,
		k: Keeper{Channels: ch, Clients: cl, Prefix: "cosmos"}}
}

// newHarness returns an initialized consumer with n genesis validators
// and, if open, an established CCV channel.
func newHarness(t testing.TB, n int, open bool) *harness {
	t.Helper()
	h := newBare(t)
	if _, err := h.k.InitGenesis(h.s, genesis(t, n), h.height, h.now); err != nil {
		t.Fatal(err)
	}
	if open {
		h.open()
	}
	return h
}

func metadata(version string) string {
	return string(ccv.HandshakeMetadata{ProviderFeePoolAddr: feePool, Version: version}.Bytes())
}

func (h *harness) open() {
	h.t.Helper()
	v, err := h.k.OnChanOpenInit(h.s, channeltypes.ORDERED, []string{providerConn}, ccv.ConsumerPortID, ccvChannel,
		channeltypes.NewCounterparty(ccv.ProviderPortID, ""), "")
	if err != nil || v != ccv.Version {
		h.t.Fatalf("OnChanOpenInit = %q, %v", v, err)
	}
	if err := h.k.OnChanOpenAck(h.s, ccv.ConsumerPortID, ccvChannel, providerCh, metadata(ccv.Version)); err != nil {
		h.t.Fatalf("OnChanOpenAck: %v", err)
	}
}

// vscPacket is a provider packet carrying data to the consumer's CCV
// channel, with the next receive sequence.
func (h *harness) vscPacket(data []byte) channeltypes.Packet {
	h.recvSeq++
	return channeltypes.NewPacket(data, h.recvSeq, ccv.ProviderPortID, providerCh, ccv.ConsumerPortID, ccvChannel,
		clienttypes.ZeroHeight(), uint64(h.now.Add(time.Hour).UnixNano()))
}

func vsc(id uint64, updates ...ccv.ValidatorUpdate) ccv.ValidatorSetChangePacketData {
	return ccv.ValidatorSetChangePacketData{ValidatorUpdates: updates, ValsetUpdateID: id, SlashAcks: []string{}}
}

func upd(i int, power int64) ccv.ValidatorUpdate {
	return ccv.ValidatorUpdate{PubKey: pubKey(i), Power: power}
}

// recv delivers a VSC packet on a cache of the store, keeping the cache
// only for a successful acknowledgement, as the channel layer does.
func (h *harness) recv(d ccv.ValidatorSetChangePacketData) channeltypes.Acknowledgement {
	h.t.Helper()
	return h.recvRaw(h.vscPacket(d.Bytes()))
}

func (h *harness) recvRaw(p channeltypes.Packet) channeltypes.Acknowledgement {
	c := state.NewCache(h.s)
	ack, _ := h.k.OnRecvPacket(c, h.height, h.now, p, []byte("relayer"))
	if ack.Success() {
		c.Write()
	}
	return ack
}

func mustReceive(t testing.TB, ack channeltypes.Acknowledgement) {
	t.Helper()
	r, ok := ack.Response.(*channeltypes.Acknowledgement_Result)
	if !ok || !bytes.Equal(r.Result, []byte{ccv.ResultReceived}) {
		t.Fatalf("ack = %v, want result 1", ack)
	}
}

// vote is a vote of validator i in a commit.
func vote(i int, power int64, signed bool) abci.VoteInfo {
	flag := cmtproto.BlockIDFlagCommit
	if !signed {
		flag = cmtproto.BlockIDFlagAbsent
	}
	return abci.VoteInfo{Validator: abci.Validator{Address: addrOf(i), Power: power}, BlockIdFlag: flag}
}

// block runs BeginBlock with votes, then EndBlock, then moves to the next
// height and time. It returns the updates and all events.
func (h *harness) block(votes ...abci.VoteInfo) ([]abci.ValidatorUpdate, []abci.Event) {
	h.t.Helper()
	evs, err := h.k.BeginBlock(h.s, h.height, h.now, abci.CommitInfo{Votes: votes})
	if err != nil {
		h.t.Fatal(err)
	}
	ups, evs2, err := h.k.EndBlock(h.s, h.height, h.now)
	if err != nil {
		h.t.Fatal(err)
	}
	h.height++
	h.now = h.now.Add(blockTime)
	return ups, append(evs, evs2...)
}

// ack delivers the provider's acknowledgement of a sent packet.
func (h *harness) ack(p channeltypes.Packet, ack channeltypes.Acknowledgement) {
	h.t.Helper()
	if _, err := h.k.OnAcknowledgementPacket(h.s, h.height, h.now, p, ack, nil); err != nil {
		h.t.Fatal(err)
	}
}

func resultAck(b byte) channeltypes.Acknowledgement {
	return channeltypes.NewResultAcknowledgement([]byte{b})
}

// sentPackets decodes what the fake sent since index from.
func (h *harness) sentPackets(from int) []ccv.ConsumerPacketData {
	h.t.Helper()
	var out []ccv.ConsumerPacketData
	for _, p := range h.ch.sent[from:] {
		d, err := ccv.DecodeConsumerPacket(p.Data)
		if err != nil {
			h.t.Fatalf("sent packet %d does not decode: %v", p.Sequence, err)
		}
		out = append(out, d)
	}
	return out
}

func bech(addr []byte) string { return address.Encode("cosmosvalcons", addr) }

func eventsOf(evs []abci.Event, typ string) []abci.Event {
	var out []abci.Event
	for _, e := range evs {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

func attr(e abci.Event, k string) string {
	for _, a := range e.Attributes {
		if a.Key == k {
			return a.Value
		}
	}
	return ""
}
