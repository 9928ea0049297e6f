package ibctest

import (
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	cmtmath "github.com/cometbft/cometbft/libs/math"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	cmttypes "github.com/cometbft/cometbft/types"
	gogoproto "github.com/cosmos/gogoproto/proto"
	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"
	connectiontypes "github.com/cosmos/ibc-go/v10/modules/core/03-connection/types"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"
	commitmenttypes "github.com/cosmos/ibc-go/v10/modules/core/23-commitment/types"
	host "github.com/cosmos/ibc-go/v10/modules/core/24-host"
	ibctm "github.com/cosmos/ibc-go/v10/modules/light-clients/07-tendermint"

	"github.com/abci-ics/ics/ibc/channel"
	"github.com/abci-ics/ics/ibc/client"
	"github.com/abci-ics/ics/ibc/commitment"
	"github.com/abci-ics/ics/ibc/connection"
	stateproof "github.com/abci-ics/ics/state/proof"
)

// End is one side of a path: a chain and the identifiers it uses for the
// other side.
type End struct {
	Chain      *Chain
	Client     string // this chain's client of the other chain
	Connection string
	Channel    string
	Port       string
}

// trusted returns the latest height of e's client, as e's state says.
func (e *End) trusted() clienttypes.Height {
	res := e.Chain.Query("/store/ibc/key", host.FullClientStateKey(e.Client), 0, false)
	var cs ibctm.ClientState
	if res.Code != 0 || cs.Unmarshal(res.Value) != nil {
		e.Chain.T.Fatalf("%s: client %s: %s", e.Chain.ID, e.Client, res.Log)
	}
	return cs.LatestHeight
}

// Path links two chains: clients, a connection and a channel, built and
// relayed with real headers and proofs. Account 0 of each chain signs.
type Path struct {
	A, B *End
}

// NewPath returns an unlinked path between a and b.
func NewPath(a, b *Chain) *Path { return &Path{A: &End{Chain: a}, B: &End{Chain: b}} }

func revision(c *Chain) uint64 { return clienttypes.ParseChainID(c.ID) }

// Marshal encodes an ibc-go value for a message field.
func Marshal(m gogoproto.Message) []byte { return bz(m) }

func bz(m gogoproto.Message) []byte {
	out, err := gogoproto.Marshal(m)
	if err != nil {
		panic(err)
	}
	return out
}

// Submit runs msgs in a block of c signed by account 0, requires success
// and returns the block response.
func Submit(c *Chain, msgs ...gogoproto.Message) *abcitypes.ResponseFinalizeBlock {
	return c.MustSucceed(c.NextBlock(c.Tx(0, msgs...)))
}

func attr(resp *abcitypes.ResponseFinalizeBlock, typ, key string) string {
	evs := Events(resp, typ)
	if len(evs) == 0 {
		return ""
	}
	return evs[len(evs)-1][key]
}

// createClient creates on dst a client of src at src's latest header.
func createClient(dst *End, src *Chain) {
	sh, _ := src.SignedHeader(src.Height)
	h := clienttypes.NewHeight(revision(src), uint64(sh.Height))
	cs := client.NewClientState(src.ID, h, 14*24*time.Hour, 21*24*time.Hour, 10*time.Second)
	msg := &client.MsgCreateClient{ClientState: bz(cs), ConsensusState: bz(client.ConsensusStateFromHeader(sh.Header)), Signer: dst.Chain.Address(0)}
	resp := Submit(dst.Chain, msg)
	dst.Client = attr(resp, "create_client", "client_id")
	if dst.Client == "" {
		dst.Chain.T.Fatalf("%s: no client id in %v", dst.Chain.ID, resp.TxResults[0].Events)
	}
}

// UpdateMsg returns the message that brings dst's client of src to src's
// latest header. When the validators src trusted at the client's height
// no longer hold a third of the power that signed that header, it first
// brings the client there through intermediate headers (bisection, one
// block of dst each), as a relayer does.
func UpdateMsg(dst *End, src *Chain) (*client.MsgUpdateClient, clienttypes.Height) {
	catchUp(dst, src)
	return updateTo(dst, src, src.Height)
}

