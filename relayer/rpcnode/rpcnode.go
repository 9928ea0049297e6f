// Package rpcnode reaches a chain over the RPC of one of its CometBFT
// nodes: Node is the relayer.Node that `icsd relay` and the testnet use
// (abci_query, commit, validators, tx_search, block_search, block_results,
// block), and Chain the relayer.Chain it serves.
package rpcnode

import (
	"context"
	"fmt"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	rpcclient "github.com/cometbft/cometbft/rpc/client"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/abci-ics/ics/relayer"
)

// Chain connects to the node at addr (tcp://host:port) and learns the
// chain id; its transactions go through sub.
func Chain(ctx context.Context, addr string, sub relayer.Submitter) (*relayer.Chain, error) {
	n, err := New(addr)
	if err != nil {
		return nil, err
	}
	c, err := relayer.NewChainOn(ctx, n, sub)
	if err != nil {
		return nil, fmt.Errorf("node %s: %w", addr, err)
	}
	return c, nil
}

// Node is a relayer.Node over a CometBFT node's RPC.
type Node struct {
	RPC *rpchttp.HTTP
}

var _ relayer.Node = Node{}

// New returns the node at addr (tcp://host:port).
func New(addr string) (Node, error) {
	c, err := rpchttp.New(addr, "/websocket")
	if err != nil {
		return Node{}, fmt.Errorf("node %s: %w", addr, err)
	}
	return Node{RPC: c}, nil
}

// Status implements relayer.Node.
func (n Node) Status(ctx context.Context) (relayer.Status, error) {
	st, err := n.RPC.Status(ctx)
	if err != nil {
		return relayer.Status{}, err
	}
	return relayer.Status{ChainID: st.NodeInfo.Network, Height: st.SyncInfo.LatestBlockHeight, Time: st.SyncInfo.LatestBlockTime}, nil
}

// WaitHeight implements relayer.Node by polling the node's status.
func (n Node) WaitHeight(ctx context.Context, h int64) error {
	return relayer.PollHeight(ctx, n.Status, h)
}

// SignedHeader implements relayer.Node.
func (n Node) SignedHeader(ctx context.Context, h int64) (*cmttypes.SignedHeader, error) {
	com, err := n.RPC.Commit(ctx, &h)
	if err != nil {
		return nil, err
	}
	return &com.SignedHeader, nil
}

// Validators implements relayer.Node, reading every page.
func (n Node) Validators(ctx context.Context, h int64) (*cmttypes.ValidatorSet, error) {
	var all []*cmttypes.Validator
	perPage := 100
	for page := 1; ; page++ {
		res, err := n.RPC.Validators(ctx, &h, &page, &perPage)
		if err != nil {
			return nil, err
		}
		all = append(all, res.Validators...)
		if len(all) >= res.Total {
			break
		}
	}
	return cmttypes.NewValidatorSet(all), nil
}

// Query implements relayer.Node.
func (n Node) Query(ctx context.Context, path string, data []byte, height int64, prove bool) (*abcitypes.ResponseQuery, error) {
	if height == 0 && !prove {
		r, err := n.RPC.ABCIQuery(ctx, path, data)
		if err != nil {
			return nil, err
		}
		return &r.Response, nil
	}
	r, err := n.RPC.ABCIQueryWithOptions(ctx, path, data, rpcclient.ABCIQueryOptions{Height: height, Prove: prove})
	if err != nil {
		return nil, err
	}
	return &r.Response, nil
}

// PacketEvent implements relayer.Node with the node's transaction and block
// indexes.
func (n Node) PacketEvent(ctx context.Context, q relayer.PacketQuery) (abcitypes.Event, error) {
	res, err := n.RPC.TxSearch(ctx, q.String(), false, nil, nil, "asc")
	if err != nil {
		return abcitypes.Event{}, fmt.Errorf("search %s: %w", q, err)
	}
	for _, tx := range res.Txs {
		if e, ok := q.Match(tx.TxResult.Events); ok {
			return e, nil
		}
	}
	blocks, err := n.RPC.BlockSearch(ctx, q.String(), nil, nil, "asc")
	if err != nil {
		return abcitypes.Event{}, fmt.Errorf("block search %s: %w", q, err)
	}
	for _, b := range blocks.Blocks {
		h := b.Block.Height
		br, err := n.RPC.BlockResults(ctx, &h)
		if err != nil {
			return abcitypes.Event{}, fmt.Errorf("block results %d: %w", h, err)
		}
		if e, ok := q.Match(br.FinalizeBlockEvents); ok {
			return e, nil
		}
	}
	return abcitypes.Event{}, relayer.ErrEventNotFound
}

// Evidence implements relayer.Node.
func (n Node) Evidence(ctx context.Context, h int64) ([]cmttypes.Evidence, error) {
	b, err := n.RPC.Block(ctx, &h)
	if err != nil {
		return nil, err
	}
	return b.Block.Evidence.Evidence, nil
}
