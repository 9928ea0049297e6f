package relayer

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	rpcclient "github.com/cometbft/cometbft/rpc/client"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	cmttypes "github.com/cometbft/cometbft/types"
	gogoproto "github.com/cosmos/gogoproto/proto"
	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"
	ibctm "github.com/cosmos/ibc-go/v10/modules/light-clients/07-tendermint"

	"github.com/abci-ics/ics/ibc/channel"
	"github.com/abci-ics/ics/ibc/commitment"
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

// Chain is one chain as the relayer reaches it.
type Chain struct {
	ID     string
	RPC    *rpchttp.HTTP
	Submit Submitter
}

// NewChain connects to the node at addr (tcp://host:port) and learns the
// chain id.
func NewChain(ctx context.Context, addr string, sub Submitter) (*Chain, error) {
	c, err := rpchttp.New(addr, "/websocket")
	if err != nil {
		return nil, fmt.Errorf("node %s: %w", addr, err)
	}
	st, err := c.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("node %s: status: %w", addr, err)
	}
	return &Chain{ID: st.NodeInfo.Network, RPC: c, Submit: sub}, nil
}

func (c *Chain) revision() uint64 { return clienttypes.ParseChainID(c.ID) }

// height returns the chain's latest committed height.
func (c *Chain) height(ctx context.Context) (int64, error) {
	st, err := c.RPC.Status(ctx)
	if err != nil {
		return 0, err
	}
	return st.SyncInfo.LatestBlockHeight, nil
}

