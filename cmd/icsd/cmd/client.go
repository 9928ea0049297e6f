package cmd

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	"github.com/spf13/cobra"

	"github.com/abci-ics/ics/abci"
	"github.com/abci-ics/ics/chain/address"
	"github.com/abci-ics/ics/chain/auth"
	"github.com/abci-ics/ics/chain/bank"
)

const defaultNode = "tcp://127.0.0.1:26657"

func addNodeFlag(cmd *cobra.Command) {
	cmd.Flags().String(flagNode, defaultNode, "CometBFT RPC address of a node")
	cmd.Flags().Duration("timeout", 30*time.Second, "how long to wait for the node")
	addOutputFlag(cmd)
}

// Client talks to a node over CometBFT RPC.
type Client struct {
	rpc *rpchttp.HTTP
}

func clientFor(cmd *cobra.Command) (*Client, context.Context, context.CancelFunc, error) {
	addr, _ := cmd.Flags().GetString(flagNode)
	timeout, _ := cmd.Flags().GetDuration("timeout")
	c, err := NewClient(addr)
	if err != nil {
		return nil, nil, nil, err
	}
	ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
	return c, ctx, cancel, nil
}

// NewClient returns a client of the node at addr (tcp://host:port).
func NewClient(addr string) (*Client, error) {
	c, err := rpchttp.New(addr, "/websocket")
	if err != nil {
		return nil, fmt.Errorf("node %s: %w", addr, err)
	}
	return &Client{rpc: c}, nil
}

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

// SignAndBroadcast signs msgs with key, using the account's nonce and the
// chain's minimum fee (or fee when set), and waits until the transaction is
// in a block.
func (c *Client) SignAndBroadcast(ctx context.Context, key Key, fee *string, msgs ...auth.Any) (TxResult, error) {
	chainID, err := c.ChainID(ctx)
	if err != nil {
		return TxResult{}, err
	}
	var params auth.Params
	if err := c.QueryJSON(ctx, abci.PathParams, &params); err != nil {
		return TxResult{}, err
	}
	var acc abci.AccountJSON
	if err := c.QueryJSON(ctx, abci.PathAccount+address.Encode(params.Bech32Prefix, key.Address()), &acc); err != nil {
		return TxResult{}, err
	}
	body := auth.TxBody{ChainId: chainID, Nonce: acc.Nonce, Fee: params.MinFee, Msgs: msgs}
	if fee != nil && *fee != "" {
		if body.Fee, err = bank.ParseCoin(*fee); err != nil {
			return TxResult{}, fmt.Errorf("--fee: %w", err)
		}
	}
	tx, err := auth.SignTx(key.Priv, &body)
	if err != nil {
		return TxResult{}, err
	}
	res, err := c.rpc.BroadcastTxCommit(ctx, tx)
	if err != nil {
		return TxResult{}, fmt.Errorf("broadcast: %w", err)
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
