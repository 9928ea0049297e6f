package relayer

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	cmttypes "github.com/cometbft/cometbft/types"
	gogoproto "github.com/cosmos/gogoproto/proto"
	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"
	ibctm "github.com/cosmos/ibc-go/v10/modules/light-clients/07-tendermint"

	"github.com/abci-ics/ics/ibc/client"
	"github.com/abci-ics/ics/ibc/commitment"
	"github.com/abci-ics/ics/ibc/packet"
	stateproof "github.com/abci-ics/ics/state/proof"
)

// Submitter signs transactions with the relayer's account on one chain,
// broadcasts them and waits until they are in a block.
type Submitter interface {
	// Submit sends msgs in one transaction and returns its result; a
	// transaction that failed is returned with its code, not as an error.
	Submit(ctx context.Context, msgs ...gogoproto.Message) (*abcitypes.ExecTxResult, error)
	// Address is the relayer's account address on the chain.
	Address() []byte
}

// Chain is one chain as the relayer reaches it: reads through its Node,
// transactions through its Submitter.
type Chain struct {
	ID     string
	Node   Node
	Submit Submitter

	updates atomic.Uint64 // client updates in transactions that succeeded
}

// Errors the relayer returns for answers that refuse its work, for
// callers to branch on with errors.Is; errors the Node or the Submitter
// return (a node down or unreachable) are wrapped as they come.
var (
	// ErrTxFailed means a transaction was refused, at CheckTx or in its
	// block: the error names the code and log.
	ErrTxFailed = errors.New("transaction failed")
	// ErrQueryFailed means a node answered a query or a proof with an
	// error code.
	ErrQueryFailed = errors.New("query failed")
)

// ClientUpdates returns how many client updates the relayer has sent to
// c, in transactions that succeeded, since c was made.
func (c *Chain) ClientUpdates() uint64 { return c.updates.Load() }

// NewChainOn returns the chain that node serves, learning its id from
// the node's status.
func NewChainOn(ctx context.Context, node Node, sub Submitter) (*Chain, error) {
	st, err := node.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("status: %w", err)
	}
	return &Chain{ID: st.ChainID, Node: node, Submit: sub}, nil
}

func (c *Chain) revision() uint64 { return clienttypes.ParseChainID(c.ID) }

// Height returns the chain's latest committed height.
func (c *Chain) Height(ctx context.Context) (int64, error) {
	st, err := c.Node.Status(ctx)
	if err != nil {
		return 0, err
	}
	return st.Height, nil
}

// signedHeader returns the signed header of height h and its validators.
func (c *Chain) signedHeader(ctx context.Context, h int64) (*cmttypes.SignedHeader, *cmttypes.ValidatorSet, error) {
	sh, err := c.Node.SignedHeader(ctx, h)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: commit %d: %w", c.ID, h, err)
	}
	vals, err := c.validators(ctx, h)
	if err != nil {
		return nil, nil, err
	}
	return sh, vals, nil
}

func (c *Chain) validators(ctx context.Context, h int64) (*cmttypes.ValidatorSet, error) {
	vals, err := c.Node.Validators(ctx, h)
	if err != nil {
		return nil, fmt.Errorf("%s: validators %d: %w", c.ID, h, err)
	}
	return vals, nil
}

// Header returns c's header of height h with its validator set, for a
// client that trusts c at height trusted: the validators of trusted+1
// come with it, as the light client needs.
func (c *Chain) Header(ctx context.Context, h int64, trusted clienttypes.Height) (*ibctm.Header, error) {
	sh, vals, err := c.signedHeader(ctx, h)
	if err != nil {
		return nil, err
	}
	trustedVals, err := c.validators(ctx, int64(trusted.RevisionHeight)+1)
	if err != nil {
		return nil, err
	}
	vp, err := vals.ToProto()
	if err != nil {
		return nil, err
	}
	tp, err := trustedVals.ToProto()
	if err != nil {
		return nil, err
	}
	return &ibctm.Header{SignedHeader: sh.ToProto(), ValidatorSet: vp, TrustedHeight: trusted, TrustedValidators: tp}, nil
}

