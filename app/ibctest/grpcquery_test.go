package ibctest_test

import (
	"bytes"
	"strconv"
	"testing"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	sdkquery "github.com/cosmos/cosmos-sdk/types/query"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	paramproposal "github.com/cosmos/cosmos-sdk/x/params/types/proposal"
	stakingtypes "github.com/cosmos/cosmos-sdk/x/staking/types"
	gogoproto "github.com/cosmos/gogoproto/proto"
	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"
	connectiontypes "github.com/cosmos/ibc-go/v10/modules/core/03-connection/types"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"
	commitmenttypes "github.com/cosmos/ibc-go/v10/modules/core/23-commitment/types"
	ibctm "github.com/cosmos/ibc-go/v10/modules/light-clients/07-tendermint"

	"github.com/abci-ics/ics/abci"
	"github.com/abci-ics/ics/app"
	"github.com/abci-ics/ics/app/ibctest"
	"github.com/abci-ics/ics/ibc/commitment"
	"github.com/abci-ics/ics/ibc/transfer"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/coin"
)

// grpcQuery runs req as an abci_query of method on c at height and decodes
// the answer into resp. It fails the test on an error code.
func grpcQuery(t *testing.T, c *ibctest.Chain, method string, height int64, prove bool, req, resp gogoproto.Message) *abcitypes.ResponseQuery {
	t.Helper()
	bz, err := gogoproto.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	res := c.Query(method, bz, height, prove)
	if res.Code != 0 {
		t.Fatalf("%s %s: code %d: %s", c.ID, method, res.Code, res.Log)
	}
	if err := gogoproto.Unmarshal(res.Value, resp); err != nil {
		t.Fatalf("%s %s: decode: %v", c.ID, method, err)
	}
	return res
}

