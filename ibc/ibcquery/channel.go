package ibcquery

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strconv"

	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"
	host "github.com/cosmos/ibc-go/v10/modules/core/24-host"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/abci-ics/ics/grpcquery"
	"github.com/abci-ics/ics/ibc/commitment"
	"github.com/abci-ics/ics/ibc/packet"
	"github.com/abci-ics/ics/state"
)

// channelQuery serves ibc.core.channel.v1.Query.
type channelQuery struct {
	channeltypes.UnimplementedQueryServer
	s *Service
}

var _ channeltypes.QueryServer = (*channelQuery)(nil)

// MaxSequences bounds the sequences one UnreceivedPackets, UnreceivedAcks
// or PacketAcknowledgements request may list.
const MaxSequences = 10_000

// channelState returns the state a query of channel portID/channelID
// reads, once the identifiers are given.
func channelState(ctx context.Context, portID, channelID string) (grpcquery.State, error) {
	st, err := stateOf(ctx)
	if err == nil {
		err = portChannel(portID, channelID)
	}
	return st, err
}

func portChannel(portID, channelID string) error {
	if err := required("port_id", portID); err != nil {
		return err
	}
	return required("channel_id", channelID)
}

func checkSeqs(seqs []uint64) error {
	if len(seqs) > MaxSequences {
		return status.Errorf(codes.InvalidArgument, "%d sequences, at most %d", len(seqs), MaxSequences)
	}
	return nil
}

// seqKey is a sequence as bytes whose order is sequence order (page keys).
func seqKey(seq uint64) []byte { return binary.BigEndian.AppendUint64(nil, seq) }

// Channel answers a channel end, with a proof of its ICS-24 path.
func (q channelQuery) Channel(ctx context.Context, req *channeltypes.QueryChannelRequest) (*channeltypes.QueryChannelResponse, error) {
	st, err := channelState(ctx, req.PortId, req.ChannelId)
	if err != nil {
		return nil, err
	}
	ch, ok := q.s.Channels.Channel(st.View, req.PortId, req.ChannelId)
	if !ok {
		return nil, notFound("channel %s/%s not found", req.PortId, req.ChannelId)
	}
	proof, ph, err := q.s.prove(st, commitment.ChannelPath(req.PortId, req.ChannelId))
	if err != nil {
		return nil, err
	}
	return &channeltypes.QueryChannelResponse{Channel: &ch, Proof: proof, ProofHeight: ph}, nil
}

func channelKey(c channeltypes.IdentifiedChannel) []byte {
	return []byte(commitment.ChannelPath(c.PortId, c.ChannelId))
}

func (q channelQuery) channels(st grpcquery.State, keep func(channeltypes.IdentifiedChannel) bool, pr *grpcquery.PageRequest) ([]*channeltypes.IdentifiedChannel, *grpcquery.PageResponse, error) {
	all := q.s.Channels.Channels(st.View)
	if keep != nil {
		all = slices.DeleteFunc(all, func(c channeltypes.IdentifiedChannel) bool { return !keep(c) })
	}
	page, resp, err := grpcquery.Page(all, channelKey, pr)
	if err != nil {
		return nil, nil, err
	}
	out := make([]*channeltypes.IdentifiedChannel, len(page))
	for i := range page {
		out[i] = &page[i]
	}
	return out, resp, nil
}

// Channels answers every channel end, in key order.
func (q channelQuery) Channels(ctx context.Context, req *channeltypes.QueryChannelsRequest) (*channeltypes.QueryChannelsResponse, error) {
	st, err := stateOf(ctx)
	if err != nil {
		return nil, err
	}
	out, pr, err := q.channels(st, nil, req.Pagination)
	if err != nil {
		return nil, err
	}
	return &channeltypes.QueryChannelsResponse{Channels: out, Pagination: pr, Height: q.s.height(st)}, nil
}