// updateTo returns the update of dst's client of src to src's header h.
func updateTo(dst *End, src *Chain, h int64) (*client.MsgUpdateClient, clienttypes.Height) {
	sh, vals := src.SignedHeader(h)
	trusted := dst.trusted()
	_, trustedVals := src.SignedHeader(int64(trusted.RevisionHeight) + 1)
	header := &ibctm.Header{
		SignedHeader:      sh.ToProto(),
		ValidatorSet:      mustProto(vals),
		TrustedHeight:     trusted,
		TrustedValidators: mustProto(trustedVals),
	}
	return &client.MsgUpdateClient{ClientId: dst.Client, Header: bz(header), Signer: dst.Chain.Address(0)},
		clienttypes.NewHeight(revision(src), uint64(sh.Height))
}

// catchUp updates dst's client of src through intermediate headers until
// the trusted validators can vouch for src's latest header.
func catchUp(dst *End, src *Chain) {
	trustable := func(trusted, h int64) bool {
		if h == trusted+1 {
			return true // adjacent: checked against the next validators hash
		}
		_, trustedVals := src.SignedHeader(trusted + 1)
		sh, _ := src.SignedHeader(h)
		return trustedVals.VerifyCommitLightTrusting(src.ID, sh.Commit, cmtmath.Fraction{Numerator: 1, Denominator: 3}) == nil
	}
	for {
		trusted := int64(dst.trusted().RevisionHeight)
		if trusted >= src.Height || trustable(trusted, src.Height) {
			return
		}
		h := src.Height - 1
		for h > trusted+1 && !trustable(trusted, h) {
			h--
		}
		up, _ := updateTo(dst, src, h)
		Submit(dst.Chain, up)
	}
}

// Prove returns the proof of an ICS-24 path in src's latest committed
// state and the height to cite it at, after bringing dst's client of src
// to that height (which takes one more block on src). The update message
// is returned so that it rides in the same transaction as the proof's user.
func Prove(dst *End, src *Chain, path string) ([]byte, clienttypes.Height, *client.MsgUpdateClient) {
	proofs, h, up := ProveAll(dst, src, []string{path})
	return proofs[0], h, up
}

// ProveAll is Prove for several paths of the same state.
func ProveAll(dst *End, src *Chain, paths []string) ([][]byte, clienttypes.Height, *client.MsgUpdateClient) {
	v := src.Height
	src.NextBlock()
	out := make([][]byte, len(paths))
	for i, path := range paths {
		res := src.Query("/store/ibc/key", []byte(path), v, true)
		if res.Code != 0 {
			src.T.Fatalf("%s: prove %s: %s", src.ID, path, res.Log)
		}
		_, _, proofs, err := stateproof.FromOps(res.ProofOps)
		if err != nil {
			src.T.Fatal(err)
		}
		out[i] = bz(&commitmenttypes.MerkleProof{Proofs: proofs})
	}
	update, h := UpdateMsg(dst, src)
	return out, h, update
}

func mustProto(vals *cmttypes.ValidatorSet) *cmtproto.ValidatorSet {
	pb, err := vals.ToProto()
	if err != nil {
		panic(err)
	}
	return pb
}

// Link creates both clients, opens a connection and a channel on port
// with the given order and version.
func (p *Path) Link(port string, order channeltypes.Order, version string) {
	createClient(p.A, p.B.Chain)
	createClient(p.B, p.A.Chain)
	p.Open(port, port, order, version)
}

