package linkfile

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	coretypes "github.com/cometbft/cometbft/rpc/core/types"
	rpctypes "github.com/cometbft/cometbft/rpc/jsonrpc/types"

	"github.com/abci-ics/ics/ibc/channel"
	"github.com/abci-ics/ics/ibc/client"
	"github.com/abci-ics/ics/interchain"
)

// TestRelayTxSubmitter checks that the relayer's messages reach the node as
// one RelayTx from the relayer's address through broadcast_tx_commit, that
// the transaction's result comes back (CheckTx's when it never got in),
// and that a message a RelayTx may not carry is refused before sending.
func TestRelayTxSubmitter(t *testing.T) {
	var got interchain.RelayTx
	checkCode := uint32(0)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			ID     rpctypes.JSONRPCIntID `json:"id"`
			Method string                `json:"method"`
			Params struct {
				Tx []byte `json:"tx"`
			} `json:"params"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Method != "broadcast_tx_commit" {
			t.Errorf("request %+v: %v", req, err)
		}
		tx, ok, err := interchain.DecodeRelayTx(req.Params.Tx)
		if !ok || err != nil {
			t.Errorf("not a relay transaction: %v", err)
		}
		got = tx
		res := &coretypes.ResultBroadcastTxCommit{CheckTx: abcitypes.ResponseCheckTx{Code: checkCode, Log: "check"},
			TxResult: abcitypes.ExecTxResult{Code: 0, Events: []abcitypes.Event{{Type: "update_client"}}}, Height: 5}
		_ = json.NewEncoder(w).Encode(rpctypes.NewRPCSuccessResponse(req.ID, res))
	}))
	defer srv.Close()
	rpc, err := rpchttp.New(srv.URL, "/websocket")
	if err != nil {
		t.Fatal(err)
	}
	s := RelayTxSubmitter{RPC: rpc, Relayer: []byte("relayer-address")}
	msgs := []*client.MsgUpdateClient{{ClientId: "07-tendermint-0"}, {ClientId: "07-tendermint-1"}}
	res, err := s.Submit(context.Background(), msgs[0], msgs[1])
	if err != nil || res.Code != 0 || len(res.Events) != 1 || res.Events[0].Type != "update_client" {
		t.Fatalf("submit: %v %+v", err, res)
	}
	if string(got.Relayer) != "relayer-address" || len(got.Msgs) != 2 || got.Msgs[1].TypeUrl != interchain.TypeURL(msgs[1]) {
		t.Fatalf("sent %+v", got)
	}
	checkCode = 7
	if res, err := s.Submit(context.Background(), msgs[0]); err != nil || res.Code != 7 || res.Log != "check" {
		t.Fatalf("refused by CheckTx: %v %+v", err, res)
	}
	if _, err := s.Submit(context.Background(), &channel.MsgChannelCloseInit{}); err == nil {
		t.Fatal("a channel close went out unsigned")
	}
}

// TestFileRelayTx checks that an end without the relay_tx mark, as
// every link saved before it existed, keeps icsd's signed transactions and
// is saved as before.
func TestFileRelayTx(t *testing.T) {
	var lf File
	if err := json.Unmarshal([]byte(`{"a":{"node":"tcp://a","channel_id":"channel-0"},"b":{"node":"tcp://b","relay_tx":true}}`), &lf); err != nil {
		t.Fatal(err)
	}
	if lf.A.RelayTx || !lf.B.RelayTx {
		t.Fatalf("read %+v", lf)
	}
	lf.B.RelayTx = false
	bz, err := json.Marshal(lf)
	if err != nil || json.Valid(bz) && string(bz) != `{"a":{"node":"tcp://a","home":"","key":"","chain_id":"","client_id":"","connection_id":"","port_id":"","channel_id":"channel-0"},"b":{"node":"tcp://b","home":"","key":"","chain_id":"","client_id":"","connection_id":"","port_id":"","channel_id":""}}` {
		t.Fatalf("saved %s: %v", bz, err)
	}
}
