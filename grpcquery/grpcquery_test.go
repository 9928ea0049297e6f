package grpcquery_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/cosmos/cosmos-sdk/types/query"
	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/abci-ics/ics/grpcquery"
)

func TestIsMethodPath(t *testing.T) {
	for path, want := range map[string]bool{
		"/ibc.core.channel.v1.Query/Channels":    true,
		"/cosmos.bank.v1beta1.Query/AllBalances": true,
		"/store/ibc/key":                         false,
		"/bank/balances/ics1xyz":                 false,
		"/auth/params":                           false,
		"ibc.core.channel.v1.Query/Channels":     false,
		"/ibc.core.channel.v1.Query/":            false,
		"/ibc.core.channel.v1.Query/A/B":         false,
		"/app/stores":                            false,
	} {
		if got := grpcquery.IsMethodPath(path); got != want {
			t.Errorf("%q: %v, want %v", path, got, want)
		}
	}
}

// statusServer answers ClientStatus from the request alone, to test the
// router without state.
type statusServer struct {
	clienttypes.UnimplementedQueryServer
}

func (*statusServer) ClientStatus(_ context.Context, req *clienttypes.QueryClientStatusRequest) (*clienttypes.QueryClientStatusResponse, error) {
	if req.ClientId == "" {
		return nil, status.Error(codes.InvalidArgument, "client_id is required")
	}
	return &clienttypes.QueryClientStatusResponse{Status: "status of " + req.ClientId}, nil
}

func TestRouter(t *testing.T) {
	r := grpcquery.NewRouter()
	clienttypes.RegisterQueryServer(r, &statusServer{})
	const method = "/ibc.core.client.v1.Query/ClientStatus"
	if !r.Has(method) || !slices.Contains(r.Methods(), "/ibc.core.client.v1.Query/ClientState") {
		t.Fatalf("methods %v", r.Methods())
	}
	req, _ := (&clienttypes.QueryClientStatusRequest{ClientId: "07-tendermint-0"}).Marshal()
	bz, err := r.Handle(context.Background(), method, req)
	var resp clienttypes.QueryClientStatusResponse
	if err != nil || resp.Unmarshal(bz) != nil || resp.Status != "status of 07-tendermint-0" {
		t.Fatalf("answer %q, %v", resp.Status, err)
	}
	if _, err := r.Handle(context.Background(), "/ibc.core.client.v1.Query/Nope", req); !errors.Is(err, grpcquery.ErrUnknownMethod) {
		t.Fatalf("unknown method: %v", err)
	}
	if _, err := r.Handle(context.Background(), method, []byte{0xff, 0xff}); !errors.Is(err, grpcquery.ErrMalformedRequest) {
		t.Fatalf("malformed request: %v", err)
	}
	if _, err := r.Handle(context.Background(), method, nil); status.Code(err) != codes.InvalidArgument {
		t.Fatalf("empty request: %v", err)
	}
	if _, err := r.Handle(context.Background(), "/ibc.core.client.v1.Query/ClientState", nil); status.Code(err) != codes.Unimplemented {
		t.Fatalf("unimplemented method: %v", err)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("a service registered twice did not panic")
		}
	}()
	clienttypes.RegisterQueryServer(r, &statusServer{})
}

func TestPage(t *testing.T) {
	items := []int{1, 2, 3, 4, 5}
	key := func(i int) []byte { return []byte{byte(i)} }
	for _, tc := range []struct {
		req   *query.PageRequest
		want  []int
		next  []byte
		total uint64
	}{
		{nil, items, nil, 0},
		{&query.PageRequest{Limit: 2}, []int{1, 2}, []byte{3}, 0},
		{&query.PageRequest{Limit: 2, Key: []byte{3}}, []int{3, 4}, []byte{5}, 0},
		{&query.PageRequest{Limit: 2, Key: []byte{5}}, []int{5}, nil, 0},
		{&query.PageRequest{Limit: 2, Offset: 4, CountTotal: true}, []int{5}, nil, 5},
		{&query.PageRequest{Offset: 9, CountTotal: true}, []int{}, nil, 5},
		{&query.PageRequest{Limit: 2, Reverse: true}, []int{5, 4}, []byte{3}, 0},
		{&query.PageRequest{Limit: 2, Reverse: true, Key: []byte{3}}, []int{3, 2}, []byte{1}, 0},
		{&query.PageRequest{Key: []byte{9}}, []int{}, nil, 0},
	} {
		t.Run(fmt.Sprintf("%+v", tc.req), func(t *testing.T) {
			got, pr, err := grpcquery.Page(items, key, tc.req)
			if err != nil || !slices.Equal(got, tc.want) || string(pr.NextKey) != string(tc.next) || pr.Total != tc.total {
				t.Fatalf("page %v next %v total %d, %v", got, pr.NextKey, pr.Total, err)
			}
		})
	}
	if _, _, err := grpcquery.Page(items, key, &query.PageRequest{Key: []byte{1}, Offset: 1}); status.Code(err) != codes.InvalidArgument {
		t.Fatalf("key and offset: %v", err)
	}
	big := make([]int, 2*grpcquery.MaxLimit)
	for i := range big {
		big[i] = i
	}
	bigKey := func(i int) []byte { return []byte(fmt.Sprintf("%08d", i)) }
	if got, _, _ := grpcquery.Page(big, bigKey, &query.PageRequest{Limit: 1 << 40}); len(got) != grpcquery.MaxLimit {
		t.Fatalf("limit not bounded: %d", len(got))
	}
}