// Open opens a connection between the ends' existing clients, then a
// channel from A's port aPort to B's port bPort, initiated by A with
// version; the version B's application chooses is the channel's.
func (p *Path) Open(aPort, bPort string, order channeltypes.Order, version string) {
	a, b := p.A, p.B
	prefix := commitmenttypes.NewMerklePrefix([]byte(channel.StoreName))
	ver := connectiontypes.GetCompatibleVersions()[0]

	resp := Submit(a.Chain, &connection.MsgConnectionOpenInit{ClientId: a.Client,
		Counterparty: bz(&connectiontypes.Counterparty{ClientId: b.Client, Prefix: prefix}), Signer: a.Chain.Address(0)})
	a.Connection = attr(resp, connection.EventConnectionOpenInit, connection.AttrConnectionID)

	proof, h, up := Prove(b, a.Chain, commitment.ConnectionPath(a.Connection))
	resp = Submit(b.Chain, up, &connection.MsgConnectionOpenTry{ClientId: b.Client,
		Counterparty:         bz(&connectiontypes.Counterparty{ClientId: a.Client, ConnectionId: a.Connection, Prefix: prefix}),
		CounterpartyVersions: [][]byte{bz(ver)}, ProofInit: proof, ProofRevisionNumber: h.RevisionNumber, ProofRevisionHeight: h.RevisionHeight, Signer: b.Chain.Address(0)})
	b.Connection = attr(resp, connection.EventConnectionOpenTry, connection.AttrConnectionID)

	proof, h, up = Prove(a, b.Chain, commitment.ConnectionPath(b.Connection))
	Submit(a.Chain, up, &connection.MsgConnectionOpenAck{ConnectionId: a.Connection, CounterpartyConnectionId: b.Connection,
		Version: bz(ver), ProofTry: proof, ProofRevisionNumber: h.RevisionNumber, ProofRevisionHeight: h.RevisionHeight, Signer: a.Chain.Address(0)})

	proof, h, up = Prove(b, a.Chain, commitment.ConnectionPath(a.Connection))
	Submit(b.Chain, up, &connection.MsgConnectionOpenConfirm{ConnectionId: b.Connection, ProofAck: proof,
		ProofRevisionNumber: h.RevisionNumber, ProofRevisionHeight: h.RevisionHeight, Signer: b.Chain.Address(0)})

	a.Port, b.Port = aPort, bPort
	resp = Submit(a.Chain, &channel.MsgChannelOpenInit{PortId: aPort, Channel: bz(&channeltypes.Channel{State: channeltypes.INIT, Ordering: order,
		Counterparty: channeltypes.Counterparty{PortId: bPort}, ConnectionHops: []string{a.Connection}, Version: version}), Signer: a.Chain.Address(0)})
	a.Channel = attr(resp, channel.EventChannelOpenInit, channel.AttrChannelID)

	proof, h, up = Prove(b, a.Chain, commitment.ChannelPath(aPort, a.Channel))
	resp = Submit(b.Chain, up, &channel.MsgChannelOpenTry{PortId: bPort, Channel: bz(&channeltypes.Channel{State: channeltypes.TRYOPEN, Ordering: order,
		Counterparty: channeltypes.Counterparty{PortId: aPort, ChannelId: a.Channel}, ConnectionHops: []string{b.Connection}, Version: version}),
		CounterpartyVersion: version, ProofInit: proof, ProofRevisionNumber: h.RevisionNumber, ProofRevisionHeight: h.RevisionHeight, Signer: b.Chain.Address(0)})
	b.Channel = attr(resp, channel.EventChannelOpenTry, channel.AttrChannelID)
	bVersion := channelVersion(b)

	proof, h, up = Prove(a, b.Chain, commitment.ChannelPath(bPort, b.Channel))
	Submit(a.Chain, up, &channel.MsgChannelOpenAck{PortId: aPort, ChannelId: a.Channel, CounterpartyChannelId: b.Channel, CounterpartyVersion: bVersion,
		ProofTry: proof, ProofRevisionNumber: h.RevisionNumber, ProofRevisionHeight: h.RevisionHeight, Signer: a.Chain.Address(0)})

	proof, h, up = Prove(b, a.Chain, commitment.ChannelPath(aPort, a.Channel))
	Submit(b.Chain, up, &channel.MsgChannelOpenConfirm{PortId: bPort, ChannelId: b.Channel, ProofAck: proof,
		ProofRevisionNumber: h.RevisionNumber, ProofRevisionHeight: h.RevisionHeight, Signer: b.Chain.Address(0)})
}

// channelVersion returns the version of e's channel end.
func channelVersion(e *End) string {
	res := e.Chain.Query("/store/ibc/key", []byte(commitment.ChannelPath(e.Port, e.Channel)), 0, false)
	var ch channeltypes.Channel
	if res.Code != 0 || ch.Unmarshal(res.Value) != nil {
		e.Chain.T.Fatalf("%s: channel %s/%s: %s", e.Chain.ID, e.Port, e.Channel, res.Log)
	}
	return ch.Version
}

