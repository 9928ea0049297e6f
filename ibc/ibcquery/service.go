package ibcquery

import (
	"context"

	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"
	connectiontypes "github.com/cosmos/ibc-go/v10/modules/core/03-connection/types"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/abci-ics/ics/grpcquery"
	"github.com/abci-ics/ics/ibc/channel"
	"github.com/abci-ics/ics/ibc/client"
	"github.com/abci-ics/ics/ibc/commitment"
	"github.com/abci-ics/ics/ibc/connection"
	"github.com/abci-ics/ics/ibc/packet"
)

// Service answers the IBC core queries from the keepers' state.
type Service struct {
	Clients     client.Keeper
	Connections *connection.Keeper
	Channels    *channel.Keeper
	Packets     *packet.Keeper
	// Revision is this chain's revision number (from its chain id), the
	// revision of the heights in responses.
	Revision uint64
}

// Registrar is where services are registered: a grpcquery.Router or a
// grpc.Server.
type Registrar interface {
	RegisterService(sd *grpc.ServiceDesc, impl any)
}

// Register registers the client, connection and channel query services,
// and the transfer service's denomination trace queries.
func (s *Service) Register(r Registrar) {
	clienttypes.RegisterQueryServer(r, &clientQuery{s: s})
	connectiontypes.RegisterQueryServer(r, &connectionQuery{s: s})
	channeltypes.RegisterQueryServer(r, &channelQuery{s: s})
	r.RegisterService(&transferServiceDesc, transferQuery{})
}

// stateOf returns the committed state the caller put in ctx.
func stateOf(ctx context.Context) (grpcquery.State, error) {
	st, ok := grpcquery.StateFrom(ctx)
	if !ok {
		return grpcquery.State{}, status.Error(codes.Internal, grpcquery.ErrNoState.Error())
	}
	return st, nil
}

// height is the version answered, as an IBC height of this chain.
func (s *Service) height(st grpcquery.State) clienttypes.Height {
	return clienttypes.NewHeight(s.Revision, uint64(st.View.Version()))
}

// prove returns the proof of path when st asks for proofs, and the proof
// height: the height whose header commits to the version (the version
// plus one) with a proof, the version without.
func (s *Service) prove(st grpcquery.State, path string) ([]byte, clienttypes.Height, error) {
	if !st.Prove {
		return nil, s.height(st), nil
	}
	_, proof, err := commitment.Prove(st.View, path)
	if err != nil {
		return nil, clienttypes.Height{}, status.Error(codes.Internal, err.Error())
	}
	return proof, clienttypes.NewHeight(s.Revision, uint64(st.View.Version())+1), nil
}

func required(name, v string) error {
	if v == "" {
		return status.Errorf(codes.InvalidArgument, "%s is required", name)
	}
	return nil
}

func notFound(format string, args ...any) error {
	return status.Errorf(codes.NotFound, format, args...)
}
