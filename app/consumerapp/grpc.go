package consumerapp

import (
	"context"
	"time"

	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"

	"github.com/abci-ics/ics/abci"
	"github.com/abci-ics/ics/app/sdkquery"
	"github.com/abci-ics/ics/app/txsim"
	"github.com/abci-ics/ics/grpcquery"
	"github.com/abci-ics/ics/ibc/ibcquery"
	"github.com/abci-ics/ics/interchain/icsquery"
	"github.com/abci-ics/ics/state"
)

var _ abci.GRPCQuerier = (*Chain)(nil)

// newRouter registers the consumer's gRPC query services: the SDK's auth,
// bank and params (the CCV unbonding period), staking when the chain has
// its own proof of stake, IBC core, and the reference consumer's
// parameters.
func (c *Chain) newRouter() *grpcquery.Router {
	r := grpcquery.NewRouter()
	svc := &sdkquery.Service{Accounts: c.Accounts, ConsumerUnbonding: c.unbondingPeriod}
	if c.PoS != nil {
		svc.Staking = c.PoS.Staking
	}
	svc.Register(r)
	(&txsim.Service{Decode: c.Accounts.DecodeUnsignedTx, Chain: c}).Register(r)
	ibc := c.ICS.IBC
	(&ibcquery.Service{
		Clients: ibc.Clients, Connections: ibc.Connections, Channels: ibc.Channels, Packets: ibc.Packets,
		Revision: clienttypes.ParseChainID(c.ChainID()),
	}).Register(r)
	(&icsquery.Consumer{Keeper: c.ICS.Keeper}).Register(r)
	return r
}

// unbondingPeriod is the consumer's CCV unbonding period.
func (c *Chain) unbondingPeriod(s state.Store) (time.Duration, bool) {
	p, ok := c.ICS.Keeper.Params(s)
	return p.UnbondingPeriod, ok
}

// QueryGRPC implements abci.GRPCQuerier.
func (c *Chain) QueryGRPC(ctx context.Context, st grpcquery.State, method string, req []byte) ([]byte, error) {
	return c.grpc.Handle(grpcquery.WithState(ctx, st), method, req)
}