// ConnectionChannels answers the channel ends on a connection.
func (q channelQuery) ConnectionChannels(ctx context.Context, req *channeltypes.QueryConnectionChannelsRequest) (*channeltypes.QueryConnectionChannelsResponse, error) {
	st, err := stateOf(ctx)
	if err != nil {
		return nil, err
	}
	if err := required("connection", req.Connection); err != nil {
		return nil, err
	}
	onConn := func(c channeltypes.IdentifiedChannel) bool {
		return len(c.ConnectionHops) > 0 && c.ConnectionHops[0] == req.Connection
	}
	out, pr, err := q.channels(st, onConn, req.Pagination)
	if err != nil {
		return nil, err
	}
	return &channeltypes.QueryConnectionChannelsResponse{Channels: out, Pagination: pr, Height: q.s.height(st)}, nil
}

// ChannelClientState answers the client state under a channel's
// connection, with a proof of its ICS-24 path.
func (q channelQuery) ChannelClientState(ctx context.Context, req *channeltypes.QueryChannelClientStateRequest) (*channeltypes.QueryChannelClientStateResponse, error) {
	st, err := channelState(ctx, req.PortId, req.ChannelId)
	if err != nil {
		return nil, err
	}
	ch, ok := q.s.Channels.Channel(st.View, req.PortId, req.ChannelId)
	if !ok || len(ch.ConnectionHops) == 0 {
		return nil, notFound("channel %s/%s not found", req.PortId, req.ChannelId)
	}
	conn, ok := q.s.Connections.Connection(st.View, ch.ConnectionHops[0])
	if !ok {
		return nil, notFound("connection %s not found", ch.ConnectionHops[0])
	}
	ic, err := q.s.identifiedClient(st, conn.ClientId)
	if err != nil {
		return nil, err
	}
	proof, ph, err := q.s.prove(st, commitment.ClientStatePath(conn.ClientId))
	if err != nil {
		return nil, err
	}
	return &channeltypes.QueryChannelClientStateResponse{IdentifiedClientState: &ic, Proof: proof, ProofHeight: ph}, nil
}

// PacketCommitment answers the commitment of a sent packet not yet
// acknowledged or timed out, with a proof.
func (q channelQuery) PacketCommitment(ctx context.Context, req *channeltypes.QueryPacketCommitmentRequest) (*channeltypes.QueryPacketCommitmentResponse, error) {
	st, err := channelState(ctx, req.PortId, req.ChannelId)
	if err != nil {
		return nil, err
	}
	c := q.s.Packets.PacketCommitment(st.View, req.PortId, req.ChannelId, req.Sequence)
	if len(c) == 0 {
		return nil, notFound("packet commitment %s/%s/%d not found", req.PortId, req.ChannelId, req.Sequence)
	}
	proof, ph, err := q.s.prove(st, commitment.PacketCommitmentPath(req.PortId, req.ChannelId, req.Sequence))
	if err != nil {
		return nil, err
	}
	return &channeltypes.QueryPacketCommitmentResponse{Commitment: c, Proof: proof, ProofHeight: ph}, nil
}

// PacketCommitments answers the channel's packet commitments, by
// sequence.
func (q channelQuery) PacketCommitments(ctx context.Context, req *channeltypes.QueryPacketCommitmentsRequest) (*channeltypes.QueryPacketCommitmentsResponse, error) {
	st, err := channelState(ctx, req.PortId, req.ChannelId)
	if err != nil {
		return nil, err
	}
	seqs := q.s.Packets.PacketCommitments(st.View, req.PortId, req.ChannelId)
	page, pr, err := grpcquery.Page(seqs, seqKey, req.Pagination)
	if err != nil {
		return nil, err
	}
	out := make([]*channeltypes.PacketState, len(page))
	for i, seq := range page {
		c := q.s.Packets.PacketCommitment(st.View, req.PortId, req.ChannelId, seq)
		ps := channeltypes.NewPacketState(req.PortId, req.ChannelId, seq, c)
		out[i] = &ps
	}
	return &channeltypes.QueryPacketCommitmentsResponse{Commitments: out, Pagination: pr, Height: q.s.height(st)}, nil
}

