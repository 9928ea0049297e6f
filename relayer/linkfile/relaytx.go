package linkfile

import (
	"context"
	"fmt"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	gogoproto "github.com/cosmos/gogoproto/proto"

	"github.com/abci-ics/ics/client"
	"github.com/abci-ics/ics/interchain"
	"github.com/abci-ics/ics/relayer"
)

// RelayTxSubmitter submits the relayer's messages to a chain that keeps
// its own transaction format (examples/kvconsumer, for one) as unsigned
// interchain.RelayTx transactions through broadcast_tx_commit. Nothing is
// signed and no fee is paid: every message a RelayTx carries is proven or
// is evidence, so the relayer's address only names who relayed.
type RelayTxSubmitter struct {
	RPC *rpchttp.HTTP
	// Relayer is the address written into the transactions and into the
	// messages' signer fields.
	Relayer []byte
}

var _ relayer.Submitter = RelayTxSubmitter{}

// Address is the relayer's address.
func (s RelayTxSubmitter) Address() []byte { return s.Relayer }

// Submit sends msgs in one RelayTx, waits for its block and returns its
// result (CheckTx's when it never got in). Errors: interchain.ErrInvalidRelayTx
// for a message a RelayTx may not carry or too many messages, and the
// node's errors.
func (s RelayTxSubmitter) Submit(ctx context.Context, msgs ...gogoproto.Message) (*abcitypes.ExecTxResult, error) {
	tx, err := interchain.NewRelayTx(s.Relayer, msgs...)
	if err != nil {
		return nil, err
	}
	res, err := s.RPC.BroadcastTxCommit(ctx, tx)
	if err != nil {
		return nil, fmt.Errorf("broadcast relay transaction: %w", err)
	}
	if res.CheckTx.Code != 0 {
		return &abcitypes.ExecTxResult{Code: res.CheckTx.Code, Log: res.CheckTx.Log, Codespace: res.CheckTx.Codespace}, nil
	}
	return &res.TxResult, nil
}

// submitter returns the end's submitter: a RelayTxSubmitter when the end
// is marked RelayTx (the key then only gives the relayer's address), else
// the key's signed transactions in icsd's format.
func (e End) submitter(addr string, key client.Key) (relayer.Submitter, error) {
	if !e.RelayTx {
		c, err := client.NewClient(addr)
		if err != nil {
			return nil, err
		}
		return client.Submitter{Client: c, Key: key}, nil
	}
	rpc, err := rpchttp.New(addr, "/websocket")
	if err != nil {
		return nil, fmt.Errorf("node %s: %w", addr, err)
	}
	return RelayTxSubmitter{RPC: rpc, Relayer: key.Address()}, nil
}
