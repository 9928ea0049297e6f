package ibctest_test

import (
	"context"
	"strings"
	"testing"
	"time"

	sdkmath "cosmossdk.io/math"
	abcitypes "github.com/cometbft/cometbft/abci/types"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	gogoproto "github.com/cosmos/gogoproto/proto"
	transfertypes "github.com/cosmos/ibc-go/v10/modules/apps/transfer/types"
	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"
	connectiontypes "github.com/cosmos/ibc-go/v10/modules/core/03-connection/types"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"
	commitmenttypes "github.com/cosmos/ibc-go/v10/modules/core/23-commitment/types"
	ibctm "github.com/cosmos/ibc-go/v10/modules/light-clients/07-tendermint"

	"github.com/abci-ics/ics/app"
	"github.com/abci-ics/ics/app/ibctest"
	"github.com/abci-ics/ics/ibc/channel"
	"github.com/abci-ics/ics/ibc/client"
	"github.com/abci-ics/ics/ibc/connection"
	"github.com/abci-ics/ics/ibc/packet"
	"github.com/abci-ics/ics/ibc/transfer"
	"github.com/abci-ics/ics/interchain"
	"github.com/abci-ics/ics/interchain/ibcgo"
	"github.com/abci-ics/ics/relayer"
	"github.com/abci-ics/ics/types/address"
)

const prefix = "ics"

func anyOf(v gogoproto.Message, bz []byte) *codectypes.Any {
	return &codectypes.Any{TypeUrl: "/" + gogoproto.MessageName(v), Value: bz}
}

func height(rn, rh uint64) clienttypes.Height { return clienttypes.NewHeight(rn, rh) }

