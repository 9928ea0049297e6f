package nodequery_test

import (
	"context"
	"testing"

	tmp2p "github.com/cometbft/cometbft/proto/tendermint/p2p"
	"github.com/cosmos/cosmos-sdk/client/grpc/cmtservice"
	"github.com/cosmos/cosmos-sdk/client/grpc/node"

	"github.com/abci-ics/ics/grpcquery/nodequery"
)

type chain struct{ asked string }

func (c *chain) QueryGRPC(_ context.Context, height int64, method string, req []byte) ([]byte, int64, error) {
	c.asked = method
	return []byte("chain"), height + 1, nil
}

func TestWrap(t *testing.T) {
	c := &chain{}
	q := nodequery.Wrap(c, nodequery.Info{
		Name: "icsd", Version: "v9", PruningKeepRecent: 100, PruningInterval: 5,
		NodeInfo: func() *tmp2p.DefaultNodeInfo { return &tmp2p.DefaultNodeInfo{Network: "net-1", Moniker: "m"} },
	})
	ctx := context.Background()
	bz, h, err := q.QueryGRPC(ctx, 4, "/cosmos.bank.v1beta1.Query/Balance", nil)
	if err != nil || string(bz) != "chain" || h != 5 || c.asked != "/cosmos.bank.v1beta1.Query/Balance" {
		t.Fatalf("forwarded: %q %d %v, chain asked %q", bz, h, err, c.asked)
	}
	c.asked = ""
	bz, _, err = q.QueryGRPC(ctx, 0, "/cosmos.base.tendermint.v1beta1.Service/GetNodeInfo", nil)
	var ni cmtservice.GetNodeInfoResponse
	if err != nil || ni.Unmarshal(bz) != nil || c.asked != "" {
		t.Fatalf("node info: %v, chain asked %q", err, c.asked)
	}
	if ni.DefaultNodeInfo.Network != "net-1" || ni.ApplicationVersion.Name != "icsd" || ni.ApplicationVersion.Version != "v9" || ni.ApplicationVersion.GoVersion == "" {
		t.Fatalf("node info %v", &ni)
	}
	bz, _, err = q.QueryGRPC(ctx, 0, "/cosmos.base.node.v1beta1.Service/Config", nil)
	var cfg node.ConfigResponse
	if err != nil || cfg.Unmarshal(bz) != nil || cfg.PruningKeepRecent != "100" || cfg.PruningInterval != "5" {
		t.Fatalf("config %v, %v", &cfg, err)
	}
}