// waitHeight waits until the chain has committed height h.
func (c *Chain) waitHeight(ctx context.Context, h int64) error {
	for {
		got, err := c.height(ctx)
		if err == nil && got >= h {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// signedHeader returns the signed header of height h and its validators.
func (c *Chain) signedHeader(ctx context.Context, h int64) (*cmttypes.SignedHeader, *cmttypes.ValidatorSet, error) {
	com, err := c.RPC.Commit(ctx, &h)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: commit %d: %w", c.ID, h, err)
	}
	vals, err := c.validators(ctx, h)
	if err != nil {
		return nil, nil, err
	}
	return &com.SignedHeader, vals, nil
}

func (c *Chain) validators(ctx context.Context, h int64) (*cmttypes.ValidatorSet, error) {
	var all []*cmttypes.Validator
	perPage := 100
	for page := 1; ; page++ {
		res, err := c.RPC.Validators(ctx, &h, &page, &perPage)
		if err != nil {
			return nil, fmt.Errorf("%s: validators %d: %w", c.ID, h, err)
		}
		all = append(all, res.Validators...)
		if len(all) >= res.Total {
			break
		}
	}
	return cmttypes.NewValidatorSet(all), nil
}

// queryJSON runs a typed query at the latest height.
func (c *Chain) queryJSON(ctx context.Context, path string, out any) error {
	res, err := c.RPC.ABCIQuery(ctx, path, nil)
	if err != nil {
		return fmt.Errorf("%s: query %s: %w", c.ID, path, err)
	}
	if res.Response.Code != 0 {
		return fmt.Errorf("%s: query %s: %s", c.ID, path, res.Response.Log)
	}
	return json.Unmarshal(res.Response.Value, out)
}

// prove returns the value and proof of an ICS-24 path at height h; the
// proof verifies against the app hash of header h+1.
func (c *Chain) prove(ctx context.Context, path string, h int64) ([]byte, []byte, error) {
	res, err := c.RPC.ABCIQueryWithOptions(ctx, "/store/"+commitment.StoreName+"/key", []byte(path), rpcclient.ABCIQueryOptions{Height: h, Prove: true})
	if err != nil {
		return nil, nil, fmt.Errorf("%s: prove %s: %w", c.ID, path, err)
	}
	if res.Response.Code != 0 {
		return nil, nil, fmt.Errorf("%s: prove %s: %s", c.ID, path, res.Response.Log)
	}
	proof, err := commitment.ProofFromOps(res.Response.ProofOps, path)
	if err != nil {
		return nil, nil, err
	}
	return res.Response.Value, proof, nil
}

// storeValue reads the raw value of an ICS-24 path at the latest height;
// nil when absent.
func (c *Chain) storeValue(ctx context.Context, path string) ([]byte, error) {
	res, err := c.RPC.ABCIQuery(ctx, "/store/"+commitment.StoreName+"/key", []byte(path))
	if err != nil {
		return nil, fmt.Errorf("%s: read %s: %w", c.ID, path, err)
	}
	if res.Response.Code != 0 {
		return nil, fmt.Errorf("%s: read %s: %s", c.ID, path, res.Response.Log)
	}
	return res.Response.Value, nil
}

// clientState returns the state of c's client clientID.
func (c *Chain) clientState(ctx context.Context, clientID string) (*ibctm.ClientState, error) {
	bz, err := c.storeValue(ctx, commitment.ClientStatePath(clientID))
	if err != nil {
		return nil, err
	}
	if len(bz) == 0 {
		return nil, fmt.Errorf("%s: no client %s", c.ID, clientID)
	}
	var cs ibctm.ClientState
	if err := cs.Unmarshal(bz); err != nil {
		return nil, fmt.Errorf("%s: client %s: %w", c.ID, clientID, err)
	}
	return &cs, nil
}

// consensusState returns c's client clientID's consensus state at h, and
// whether it has one.
func (c *Chain) consensusState(ctx context.Context, clientID string, h clienttypes.Height) (*ibctm.ConsensusState, bool, error) {
	bz, err := c.storeValue(ctx, commitment.ConsensusStatePath(clientID, h))
	if err != nil || len(bz) == 0 {
		return nil, false, err
	}
	var cs ibctm.ConsensusState
	if err := cs.Unmarshal(bz); err != nil {
		return nil, false, fmt.Errorf("%s: consensus state of %s at %s: %w", c.ID, clientID, h, err)
	}
	return &cs, true, nil
}

// clientHeight returns the latest height of c's client clientID.
func (c *Chain) clientHeight(ctx context.Context, clientID string) (clienttypes.Height, error) {
	cs, err := c.clientState(ctx, clientID)
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

// channelVersion returns the version of c's channel end (port, ch): the
// one its application chose in the handshake.
func (c *Chain) channelVersion(ctx context.Context, port, ch string) (string, error) {
	end, err := c.channelEnd(ctx, port, ch)
	return end.Version, err
}

// submit sends msgs and fails on a failed transaction.
func (c *Chain) submit(ctx context.Context, msgs ...gogoproto.Message) (*abcitypes.ExecTxResult, error) {
	res, err := c.Submit.Submit(ctx, msgs...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.ID, err)
	}
	if res.Code != 0 {
		return res, fmt.Errorf("%s: transaction failed with code %d: %s", c.ID, res.Code, res.Log)
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

// packetFromEvent rebuilds a packet from a send_packet or
// write_acknowledgement event, with the acknowledgement of the latter.
func packetFromEvent(e abcitypes.Event) (channeltypes.Packet, []byte, error) {
	m := map[string]string{}
	for _, a := range e.Attributes {
		m[a.Key] = a.Value
	}
	data, err := hex.DecodeString(m[channel.AttrPacketDataHex])
	if err != nil {
		return channeltypes.Packet{}, nil, fmt.Errorf("packet data: %w", err)
	}
	seq, err := strconv.ParseUint(m[channel.AttrPacketSequence], 10, 64)
	if err != nil {
		return channeltypes.Packet{}, nil, fmt.Errorf("packet sequence: %w", err)
	}
	ts, _ := strconv.ParseUint(m[channel.AttrPacketTimeoutTimestamp], 10, 64)
	var th clienttypes.Height
	if rev, h, ok := strings.Cut(m[channel.AttrPacketTimeoutHeight], "-"); ok {
		th.RevisionNumber, _ = strconv.ParseUint(rev, 10, 64)
		th.RevisionHeight, _ = strconv.ParseUint(h, 10, 64)
	}
	p := channeltypes.Packet{Sequence: seq, SourcePort: m["packet_src_port"], SourceChannel: m["packet_src_channel"],
		DestinationPort: m["packet_dst_port"], DestinationChannel: m["packet_dst_channel"], Data: data, TimeoutHeight: th, TimeoutTimestamp: ts}
	var ack []byte
	if h, ok := m[channel.AttrPacketAckHex]; ok {
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
		p, _, err := packetFromEvent(e)
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

// findEvent searches chain c's indexed events for the event of type typ
// about packet seq on (port, channel) as seen from side ("src" or "dst"):
// first the events of transactions (packets sent by messages), then the
// block-level events of FinalizeBlock (packets sent by the application at
// the beginning or end of a block, like CCV's validator set changes).
func (c *Chain) findEvent(ctx context.Context, typ, side, port, ch string, seq uint64) (abcitypes.Event, error) {
	q := fmt.Sprintf("%s.packet_%s_port='%s' AND %s.packet_%s_channel='%s' AND %s.packet_sequence='%d'", typ, side, port, typ, side, ch, typ, seq)
	res, err := c.RPC.TxSearch(ctx, q, false, nil, nil, "asc")
	if err != nil {
		return abcitypes.Event{}, fmt.Errorf("%s: search %s: %w", c.ID, q, err)
	}
	for _, tx := range res.Txs {
		if e, ok := matchPacketEvent(tx.TxResult.Events, typ, side, port, ch, seq); ok {
			return e, nil
		}
	}
	blocks, err := c.RPC.BlockSearch(ctx, q, nil, nil, "asc")
	if err != nil {
		return abcitypes.Event{}, fmt.Errorf("%s: block search %s: %w", c.ID, q, err)
	}
	for _, b := range blocks.Blocks {
		h := b.Block.Height
		br, err := c.RPC.BlockResults(ctx, &h)
		if err != nil {
			return abcitypes.Event{}, fmt.Errorf("%s: block results %d: %w", c.ID, h, err)
		}
		if e, ok := matchPacketEvent(br.FinalizeBlockEvents, typ, side, port, ch, seq); ok {
			return e, nil
		}
	}
	return abcitypes.Event{}, fmt.Errorf("%w: %s of %s/%s sequence %d on %s", ErrEventNotFound, typ, port, ch, seq, c.ID)
}

// ErrEventNotFound means the node's index has no event for a packet (the
// index is off, or was pruned).
var ErrEventNotFound = errors.New("packet event not found")
