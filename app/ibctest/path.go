package ibctest

import (
	"context"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	gogoproto "github.com/cosmos/gogoproto/proto"
	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"
	host "github.com/cosmos/ibc-go/v10/modules/core/24-host"

	"github.com/abci-ics/ics/ibc/client"
	"github.com/abci-ics/ics/ibc/packet"
	"github.com/abci-ics/ics/relayer"
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
	if res.Code != 0 {
		e.Chain.T.Fatalf("%s: client %s: %s", e.Chain.ID, e.Client, res.Log)
	}
	cs, err := client.DecodeClientState(res.Value)
	if err != nil {
		e.Chain.T.Fatalf("%s: client %s: %v", e.Chain.ID, e.Client, err)
	}
	return cs.LatestHeight
}

// relayer returns e as the relayer sees it.
func (e *End) relayer() *relayer.End {
	return &relayer.End{Chain: e.Chain.Relayer(), Client: e.Client, Connection: e.Connection, Port: e.Port, Channel: e.Channel}
}

// set copies the identifiers of the relayer's end r into e.
func (e *End) set(r *relayer.End) {
	e.Client, e.Connection, e.Port, e.Channel = r.Client, r.Connection, r.Port, r.Channel
}

// Path links two chains: clients, a connection and a channel, built and
// relayed by the relayer (package relayer) over the chains' Nodes, with
// real headers and proofs. Account 0 of each chain signs.
type Path struct {
	A, B *End
}

// NewPath returns an unlinked path between a and b.
func NewPath(a, b *Chain) *Path { return &Path{A: &End{Chain: a}, B: &End{Chain: b}} }

// Relayer returns the relayer's link over the path's two ends.
func (p *Path) Relayer() *relayer.Link { return &relayer.Link{A: p.A.relayer(), B: p.B.relayer()} }

// ClientOptions are the parameters of the clients Link creates.
var ClientOptions = relayer.ClientOptions{TrustingPeriod: 14 * 24 * time.Hour, UnbondingPeriod: 21 * 24 * time.Hour, MaxClockDrift: 10 * time.Second}

func revision(c *Chain) uint64 { return clienttypes.ParseChainID(c.ID) }

// Marshal encodes an ibc-go value for a message field.
func Marshal(m gogoproto.Message) []byte {
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

// must fails c's test on err.
func must(c *Chain, err error) {
	if err != nil {
		c.T.Helper()
		c.T.Fatal(err)
	}
}

// UpdateMsg returns the message that brings dst's client of src to src's
// latest header, after bringing the client through intermediate headers
// when the validators it trusts no longer hold a third of the power that
// signed that header (bisection, one block of dst each), as the relayer
// does. When the client has that header already the message repeats it.
func UpdateMsg(dst *End, src *Chain) (*client.MsgUpdateClient, clienttypes.Height) {
	h := clienttypes.NewHeight(revision(src), uint64(src.Height))
	up, err := relayer.UpdateMsg(context.Background(), dst.relayer(), src.Relayer(), src.Height)
	must(dst.Chain, err)
	if up == nil {
		header, err := src.Relayer().Header(context.Background(), src.Height, dst.trusted())
		must(src, err)
		up = &client.MsgUpdateClient{ClientId: dst.Client, Header: Marshal(header), Signer: dst.Chain.Address(0)}
	}
	return up, h
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
	ps, err := relayer.Prove(context.Background(), dst.relayer(), src.Relayer(), paths)
	must(src, err)
	return ps.Proofs, ps.Height, ps.Update
}

// Link creates both clients, opens a connection and a channel on port
// with the given order and version.
func (p *Path) Link(port string, order channeltypes.Order, version string) {
	l, err := relayer.NewLink(context.Background(), p.A.Chain.Relayer(), p.B.Chain.Relayer(), port, order, version, ClientOptions)
	must(p.A.Chain, err)
	p.A.set(l.A)
	p.B.set(l.B)
}

// Open opens a connection between the ends' existing clients, then a
// channel from A's port aPort to B's port bPort, initiated by A with
// version; the version B's application chooses is the channel's.
func (p *Path) Open(aPort, bPort string, order channeltypes.Order, version string) {
	l, err := relayer.NewLinkOnClients(context.Background(), p.A.Chain.Relayer(), p.B.Chain.Relayer(), p.A.Client, p.B.Client, aPort, bPort, order, version)
	must(p.A.Chain, err)
	p.A.set(l.A)
	p.B.set(l.B)
}

// PacketsIn returns the packets of the events of type typ (send_packet or
// write_acknowledgement) in resp, with their acknowledgements for the
// latter.
func PacketsIn(t interface{ Fatal(...any) }, resp *abcitypes.ResponseFinalizeBlock, typ string) ([]channeltypes.Packet, [][]byte) {
	var packets []channeltypes.Packet
	var acks [][]byte
	add := func(evs []abcitypes.Event) {
		for _, e := range evs {
			if e.Type != typ {
				continue
			}
			pk, ack, err := relayer.PacketFromEvent(e)
			if err != nil {
				t.Fatal(err)
			}
			packets = append(packets, pk)
			if ack != nil {
				acks = append(acks, ack)
			}
		}
	}
	for _, r := range resp.TxResults {
		add(r.Events)
	}
	add(resp.Events)
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
// MsgRecvPacket per packet, as the relayer builds them.
func (p *Path) RecvMsgs(from *Chain, packets []channeltypes.Packet) []gogoproto.Message {
	src, dst := p.ends(from)
	msgs, err := relayer.RecvMsgs(context.Background(), dst.relayer(), src.relayer(), packets)
	must(from, err)
	return msgs
}

// AckMsgs returns the messages that bring the acknowledgements written by
// chain by (for packets it received) back to the sender, as the relayer
// builds them.
func (p *Path) AckMsgs(by *Chain, packets []channeltypes.Packet, acks [][]byte) []gogoproto.Message {
	receiver, sender := p.ends(by)
	msgs, err := relayer.AckMsgs(context.Background(), sender.relayer(), receiver.relayer(), packets, acks)
	must(by, err)
	return msgs
}

// Relay delivers the packets sent in resp (a block of from) and brings
// their acknowledgements back, and returns the acknowledgements.
func (p *Path) Relay(from *Chain, resp *abcitypes.ResponseFinalizeBlock) [][]byte {
	_, dst := p.ends(from)
	packets, _ := PacketsIn(from.T, resp, packet.EventSendPacket)
	if len(packets) == 0 {
		return nil
	}
	recv := Submit(dst.Chain, p.RecvMsgs(from, packets)...)
	acked, acks := PacketsIn(from.T, recv, packet.EventWriteAck)
	Submit(from, p.AckMsgs(dst.Chain, acked, acks)...)
	return acks
}
