package main_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cosmos/cosmos-sdk/client/grpc/cmtservice"
	nodeservice "github.com/cosmos/cosmos-sdk/client/grpc/node"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	gogoproto "github.com/cosmos/gogoproto/proto"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/abci-ics/ics/grpcquery"
)

type gogoCodec struct{}

func (gogoCodec) Name() string                    { return "proto" }
func (gogoCodec) Marshal(v any) ([]byte, error)   { return grpcquery.Marshal(v) }
func (gogoCodec) Unmarshal(b []byte, v any) error { return grpcquery.Unmarshal(b, v) }

// TestNodeGRPC starts a node whose app.toml enables the gRPC server and
// asks the validator's balance through it and through abci_query with the
// method's path, and the node's info and configuration.
func TestNodeGRPC(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a node")
	}
	bin := buildBinary(t)
	home := t.TempDir()
	var initOut map[string]string
	if err := json.Unmarshal([]byte(run(t, bin, "init", "--home", home, "--chain-id", "grpc-1", "-o", "json")), &initOut); err != nil {
		t.Fatal(err)
	}
	from := initOut["address"]
	appToml := filepath.Join(home, "config", "app.toml")
	text, err := os.ReadFile(appToml)
	if err != nil {
		t.Fatal(err)
	}
	grpcAddr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	if !strings.Contains(string(text), "[grpc]\n# enable starts the server with the node.\nenable = false\n") {
		t.Fatalf("app.toml without a disabled [grpc] section:\n%s", text)
	}
	text = []byte(strings.Replace(strings.Replace(string(text), "enable = false", "enable = true", 1), `address = "127.0.0.1:9090"`, fmt.Sprintf("address = %q", grpcAddr), 1))
	if err := os.WriteFile(appToml, text, 0o644); err != nil {
		t.Fatal(err)
	}
	n := &node{t: t, bin: bin, home: home, rpc: fmt.Sprintf("127.0.0.1:%d", freePort(t)), p2p: fmt.Sprintf("127.0.0.1:%d", freePort(t))}
	n.start()
	defer n.kill()
	n.waitHeight(2)
	want := balance(t, bin, n.rpc, from)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := grpc.NewClient(grpcAddr, grpc.WithTransportCredentials(insecure.NewCredentials()), grpc.WithDefaultCallOptions(grpc.ForceCodec(gogoCodec{})))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	req := &banktypes.QueryBalanceRequest{Address: from, Denom: "stake"}
	res, err := banktypes.NewQueryClient(conn).Balance(ctx, req)
	if err != nil || res.Balance.Amount.Uint64() != want {
		t.Fatalf("gRPC balance %v, %v; want %d", res, err, want)
	}

	ni, err := cmtservice.NewServiceClient(conn).GetNodeInfo(ctx, &cmtservice.GetNodeInfoRequest{})
	if err != nil || ni.DefaultNodeInfo.Network != "grpc-1" || ni.ApplicationVersion.AppName != "icsd" || !strings.HasPrefix(ni.ApplicationVersion.CosmosSdkVersion, "v0.") {
		t.Fatalf("node info %v, %v", ni, err)
	}
	nc, err := nodeservice.NewServiceClient(conn).Config(ctx, &nodeservice.ConfigRequest{})
	if err != nil || nc.PruningKeepRecent != "10000" || nc.PruningInterval != "1" {
		t.Fatalf("node config %v, %v", nc, err)
	}

	data, _ := gogoproto.Marshal(req)
	q, err := n.client().ABCIQuery(ctx, "/cosmos.bank.v1beta1.Query/Balance", data)
	if err != nil || q.Response.Code != 0 {
		t.Fatalf("abci_query: %v %+v", err, q)
	}
	var viaABCI banktypes.QueryBalanceResponse
	if err := viaABCI.Unmarshal(q.Response.Value); err != nil || viaABCI.Balance.Amount.Uint64() != want {
		t.Fatalf("abci_query balance %v, %v", viaABCI.Balance, err)
	}
}
