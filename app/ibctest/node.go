package ibctest

import (
	"context"
	"fmt"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	cmttypes "github.com/cometbft/cometbft/types"
	gogoproto "github.com/cosmos/gogoproto/proto"

	"github.com/abci-ics/ics/ibc/packet"
	"github.com/abci-ics/ics/relayer"
)

// Node is relayer.Node over an in-process chain: headers and validator
// sets from the chain's own signing, queries through App.Query, packet
// events from its block log. Waiting for a height commits empty blocks
// until the chain has it, so the relayer drives the chain's time.
type Node struct {
	C *Chain

	// The packet events of C's log, indexed up to block indexed.
	indexed   int
	txEvents  map[string]abcitypes.Event
	blkEvents map[string]abcitypes.Event
}

var _ relayer.Node = (*Node)(nil)

// Relayer returns c as the relayer reaches it: through a Node, with
// account 0 signing its transactions.
func (c *Chain) Relayer() *relayer.Chain {
	if c.relayer == nil {
		c.relayer = &relayer.Chain{ID: c.ID, Node: &Node{C: c}, Submit: Submitter{C: c}}
	}
	return c.relayer
}

// Status implements relayer.Node.
func (n *Node) Status(context.Context) (relayer.Status, error) {
	return relayer.Status{ChainID: n.C.ID, Height: n.C.Height, Time: n.C.Time}, nil
}

// WaitHeight implements relayer.Node: it commits empty blocks until the
// chain has height h.
func (n *Node) WaitHeight(ctx context.Context, h int64) error {
	for n.C.Height < h {
		if err := ctx.Err(); err != nil {
			return err
		}
		n.C.NextBlock()
	}
	return nil
}

// SignedHeader implements relayer.Node.
func (n *Node) SignedHeader(_ context.Context, h int64) (*cmttypes.SignedHeader, error) {
	sh, ok := n.C.headers[h]
	if !ok {
		return nil, fmt.Errorf("no header at height %d (latest %d)", h, n.C.Height)
	}
	return sh, nil
}

// Validators implements relayer.Node.
func (n *Node) Validators(_ context.Context, h int64) (*cmttypes.ValidatorSet, error) {
	vals, ok := n.C.vals[h]
	if !ok {
		return nil, fmt.Errorf("no validator set at height %d (latest %d)", h, n.C.Height)
	}
	return vals, nil
}

// Query implements relayer.Node.
func (n *Node) Query(ctx context.Context, path string, data []byte, height int64, prove bool) (*abcitypes.ResponseQuery, error) {
	return n.C.app.Query(ctx, &abcitypes.RequestQuery{Path: path, Data: data, Height: height, Prove: prove})
}

// PacketEvent implements relayer.Node: transaction events first, then
// FinalizeBlock events, the first match in block order.
func (n *Node) PacketEvent(_ context.Context, q relayer.PacketQuery) (abcitypes.Event, error) {
	n.index()
	key := packetKey(q.Type, q.Side, q.Port, q.Channel, fmt.Sprint(q.Sequence))
	for _, m := range []map[string]abcitypes.Event{n.txEvents, n.blkEvents} {
		if e, ok := m[key]; ok {
			if e, ok := q.Match([]abcitypes.Event{e}); ok {
				return e, nil
			}
		}
	}
	return abcitypes.Event{}, relayer.ErrEventNotFound
}

// Evidence implements relayer.Node: in-process chains commit none.
func (n *Node) Evidence(context.Context, int64) ([]cmttypes.Evidence, error) { return nil, nil }

func packetKey(typ, side, port, ch, seq string) string {
	return typ + "\x00" + side + "\x00" + port + "\x00" + ch + "\x00" + seq
}

// index adds the packet events of the blocks committed since the last call.
func (n *Node) index() {
	if n.txEvents == nil {
		n.txEvents, n.blkEvents = map[string]abcitypes.Event{}, map[string]abcitypes.Event{}
	}
	add := func(m map[string]abcitypes.Event, evs []abcitypes.Event) {
		for _, e := range evs {
			a := map[string]string{}
			for _, kv := range e.Attributes {
				a[kv.Key] = kv.Value
			}
			seq, ok := a[packet.AttrPacketSequence]
			if !ok {
				continue
			}
			for _, side := range []string{"src", "dst"} {
				k := packetKey(e.Type, side, a["packet_"+side+"_port"], a["packet_"+side+"_channel"], seq)
				if _, seen := m[k]; !seen {
					m[k] = e
				}
			}
		}
	}
	for ; n.indexed < len(n.C.Log); n.indexed++ {
		resp := n.C.Log[n.indexed]
		for _, r := range resp.TxResults {
			if r.Code == 0 {
				add(n.txEvents, r.Events)
			}
		}
		add(n.blkEvents, resp.Events)
	}
}

// Submitter is relayer.Submitter on an in-process chain: each Submit is
// one block holding one transaction signed by account Account.
type Submitter struct {
	C       *Chain
	Account int
}

// Submit implements relayer.Submitter.
func (s Submitter) Submit(_ context.Context, msgs ...gogoproto.Message) (*abcitypes.ExecTxResult, error) {
	resp := s.C.NextBlock(s.C.Tx(s.Account, msgs...))
	return resp.TxResults[0], nil
}

// Address implements relayer.Submitter.
func (s Submitter) Address() []byte { return s.C.Address(s.Account) }
