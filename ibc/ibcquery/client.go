package ibcquery

import (
	"context"
	"encoding/binary"
	"slices"

	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	gogoproto "github.com/cosmos/gogoproto/proto"
	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/abci-ics/ics/grpcquery"
	"github.com/abci-ics/ics/ibc/client"
	"github.com/abci-ics/ics/ibc/commitment"
)

// clientQuery serves ibc.core.client.v1.Query.
type clientQuery struct {
	clienttypes.UnimplementedQueryServer
	s *Service
}

var _ clienttypes.QueryServer = (*clientQuery)(nil)

// packAny wraps m in an Any named by its proto type, as ibc-go packs
// client and consensus states.
func packAny(m gogoproto.Message) (*codectypes.Any, error) {
	any, err := codectypes.NewAnyWithValue(m)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return any, nil
}

// identifiedClient returns the Any-wrapped client state of id.
func (s *Service) identifiedClient(st grpcquery.State, id string) (clienttypes.IdentifiedClientState, error) {
	cs, ok := s.Clients.ClientState(st.View, id)
	if !ok {
		return clienttypes.IdentifiedClientState{}, notFound("client %s not found", id)
	}
	any, err := packAny(cs)
	if err != nil {
		return clienttypes.IdentifiedClientState{}, err
	}
	return clienttypes.IdentifiedClientState{ClientId: id, ClientState: any}, nil
}

// ClientState answers a client's state, with a proof of its ICS-24 path.
func (q clientQuery) ClientState(ctx context.Context, req *clienttypes.QueryClientStateRequest) (*clienttypes.QueryClientStateResponse, error) {
	st, err := stateOf(ctx)
	if err != nil {
		return nil, err
	}
	if err := required("client_id", req.ClientId); err != nil {
		return nil, err
	}
	ic, err := q.s.identifiedClient(st, req.ClientId)
	if err != nil {
		return nil, err
	}
	proof, ph, err := q.s.prove(st, commitment.ClientStatePath(req.ClientId))
	if err != nil {
		return nil, err
	}
	return &clienttypes.QueryClientStateResponse{ClientState: ic.ClientState, Proof: proof, ProofHeight: ph}, nil
}

// ClientStates answers every client, by identifier byte order.
func (q clientQuery) ClientStates(ctx context.Context, req *clienttypes.QueryClientStatesRequest) (*clienttypes.QueryClientStatesResponse, error) {
	st, err := stateOf(ctx)
	if err != nil {
		return nil, err
	}
	ids := q.s.Clients.ClientIDs(st.View)
	slices.Sort(ids)
	page, pr, err := grpcquery.Page(ids, func(id string) []byte { return []byte(id) }, req.Pagination)
	if err != nil {
		return nil, err
	}
	out := make(clienttypes.IdentifiedClientStates, 0, len(page))
	for _, id := range page {
		ic, err := q.s.identifiedClient(st, id)
		if err != nil {
			return nil, err
		}
		out = append(out, ic)
	}
	return &clienttypes.QueryClientStatesResponse{ClientStates: out, Pagination: pr}, nil
}

// ConsensusState answers a client's consensus state at a height, or at
// its latest height with latest_height, with a proof of its ICS-24 path.
func (q clientQuery) ConsensusState(ctx context.Context, req *clienttypes.QueryConsensusStateRequest) (*clienttypes.QueryConsensusStateResponse, error) {
	st, err := stateOf(ctx)
	if err != nil {
		return nil, err
	}
	if err := required("client_id", req.ClientId); err != nil {
		return nil, err
	}
	h := clienttypes.NewHeight(req.RevisionNumber, req.RevisionHeight)
	if req.LatestHeight {
		h = q.s.Clients.LatestHeight(st.View, req.ClientId)
	}
	cons, ok := q.s.Clients.ConsensusState(st.View, req.ClientId, h)
	if !ok {
		return nil, notFound("consensus state of client %s at %s not found", req.ClientId, h)
	}
	any, err := packAny(cons)
	if err != nil {
		return nil, err
	}
	proof, ph, err := q.s.prove(st, commitment.ConsensusStatePath(req.ClientId, h))
	if err != nil {
		return nil, err
	}
	return &clienttypes.QueryConsensusStateResponse{ConsensusState: any, Proof: proof, ProofHeight: ph}, nil
}

// heightKey is a height as bytes whose order is height order.
func heightKey(h clienttypes.Height) []byte {
	return binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64(nil, h.RevisionNumber), h.RevisionHeight)
}

// ConsensusStates answers a client's consensus states, by height.
func (q clientQuery) ConsensusStates(ctx context.Context, req *clienttypes.QueryConsensusStatesRequest) (*clienttypes.QueryConsensusStatesResponse, error) {
	st, err := stateOf(ctx)
	if err != nil {
		return nil, err
	}
	if err := required("client_id", req.ClientId); err != nil {
		return nil, err
	}
	page, pr, err := grpcquery.Page(q.s.Clients.ConsensusHeights(st.View, req.ClientId), heightKey, req.Pagination)
	if err != nil {
		return nil, err
	}
	out := make([]clienttypes.ConsensusStateWithHeight, 0, len(page))
	for _, h := range page {
		cons, ok := q.s.Clients.ConsensusState(st.View, req.ClientId, h)
		if !ok {
			return nil, status.Errorf(codes.Internal, "consensus state of %s at %s indexed but missing", req.ClientId, h)
		}
		any, err := packAny(cons)
		if err != nil {
			return nil, err
		}
		out = append(out, clienttypes.ConsensusStateWithHeight{Height: h, ConsensusState: any})
	}
	return &clienttypes.QueryConsensusStatesResponse{ConsensusStates: out, Pagination: pr}, nil
}

// ConsensusStateHeights answers the heights of a client's consensus
// states.
func (q clientQuery) ConsensusStateHeights(ctx context.Context, req *clienttypes.QueryConsensusStateHeightsRequest) (*clienttypes.QueryConsensusStateHeightsResponse, error) {
	st, err := stateOf(ctx)
	if err != nil {
		return nil, err
	}
	if err := required("client_id", req.ClientId); err != nil {
		return nil, err
	}
	page, pr, err := grpcquery.Page(q.s.Clients.ConsensusHeights(st.View, req.ClientId), heightKey, req.Pagination)
	if err != nil {
		return nil, err
	}
	return &clienttypes.QueryConsensusStateHeightsResponse{ConsensusStateHeights: page, Pagination: pr}, nil
}

// ClientStatus answers Active, Frozen, Expired or Unknown, judged at the
// last block's time.
func (q clientQuery) ClientStatus(ctx context.Context, req *clienttypes.QueryClientStatusRequest) (*clienttypes.QueryClientStatusResponse, error) {
	st, err := stateOf(ctx)
	if err != nil {
		return nil, err
	}
	if err := required("client_id", req.ClientId); err != nil {
		return nil, err
	}
	return &clienttypes.QueryClientStatusResponse{Status: string(q.s.Clients.Status(st.View, req.ClientId, st.Now))}, nil
}

// ClientParams answers the client types this chain creates: only
// 07-tendermint.
func (q clientQuery) ClientParams(context.Context, *clienttypes.QueryClientParamsRequest) (*clienttypes.QueryClientParamsResponse, error) {
	p := clienttypes.NewParams(client.ClientType)
	return &clienttypes.QueryClientParamsResponse{Params: &p}, nil
}
