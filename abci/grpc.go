package abci

import (
	"context"
	"errors"
	"fmt"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/abci-ics/ics/grpcquery"
	"github.com/abci-ics/ics/state"
)

// GRPCQuerier is a Chain that also answers Cosmos gRPC query methods
// ("/ibc.core.channel.v1.Query/Channels"): abci_query with such a path
// and the encoded request as data, and the gRPC server (App.QueryGRPC).
// QueryGRPC returns the encoded response; its errors are grpcquery's
// (ErrUnknownMethod, ErrMalformedRequest) or gRPC status errors.
type GRPCQuerier interface {
	QueryGRPC(ctx context.Context, st grpcquery.State, method string, req []byte) ([]byte, error)
}

// queryGRPC answers a gRPC method path from v. Errors wrap
// ErrUnknownQuery (no such method, or a chain without gRPC queries),
// ErrInvalidQuery (a request that does not decode or is invalid) or
// ErrNotFound.
func (a *App) queryGRPC(ctx context.Context, c Chain, v *state.View, path string, data []byte, prove bool) ([]byte, error) {
	q, ok := c.(GRPCQuerier)
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownQuery, path)
	}
	bz, err := q.QueryGRPC(ctx, grpcquery.State{View: v, Now: a.lastBlockTime(), Prove: prove}, path, data)
	if err != nil {
		return nil, grpcError(err)
	}
	return bz, nil
}

// grpcError wraps the error of a gRPC handler with the pipeline's error
// of the same meaning, so that it gets its code.
func grpcError(err error) error {
	switch {
	case errors.Is(err, grpcquery.ErrUnknownMethod):
		return fmt.Errorf("%w: %w", ErrUnknownQuery, err)
	case errors.Is(err, grpcquery.ErrMalformedRequest):
		return fmt.Errorf("%w: %w", ErrInvalidQuery, err)
	}
	switch status.Code(err) {
	case codes.NotFound:
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	case codes.InvalidArgument, codes.OutOfRange, codes.FailedPrecondition:
		return fmt.Errorf("%w: %w", ErrInvalidQuery, err)
	case codes.Unimplemented:
		return fmt.Errorf("%w: %w", ErrUnknownQuery, err)
	}
	return err
}

// QueryGRPC answers a gRPC query method for the gRPC server
// (grpcquery/server.Querier): the encoded request req of method, at
// height (0: the latest committed). It returns the encoded response and
// the height answered; errors are gRPC status errors: Unimplemented for
// an unknown method, InvalidArgument for a bad request or height,
// NotFound, Unavailable before the first commit.
func (a *App) QueryGRPC(ctx context.Context, height int64, method string, req []byte) ([]byte, int64, error) {
	resp, err := a.Query(ctx, &abcitypes.RequestQuery{Path: method, Data: req, Height: height})
	if err != nil {
		return nil, 0, status.Error(codes.Internal, err.Error())
	}
	if resp.Code == 0 {
		return resp.Value, resp.Height, nil
	}
	return nil, 0, status.Error(a.grpcCode(resp.Code), resp.Log)
}

// grpcCode maps the pipeline's ABCI codes back to gRPC codes.
func (a *App) grpcCode(code uint32) codes.Code {
	switch code {
	case a.code(ErrUnknownQuery):
		return codes.Unimplemented
	case a.code(ErrInvalidQuery):
		return codes.InvalidArgument
	case a.code(ErrNotFound):
		return codes.NotFound
	case a.code(ErrNotStarted):
		return codes.Unavailable
	}
	return codes.Unknown
}
