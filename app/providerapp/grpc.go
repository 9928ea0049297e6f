package providerapp

import (
	"context"

	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"

	"github.com/abci-ics/ics/abci"
	"github.com/abci-ics/ics/app/sdkquery"
	"github.com/abci-ics/ics/app/txsim"
	"github.com/abci-ics/ics/grpcquery"
	"github.com/abci-ics/ics/ibc/ibcquery"
	"github.com/abci-ics/ics/interchain/icsquery"
)

var _ abci.GRPCQuerier = (*Chain)(nil)

// newRouter registers the provider's gRPC query services: the SDK's auth,
// bank, staking and params (unbonding time), IBC core, and the reference
// provider's consumer list.
func (c *Chain) newRouter() *grpcquery.Router {
	r := grpcquery.NewRouter()
	(&sdkquery.Service{Accounts: c.Accounts, Staking: c.Staking}).Register(r)
	(&txsim.Service{Decode: c.Accounts.DecodeUnsignedTx, Chain: c}).Register(r)
	ibc := c.ICS.IBC
	(&ibcquery.Service{
		Clients: ibc.Clients, Connections: ibc.Connections, Channels: ibc.Channels, Packets: ibc.Packets,
		Revision: clienttypes.ParseChainID(c.ChainID()),
	}).Register(r)
	(&icsquery.Provider{Keeper: c.ICS.Keeper}).Register(r)
	return r
}

// QueryGRPC implements abci.GRPCQuerier.
func (c *Chain) QueryGRPC(ctx context.Context, st grpcquery.State, method string, req []byte) ([]byte, error) {
	return c.grpc.Handle(grpcquery.WithState(ctx, st), method, req)
}
