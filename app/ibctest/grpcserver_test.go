package ibctest_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	grpcstatus "google.golang.org/grpc/status"

	"github.com/abci-ics/ics/grpcquery"
	grpcserver "github.com/abci-ics/ics/grpcquery/server"
	"github.com/abci-ics/ics/ibc/transfer"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/coin"
)

// gogoCodec lets the test's client send the gogoproto types, as the SDK's
// clients do with their own codec.
type gogoCodec struct{}

func (gogoCodec) Name() string                    { return "proto" }
func (gogoCodec) Marshal(v any) ([]byte, error)   { return grpcquery.Marshal(v) }
func (gogoCodec) Unmarshal(b []byte, v any) error { return grpcquery.Unmarshal(b, v) }

// rawMsg is a request sent as its bytes, whatever they are.
type rawMsg []byte

func (m *rawMsg) Marshal() ([]byte, error) { return *m, nil }
func (m *rawMsg) Unmarshal(b []byte) error { *m = b; return nil }

// TestGRPCServer dials the gRPC server on a free loopback port and asks it
// the IBC and bank services, at the latest height and at an older one
// (x-cosmos-block-height), and checks the errors' gRPC codes.
func TestGRPCServer(t *testing.T) {
	p := link(t)
	a := p.A.Chain
	before := a.Height
	far := uint64(start.Add(time.Hour).UnixNano())
	a.MustSucceed(a.NextBlock(a.Tx(1, transferMsg(p, p.A, p.B, 1, coin.Coin{Denom: "stake", Amount: 7}, far))))

	srv, addr, err := grpcserver.Listen(a.App, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	conn, err := grpc.NewClient(addr.String(), grpc.WithTransportCredentials(insecure.NewCredentials()), grpc.WithDefaultCallOptions(grpc.ForceCodec(gogoCodec{})))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ch := channeltypes.NewQueryClient(conn)

	var md metadata.MD
	r, err := ch.PacketCommitments(ctx, &channeltypes.QueryPacketCommitmentsRequest{PortId: transfer.PortID, ChannelId: p.A.Channel}, grpc.Header(&md))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Commitments) != 1 || r.Commitments[0].Sequence != 1 || r.Height.RevisionHeight != uint64(a.Height) {
		t.Fatalf("commitments %v at %v", r.Commitments, r.Height)
	}
	if h := md.Get(grpcserver.HeightHeader); len(h) != 1 || h[0] != strconv.FormatInt(a.Height, 10) {
		t.Fatalf("height header %v, want %d", h, a.Height)
	}

	older := metadata.AppendToOutgoingContext(ctx, grpcserver.HeightHeader, strconv.FormatInt(before, 10))
	r, err = ch.PacketCommitments(older, &channeltypes.QueryPacketCommitmentsRequest{PortId: transfer.PortID, ChannelId: p.A.Channel}, grpc.Header(&md))
	if err != nil || len(r.Commitments) != 0 || md.Get(grpcserver.HeightHeader)[0] != strconv.FormatInt(before, 10) {
		t.Fatalf("at %d: %v, %v, header %v", before, r, err, md)
	}

	bank := banktypes.NewQueryClient(conn)
	bal, err := bank.Balance(ctx, &banktypes.QueryBalanceRequest{Address: address.Encode("ics", a.Address(1)), Denom: "stake"})
	if err != nil || bal.Balance.Amount.Uint64() != a.Balance(a.Address(1), "stake") {
		t.Fatalf("balance %v, %v", bal, err)
	}

	// The server answers every method as abci_query does, byte for byte,
	// at the latest height and at the one the header selects.
	ev := func(m interface{ Marshal() ([]byte, error) }) []byte {
		bz, err := m.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		return bz
	}
	addr1 := address.Encode("ics", a.Address(1))
	for _, q := range []struct {
		method string
		req    []byte
	}{
		{"/ibc.core.channel.v1.Query/Channels", nil},
		{"/ibc.core.channel.v1.Query/PacketCommitments", ev(&channeltypes.QueryPacketCommitmentsRequest{PortId: transfer.PortID, ChannelId: p.A.Channel})},
		{"/ibc.core.channel.v1.Query/Channel", ev(&channeltypes.QueryChannelRequest{PortId: transfer.PortID, ChannelId: p.A.Channel})},
		{"/ibc.core.client.v1.Query/ClientStates", nil},
		{"/ibc.core.connection.v1.Query/Connections", nil},
		{"/cosmos.bank.v1beta1.Query/AllBalances", ev(&banktypes.QueryAllBalancesRequest{Address: addr1})},
		{"/cosmos.auth.v1beta1.Query/Account", ev(&authtypes.QueryAccountRequest{Address: addr1})},
		{"/cosmos.staking.v1beta1.Query/Params", nil},
	} {
		for _, h := range []int64{a.Height, before} {
			var got rawMsg
			req := rawMsg(q.req)
			hctx := metadata.AppendToOutgoingContext(ctx, grpcserver.HeightHeader, strconv.FormatInt(h, 10))
			if err := conn.Invoke(hctx, q.method, &req, &got); err != nil {
				t.Fatalf("%s at %d over gRPC: %v", q.method, h, err)
			}
			want := a.Query(q.method, q.req, h, false)
			if want.Code != 0 || len(got) == 0 || string(got) != string(want.Value) {
				t.Fatalf("%s at %d: gRPC answers %X, abci_query %X (code %d %s)", q.method, h, []byte(got), want.Value, want.Code, want.Log)
			}
		}
	}

	for _, e := range []struct {
		name string
		call func() error
		code codes.Code
	}{
		{"not found", func() error {
			_, err := ch.PacketCommitment(ctx, &channeltypes.QueryPacketCommitmentRequest{PortId: transfer.PortID, ChannelId: p.A.Channel, Sequence: 9})
			return err
		}, codes.NotFound},
		{"invalid request", func() error {
			_, err := ch.Channel(ctx, &channeltypes.QueryChannelRequest{})
			return err
		}, codes.InvalidArgument},
		{"unknown method", func() error {
			return conn.Invoke(ctx, "/ibc.core.channel.v1.Query/NoSuchMethod", &channeltypes.QueryChannelRequest{}, &channeltypes.QueryChannelResponse{})
		}, codes.Unimplemented},
		{"malformed request", func() error {
			return conn.Invoke(ctx, "/ibc.core.channel.v1.Query/Channel", &rawMsg{0xff, 0xff, 0xff}, &channeltypes.QueryChannelResponse{})
		}, codes.InvalidArgument},
		{"bad height", func() error {
			bad := metadata.AppendToOutgoingContext(ctx, grpcserver.HeightHeader, "x")
			_, err := ch.Channels(bad, &channeltypes.QueryChannelsRequest{})
			return err
		}, codes.InvalidArgument},
		{"future height", func() error {
			bad := metadata.AppendToOutgoingContext(ctx, grpcserver.HeightHeader, strconv.FormatInt(a.Height+100, 10))
			_, err := ch.Channels(bad, &channeltypes.QueryChannelsRequest{})
			return err
		}, codes.InvalidArgument},
	} {
		t.Run(e.name, func(t *testing.T) {
			if err := e.call(); grpcstatus.Code(err) != e.code {
				t.Fatalf("error %v, want code %v", err, e.code)
			}
		})
	}
}
