package relayer

import (
	"context"
	"errors"
	"fmt"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	cmttypes "github.com/cometbft/cometbft/types"
)

// Node is how the relayer reaches one chain: what it reads of blocks,
// headers and state. rpcnode.Node reaches a CometBFT node over RPC; tests
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

// PollHeight waits, polling status every 100 ms, until the height it
// reports reaches h, or ctx ends: WaitHeight of Nodes without a way to be
// told of new blocks.
func PollHeight(ctx context.Context, status func(context.Context) (Status, error), h int64) error {
	for {
		st, err := status(ctx)
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
