// Package nodequery answers the node-level Cosmos query services on the
// gRPC server, those whose answers are the node's rather than the
// chain's state, so that no abci_query path has them:
//
//	/cosmos.base.tendermint.v1beta1.Service/GetNodeInfo  CometBFT's node info and the binary's version
//	/cosmos.base.node.v1beta1.Service/Config             the pruning settings
//
// The version's build_deps are the Go modules the binary was built with
// (runtime/debug.ReadBuildInfo), as the SDK reports them; the SDK version
// is the cosmos-sdk module's, which icsd links for its types only. The
// other methods of these services answer Unimplemented; minimum_gas_price
// is empty (icsd's fee policy is a minimum fee per transaction, not a gas
// price).
package nodequery

import (
	"context"
	"runtime"
	"runtime/debug"
	"strconv"

	tmp2p "github.com/cometbft/cometbft/proto/tendermint/p2p"
	"github.com/cosmos/cosmos-sdk/client/grpc/cmtservice"
	"github.com/cosmos/cosmos-sdk/client/grpc/node"

	"github.com/abci-ics/ics/grpcquery"
	"github.com/abci-ics/ics/grpcquery/server"
)

// Info is what the node services answer.
type Info struct {
	// NodeInfo returns the node's P2P identity; nil before the node runs.
	NodeInfo func() *tmp2p.DefaultNodeInfo
	// Name and Version name the binary.
	Name, Version string
	// PruningKeepRecent and PruningInterval are the node's pruning
	// settings (0 and 0: every version kept).
	PruningKeepRecent, PruningInterval int64
}

// Wrap returns a querier that answers the node services from info and
// every other method from q.
func Wrap(q server.Querier, info Info) server.Querier {
	r := grpcquery.NewRouter()
	cmtservice.RegisterServiceServer(r, &cmtService{info: info})
	node.RegisterServiceServer(r, &nodeService{info: info})
	return &wrapped{q: q, r: r}
}

type wrapped struct {
	q server.Querier
	r *grpcquery.Router
}

// QueryGRPC implements server.Querier.
func (w *wrapped) QueryGRPC(ctx context.Context, height int64, method string, req []byte) ([]byte, int64, error) {
	if !w.r.Has(method) {
		return w.q.QueryGRPC(ctx, height, method, req)
	}
	resp, err := w.r.Handle(ctx, method, req)
	if err != nil {
		return nil, 0, err
	}
	return resp, height, nil
}

type cmtService struct {
	cmtservice.UnimplementedServiceServer
	info Info
}

// GetNodeInfo answers the node's identity and the binary's version.
func (s *cmtService) GetNodeInfo(context.Context, *cmtservice.GetNodeInfoRequest) (*cmtservice.GetNodeInfoResponse, error) {
	v := &cmtservice.VersionInfo{Name: s.info.Name, AppName: s.info.Name, Version: s.info.Version, GoVersion: runtime.Version()}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range bi.Deps {
			m := dep
			if dep.Replace != nil {
				m = dep.Replace
			}
			v.BuildDeps = append(v.BuildDeps, &cmtservice.Module{Path: dep.Path, Version: m.Version, Sum: m.Sum})
			if dep.Path == "github.com/cosmos/cosmos-sdk" {
				v.CosmosSdkVersion = m.Version
			}
		}
		for _, st := range bi.Settings {
			if st.Key == "vcs.revision" {
				v.GitCommit = st.Value
			}
		}
	}
	resp := &cmtservice.GetNodeInfoResponse{ApplicationVersion: v}
	if s.info.NodeInfo != nil {
		resp.DefaultNodeInfo = s.info.NodeInfo()
	}
	return resp, nil
}

type nodeService struct {
	node.UnimplementedServiceServer
	info Info
}

// Config answers the node's pruning settings.
func (s *nodeService) Config(context.Context, *node.ConfigRequest) (*node.ConfigResponse, error) {
	return &node.ConfigResponse{
		PruningKeepRecent: strconv.FormatInt(s.info.PruningKeepRecent, 10),
		PruningInterval:   strconv.FormatInt(s.info.PruningInterval, 10),
	}, nil
}