// TestGRPCQueries asks the IBC core, auth, bank, staking and params
// services over abci_query with gRPC method paths, on two chains linked
// by a transfer channel with one packet relayed (sequence 1: received
// and acknowledged) and one not (sequence 2: committed on A only), and
// checks each answer against the chains' state.
func TestGRPCQueries(t *testing.T) {
	p := link(t)
	a, b := p.A.Chain, p.B.Chain
	far := uint64(start.Add(time.Hour).UnixNano())
	stake := coin.Coin{Denom: "stake", Amount: 7}
	p.Relay(a, a.MustSucceed(a.NextBlock(a.Tx(1, transferMsg(p, p.A, p.B, 1, stake, far)))))
	// Sequence 2 is sent and not relayed; B receives it only as the
	// relayer's sequences list (UnreceivedPackets).
	a.MustSucceed(a.NextBlock(a.Tx(1, transferMsg(p, p.A, p.B, 1, stake, far))))
	port, chA, chB := transfer.PortID, p.A.Channel, p.B.Channel
	revA := clienttypes.ParseChainID(a.ID)

	type check struct {
		name   string
		chain  *ibctest.Chain
		method string
		req    gogoproto.Message
		resp   gogoproto.Message
		verify func(t *testing.T, resp gogoproto.Message)
	}
	addr1 := address.Encode("ics", a.Address(1))
	var acct app.AccountJSON
	a.QueryJSON(app.PathAccount+addr1, &acct)
	checks := []check{
		{"client state", a, "/ibc.core.client.v1.Query/ClientState", &clienttypes.QueryClientStateRequest{ClientId: p.A.Client}, &clienttypes.QueryClientStateResponse{},
			func(t *testing.T, m gogoproto.Message) {
				r := m.(*clienttypes.QueryClientStateResponse)
				var cs ibctm.ClientState
				if r.ClientState.TypeUrl != "/ibc.lightclients.tendermint.v1.ClientState" || cs.Unmarshal(r.ClientState.Value) != nil {
					t.Fatalf("client state %v", r.ClientState)
				}
				if cs.ChainId != b.ID || cs.LatestHeight.RevisionHeight == 0 {
					t.Fatalf("client state %+v", cs)
				}
				if r.ProofHeight.RevisionNumber != revA || r.ProofHeight.RevisionHeight != uint64(a.Height) || r.Proof != nil {
					t.Fatalf("proof height %v without a proof", r.ProofHeight)
				}
			}},
		{"client states", a, "/ibc.core.client.v1.Query/ClientStates", &clienttypes.QueryClientStatesRequest{Pagination: &sdkquery.PageRequest{CountTotal: true}}, &clienttypes.QueryClientStatesResponse{},
			func(t *testing.T, m gogoproto.Message) {
				r := m.(*clienttypes.QueryClientStatesResponse)
				if len(r.ClientStates) != 1 || r.ClientStates[0].ClientId != p.A.Client || r.Pagination.Total != 1 || r.Pagination.NextKey != nil {
					t.Fatalf("client states %v, page %v", r.ClientStates, r.Pagination)
				}
			}},
		{"consensus state", a, "/ibc.core.client.v1.Query/ConsensusState", &clienttypes.QueryConsensusStateRequest{ClientId: p.A.Client, LatestHeight: true}, &clienttypes.QueryConsensusStateResponse{},
			func(t *testing.T, m gogoproto.Message) {
				r := m.(*clienttypes.QueryConsensusStateResponse)
				var cons ibctm.ConsensusState
				if r.ConsensusState.TypeUrl != "/ibc.lightclients.tendermint.v1.ConsensusState" || cons.Unmarshal(r.ConsensusState.Value) != nil || len(cons.Root.Hash) == 0 {
					t.Fatalf("consensus state %v", r.ConsensusState)
				}
			}},
		{"client status", a, "/ibc.core.client.v1.Query/ClientStatus", &clienttypes.QueryClientStatusRequest{ClientId: p.A.Client}, &clienttypes.QueryClientStatusResponse{},
			func(t *testing.T, m gogoproto.Message) {
				if s := m.(*clienttypes.QueryClientStatusResponse).Status; s != "Active" {
					t.Fatalf("status %q", s)
				}
			}},
		{"connection", a, "/ibc.core.connection.v1.Query/Connection", &connectiontypes.QueryConnectionRequest{ConnectionId: p.A.Connection}, &connectiontypes.QueryConnectionResponse{},
			func(t *testing.T, m gogoproto.Message) {
				c := m.(*connectiontypes.QueryConnectionResponse).Connection
				if c.State != connectiontypes.OPEN || c.ClientId != p.A.Client || c.Counterparty.ConnectionId != p.B.Connection {
					t.Fatalf("connection %v", c)
				}
			}},
		{"connections", a, "/ibc.core.connection.v1.Query/Connections", &connectiontypes.QueryConnectionsRequest{}, &connectiontypes.QueryConnectionsResponse{},
			func(t *testing.T, m gogoproto.Message) {
				r := m.(*connectiontypes.QueryConnectionsResponse)
				if len(r.Connections) != 1 || r.Connections[0].Id != p.A.Connection || r.Height.RevisionHeight != uint64(a.Height) {
					t.Fatalf("connections %v at %v", r.Connections, r.Height)
				}
			}},
		{"client connections", a, "/ibc.core.connection.v1.Query/ClientConnections", &connectiontypes.QueryClientConnectionsRequest{ClientId: p.A.Client}, &connectiontypes.QueryClientConnectionsResponse{},
			func(t *testing.T, m gogoproto.Message) {
				if ps := m.(*connectiontypes.QueryClientConnectionsResponse).ConnectionPaths; len(ps) != 1 || ps[0] != p.A.Connection {
					t.Fatalf("paths %v", ps)
				}
			}},
		{"channel", a, "/ibc.core.channel.v1.Query/Channel", &channeltypes.QueryChannelRequest{PortId: port, ChannelId: chA}, &channeltypes.QueryChannelResponse{},
			func(t *testing.T, m gogoproto.Message) {
				ch := m.(*channeltypes.QueryChannelResponse).Channel
				if ch.State != channeltypes.OPEN || ch.Ordering != channeltypes.UNORDERED || ch.Counterparty.ChannelId != chB || ch.Version != transfer.Version {
					t.Fatalf("channel %v", ch)
				}
			}},
		{"channels", a, "/ibc.core.channel.v1.Query/Channels", &channeltypes.QueryChannelsRequest{}, &channeltypes.QueryChannelsResponse{},
			func(t *testing.T, m gogoproto.Message) {
				r := m.(*channeltypes.QueryChannelsResponse)
				if len(r.Channels) != 1 || r.Channels[0].ChannelId != chA || r.Channels[0].PortId != port {
					t.Fatalf("channels %v", r.Channels)
				}
			}},
		{"connection channels", a, "/ibc.core.channel.v1.Query/ConnectionChannels", &channeltypes.QueryConnectionChannelsRequest{Connection: p.A.Connection}, &channeltypes.QueryConnectionChannelsResponse{},
			func(t *testing.T, m gogoproto.Message) {
				if r := m.(*channeltypes.QueryConnectionChannelsResponse); len(r.Channels) != 1 || r.Channels[0].ChannelId != chA {
					t.Fatalf("channels %v", r.Channels)
				}
			}},
		{"connection channels, other connection", a, "/ibc.core.channel.v1.Query/ConnectionChannels", &channeltypes.QueryConnectionChannelsRequest{Connection: "connection-9"}, &channeltypes.QueryConnectionChannelsResponse{},
			func(t *testing.T, m gogoproto.Message) {
				if r := m.(*channeltypes.QueryConnectionChannelsResponse); len(r.Channels) != 0 {
					t.Fatalf("channels %v", r.Channels)
				}
			}},
		{"channel client state", a, "/ibc.core.channel.v1.Query/ChannelClientState", &channeltypes.QueryChannelClientStateRequest{PortId: port, ChannelId: chA}, &channeltypes.QueryChannelClientStateResponse{},
			func(t *testing.T, m gogoproto.Message) {
				if ic := m.(*channeltypes.QueryChannelClientStateResponse).IdentifiedClientState; ic.ClientId != p.A.Client {
					t.Fatalf("client %v", ic)
				}
			}},
		{"packet commitment", a, "/ibc.core.channel.v1.Query/PacketCommitment", &channeltypes.QueryPacketCommitmentRequest{PortId: port, ChannelId: chA, Sequence: 2}, &channeltypes.QueryPacketCommitmentResponse{},
			func(t *testing.T, m gogoproto.Message) {
				want := a.Query("/store/ibc/key", []byte(commitment.PacketCommitmentPath(port, chA, 2)), 0, false).Value
				if c := m.(*channeltypes.QueryPacketCommitmentResponse).Commitment; len(c) != 32 || !bytes.Equal(c, want) {
					t.Fatalf("commitment %x, stored %x", c, want)
				}
			}},
		{"packet commitments", a, "/ibc.core.channel.v1.Query/PacketCommitments", &channeltypes.QueryPacketCommitmentsRequest{PortId: port, ChannelId: chA}, &channeltypes.QueryPacketCommitmentsResponse{},
			func(t *testing.T, m gogoproto.Message) {
				if cs := m.(*channeltypes.QueryPacketCommitmentsResponse).Commitments; len(cs) != 1 || cs[0].Sequence != 2 || len(cs[0].Data) != 32 {
					t.Fatalf("commitments %v", cs)
				}
			}},
		{"unreceived acks", a, "/ibc.core.channel.v1.Query/UnreceivedAcks", &channeltypes.QueryUnreceivedAcksRequest{PortId: port, ChannelId: chA, PacketAckSequences: []uint64{1, 2}}, &channeltypes.QueryUnreceivedAcksResponse{},
			func(t *testing.T, m gogoproto.Message) {
				if s := m.(*channeltypes.QueryUnreceivedAcksResponse).Sequences; len(s) != 1 || s[0] != 2 {
					t.Fatalf("unreceived acks %v", s)
				}
			}},
		{"next sequence send", a, "/ibc.core.channel.v1.Query/NextSequenceSend", &channeltypes.QueryNextSequenceSendRequest{PortId: port, ChannelId: chA}, &channeltypes.QueryNextSequenceSendResponse{},
			func(t *testing.T, m gogoproto.Message) {
				if s := m.(*channeltypes.QueryNextSequenceSendResponse).NextSequenceSend; s != 3 {
					t.Fatalf("next sequence send %d", s)
				}
			}},
		{"packet receipt", b, "/ibc.core.channel.v1.Query/PacketReceipt", &channeltypes.QueryPacketReceiptRequest{PortId: port, ChannelId: chB, Sequence: 1}, &channeltypes.QueryPacketReceiptResponse{},
			func(t *testing.T, m gogoproto.Message) {
				if !m.(*channeltypes.QueryPacketReceiptResponse).Received {
					t.Fatal("receipt 1 missing")
				}
			}},
		{"packet receipt absent", b, "/ibc.core.channel.v1.Query/PacketReceipt", &channeltypes.QueryPacketReceiptRequest{PortId: port, ChannelId: chB, Sequence: 2}, &channeltypes.QueryPacketReceiptResponse{},
			func(t *testing.T, m gogoproto.Message) {
				if m.(*channeltypes.QueryPacketReceiptResponse).Received {
					t.Fatal("receipt 2 present")
				}
			}},
		{"packet acknowledgement", b, "/ibc.core.channel.v1.Query/PacketAcknowledgement", &channeltypes.QueryPacketAcknowledgementRequest{PortId: port, ChannelId: chB, Sequence: 1}, &channeltypes.QueryPacketAcknowledgementResponse{},
			func(t *testing.T, m gogoproto.Message) {
				want := channeltypes.CommitAcknowledgement([]byte(`{"result":"AQ=="}`))
				if ack := m.(*channeltypes.QueryPacketAcknowledgementResponse).Acknowledgement; !bytes.Equal(ack, want) {
					t.Fatalf("ack %x, want %x", ack, want)
				}
			}},
		{"packet acknowledgements", b, "/ibc.core.channel.v1.Query/PacketAcknowledgements", &channeltypes.QueryPacketAcknowledgementsRequest{PortId: port, ChannelId: chB}, &channeltypes.QueryPacketAcknowledgementsResponse{},
			func(t *testing.T, m gogoproto.Message) {
				if as := m.(*channeltypes.QueryPacketAcknowledgementsResponse).Acknowledgements; len(as) != 1 || as[0].Sequence != 1 {
					t.Fatalf("acks %v", as)
				}
			}},
		{"unreceived packets", b, "/ibc.core.channel.v1.Query/UnreceivedPackets", &channeltypes.QueryUnreceivedPacketsRequest{PortId: port, ChannelId: chB, PacketCommitmentSequences: []uint64{1, 2}}, &channeltypes.QueryUnreceivedPacketsResponse{},
			func(t *testing.T, m gogoproto.Message) {
				if s := m.(*channeltypes.QueryUnreceivedPacketsResponse).Sequences; len(s) != 1 || s[0] != 2 {
					t.Fatalf("unreceived %v", s)
				}
			}},
		{"next sequence receive", b, "/ibc.core.channel.v1.Query/NextSequenceReceive", &channeltypes.QueryNextSequenceReceiveRequest{PortId: port, ChannelId: chB}, &channeltypes.QueryNextSequenceReceiveResponse{},
			func(t *testing.T, m gogoproto.Message) {
				if s := m.(*channeltypes.QueryNextSequenceReceiveResponse).NextSequenceReceive; s != 1 {
					t.Fatalf("next sequence receive %d (unordered stays 1)", s)
				}
			}},
		{"account", a, "/cosmos.auth.v1beta1.Query/Account", &authtypes.QueryAccountRequest{Address: addr1}, &authtypes.QueryAccountResponse{},
			func(t *testing.T, m gogoproto.Message) {
				var ba authtypes.BaseAccount
				any := m.(*authtypes.QueryAccountResponse).Account
				if any.TypeUrl != "/cosmos.auth.v1beta1.BaseAccount" || ba.Unmarshal(any.Value) != nil {
					t.Fatalf("account %v", any)
				}
				if ba.Address != addr1 || ba.Sequence != acct.Nonce || ba.Sequence == 0 || ba.AccountNumber != 0 || ba.PubKey.TypeUrl != "/cosmos.crypto.ed25519.PubKey" {
					t.Fatalf("account %+v, nonce %d", ba, acct.Nonce)
				}
			}},
		{"balance", a, "/cosmos.bank.v1beta1.Query/Balance", &banktypes.QueryBalanceRequest{Address: addr1, Denom: "stake"}, &banktypes.QueryBalanceResponse{},
			func(t *testing.T, m gogoproto.Message) {
				if c := m.(*banktypes.QueryBalanceResponse).Balance; c.Denom != "stake" || c.Amount.Uint64() != a.Balance(a.Address(1), "stake") {
					t.Fatalf("balance %v", c)
				}
			}},
		{"all balances", b, "/cosmos.bank.v1beta1.Query/AllBalances", &banktypes.QueryAllBalancesRequest{Address: address.Encode("ics", b.Address(1))}, &banktypes.QueryAllBalancesResponse{},
			func(t *testing.T, m gogoproto.Message) {
				voucher := "transfer/" + chB + "/stake"
				cs := m.(*banktypes.QueryAllBalancesResponse).Balances
				if cs.AmountOf("stake").Uint64() != b.Balance(b.Address(1), "stake") || cs.AmountOf(voucher).Uint64() != 7 {
					t.Fatalf("balances %v", cs)
				}
			}},
		{"staking params", a, "/cosmos.staking.v1beta1.Query/Params", &stakingtypes.QueryParamsRequest{}, &stakingtypes.QueryParamsResponse{},
			func(t *testing.T, m gogoproto.Message) {
				var js struct {
					Unbonding int64  `json:"unbonding_period"`
					Denom     string `json:"bond_denom"`
				}
				a.QueryJSON("/staking/params", &js)
				ps := m.(*stakingtypes.QueryParamsResponse).Params
				if ps.UnbondingTime != time.Duration(js.Unbonding) || ps.UnbondingTime == 0 || ps.BondDenom != js.Denom {
					t.Fatalf("params %+v, json %+v", ps, js)
				}
			}},
		{"params subspace", a, "/cosmos.params.v1beta1.Query/Params", &paramproposal.QueryParamsRequest{Subspace: "staking", Key: "UnbondingTime"}, &paramproposal.QueryParamsResponse{},
			func(t *testing.T, m gogoproto.Message) {
				v, err := strconv.Unquote(m.(*paramproposal.QueryParamsResponse).Param.Value)
				if err != nil || v == "" || v == "0" {
					t.Fatalf("param %q", m.(*paramproposal.QueryParamsResponse).Param.Value)
				}
			}},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			grpcQuery(t, c.chain, c.method, 0, false, c.req, c.resp)
			c.verify(t, c.resp)
		})
	}
}

