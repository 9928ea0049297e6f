package server_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/abci-ics/ics/grpcquery/server"
)

// echo answers with the request bytes reversed, at the height asked (or
// 7), and fails the method "/x.Y/Fail" with a plain error.
type echo struct{}

func (echo) QueryGRPC(_ context.Context, height int64, method string, req []byte) ([]byte, int64, error) {
	if method == "/x.Y/Fail" {
		return nil, 0, errors.New("plain failure")
	}
	out := make([]byte, len(req))
	for i, b := range req {
		out[len(req)-1-i] = b
	}
	if height == 0 {
		height = 7
	}
	return out, height, nil
}

// bytesMsg is a message sent and received as its bytes.
type bytesMsg []byte

func (m *bytesMsg) Marshal() ([]byte, error) { return *m, nil }
func (m *bytesMsg) Unmarshal(b []byte) error { *m = append((*m)[:0], b...); return nil }

type rawCodec struct{}

func (rawCodec) Name() string { return "proto" }
func (rawCodec) Marshal(v any) ([]byte, error) {
	return v.(*bytesMsg).Marshal()
}
func (rawCodec) Unmarshal(b []byte, v any) error { return v.(*bytesMsg).Unmarshal(b) }

func TestServer(t *testing.T) {
	srv, addr, err := server.Listen(echo{}, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	conn, err := grpc.NewClient(addr.String(), grpc.WithTransportCredentials(insecure.NewCredentials()), grpc.WithDefaultCallOptions(grpc.ForceCodec(rawCodec{})))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	for _, h := range []int64{0, 42} {
		var md metadata.MD
		call := ctx
		if h != 0 {
			call = metadata.AppendToOutgoingContext(ctx, server.HeightHeader, strconv.FormatInt(h, 10))
		}
		req, resp := bytesMsg{1, 2, 3}, bytesMsg{}
		if err := conn.Invoke(call, "/a.B/C", &req, &resp, grpc.Header(&md)); err != nil {
			t.Fatal(err)
		}
		want := h
		if h == 0 {
			want = 7
		}
		if string(resp) != "\x03\x02\x01" || md.Get(server.HeightHeader)[0] != strconv.FormatInt(want, 10) {
			t.Fatalf("height %d: response %x, header %v", h, resp, md)
		}
	}
	req, resp := bytesMsg{1}, bytesMsg{}
	if err := conn.Invoke(ctx, "/x.Y/Fail", &req, &resp); status.Code(err) != codes.Unknown {
		t.Fatalf("plain error: %v", err)
	}
	neg := metadata.AppendToOutgoingContext(ctx, server.HeightHeader, "-1")
	if err := conn.Invoke(neg, "/a.B/C", &req, &resp); status.Code(err) != codes.InvalidArgument {
		t.Fatalf("negative height: %v", err)
	}
	if _, _, err := server.Listen(echo{}, "not an address"); err == nil {
		t.Fatal("listened on a bad address")
	}
}