// toIBCGo returns the ibc-go message a stock relayer sends for the icsd
// message m, built from the same data.
func toIBCGo(t testing.TB, m gogoproto.Message) gogoproto.Message {
	t.Helper()
	un := func(bz []byte, v gogoproto.Message) {
		if err := gogoproto.Unmarshal(bz, v); err != nil {
			t.Fatal(err)
		}
	}
	s := func(b []byte) string { return address.Encode(prefix, b) }
	switch m := m.(type) {
	case *client.MsgCreateClient:
		return &clienttypes.MsgCreateClient{ClientState: anyOf(&ibctm.ClientState{}, m.ClientState),
			ConsensusState: anyOf(&ibctm.ConsensusState{}, m.ConsensusState), Signer: s(m.Signer)}
	case *client.MsgUpdateClient:
		return &clienttypes.MsgUpdateClient{ClientId: m.ClientId, ClientMessage: anyOf(&ibctm.Header{}, m.Header), Signer: s(m.Signer)}
	case *connection.MsgConnectionOpenInit:
		out := &connectiontypes.MsgConnectionOpenInit{ClientId: m.ClientId, Signer: s(m.Signer)}
		un(m.Counterparty, &out.Counterparty)
		if len(m.Version) > 0 {
			out.Version = new(connectiontypes.Version)
			un(m.Version, out.Version)
		}
		return out
	case *connection.MsgConnectionOpenTry:
		out := &connectiontypes.MsgConnectionOpenTry{ClientId: m.ClientId, ProofInit: m.ProofInit,
			ProofHeight: height(m.ProofRevisionNumber, m.ProofRevisionHeight), Signer: s(m.Signer)}
		un(m.Counterparty, &out.Counterparty)
		for _, bz := range m.CounterpartyVersions {
			v := new(connectiontypes.Version)
			un(bz, v)
			out.CounterpartyVersions = append(out.CounterpartyVersions, v)
		}
		return out
	case *connection.MsgConnectionOpenAck:
		out := &connectiontypes.MsgConnectionOpenAck{ConnectionId: m.ConnectionId, CounterpartyConnectionId: m.CounterpartyConnectionId,
			Version: new(connectiontypes.Version), ProofTry: m.ProofTry, ProofHeight: height(m.ProofRevisionNumber, m.ProofRevisionHeight), Signer: s(m.Signer)}
		un(m.Version, out.Version)
		return out
	case *connection.MsgConnectionOpenConfirm:
		return &connectiontypes.MsgConnectionOpenConfirm{ConnectionId: m.ConnectionId, ProofAck: m.ProofAck,
			ProofHeight: height(m.ProofRevisionNumber, m.ProofRevisionHeight), Signer: s(m.Signer)}
	case *channel.MsgChannelOpenInit:
		out := &channeltypes.MsgChannelOpenInit{PortId: m.PortId, Signer: s(m.Signer)}
		un(m.Channel, &out.Channel)
		return out
	case *channel.MsgChannelOpenTry:
		out := &channeltypes.MsgChannelOpenTry{PortId: m.PortId, CounterpartyVersion: m.CounterpartyVersion, ProofInit: m.ProofInit,
			ProofHeight: height(m.ProofRevisionNumber, m.ProofRevisionHeight), Signer: s(m.Signer)}
		un(m.Channel, &out.Channel)
		return out
	case *channel.MsgChannelOpenAck:
		return &channeltypes.MsgChannelOpenAck{PortId: m.PortId, ChannelId: m.ChannelId, CounterpartyChannelId: m.CounterpartyChannelId,
			CounterpartyVersion: m.CounterpartyVersion, ProofTry: m.ProofTry, ProofHeight: height(m.ProofRevisionNumber, m.ProofRevisionHeight), Signer: s(m.Signer)}
	case *channel.MsgChannelOpenConfirm:
		return &channeltypes.MsgChannelOpenConfirm{PortId: m.PortId, ChannelId: m.ChannelId, ProofAck: m.ProofAck,
			ProofHeight: height(m.ProofRevisionNumber, m.ProofRevisionHeight), Signer: s(m.Signer)}
	case *packet.MsgRecvPacket:
		out := &channeltypes.MsgRecvPacket{ProofCommitment: m.ProofCommitment, ProofHeight: height(m.ProofRevisionNumber, m.ProofRevisionHeight), Signer: s(m.Signer)}
		un(m.Packet, &out.Packet)
		return out
	case *packet.MsgAcknowledgement:
		out := &channeltypes.MsgAcknowledgement{Acknowledgement: m.Acknowledgement, ProofAcked: m.ProofAcked,
			ProofHeight: height(m.ProofRevisionNumber, m.ProofRevisionHeight), Signer: s(m.Signer)}
		un(m.Packet, &out.Packet)
		return out
	case *packet.MsgTimeout:
		out := &channeltypes.MsgTimeout{ProofUnreceived: m.ProofUnreceived, ProofHeight: height(m.ProofRevisionNumber, m.ProofRevisionHeight),
			NextSequenceRecv: m.NextSequenceRecv, Signer: s(m.Signer)}
		un(m.Packet, &out.Packet)
		return out
	}
	t.Fatalf("no ibc-go message for %T", m)
	return nil
}

// ibcgoSubmitter is a relayer.Submitter that sends, for every icsd
// message the relayer builds, the ibc-go message a stock relayer would,
// in a transaction signed by account 0; it keeps every result.
type ibcgoSubmitter struct {
	t       testing.TB
	c       *ibctest.Chain
	results *[]*abcitypes.ExecTxResult
}

func (s ibcgoSubmitter) Submit(_ context.Context, msgs ...gogoproto.Message) (*abcitypes.ExecTxResult, error) {
	out := make([]gogoproto.Message, len(msgs))
	for i, m := range msgs {
		out[i] = toIBCGo(s.t, m)
	}
	r := s.c.NextBlock(s.c.Tx(0, out...)).TxResults[0]
	*s.results = append(*s.results, r)
	return r, nil
}

func (s ibcgoSubmitter) Address() []byte { return s.c.Address(0) }

