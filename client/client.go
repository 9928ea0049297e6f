package client

import (
	"context"
	"encoding/json"
	"fmt"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	coretypes "github.com/cometbft/cometbft/rpc/core/types"
	gogoproto "github.com/cosmos/gogoproto/proto"

	"github.com/abci-ics/ics/app"
	"github.com/abci-ics/ics/chain/auth"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/coin"
)

// Client talks to a node over CometBFT RPC.
type Client struct {
	rpc *rpchttp.HTTP
}

// NewClient returns a client of the node at addr (tcp://host:port).
func NewClient(addr string) (*Client, error) {
	c, err := rpchttp.New(addr, "/websocket")
	if err != nil {
		return nil, fmt.Errorf("node %s: %w", addr, err)
	}
	return &Client{rpc: c}, nil
}

// RPC returns the CometBFT RPC client underneath, for the calls Client
// does not wrap (status, validators, blocks, raw queries).
func (c *Client) RPC() *rpchttp.HTTP { return c.rpc }

// QueryJSON runs an ABCI query and decodes its JSON answer into out.
func (c *Client) QueryJSON(ctx context.Context, path string, out any) error {
	res, err := c.rpc.ABCIQuery(ctx, path, nil)
	if err != nil {
		return fmt.Errorf("query %s: %w", path, err)
	}
	if res.Response.Code != 0 {
		return fmt.Errorf("query %s: code %d: %s", path, res.Response.Code, res.Response.Log)
	}
	return json.Unmarshal(res.Response.Value, out)
}

// ChainID returns the chain id the node reports.
func (c *Client) ChainID(ctx context.Context) (string, error) {
	st, err := c.rpc.Status(ctx)
	if err != nil {
		return "", fmt.Errorf("status: %w", err)
	}
	return st.NodeInfo.Network, nil
}

// TxResult is what a transaction came to.
type TxResult struct {
	Hash   string `json:"hash"`
	Height int64  `json:"height"`
	Code   uint32 `json:"code"`
	Log    string `json:"log,omitempty"`
}

// Submitter signs and sends transactions with one key; it implements the
// relayer's Submitter.
type Submitter struct {
	Client *Client
	Key    Key
}

// Address is the key's account address.
func (s Submitter) Address() []byte { return s.Key.Address() }

// Submit signs msgs in one transaction, waits for its block and returns
// its result (CheckTx's when it never got in).
func (s Submitter) Submit(ctx context.Context, msgs ...gogoproto.Message) (*abcitypes.ExecTxResult, error) {
	anys := make([]auth.Any, len(msgs))
	for i, m := range msgs {
		a, err := auth.NewAny(m)
		if err != nil {
			return nil, err
		}
		anys[i] = a
	}
	res, err := s.Client.broadcast(ctx, s.Key, nil, anys...)
	if err != nil {
		return nil, err
	}
	if res.CheckTx.Code != 0 {
		return &abcitypes.ExecTxResult{Code: res.CheckTx.Code, Log: res.CheckTx.Log, Codespace: res.CheckTx.Codespace}, nil
	}
	return &res.TxResult, nil
}

// SubmitOK is Submit that fails unless the transaction succeeded; who
// names the signer in its errors.
func (s Submitter) SubmitOK(ctx context.Context, who string, msgs ...gogoproto.Message) (*abcitypes.ExecTxResult, error) {
	res, err := s.Submit(ctx, msgs...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", who, err)
	}
	if res.Code != 0 {
		return nil, fmt.Errorf("transaction of %s failed with code %d: %s", who, res.Code, res.Log)
	}
	return res, nil
}

// EventValues returns the values of attribute key in the events of type
// typ of res, in order.
func EventValues(res *abcitypes.ExecTxResult, typ, key string) []string {
	var out []string
	for _, e := range res.Events {
		if e.Type != typ {
			continue
		}
		for _, a := range e.Attributes {
			if a.Key == key {
				out = append(out, a.Value)
			}
		}
	}
	return out
}

// SignAndBroadcast signs msgs with key, using the account's nonce and the
// chain's minimum fee (or fee when set), and waits until the transaction is
// in a block.
func (c *Client) SignAndBroadcast(ctx context.Context, key Key, fee *string, msgs ...auth.Any) (TxResult, error) {
	res, err := c.broadcast(ctx, key, fee, msgs...)
	if err != nil {
		return TxResult{}, err
	}
	out := TxResult{Hash: res.Hash.String(), Height: res.Height}
	switch {
	case res.CheckTx.Code != 0:
		out.Code, out.Log = res.CheckTx.Code, res.CheckTx.Log
	case res.TxResult.Code != 0:
		out.Code, out.Log = res.TxResult.Code, res.TxResult.Log
	}
	return out, nil
}

func (c *Client) broadcast(ctx context.Context, key Key, fee *string, msgs ...auth.Any) (*coretypes.ResultBroadcastTxCommit, error) {
	chainID, err := c.ChainID(ctx)
	if err != nil {
		return nil, err
	}
	var params auth.Params
	if err := c.QueryJSON(ctx, app.PathParams, &params); err != nil {
		return nil, err
	}
	var acc app.AccountJSON
	if err := c.QueryJSON(ctx, app.PathAccount+address.Encode(params.Bech32Prefix, key.Address()), &acc); err != nil {
		return nil, err
	}
	body := auth.TxBody{ChainId: chainID, Nonce: acc.Nonce, Fee: params.MinFee, Msgs: msgs}
	if fee != nil && *fee != "" {
		if body.Fee, err = coin.ParseCoin(*fee); err != nil {
			return nil, fmt.Errorf("--fee: %w", err)
		}
	}
	tx, err := auth.SignTx(key.Priv, &body)
	if err != nil {
		return nil, err
	}
	res, err := c.rpc.BroadcastTxCommit(ctx, tx)
	if err != nil {
		return nil, fmt.Errorf("broadcast: %w", err)
	}
	return res, nil
}