// PacketReceipt answers whether an unordered channel received a packet,
// with a proof of presence or absence of the receipt.
func (q channelQuery) PacketReceipt(ctx context.Context, req *channeltypes.QueryPacketReceiptRequest) (*channeltypes.QueryPacketReceiptResponse, error) {
	st, err := channelState(ctx, req.PortId, req.ChannelId)
	if err != nil {
		return nil, err
	}
	got := q.s.Packets.PacketReceipt(st.View, req.PortId, req.ChannelId, req.Sequence)
	proof, ph, err := q.s.prove(st, commitment.PacketReceiptPath(req.PortId, req.ChannelId, req.Sequence))
	if err != nil {
		return nil, err
	}
	return &channeltypes.QueryPacketReceiptResponse{Received: got, Proof: proof, ProofHeight: ph}, nil
}

// PacketAcknowledgement answers the acknowledgement commitment of a
// received packet, with a proof.
func (q channelQuery) PacketAcknowledgement(ctx context.Context, req *channeltypes.QueryPacketAcknowledgementRequest) (*channeltypes.QueryPacketAcknowledgementResponse, error) {
	st, err := channelState(ctx, req.PortId, req.ChannelId)
	if err != nil {
		return nil, err
	}
	ack := q.s.Packets.PacketAcknowledgement(st.View, req.PortId, req.ChannelId, req.Sequence)
	if len(ack) == 0 {
		return nil, notFound("packet acknowledgement %s/%s/%d not found", req.PortId, req.ChannelId, req.Sequence)
	}
	proof, ph, err := q.s.prove(st, commitment.PacketAcknowledgementPath(req.PortId, req.ChannelId, req.Sequence))
	if err != nil {
		return nil, err
	}
	return &channeltypes.QueryPacketAcknowledgementResponse{Acknowledgement: ack, Proof: proof, ProofHeight: ph}, nil
}

// ackSequences returns the sequences of the acknowledgement commitments
// stored for a channel, ascending.
func ackSequences(v *state.View, portID, channelID string) ([]uint64, error) {
	prefix := append(host.PacketAcknowledgementPrefixKey(portID, channelID), '/')
	it := v.KV(commitment.StoreName).Iterator(prefix, state.PrefixEnd(prefix))
	defer it.Close()
	var seqs []uint64
	for ; it.Valid(); it.Next() {
		seq, err := strconv.ParseUint(string(it.Key()[len(prefix):]), 10, 64)
		if err != nil {
			return nil, status.Error(codes.Internal, fmt.Sprintf("malformed acknowledgement key %q", it.Key()))
		}
		seqs = append(seqs, seq)
	}
	slices.Sort(seqs)
	return seqs, nil
}

// PacketAcknowledgements answers the channel's acknowledgement
// commitments: of the sequences listed, or all of them, by sequence.
func (q channelQuery) PacketAcknowledgements(ctx context.Context, req *channeltypes.QueryPacketAcknowledgementsRequest) (*channeltypes.QueryPacketAcknowledgementsResponse, error) {
	st, err := channelState(ctx, req.PortId, req.ChannelId)
	if err != nil {
		return nil, err
	}
	if err := checkSeqs(req.PacketCommitmentSequences); err != nil {
		return nil, err
	}
	if len(req.PacketCommitmentSequences) > 0 {
		var out []*channeltypes.PacketState
		for _, seq := range req.PacketCommitmentSequences {
			if ack := q.s.Packets.PacketAcknowledgement(st.View, req.PortId, req.ChannelId, seq); len(ack) > 0 {
				ps := channeltypes.NewPacketState(req.PortId, req.ChannelId, seq, ack)
				out = append(out, &ps)
			}
		}
		return &channeltypes.QueryPacketAcknowledgementsResponse{Acknowledgements: out, Pagination: &grpcquery.PageResponse{}, Height: q.s.height(st)}, nil
	}
	seqs, err := ackSequences(st.View, req.PortId, req.ChannelId)
	if err != nil {
		return nil, err
	}
	page, pr, err := grpcquery.Page(seqs, seqKey, req.Pagination)
	if err != nil {
		return nil, err
	}
	out := make([]*channeltypes.PacketState, len(page))
	for i, seq := range page {
		ps := channeltypes.NewPacketState(req.PortId, req.ChannelId, seq, q.s.Packets.PacketAcknowledgement(st.View, req.PortId, req.ChannelId, seq))
		out[i] = &ps
	}
	return &channeltypes.QueryPacketAcknowledgementsResponse{Acknowledgements: out, Pagination: pr, Height: q.s.height(st)}, nil
}