// ibcgoLink links a and b with a relayer that speaks ibc-go's messages
// only, and returns it with the results of its transactions.
func ibcgoLink(t *testing.T, a, b *ibctest.Chain) (*relayer.Link, *[]*abcitypes.ExecTxResult) {
	results := new([]*abcitypes.ExecTxResult)
	ra := &relayer.Chain{ID: a.ID, Node: &ibctest.Node{C: a}, Submit: ibcgoSubmitter{t, a, results}}
	rb := &relayer.Chain{ID: b.ID, Node: &ibctest.Node{C: b}, Submit: ibcgoSubmitter{t, b, results}}
	l, err := relayer.NewLink(context.Background(), ra, rb, transfer.PortID, channeltypes.UNORDERED, transfer.Version, ibctest.ClientOptions)
	if err != nil {
		t.Fatal(err)
	}
	return l, results
}

// actions returns the message event actions in results, and fails on a
// result that failed or ran a message without one.
func actions(t *testing.T, results []*abcitypes.ExecTxResult) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, r := range results {
		if r.Code != 0 {
			t.Fatalf("code %d: %s", r.Code, r.Log)
		}
		for _, e := range r.Events {
			if e.Type != ibcgo.EventTypeMessage {
				continue
			}
			attrs := map[string]string{}
			for _, a := range e.Attributes {
				attrs[a.Key] = a.Value
			}
			if attrs["sender"] == "" || attrs["module"] == "" {
				t.Fatalf("message event %v", attrs)
			}
			out[attrs["action"]]++
		}
	}
	return out
}

func ibcgoTransfer(from, to *ibctest.Chain, port, ch string, acct int, denom string, amount int64, timeout uint64) *transfertypes.MsgTransfer {
	return &transfertypes.MsgTransfer{SourcePort: port, SourceChannel: ch, Token: sdk.NewCoin(denom, sdkmath.NewInt(amount)),
		Sender: address.Encode(prefix, from.Address(acct)), Receiver: address.Encode(prefix, to.Address(acct)), TimeoutTimestamp: timeout}
}

// TestIBCGoMessages drives clients, a connection, a channel, a transfer
// with its acknowledgement and a timed-out transfer with ibc-go's message
// types only, in icsd transactions.
func TestIBCGoMessages(t *testing.T) {
	clock := &ibctest.Clock{Now: start}
	a := ibctest.NewChain(t, clock, "chain-a", 4, 4)
	b := ibctest.NewChain(t, clock, "chain-b", 4, 4)
	l, results := ibcgoLink(t, a, b)
	got := actions(t, *results)
	for _, m := range []gogoproto.Message{&clienttypes.MsgCreateClient{}, &clienttypes.MsgUpdateClient{},
		&connectiontypes.MsgConnectionOpenInit{}, &connectiontypes.MsgConnectionOpenTry{}, &connectiontypes.MsgConnectionOpenAck{}, &connectiontypes.MsgConnectionOpenConfirm{},
		&channeltypes.MsgChannelOpenInit{}, &channeltypes.MsgChannelOpenTry{}, &channeltypes.MsgChannelOpenAck{}, &channeltypes.MsgChannelOpenConfirm{}} {
		if got[interchain.TypeURL(m)] == 0 {
			t.Errorf("no %s in the handshake (%v)", interchain.TypeURL(m), got)
		}
	}
	if len(got) == 0 || t.Failed() {
		t.FailNow()
	}

	// A transfer, received and acknowledged.
	before := a.Balance(a.Address(1), "stake")
	far := uint64(start.Add(time.Hour).UnixNano())
	resp := a.MustSucceed(a.NextBlock(a.Tx(1, ibcgoTransfer(a, b, l.A.Port, l.A.Channel, 1, "stake", 1000, far))))
	if ev := ibctest.Events(resp, ibcgo.EventTypeMessage); len(ev) != 1 || ev[0]["module"] != ibcgo.ModuleTransfer ||
		ev[0]["sender"] != address.Encode(prefix, a.Address(1)) || ev[0]["action"] != "/ibc.applications.transfer.v1.MsgTransfer" {
		t.Fatalf("message events %v", ev)
	}
	if len(ibctest.Events(resp, packet.EventSendPacket)) != 1 || len(ibctest.Events(resp, transfer.EventTypeTransfer)) != 1 {
		t.Fatal("no send_packet or ibc_transfer event")
	}
	*results = nil
	p, err := l.RelayOnce(context.Background())
	if err != nil || p.Received != 1 || p.Acked != 1 {
		t.Fatalf("relay: %v %+v", err, p)
	}
	got = actions(t, *results)
	if got["/ibc.core.channel.v1.MsgRecvPacket"] != 1 || got["/ibc.core.channel.v1.MsgAcknowledgement"] != 1 {
		t.Fatalf("relay actions %v", got)
	}
	voucher := "transfer/" + l.B.Channel + "/stake"
	if v := b.Balance(b.Address(1), voucher); v != 1000 {
		t.Fatalf("voucher balance %d", v)
	}
	if v := a.Balance(a.Address(1), "stake"); v != before-1000-1 {
		t.Fatalf("sender balance %d, want %d", v, before-1000-1)
	}

	// A transfer that times out is refunded.
	before = a.Balance(a.Address(2), "stake")
	soon := uint64(a.Time.Add(30 * time.Second).UnixNano())
	a.MustSucceed(a.NextBlock(a.Tx(2, ibcgoTransfer(a, b, l.A.Port, l.A.Channel, 2, "stake", 77, soon))))
	for b.Time.UnixNano() <= int64(soon) {
		b.NextBlock()
	}
	*results = nil
	if p, err = l.RelayOnce(context.Background()); err != nil || p.TimedOut != 1 || p.Received != 0 {
		t.Fatalf("relay: %v %+v", err, p)
	}
	if got = actions(t, *results); got["/ibc.core.channel.v1.MsgTimeout"] != 1 {
		t.Fatalf("timeout actions %v", got)
	}
	if v := a.Balance(a.Address(2), "stake"); v != before-1 {
		t.Fatalf("balance after the refund %d, want %d", v, before-1)
	}
	if v := b.Balance(b.Address(2), voucher); v != 0 {
		t.Fatalf("timed-out voucher balance %d", v)
	}
}