// PacketsIn returns the packets of the events of type typ (send_packet or
// write_acknowledgement) in resp, with their acknowledgements for the
// latter.
func PacketsIn(t interface{ Fatal(...any) }, resp *abcitypes.ResponseFinalizeBlock, typ string) ([]channeltypes.Packet, [][]byte) {
	var packets []channeltypes.Packet
	var acks [][]byte
	for _, e := range Events(resp, typ) {
		data, err := hex.DecodeString(e[channel.AttrPacketDataHex])
		if err != nil {
			t.Fatal(err)
		}
		seq, _ := strconv.ParseUint(e[channel.AttrPacketSequence], 10, 64)
		ts, _ := strconv.ParseUint(e[channel.AttrPacketTimeoutTimestamp], 10, 64)
		var th clienttypes.Height
		if rev, hh, ok := strings.Cut(e[channel.AttrPacketTimeoutHeight], "-"); ok {
			th.RevisionNumber, _ = strconv.ParseUint(rev, 10, 64)
			th.RevisionHeight, _ = strconv.ParseUint(hh, 10, 64)
		}
		packets = append(packets, channeltypes.Packet{Sequence: seq, SourcePort: e["packet_src_port"], SourceChannel: e["packet_src_channel"],
			DestinationPort: e["packet_dst_port"], DestinationChannel: e["packet_dst_channel"], Data: data, TimeoutHeight: th, TimeoutTimestamp: ts})
		if ack, ok := e[channel.AttrPacketAckHex]; ok {
			a, err := hex.DecodeString(ack)
			if err != nil {
				t.Fatal(err)
			}
			acks = append(acks, a)
		}
	}
	return packets, acks
}

// ends returns (from, to) for packets sent by chain c.
func (p *Path) ends(c *Chain) (*End, *End) {
	if c == p.A.Chain {
		return p.A, p.B
	}
	return p.B, p.A
}

// RecvMsgs returns the messages that deliver packets sent by from (found
// in a block response of from) to the other side: a client update and one
// MsgRecvPacket per packet.
func (p *Path) RecvMsgs(from *Chain, packets []channeltypes.Packet) []gogoproto.Message {
	src, dst := p.ends(from)
	paths := make([]string, len(packets))
	for i, pk := range packets {
		paths[i] = commitment.PacketCommitmentPath(pk.SourcePort, pk.SourceChannel, pk.Sequence)
	}
	proofs, h, up := ProveAll(dst, src.Chain, paths)
	msgs := []gogoproto.Message{up}
	for i, pk := range packets {
		msgs = append(msgs, &channel.MsgRecvPacket{Packet: bz(&pk), ProofCommitment: proofs[i], ProofRevisionNumber: h.RevisionNumber, ProofRevisionHeight: h.RevisionHeight, Signer: dst.Chain.Address(0)})
	}
	return msgs
}

// AckMsgs returns the messages that bring the acknowledgements written by
// chain by (for packets it received) back to the sender.
func (p *Path) AckMsgs(by *Chain, packets []channeltypes.Packet, acks [][]byte) []gogoproto.Message {
	src, dst := p.ends(by)
	paths := make([]string, len(packets))
	for i, pk := range packets {
		paths[i] = commitment.PacketAcknowledgementPath(pk.DestinationPort, pk.DestinationChannel, pk.Sequence)
	}
	proofs, h, up := ProveAll(dst, src.Chain, paths)
	msgs := []gogoproto.Message{up}
	for i, pk := range packets {
		msgs = append(msgs, &channel.MsgAcknowledgement{Packet: bz(&pk), Acknowledgement: acks[i], ProofAcked: proofs[i],
			ProofRevisionNumber: h.RevisionNumber, ProofRevisionHeight: h.RevisionHeight, Signer: dst.Chain.Address(0)})
	}
	return msgs
}

// Relay delivers the packets sent in resp (a block of from) and brings
// their acknowledgements back, and returns the acknowledgements.
func (p *Path) Relay(from *Chain, resp *abcitypes.ResponseFinalizeBlock) [][]byte {
	_, dst := p.ends(from)
	packets, _ := PacketsIn(from.T, resp, channel.EventSendPacket)
	if len(packets) == 0 {
		return nil
	}
	recv := Submit(dst.Chain, p.RecvMsgs(from, packets)...)
	acked, acks := PacketsIn(from.T, recv, channel.EventWriteAck)
	Submit(from, p.AckMsgs(dst.Chain, acked, acks)...)
	return acks
}
