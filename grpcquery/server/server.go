// Package server is a gRPC server that answers Cosmos query services from
// an icsd node's committed state, for the clients that speak gRPC rather
// than abci_query (Hermes, wallets, explorers).
//
// The server registers no services of its own: every call goes to an
// unknown-service handler that reads the raw request bytes and hands the
// method name and the bytes to a Querier, the same code path that answers
// abci_query with a gRPC method path. So the two never disagree. The
// height comes from the request's x-cosmos-block-height metadata (0 or
// absent: the latest committed height), and the response's header carries
// the height answered, as Cosmos SDK nodes do. There is no server
// reflection.
package server

import (
	"context"
	"fmt"
	"net"
	"strconv"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// HeightHeader is the metadata key of the query height, in requests and
// response headers (the SDK's grpctypes.GRPCBlockHeightHeader).
const HeightHeader = "x-cosmos-block-height"

// Querier answers one query: method is the full gRPC method name, req the
// encoded request, height the version asked for (0: latest). It returns
// the encoded response and the height answered. Errors should be gRPC
// status errors; any other error is answered as codes.Unknown.
type Querier interface {
	QueryGRPC(ctx context.Context, height int64, method string, req []byte) (resp []byte, answered int64, err error)
}

// frame is a message as bytes: the server never decodes requests itself.
type frame struct{ bz []byte }

// rawCodec moves frames unchanged.
type rawCodec struct{}

func (rawCodec) Name() string { return "proto" }

func (rawCodec) Marshal(v any) ([]byte, error) {
	f, ok := v.(*frame)
	if !ok {
		return nil, fmt.Errorf("grpc server: cannot encode %T", v)
	}
	return f.bz, nil
}

func (rawCodec) Unmarshal(bz []byte, v any) error {
	f, ok := v.(*frame)
	if !ok {
		return fmt.Errorf("grpc server: cannot decode into %T", v)
	}
	f.bz = append([]byte(nil), bz...)
	return nil
}

// New returns a gRPC server whose every unary call q answers. Serve it on
// a listener (Serve) and stop it with GracefulStop or Stop.
func New(q Querier, opts ...grpc.ServerOption) *grpc.Server {
	opts = append(opts, grpc.ForceServerCodec(rawCodec{}), grpc.UnknownServiceHandler(handler(q)))
	return grpc.NewServer(opts...)
}

func handler(q Querier) grpc.StreamHandler {
	return func(_ any, stream grpc.ServerStream) error {
		method, ok := grpc.MethodFromServerStream(stream)
		if !ok {
			return status.Error(codes.Internal, "no method in stream")
		}
		height, err := heightOf(stream.Context())
		if err != nil {
			return err
		}
		var req frame
		if err := stream.RecvMsg(&req); err != nil {
			return err
		}
		resp, answered, err := q.QueryGRPC(stream.Context(), height, method, req.bz)
		if err != nil {
			if _, ok := status.FromError(err); ok {
				return err
			}
			return status.Error(codes.Unknown, err.Error())
		}
		if err := stream.SetHeader(metadata.Pairs(HeightHeader, strconv.FormatInt(answered, 10))); err != nil {
			return err
		}
		return stream.SendMsg(&frame{bz: resp})
	}
}

// heightOf reads the height header of an incoming call: 0 when absent.
func heightOf(ctx context.Context) (int64, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	vals := md.Get(HeightHeader)
	if len(vals) == 0 {
		return 0, nil
	}
	h, err := strconv.ParseInt(vals[0], 10, 64)
	if err != nil || h < 0 {
		return 0, status.Errorf(codes.InvalidArgument, "%s: invalid height %q", HeightHeader, vals[0])
	}
	return h, nil
}

// Listen starts a server for q on addr (host:port) and serves it in a
// goroutine. It returns the server and the address it listens on (a port
// 0 is resolved). Serve errors after the start are dropped: Stop ends it.
func Listen(q Querier, addr string) (*grpc.Server, net.Addr, error) {
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, nil, fmt.Errorf("grpc listen on %s: %w", addr, err)
	}
	s := New(q)
	go func() { _ = s.Serve(lis) }()
	return s, lis.Addr(), nil
}
