package relayer

import (
	"context"
	"errors"
	"fmt"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	rpcclient "github.com/cometbft/cometbft/rpc/client"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	cmttypes "github.com/cometbft/cometbft/types"
)

// Node is how the relayer reaches one chain: what it reads of blocks,
// headers and state. RPCNode reaches a CometBFT node over RPC; tests
// implement it over chains in the same process. Transactions go through
// the Chain's Submitter, not the Node.
type Node interface {
	// Status returns the chain id and the latest committed height and
	// block time.
	Status(ctx context.Context) (Status, error)
	// WaitHeight returns once the chain has committed height h, or when
	// ctx ends.
	WaitHeight(ctx context.Context, h int64) error
	// SignedHeader returns the header of height h with its commit.
	SignedHeader(ctx context.Context, h int64) (*cmttypes.SignedHeader, error)
	// Validators returns the validator set of height h.
	Validators(ctx context.Context, h int64) (*cmttypes.ValidatorSet, error)
	// Query runs an ABCI query at height (0: the latest), with a proof
	// when prove is set; a failed query is returned with its code, not
	// as an error.
	Query(ctx context.Context, path string, data []byte, height int64, prove bool) (*abcitypes.ResponseQuery, error)
	// PacketEvent returns the event q describes, searched first in the
	// events of transactions, then in the FinalizeBlock events of blocks
	// (packets sent by the application itself). It returns an error
	// wrapping ErrEventNotFound when the node has no such event.
	PacketEvent(ctx context.Context, q PacketQuery) (abcitypes.Event, error)
	// Evidence returns the evidence committed in block h.
	Evidence(ctx context.Context, h int64) ([]cmttypes.Evidence, error)
}

// Status is what Node.Status reports.
type Status struct {
	ChainID string
	Height  int64
	Time    time.Time
}

// PacketQuery names the event of one packet: an event of type Type
// (send_packet, write_acknowledgement) about packet Sequence on
// (Port, Channel) as seen from Side ("src" or "dst").
type PacketQuery struct {
	Type, Side, Port, Channel string
	Sequence                  uint64
}

// String is q in CometBFT's event query language.
func (q PacketQuery) String() string {
	return fmt.Sprintf("%s.packet_%s_port='%s' AND %s.packet_%s_channel='%s' AND %s.packet_sequence='%d'",
		q.Type, q.Side, q.Port, q.Type, q.Side, q.Channel, q.Type, q.Sequence)
}

// Match returns the event among evs that q describes.
func (q PacketQuery) Match(evs []abcitypes.Event) (abcitypes.Event, bool) {
	return matchPacketEvent(evs, q.Type, q.Side, q.Port, q.Channel, q.Sequence)
}

// ErrEventNotFound means the node's index has no event for a packet (the
// index is off, or was pruned).
var ErrEventNotFound = errors.New("packet event not found")

// RPCNode is a Node over a CometBFT node's RPC.
type RPCNode struct {
	RPC *rpchttp.HTTP
}

var _ Node = RPCNode{}

// NewRPCNode returns the node at addr (tcp://host:port).
func NewRPCNode(addr string) (RPCNode, error) {
	c, err := rpchttp.New(addr, "/websocket")
	if err != nil {
		return RPCNode{}, fmt.Errorf("node %s: %w", addr, err)
	}
	return RPCNode{RPC: c}, nil
}

// Status implements Node.
func (n RPCNode) Status(ctx context.Context) (Status, error) {
	st, err := n.RPC.Status(ctx)
	if err != nil {
		return Status{}, err
	}
	return Status{ChainID: st.NodeInfo.Network, Height: st.SyncInfo.LatestBlockHeight, Time: st.SyncInfo.LatestBlockTime}, nil
}

// WaitHeight implements Node by polling the node's status.
func (n RPCNode) WaitHeight(ctx context.Context, h int64) error {
	for {
		st, err := n.Status(ctx)
		if err == nil && st.Height >= h {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// SignedHeader implements Node.
func (n RPCNode) SignedHeader(ctx context.Context, h int64) (*cmttypes.SignedHeader, error) {
	com, err := n.RPC.Commit(ctx, &h)
	if err != nil {
		return nil, err
	}
	return &com.SignedHeader, nil
}

// Validators implements Node, reading every page.
func (n RPCNode) Validators(ctx context.Context, h int64) (*cmttypes.ValidatorSet, error) {
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

// Query implements Node.
func (n RPCNode) Query(ctx context.Context, path string, data []byte, height int64, prove bool) (*abcitypes.ResponseQuery, error) {
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

// PacketEvent implements Node with the node's transaction and block
// indexes.
func (n RPCNode) PacketEvent(ctx context.Context, q PacketQuery) (abcitypes.Event, error) {
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
	return abcitypes.Event{}, ErrEventNotFound
}

// Evidence implements Node.
func (n RPCNode) Evidence(ctx context.Context, h int64) ([]cmttypes.Evidence, error) {
	b, err := n.RPC.Block(ctx, &h)
	if err != nil {
		return nil, err
	}
	return b.Block.Evidence.Evidence, nil
}
