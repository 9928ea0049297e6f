// Package grpcnode starts a node's gRPC query server (grpcquery/server)
// as its home's app.toml says ([grpc]), over the chain's query methods
// and the node's own (grpcquery/nodequery).
package grpcnode

import (
	"fmt"

	cmtcfg "github.com/cometbft/cometbft/config"
	cmtnode "github.com/cometbft/cometbft/node"
	"github.com/cometbft/cometbft/p2p"
	tmp2p "github.com/cometbft/cometbft/proto/tendermint/p2p"

	"github.com/abci-ics/ics/abci"
	"github.com/abci-ics/ics/grpcquery/nodequery"
	"github.com/abci-ics/ics/grpcquery/server"
	"github.com/abci-ics/ics/nodehome"
)

// Start starts the gRPC query server of the node n running a, when
// the [grpc] section of HOME/config/app.toml enables it: the chain's
// query methods (abci.App.QueryGRPC) and the node's (nodequery), the
// binary named version. It returns the function that stops it (a no-op
// when the server is off) and the address it listens on ("" when off).
func Start(cfg *cmtcfg.Config, n *cmtnode.Node, a *abci.App, version string) (stop func(), addr string, err error) {
	appCfg, err := nodehome.ReadAppConfig(cfg.RootDir)
	if err != nil {
		return nil, "", err
	}
	if !appCfg.GRPC.Enable {
		return func() {}, "", nil
	}
	keep, interval, err := appCfg.Pruning.Resolve()
	if err != nil {
		return nil, "", err
	}
	info := nodequery.Info{
		Name: "icsd", Version: version, PruningKeepRecent: keep, PruningInterval: interval,
		NodeInfo: func() *tmp2p.DefaultNodeInfo {
			if di, ok := n.NodeInfo().(p2p.DefaultNodeInfo); ok {
				return di.ToProto()
			}
			return nil
		},
	}
	srv, l, err := server.Listen(nodequery.Wrap(a, info), appCfg.GRPC.Address)
	if err != nil {
		return nil, "", fmt.Errorf("app.toml [grpc]: %w", err)
	}
	return srv.GracefulStop, l.String(), nil
}