// UnreceivedPackets answers, of the sequences sent to this chain's end of
// the channel, those it has not received.
func (q channelQuery) UnreceivedPackets(ctx context.Context, req *channeltypes.QueryUnreceivedPacketsRequest) (*channeltypes.QueryUnreceivedPacketsResponse, error) {
	st, err := channelState(ctx, req.PortId, req.ChannelId)
	if err != nil {
		return nil, err
	}
	if err := checkSeqs(req.PacketCommitmentSequences); err != nil {
		return nil, err
	}
	seqs, err := q.s.Packets.UnreceivedPackets(st.View, req.PortId, req.ChannelId, req.PacketCommitmentSequences)
	if errors.Is(err, packet.ErrChannelNotFound) {
		return nil, notFound("channel %s/%s not found", req.PortId, req.ChannelId)
	}
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return &channeltypes.QueryUnreceivedPacketsResponse{Sequences: nonNil(seqs), Height: q.s.height(st)}, nil
}

// UnreceivedAcks answers, of the sequences this chain sent, those whose
// acknowledgement it has not processed.
func (q channelQuery) UnreceivedAcks(ctx context.Context, req *channeltypes.QueryUnreceivedAcksRequest) (*channeltypes.QueryUnreceivedAcksResponse, error) {
	st, err := channelState(ctx, req.PortId, req.ChannelId)
	if err != nil {
		return nil, err
	}
	if err := checkSeqs(req.PacketAckSequences); err != nil {
		return nil, err
	}
	if _, ok := q.s.Channels.Channel(st.View, req.PortId, req.ChannelId); !ok {
		return nil, notFound("channel %s/%s not found", req.PortId, req.ChannelId)
	}
	seqs := q.s.Packets.UnreceivedAcks(st.View, req.PortId, req.ChannelId, req.PacketAckSequences)
	return &channeltypes.QueryUnreceivedAcksResponse{Sequences: nonNil(seqs), Height: q.s.height(st)}, nil
}

func nonNil(s []uint64) []uint64 {
	if s == nil {
		return []uint64{}
	}
	return s
}

// NextSequenceReceive answers the next sequence the channel's receiving
// end expects, with a proof.
func (q channelQuery) NextSequenceReceive(ctx context.Context, req *channeltypes.QueryNextSequenceReceiveRequest) (*channeltypes.QueryNextSequenceReceiveResponse, error) {
	st, err := channelState(ctx, req.PortId, req.ChannelId)
	if err != nil {
		return nil, err
	}
	seq, ok := q.s.Packets.NextSequenceRecv(st.View, req.PortId, req.ChannelId)
	if !ok {
		return nil, notFound("next sequence receive of %s/%s not found", req.PortId, req.ChannelId)
	}
	proof, ph, err := q.s.prove(st, commitment.NextSequenceRecvPath(req.PortId, req.ChannelId))
	if err != nil {
		return nil, err
	}
	return &channeltypes.QueryNextSequenceReceiveResponse{NextSequenceReceive: seq, Proof: proof, ProofHeight: ph}, nil
}

// NextSequenceSend answers the sequence the channel's next packet gets,
// with a proof.
func (q channelQuery) NextSequenceSend(ctx context.Context, req *channeltypes.QueryNextSequenceSendRequest) (*channeltypes.QueryNextSequenceSendResponse, error) {
	st, err := channelState(ctx, req.PortId, req.ChannelId)
	if err != nil {
		return nil, err
	}
	seq, ok := q.s.Packets.NextSequenceSend(st.View, req.PortId, req.ChannelId)
	if !ok {
		return nil, notFound("next sequence send of %s/%s not found", req.PortId, req.ChannelId)
	}
	proof, ph, err := q.s.prove(st, commitment.NextSequenceSendPath(req.PortId, req.ChannelId))
	if err != nil {
		return nil, err
	}
	return &channeltypes.QueryNextSequenceSendResponse{NextSequenceSend: seq, Proof: proof, ProofHeight: ph}, nil
}