// TestIBCGoRejections: ibc-go messages with a signer other than the
// transaction's, a malformed Any, a client type icsd lacks, or a proof
// that does not verify are refused with their codes, with no events and
// no change of balance or client.
func TestIBCGoRejections(t *testing.T) {
	clock := &ibctest.Clock{Now: start}
	a := ibctest.NewChain(t, clock, "chain-a", 4, 4)
	b := ibctest.NewChain(t, clock, "chain-b", 4, 4)
	l, _ := ibcgoLink(t, a, b)
	far := uint64(start.Add(time.Hour).UnixNano())
	s := func(c *ibctest.Chain, i int) string { return address.Encode(prefix, c.Address(i)) }

	// A packet in flight, for the proof case.
	resp := a.MustSucceed(a.NextBlock(a.Tx(1, ibcgoTransfer(a, b, l.A.Port, l.A.Channel, 1, "stake", 5, far))))
	packets, _ := ibctest.PacketsIn(t, resp, packet.EventSendPacket)
	if len(packets) != 1 {
		t.Fatalf("%d packets", len(packets))
	}
	recv, err := relayer.RecvMsgs(context.Background(), l.B, l.A, packets)
	if err != nil {
		t.Fatal(err)
	}
	up := toIBCGo(t, recv[0]).(*clienttypes.MsgUpdateClient)
	good := toIBCGo(t, recv[1]).(*channeltypes.MsgRecvPacket)
	tampered := *good
	tampered.ProofCommitment = append([]byte(nil), good.ProofCommitment...)
	tampered.ProofCommitment[len(tampered.ProofCommitment)-5] ^= 1

	header := up.ClientMessage.Value
	cases := []struct {
		name string
		c    *ibctest.Chain
		msgs []gogoproto.Message
		want error
	}{
		{"transfer sender is not the signer", a, []gogoproto.Message{ibcgoTransfer(a, b, l.A.Port, l.A.Channel, 2, "stake", 5, far)}, ibcgo.ErrSignerMismatch},
		{"update signer is not the signer", b, []gogoproto.Message{&clienttypes.MsgUpdateClient{ClientId: l.B.Client, ClientMessage: up.ClientMessage, Signer: s(b, 3)}}, ibcgo.ErrSignerMismatch},
		{"signer of another prefix", b, []gogoproto.Message{&clienttypes.MsgUpdateClient{ClientId: l.B.Client, ClientMessage: up.ClientMessage, Signer: address.Encode("cosmos", b.Address(1))}}, ibcgo.ErrInvalidSigner},
		{"no client message", b, []gogoproto.Message{&clienttypes.MsgUpdateClient{ClientId: l.B.Client, Signer: s(b, 1)}}, ibcgo.ErrInvalidMsg},
		{"malformed header Any", b, []gogoproto.Message{&clienttypes.MsgUpdateClient{ClientId: l.B.Client, ClientMessage: anyOf(&ibctm.Header{}, header[:len(header)/2]), Signer: s(b, 1)}}, client.ErrInvalidHeader},
		{"malformed client state Any", b, []gogoproto.Message{&clienttypes.MsgCreateClient{ClientState: anyOf(&ibctm.ClientState{}, []byte{0xff, 0xff}),
			ConsensusState: anyOf(&ibctm.ConsensusState{}, nil), Signer: s(b, 1)}}, client.ErrInvalidClientState},
		{"solo machine client state", b, []gogoproto.Message{&clienttypes.MsgCreateClient{ClientState: &codectypes.Any{TypeUrl: "/ibc.lightclients.solomachine.v3.ClientState", Value: []byte{8, 1}},
			ConsensusState: anyOf(&ibctm.ConsensusState{}, nil), Signer: s(b, 1)}}, ibcgo.ErrUnsupported},
		{"connection delay", b, []gogoproto.Message{&connectiontypes.MsgConnectionOpenInit{ClientId: l.B.Client,
			Counterparty: connectiontypes.Counterparty{ClientId: l.A.Client, Prefix: commitmenttypes.NewMerklePrefix([]byte("ibc"))}, DelayPeriod: 1, Signer: s(b, 1)}}, ibcgo.ErrUnsupported},
		{"transfer channel close", a, []gogoproto.Message{&channeltypes.MsgChannelCloseInit{PortId: l.A.Port, ChannelId: l.A.Channel, Signer: s(a, 1)}}, channel.ErrCloseRefused},
		{"proof does not verify", b, []gogoproto.Message{withSigner(up, s(b, 1)), withSigner(&tampered, s(b, 1))}, channel.ErrInvalidProof},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			voucher := "transfer/" + l.B.Channel + "/stake"
			balA, balB := a.Balance(a.Address(2), "stake"), b.Balance(b.Address(1), voucher)
			res := tc.c.NextBlock(tc.c.Tx(1, tc.msgs...))
			r := res.TxResults[0]
			if r.Code != app.Code(tc.want) {
				t.Fatalf("code %d (%s), want %d (%v)", r.Code, r.Log, app.Code(tc.want), tc.want)
			}
			for _, e := range r.Events {
				if e.Type == ibcgo.EventTypeMessage || strings.Contains(e.Type, "packet") || strings.Contains(e.Type, "client") {
					t.Fatalf("event %s from a refused transaction", e.Type)
				}
			}
			if a.Balance(a.Address(2), "stake") != balA || b.Balance(b.Address(1), voucher) != balB {
				t.Fatal("a balance moved")
			}
		})
	}
	// The untampered messages then go through.
	b.MustSucceed(b.NextBlock(b.Tx(1, withSigner(up, s(b, 1)), withSigner(good, s(b, 1)))))
	if v := b.Balance(b.Address(1), "transfer/"+l.B.Channel+"/stake"); v != 5 {
		t.Fatalf("voucher balance %d", v)
	}
}

// withSigner returns a copy of the update or receive message m signed by
// signer.
func withSigner(m gogoproto.Message, signer string) gogoproto.Message {
	switch m := m.(type) {
	case *clienttypes.MsgUpdateClient:
		c := *m
		c.Signer = signer
		return &c
	case *channeltypes.MsgRecvPacket:
		c := *m
		c.Signer = signer
		return &c
	}
	panic("withSigner")
}