// QueryJSON runs a query that answers JSON at the latest height and
// decodes the answer into out; a failed query is an error.
func (c *Chain) QueryJSON(ctx context.Context, path string, out any) error {
	res, err := c.Node.Query(ctx, path, nil, 0, false)
	if err != nil {
		return fmt.Errorf("%s: query %s: %w", c.ID, path, err)
	}
	if res.Code != 0 {
		return fmt.Errorf("%s: query %s: %w: %s", c.ID, path, ErrQueryFailed, res.Log)
	}
	return json.Unmarshal(res.Value, out)
}

// prove returns the value and proof of an ICS-24 path at height h; the
// proof verifies against the app hash of header h+1.
func (c *Chain) prove(ctx context.Context, path string, h int64) ([]byte, []byte, error) {
	res, err := c.Node.Query(ctx, stateproof.StorePath(commitment.StoreName), []byte(path), h, true)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: prove %s: %w", c.ID, path, err)
	}
	if res.Code != 0 {
		return nil, nil, fmt.Errorf("%s: prove %s: %w: %s", c.ID, path, ErrQueryFailed, res.Log)
	}
	proof, err := commitment.ProofFromOps(res.ProofOps, path)
	if err != nil {
		return nil, nil, err
	}
	return res.Value, proof, nil
}

// storeValue reads the raw value of an ICS-24 path at the latest height;
// nil when absent.
func (c *Chain) storeValue(ctx context.Context, path string) ([]byte, error) {
	res, err := c.Node.Query(ctx, stateproof.StorePath(commitment.StoreName), []byte(path), 0, false)
	if err != nil {
		return nil, fmt.Errorf("%s: read %s: %w", c.ID, path, err)
	}
	if res.Code != 0 {
		return nil, fmt.Errorf("%s: read %s: %w: %s", c.ID, path, ErrQueryFailed, res.Log)
	}
	return res.Value, nil
}

// ClientState returns the state of c's client clientID.
func (c *Chain) ClientState(ctx context.Context, clientID string) (*ibctm.ClientState, error) {
	bz, err := c.storeValue(ctx, commitment.ClientStatePath(clientID))
	if err != nil {
		return nil, err
	}
	if len(bz) == 0 {
		return nil, fmt.Errorf("%s: no client %s", c.ID, clientID)
	}
	cs, err := client.DecodeClientState(bz)
	if err != nil {
		return nil, fmt.Errorf("%s: client %s: %w", c.ID, clientID, err)
	}
	return cs, nil
}

// ConsensusState returns c's client clientID's consensus state at h, and
// whether it has one.
func (c *Chain) ConsensusState(ctx context.Context, clientID string, h clienttypes.Height) (*ibctm.ConsensusState, bool, error) {
	bz, err := c.storeValue(ctx, commitment.ConsensusStatePath(clientID, h))
	if err != nil || len(bz) == 0 {
		return nil, false, err
	}
	cs, err := client.DecodeConsensusState(bz)
	if err != nil {
		return nil, false, fmt.Errorf("%s: consensus state of %s at %s: %w", c.ID, clientID, h, err)
	}
	return cs, true, nil
}

// clientHeight returns the latest height of c's client clientID.
func (c *Chain) clientHeight(ctx context.Context, clientID string) (clienttypes.Height, error) {
	cs, err := c.ClientState(ctx, clientID)
	if err != nil {
		return clienttypes.Height{}, err
	}
	return cs.LatestHeight, nil
}

// channelEnd returns c's channel end (port, ch).
func (c *Chain) channelEnd(ctx context.Context, port, ch string) (channeltypes.Channel, error) {
	bz, err := c.storeValue(ctx, commitment.ChannelPath(port, ch))
	if err != nil {
		return channeltypes.Channel{}, err
	}
	var end channeltypes.Channel
	if len(bz) == 0 {
		return end, fmt.Errorf("%s: no channel %s/%s", c.ID, port, ch)
	}
	if err := end.Unmarshal(bz); err != nil {
		return end, fmt.Errorf("%s: channel %s/%s: %w", c.ID, port, ch, err)
	}
	return end, nil
}

