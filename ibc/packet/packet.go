package packet

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"

	"github.com/abci-ics/ics/ibc/commitment"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/state/typed"
)

// SendPacket commits a packet with data on an OPEN channel and returns its
// sequence and its send_packet event, which the caller returns with the
// events of the step that sent it. A timeout height (in the counterparty's
// heights) or timestamp (Unix ns) is required, and a packet that would
// already be timed out on the counterparty's latest state known to our
// client is refused. Errors:
// ErrChannelNotFound, ErrChannelClosed, ErrInvalidChannelState,
// ErrConnectionNotFound, ErrInvalidConnectionState, ErrInvalidTimeout,
// ErrInvalidPacket, ErrClientNotActive, ErrInvalidHeight,
// ErrConsensusStateNotFound, ErrTimeoutElapsed. Nothing is written on
// error.
func (k *Keeper) SendPacket(s state.Store, height int64, now time.Time, sourcePort, sourceChannel string, timeoutHeight clienttypes.Height, timeoutTimestamp uint64, data []byte) (uint64, []abci.Event, error) {
	var seq uint64
	events, err := state.Atomic(s, func(c state.Store) ([]abci.Event, error) {
		ch, conn, err := k.Channels.Open(c, sourcePort, sourceChannel)
		if err != nil {
			return nil, err
		}
		if timeoutHeight.IsZero() && timeoutTimestamp == 0 {
			return nil, ErrInvalidTimeout
		}
		seq = mustGetSeq(c, commitment.NextSequenceSendPath(sourcePort, sourceChannel))
		p := channeltypes.NewPacket(data, seq, sourcePort, sourceChannel,
			ch.Counterparty.PortId, ch.Counterparty.ChannelId, timeoutHeight, timeoutTimestamp)
		if err := validatePacket(p); err != nil {
			return nil, err
		}
		if err := k.clientActive(c, conn.ClientId, now); err != nil {
			return nil, err
		}
		latest := k.Clients.LatestHeight(c, conn.ClientId)
		if latest.IsZero() {
			return nil, fmt.Errorf("%w: client %q has a zero latest height", ErrInvalidHeight, conn.ClientId)
		}
		latestTime, err := k.consensusTime(c, conn.ClientId, latest)
		if err != nil {
			return nil, err
		}
		if channeltypes.NewTimeout(timeoutHeight, timeoutTimestamp).Elapsed(latest, latestTime) {
			return nil, fmt.Errorf("%w: timeout %s / %d, counterparty at %s / %d", ErrTimeoutElapsed,
				timeoutHeight, timeoutTimestamp, latest, latestTime)
		}
		kv(c).Set([]byte(commitment.PacketCommitmentPath(sourcePort, sourceChannel, seq)), channeltypes.CommitPacket(p))
		setSeq(c, commitment.NextSequenceSendPath(sourcePort, sourceChannel), seq+1)
		return []abci.Event{packetEvent(EventSendPacket, p, ch, true, nil)}, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return seq, events, nil
}

func (k *Keeper) consensusTime(s state.Store, clientID string, h clienttypes.Height) (uint64, error) {
	t, err := k.Clients.ConsensusStateTimestamp(s, clientID, h)
	if err != nil {
		return 0, fmt.Errorf("%w: client %q at %s: %w", ErrConsensusStateNotFound, clientID, h, err)
	}
	return t, nil
}

// RecvPacket receives a packet sent by the counterparty of its destination
// channel: the channel must be OPEN, the packet from the channel's
// counterparty, not timed out at this chain's height (Keeper.Revision,
// height) and time now, not received before (ordered channels: exactly
// the next sequence), and committed on the counterparty as proven at
// proofHeight. The port's application then processes it on a cache that
// is kept only for a successful acknowledgement, and the acknowledgement
// is written (synchronously) at once. It returns the acknowledgement.
// Errors: ErrInvalidPacket, ErrChannelNotFound, ErrChannelClosed,
// ErrInvalidChannelState, ErrConnectionNotFound,
// ErrInvalidConnectionState, ErrTimeoutElapsed, ErrPacketAlreadyReceived
// (nothing done), ErrPacketOutOfOrder, ErrInvalidHeight,
// ErrClientNotActive, ErrInvalidProof, ErrPortNotBound,
// ErrInvalidAcknowledgement (the application returned a malformed one).
// Nothing is written on error.
func (k *Keeper) RecvPacket(s state.Store, height int64, now time.Time, p channeltypes.Packet, proof []byte, proofHeight clienttypes.Height, relayer []byte) (channeltypes.Acknowledgement, []abci.Event, error) {
	var ack channeltypes.Acknowledgement
	events, err := state.Atomic(s, func(c state.Store) ([]abci.Event, error) {
		if err := validatePacket(p); err != nil {
			return nil, err
		}
		dstPort, dstChannel, seq := p.DestinationPort, p.DestinationChannel, p.Sequence
		ch, conn, err := k.Channels.Open(c, dstPort, dstChannel)
		if err != nil {
			return nil, err
		}
		if p.SourcePort != ch.Counterparty.PortId || p.SourceChannel != ch.Counterparty.ChannelId {
			return nil, fmt.Errorf("%w: from %s/%s, channel %s/%s expects %s/%s", ErrInvalidPacket,
				p.SourcePort, p.SourceChannel, dstPort, dstChannel, ch.Counterparty.PortId, ch.Counterparty.ChannelId)
		}
		selfHeight, selfTime := clienttypes.NewHeight(k.Revision, uint64(max(height, 0))), uint64(max(now.UnixNano(), 0))
		if channeltypes.NewTimeout(p.TimeoutHeight, p.TimeoutTimestamp).Elapsed(selfHeight, selfTime) {
			return nil, fmt.Errorf("%w: packet %d times out at %s / %d, now %s / %d", ErrTimeoutElapsed,
				seq, p.TimeoutHeight, p.TimeoutTimestamp, selfHeight, selfTime)
		}
		switch ch.Ordering {
		case channeltypes.ORDERED:
			next := mustGetSeq(c, commitment.NextSequenceRecvPath(dstPort, dstChannel))
			if seq < next {
				return nil, fmt.Errorf("%w: sequence %d on ordered %s/%s, next is %d", ErrPacketAlreadyReceived, seq, dstPort, dstChannel, next)
			}
			if seq > next {
				return nil, fmt.Errorf("%w: sequence %d on ordered %s/%s, next is %d", ErrPacketOutOfOrder, seq, dstPort, dstChannel, next)
			}
		default:
			if kv(c).Has([]byte(commitment.PacketReceiptPath(dstPort, dstChannel, seq))) {
				return nil, fmt.Errorf("%w: sequence %d on %s/%s", ErrPacketAlreadyReceived, seq, dstPort, dstChannel)
			}
		}
		if err := k.Connections.VerifyMembership(c, now, conn, proofHeight, proof,
			commitment.PacketCommitmentPath(p.SourcePort, p.SourceChannel, seq), channeltypes.CommitPacket(p)); err != nil {
			return nil, err
		}
		app, err := k.Channels.PortApp(dstPort)
		if err != nil {
			return nil, err
		}
		if ch.Ordering == channeltypes.ORDERED {
			setSeq(c, commitment.NextSequenceRecvPath(dstPort, dstChannel), seq+1)
		} else {
			kv(c).Set([]byte(commitment.PacketReceiptPath(dstPort, dstChannel, seq)), receiptValue)
		}

		appState := state.NewCache(c)
		ack, appEvents := app.OnRecvPacket(appState, height, now, p, relayer)
		if err := checkAck(ack); err != nil {
			return nil, fmt.Errorf("application on port %q returned it: %w", dstPort, err)
		}
		if ack.Success() {
			appState.Write()
		}
		ackBytes, err := k.writeAcknowledgement(c, p, ack)
		if err != nil {
			return nil, err
		}
		return append([]abci.Event{
			packetEvent(EventRecvPacket, p, ch, true, nil),
			packetEvent(EventWriteAck, p, ch, true, ackBytes),
		}, appEvents...), nil
	})
	if err != nil {
		return channeltypes.Acknowledgement{}, nil, err
	}
	return ack, events, nil
}

// writeAcknowledgement stores the commitment of a received packet's
// acknowledgement and returns the acknowledgement bytes (its JSON
// encoding, which the counterparty proves). Receipts and sequences make
// a second write impossible; it is refused all the same.
func (k *Keeper) writeAcknowledgement(s state.Store, p channeltypes.Packet, ack channeltypes.Acknowledgement) ([]byte, error) {
	key := []byte(commitment.PacketAcknowledgementPath(p.DestinationPort, p.DestinationChannel, p.Sequence))
	if kv(s).Has(key) {
		return nil, fmt.Errorf("%w: acknowledgement of %d already written", ErrPacketAlreadyReceived, p.Sequence)
	}
	bz := ack.Acknowledgement()
	kv(s).Set(key, channeltypes.CommitAcknowledgement(bz))
	return bz, nil
}

// checkAck returns ErrInvalidAcknowledgement for an acknowledgement
// without a result or an error message.
func checkAck(ack channeltypes.Acknowledgement) error {
	switch r := ack.Response.(type) {
	case *channeltypes.Acknowledgement_Result:
		if len(r.Result) == 0 {
			return fmt.Errorf("%w: empty result", ErrInvalidAcknowledgement)
		}
	case *channeltypes.Acknowledgement_Error:
		if strings.TrimSpace(r.Error) == "" {
			return fmt.Errorf("%w: empty error", ErrInvalidAcknowledgement)
		}
	default:
		return fmt.Errorf("%w: no response", ErrInvalidAcknowledgement)
	}
	return nil
}

// DecodeAcknowledgement decodes acknowledgement bytes as written by a
// counterparty: the JSON form of an ibc-go Acknowledgement ({"result":
// base64} or {"error": text}), which must be canonical (re-encoding it
// gives the same bytes). Errors: ErrInvalidAcknowledgement.
func DecodeAcknowledgement(bz []byte) (channeltypes.Acknowledgement, error) {
	var ack channeltypes.Acknowledgement
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(bz, &fields); err != nil {
		return ack, fmt.Errorf("%w: %v", ErrInvalidAcknowledgement, err)
	}
	if len(fields) != 1 {
		return ack, fmt.Errorf("%w: %d fields, want result or error", ErrInvalidAcknowledgement, len(fields))
	}
	if raw, ok := fields["result"]; ok {
		var result []byte
		if err := json.Unmarshal(raw, &result); err != nil {
			return ack, fmt.Errorf("%w: result: %v", ErrInvalidAcknowledgement, err)
		}
		ack = channeltypes.NewResultAcknowledgement(result)
	} else if raw, ok := fields["error"]; ok {
		var msg string
		if err := json.Unmarshal(raw, &msg); err != nil {
			return ack, fmt.Errorf("%w: error: %v", ErrInvalidAcknowledgement, err)
		}
		ack = channeltypes.Acknowledgement{Response: &channeltypes.Acknowledgement_Error{Error: msg}}
	} else {
		return ack, fmt.Errorf("%w: want a result or an error field", ErrInvalidAcknowledgement)
	}
	if err := checkAck(ack); err != nil {
		return channeltypes.Acknowledgement{}, err
	}
	if !bytes.Equal(ack.Acknowledgement(), bz) {
		return channeltypes.Acknowledgement{}, fmt.Errorf("%w: not in canonical form", ErrInvalidAcknowledgement)
	}
	return ack, nil
}

// sentPacket loads the channel a packet was sent on and checks the
// packet's destination and stored commitment.
func (k *Keeper) sentPacket(s state.Store, p channeltypes.Packet, ch channeltypes.Channel) error {
	if p.DestinationPort != ch.Counterparty.PortId || p.DestinationChannel != ch.Counterparty.ChannelId {
		return fmt.Errorf("%w: to %s/%s, channel %s/%s leads to %s/%s", ErrInvalidPacket,
			p.DestinationPort, p.DestinationChannel, p.SourcePort, p.SourceChannel, ch.Counterparty.PortId, ch.Counterparty.ChannelId)
	}
	commitment := kv(s).Get([]byte(commitment.PacketCommitmentPath(p.SourcePort, p.SourceChannel, p.Sequence)))
	if commitment == nil {
		return fmt.Errorf("%w: sequence %d on %s/%s", ErrPacketCommitmentNotFound, p.Sequence, p.SourcePort, p.SourceChannel)
	}
	if !bytes.Equal(commitment, channeltypes.CommitPacket(p)) {
		return fmt.Errorf("%w: does not match the commitment of sequence %d", ErrInvalidPacket, p.Sequence)
	}
	return nil
}

// AcknowledgePacket processes the acknowledgement ackBytes of a packet this
// chain sent on an OPEN channel: the packet must match its stored
// commitment, the acknowledgement must be proven written by the
// counterparty at proofHeight, and on ordered channels be the next one
// expected. The commitment is deleted and the application called; its
// error fails the whole step. Errors: ErrInvalidPacket, ErrChannelNotFound,
// ErrChannelClosed, ErrInvalidChannelState, ErrConnectionNotFound,
// ErrInvalidConnectionState, ErrPacketCommitmentNotFound (already
// acknowledged or timed out), ErrInvalidAcknowledgement,
// ErrPacketOutOfOrder, ErrInvalidHeight, ErrClientNotActive,
// ErrInvalidProof, ErrPortNotBound, ErrAppRejected. Nothing is written on
// error.
func (k *Keeper) AcknowledgePacket(s state.Store, height int64, now time.Time, p channeltypes.Packet, ackBytes []byte, proof []byte, proofHeight clienttypes.Height, relayer []byte) ([]abci.Event, error) {
	return state.Atomic(s, func(c state.Store) ([]abci.Event, error) {
		if err := validatePacket(p); err != nil {
			return nil, err
		}
		srcPort, srcChannel, seq := p.SourcePort, p.SourceChannel, p.Sequence
		ch, conn, err := k.Channels.Open(c, srcPort, srcChannel)
		if err != nil {
			return nil, err
		}
		if err := k.sentPacket(c, p, ch); err != nil {
			return nil, err
		}
		ack, err := DecodeAcknowledgement(ackBytes)
		if err != nil {
			return nil, err
		}
		if ch.Ordering == channeltypes.ORDERED {
			next := mustGetSeq(c, commitment.NextSequenceAckPath(srcPort, srcChannel))
			if seq != next {
				return nil, fmt.Errorf("%w: acknowledgement of %d on ordered %s/%s, next is %d", ErrPacketOutOfOrder, seq, srcPort, srcChannel, next)
			}
			setSeq(c, commitment.NextSequenceAckPath(srcPort, srcChannel), next+1)
		}
		if err := k.Connections.VerifyMembership(c, now, conn, proofHeight, proof,
			commitment.PacketAcknowledgementPath(p.DestinationPort, p.DestinationChannel, seq), channeltypes.CommitAcknowledgement(ackBytes)); err != nil {
			return nil, err
		}
		app, err := k.Channels.PortApp(srcPort)
		if err != nil {
			return nil, err
		}
		kv(c).Delete([]byte(commitment.PacketCommitmentPath(srcPort, srcChannel, seq)))
		appEvents, err := app.OnAcknowledgementPacket(c, height, now, p, ack, relayer)
		if err != nil {
			return nil, appError(srcPort, err)
		}
		return append([]abci.Event{packetEvent(EventAcknowledgePacket, p, ch, false, nil)}, appEvents...), nil
	})
}

// TimeoutPacket processes the timeout of a packet this chain sent: the
// packet must match its stored commitment, the counterparty's state at
// proofHeight must be past the packet's timeout height or timestamp, and
// the packet must be proven not received there (unordered: no receipt;
// ordered: the proven nextSequenceRecv is at most the packet's sequence).
// The commitment is deleted, an ordered channel is closed, and the
// application is called; its error fails the whole step. Timeouts are
// accepted on a CLOSED channel too, so that packets in flight when it
// closed can still be refunded. Errors: ErrInvalidPacket,
// ErrChannelNotFound, ErrInvalidChannelState, ErrConnectionNotFound,
// ErrPacketCommitmentNotFound, ErrInvalidHeight,
// ErrConsensusStateNotFound, ErrTimeoutNotReached,
// ErrPacketAlreadyReceived, ErrClientNotActive, ErrInvalidProof,
// ErrPortNotBound, ErrAppRejected. Nothing is written on error.
func (k *Keeper) TimeoutPacket(s state.Store, height int64, now time.Time, p channeltypes.Packet, proof []byte, proofHeight clienttypes.Height, nextSequenceRecv uint64, relayer []byte) ([]abci.Event, error) {
	return state.Atomic(s, func(c state.Store) ([]abci.Event, error) {
		if err := validatePacket(p); err != nil {
			return nil, err
		}
		srcPort, srcChannel, seq := p.SourcePort, p.SourceChannel, p.Sequence
		ch, ok := k.Channels.Channel(c, srcPort, srcChannel)
		if !ok {
			return nil, fmt.Errorf("%w: port %q channel %q", ErrChannelNotFound, srcPort, srcChannel)
		}
		if ch.State != channeltypes.OPEN && ch.State != channeltypes.CLOSED {
			return nil, fmt.Errorf("%w: %s/%s is %s", ErrInvalidChannelState, srcPort, srcChannel, ch.State)
		}
		conn, ok := k.Connections.Connection(c, ch.ConnectionHops[0])
		if !ok {
			return nil, fmt.Errorf("%w: %q", ErrConnectionNotFound, ch.ConnectionHops[0])
		}
		if err := k.sentPacket(c, p, ch); err != nil {
			return nil, err
		}
		if proofHeight.IsZero() {
			return nil, fmt.Errorf("%w: zero", ErrInvalidHeight)
		}
		proofTime, err := k.consensusTime(c, conn.ClientId, proofHeight)
		if err != nil {
			return nil, err
		}
		if !channeltypes.NewTimeout(p.TimeoutHeight, p.TimeoutTimestamp).Elapsed(proofHeight, proofTime) {
			return nil, fmt.Errorf("%w: packet %d times out at %s / %d, proof at %s / %d", ErrTimeoutNotReached,
				seq, p.TimeoutHeight, p.TimeoutTimestamp, proofHeight, proofTime)
		}
		if ch.Ordering == channeltypes.ORDERED {
			if nextSequenceRecv > seq {
				return nil, fmt.Errorf("%w: next receive sequence %d is past %d", ErrPacketAlreadyReceived, nextSequenceRecv, seq)
			}
			err = k.Connections.VerifyMembership(c, now, conn, proofHeight, proof,
				commitment.NextSequenceRecvPath(p.DestinationPort, p.DestinationChannel), typed.U64(nextSequenceRecv))
		} else {
			err = k.Connections.VerifyNonMembership(c, now, conn, proofHeight, proof,
				commitment.PacketReceiptPath(p.DestinationPort, p.DestinationChannel, seq))
		}
		if err != nil {
			return nil, err
		}
		app, err := k.Channels.PortApp(srcPort)
		if err != nil {
			return nil, err
		}
		kv(c).Delete([]byte(commitment.PacketCommitmentPath(srcPort, srcChannel, seq)))
		var events []abci.Event
		if ch.Ordering == channeltypes.ORDERED {
			k.Channels.SetClosed(c, srcPort, srcChannel)
			ch.State = channeltypes.CLOSED
			events = append(events, channelClosedEvent(p, ch))
		}
		appEvents, err := app.OnTimeoutPacket(c, height, now, p, relayer)
		if err != nil {
			return nil, appError(srcPort, err)
		}
		events = append(events, packetEvent(EventTimeoutPacket, p, ch, false, nil))
		return append(events, appEvents...), nil
	})
}
