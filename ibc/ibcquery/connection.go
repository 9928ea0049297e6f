package ibcquery

import (
	"context"

	connectiontypes "github.com/cosmos/ibc-go/v10/modules/core/03-connection/types"

	"github.com/abci-ics/ics/grpcquery"
	"github.com/abci-ics/ics/ibc/commitment"
)

// connectionQuery serves ibc.core.connection.v1.Query.
type connectionQuery struct {
	connectiontypes.UnimplementedQueryServer
	s *Service
}

var _ connectiontypes.QueryServer = (*connectionQuery)(nil)

// Connection answers a connection end, with a proof of its ICS-24 path.
func (q connectionQuery) Connection(ctx context.Context, req *connectiontypes.QueryConnectionRequest) (*connectiontypes.QueryConnectionResponse, error) {
	st, err := stateOf(ctx)
	if err != nil {
		return nil, err
	}
	if err := required("connection_id", req.ConnectionId); err != nil {
		return nil, err
	}
	c, ok := q.s.Connections.Connection(st.View, req.ConnectionId)
	if !ok {
		return nil, notFound("connection %s not found", req.ConnectionId)
	}
	proof, ph, err := q.s.prove(st, commitment.ConnectionPath(req.ConnectionId))
	if err != nil {
		return nil, err
	}
	return &connectiontypes.QueryConnectionResponse{Connection: &c, Proof: proof, ProofHeight: ph}, nil
}

// Connections answers every connection end, by key order.
func (q connectionQuery) Connections(ctx context.Context, req *connectiontypes.QueryConnectionsRequest) (*connectiontypes.QueryConnectionsResponse, error) {
	st, err := stateOf(ctx)
	if err != nil {
		return nil, err
	}
	all := q.s.Connections.Connections(st.View)
	page, pr, err := grpcquery.Page(all, func(c connectiontypes.IdentifiedConnection) []byte { return []byte(c.Id) }, req.Pagination)
	if err != nil {
		return nil, err
	}
	out := make([]*connectiontypes.IdentifiedConnection, len(page))
	for i := range page {
		out[i] = &page[i]
	}
	return &connectiontypes.QueryConnectionsResponse{Connections: out, Pagination: pr, Height: q.s.height(st)}, nil
}

// ClientConnections answers the connections of a client, computed from
// the connection ends (there is no stored index, so no proof). It answers
// NotFound for a client without connections, as ibc-go does.
func (q connectionQuery) ClientConnections(ctx context.Context, req *connectiontypes.QueryClientConnectionsRequest) (*connectiontypes.QueryClientConnectionsResponse, error) {
	st, err := stateOf(ctx)
	if err != nil {
		return nil, err
	}
	if err := required("client_id", req.ClientId); err != nil {
		return nil, err
	}
	var paths []string
	for _, c := range q.s.Connections.Connections(st.View) {
		if c.ClientId == req.ClientId {
			paths = append(paths, c.Id)
		}
	}
	if len(paths) == 0 {
		return nil, notFound("client %s has no connections", req.ClientId)
	}
	return &connectiontypes.QueryClientConnectionsResponse{ConnectionPaths: paths, ProofHeight: q.s.height(st)}, nil
}

// ConnectionClientState answers the client state of a connection's
// client, with a proof of its ICS-24 path.
func (q connectionQuery) ConnectionClientState(ctx context.Context, req *connectiontypes.QueryConnectionClientStateRequest) (*connectiontypes.QueryConnectionClientStateResponse, error) {
	st, err := stateOf(ctx)
	if err != nil {
		return nil, err
	}
	if err := required("connection_id", req.ConnectionId); err != nil {
		return nil, err
	}
	c, ok := q.s.Connections.Connection(st.View, req.ConnectionId)
	if !ok {
		return nil, notFound("connection %s not found", req.ConnectionId)
	}
	ic, err := q.s.identifiedClient(st, c.ClientId)
	if err != nil {
		return nil, err
	}
	proof, ph, err := q.s.prove(st, commitment.ClientStatePath(c.ClientId))
	if err != nil {
		return nil, err
	}
	return &connectiontypes.QueryConnectionClientStateResponse{IdentifiedClientState: &ic, Proof: proof, ProofHeight: ph}, nil
}