// submit sends msgs and fails on a failed transaction.
func (c *Chain) submit(ctx context.Context, msgs ...gogoproto.Message) (*abcitypes.ExecTxResult, error) {
	res, err := c.Submit.Submit(ctx, msgs...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.ID, err)
	}
	if res.Code != 0 {
		return res, fmt.Errorf("%s: %w with code %d: %s", c.ID, ErrTxFailed, res.Code, res.Log)
	}
	for _, m := range msgs {
		if _, ok := m.(*client.MsgUpdateClient); ok {
			c.updates.Add(1)
		}
	}
	return res, nil
}

func attr(evs []abcitypes.Event, typ, key string) string {
	for _, e := range evs {
		if e.Type != typ {
			continue
		}
		for _, a := range e.Attributes {
			if a.Key == key {
				return a.Value
			}
		}
	}
	return ""
}

// PacketFromEvent rebuilds a packet from a send_packet or
// write_acknowledgement event, with the acknowledgement of the latter.
func PacketFromEvent(e abcitypes.Event) (channeltypes.Packet, []byte, error) {
	m := map[string]string{}
	for _, a := range e.Attributes {
		m[a.Key] = a.Value
	}
	data, err := hex.DecodeString(m[packet.AttrPacketDataHex])
	if err != nil {
		return channeltypes.Packet{}, nil, fmt.Errorf("packet data: %w", err)
	}
	seq, err := strconv.ParseUint(m[packet.AttrPacketSequence], 10, 64)
	if err != nil {
		return channeltypes.Packet{}, nil, fmt.Errorf("packet sequence: %w", err)
	}
	ts, _ := strconv.ParseUint(m[packet.AttrPacketTimeoutTimestamp], 10, 64)
	var th clienttypes.Height
	if rev, h, ok := strings.Cut(m[packet.AttrPacketTimeoutHeight], "-"); ok {
		th.RevisionNumber, _ = strconv.ParseUint(rev, 10, 64)
		th.RevisionHeight, _ = strconv.ParseUint(h, 10, 64)
	}
	p := channeltypes.Packet{Sequence: seq, SourcePort: m["packet_src_port"], SourceChannel: m["packet_src_channel"],
		DestinationPort: m["packet_dst_port"], DestinationChannel: m["packet_dst_channel"], Data: data, TimeoutHeight: th, TimeoutTimestamp: ts}
	var ack []byte
	if h, ok := m[packet.AttrPacketAckHex]; ok {
		if ack, err = hex.DecodeString(h); err != nil {
			return p, nil, fmt.Errorf("packet ack: %w", err)
		}
	}
	return p, ack, nil
}

// matchPacketEvent returns the event of type typ among evs that is about
// packet seq on (port, channel) as seen from side ("src" or "dst").
func matchPacketEvent(evs []abcitypes.Event, typ, side, port, ch string, seq uint64) (abcitypes.Event, bool) {
	for _, e := range evs {
		if e.Type != typ {
			continue
		}
		p, _, err := PacketFromEvent(e)
		if err != nil || p.Sequence != seq {
			continue
		}
		gotPort, gotChannel := p.SourcePort, p.SourceChannel
		if side == "dst" {
			gotPort, gotChannel = p.DestinationPort, p.DestinationChannel
		}
		if gotPort == port && gotChannel == ch {
			return e, true
		}
	}
	return abcitypes.Event{}, false
}

// findEvent asks chain c's node for the event of type typ about packet
// seq on (port, channel) as seen from side ("src" or "dst"): in the events
// of transactions (packets sent by messages), or in the block-level events
// of FinalizeBlock (packets sent by the application at the beginning or
// end of a block, like CCV's validator set changes).
func (c *Chain) findEvent(ctx context.Context, typ, side, port, ch string, seq uint64) (abcitypes.Event, error) {
	e, err := c.Node.PacketEvent(ctx, PacketQuery{Type: typ, Side: side, Port: port, Channel: ch, Sequence: seq})
	if errors.Is(err, ErrEventNotFound) {
		return e, fmt.Errorf("%w: %s of %s/%s sequence %d on %s", ErrEventNotFound, typ, port, ch, seq, c.ID)
	}
	if err != nil {
		return e, fmt.Errorf("%s: %w", c.ID, err)
	}
	return e, nil
}