// TestGRPCQueryProofsHeightsErrors: a proof in a gRPC answer verifies
// with ibc-go against the app hash of the next header (membership and
// non-membership); an older height answers the older state; pagination
// pages; the store path without its leading slash answers as with it;
// unknown methods, malformed and incomplete requests and missing state
// get their codes.
func TestGRPCQueryProofsHeightsErrors(t *testing.T) {
	p := link(t)
	a, b := p.A.Chain, p.B.Chain
	far := uint64(start.Add(time.Hour).UnixNano())
	stake := coin.Coin{Denom: "stake", Amount: 7}
	p.Relay(a, a.MustSucceed(a.NextBlock(a.Tx(1, transferMsg(p, p.A, p.B, 1, stake, far)))))
	before := a.Height
	a.MustSucceed(a.NextBlock(a.Tx(1, transferMsg(p, p.A, p.B, 1, stake, far))))
	port, chA, chB := transfer.PortID, p.A.Channel, p.B.Channel

	t.Run("membership proof", func(t *testing.T) {
		var r channeltypes.QueryPacketCommitmentResponse
		res := grpcQuery(t, a, "/ibc.core.channel.v1.Query/PacketCommitment", 0, true, &channeltypes.QueryPacketCommitmentRequest{PortId: port, ChannelId: chA, Sequence: 2}, &r)
		if r.ProofHeight.RevisionHeight != uint64(res.Height)+1 || len(r.Proof) == 0 {
			t.Fatalf("proof height %v at query height %d", r.ProofHeight, res.Height)
		}
		a.NextBlock()
		sh, _ := a.SignedHeader(int64(r.ProofHeight.RevisionHeight))
		var mp commitmenttypes.MerkleProof
		if err := mp.Unmarshal(r.Proof); err != nil {
			t.Fatal(err)
		}
		path := commitmenttypes.NewMerklePath([]byte(commitment.StoreName), []byte(commitment.PacketCommitmentPath(port, chA, 2)))
		if err := mp.VerifyMembership(commitmenttypes.GetSDKSpecs(), commitmenttypes.NewMerkleRoot(sh.Header.AppHash), path, r.Commitment); err != nil {
			t.Fatalf("ibc-go rejects the proof: %v", err)
		}
		if err := mp.VerifyMembership(commitmenttypes.GetSDKSpecs(), commitmenttypes.NewMerkleRoot(sh.Header.AppHash), path, make([]byte, 32)); err == nil {
			t.Fatal("the proof verifies another commitment")
		}
	})
	t.Run("non-membership proof", func(t *testing.T) {
		var r channeltypes.QueryPacketReceiptResponse
		grpcQuery(t, b, "/ibc.core.channel.v1.Query/PacketReceipt", 0, true, &channeltypes.QueryPacketReceiptRequest{PortId: port, ChannelId: chB, Sequence: 2}, &r)
		b.NextBlock()
		sh, _ := b.SignedHeader(int64(r.ProofHeight.RevisionHeight))
		var mp commitmenttypes.MerkleProof
		if err := mp.Unmarshal(r.Proof); err != nil {
			t.Fatal(err)
		}
		path := commitmenttypes.NewMerklePath([]byte(commitment.StoreName), []byte(commitment.PacketReceiptPath(port, chB, 2)))
		if r.Received || mp.VerifyNonMembership(commitmenttypes.GetSDKSpecs(), commitmenttypes.NewMerkleRoot(sh.Header.AppHash), path) != nil {
			t.Fatalf("receipt %v: absence not proven", r.Received)
		}
	})
	t.Run("older height", func(t *testing.T) {
		var r channeltypes.QueryPacketCommitmentsResponse
		res := grpcQuery(t, a, "/ibc.core.channel.v1.Query/PacketCommitments", before, false, &channeltypes.QueryPacketCommitmentsRequest{PortId: port, ChannelId: chA}, &r)
		if res.Height != before || len(r.Commitments) != 0 || r.Height.RevisionHeight != uint64(before) {
			t.Fatalf("at %d: commitments %v at %v", res.Height, r.Commitments, r.Height)
		}
	})
	t.Run("pagination", func(t *testing.T) {
		addr := address.Encode("ics", b.Address(1))
		var all []string
		var next []byte
		for range 3 {
			var r banktypes.QueryAllBalancesResponse
			grpcQuery(t, b, "/cosmos.bank.v1beta1.Query/AllBalances", 0, false, &banktypes.QueryAllBalancesRequest{Address: addr, Pagination: &sdkquery.PageRequest{Key: next, Limit: 1}}, &r)
			if len(r.Balances) != 1 {
				t.Fatalf("page of %d", len(r.Balances))
			}
			all = append(all, r.Balances[0].Denom)
			if next = r.Pagination.NextKey; next == nil {
				break
			}
		}
		if len(all) != 2 || all[0] != "stake" || all[1] != "transfer/"+chB+"/stake" {
			t.Fatalf("pages %v", all)
		}
		var r banktypes.QueryAllBalancesResponse
		grpcQuery(t, b, "/cosmos.bank.v1beta1.Query/AllBalances", 0, false, &banktypes.QueryAllBalancesRequest{Address: addr, Pagination: &sdkquery.PageRequest{Offset: 1, CountTotal: true}}, &r)
		if len(r.Balances) != 1 || r.Balances[0].Denom != all[1] || r.Pagination.Total != 2 {
			t.Fatalf("offset page %v, total %d", r.Balances, r.Pagination.Total)
		}
	})
	t.Run("store path without slash", func(t *testing.T) {
		key := []byte(commitment.ChannelPath(port, chA))
		with, without := a.Query("/store/ibc/key", key, 0, true), a.Query("store/ibc/key", key, 0, true)
		if without.Code != 0 || len(without.Value) == 0 || !bytes.Equal(with.Value, without.Value) || !gogoproto.Equal(with.ProofOps, without.ProofOps) {
			t.Fatalf("store/ibc/key: code %d %s", without.Code, without.Log)
		}
	})
	codeOf := func(err error) uint32 { return abci.CodeOf(app.Codes, err) }
	valid, _ := gogoproto.Marshal(&channeltypes.QueryChannelRequest{PortId: port, ChannelId: chA})
	missing, _ := gogoproto.Marshal(&channeltypes.QueryPacketCommitmentRequest{PortId: port, ChannelId: chA, Sequence: 99})
	noID, _ := gogoproto.Marshal(&clienttypes.QueryClientStateRequest{})
	for _, e := range []struct {
		name, path string
		data       []byte
		code       uint32
	}{
		{"unknown method", "/ibc.core.channel.v1.Query/NoSuchMethod", valid, codeOf(abci.ErrUnknownQuery)},
		{"unknown service", "/cosmos.gov.v1.Query/Proposals", nil, codeOf(abci.ErrUnknownQuery)},
		{"unimplemented method", "/ibc.core.client.v1.Query/UpgradedClientState", nil, codeOf(abci.ErrUnknownQuery)},
		{"malformed request", "/ibc.core.channel.v1.Query/Channel", []byte{0xff, 0xff, 0xff}, codeOf(abci.ErrInvalidQuery)},
		{"missing identifier", "/ibc.core.client.v1.Query/ClientState", noID, codeOf(abci.ErrInvalidQuery)},
		{"not found", "/ibc.core.channel.v1.Query/PacketCommitment", missing, codeOf(abci.ErrNotFound)},
	} {
		t.Run(e.name, func(t *testing.T) {
			res := a.Query(e.path, e.data, 0, false)
			if res.Code != e.code || res.Log == "" || res.Value != nil {
				t.Fatalf("code %d (want %d), log %q, value %x", res.Code, e.code, res.Log, res.Value)
			}
		})
	}
}
