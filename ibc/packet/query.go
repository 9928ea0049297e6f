package packet

import (
	"fmt"
	"strconv"

	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"

	"github.com/abci-ics/ics/ibc/commitment"
	"github.com/abci-ics/ics/state"
)

// Queries read the store they are given (typically a committed
// state.View); none writes.

// NextSequenceSend returns the sequence the next packet sent on the
// channel gets.
func (k *Keeper) NextSequenceSend(s state.Store, portID, channelID string) (uint64, bool) {
	return getSeq(s, commitment.NextSequenceSendPath(portID, channelID))
}

// NextSequenceRecv returns the next sequence an ordered channel expects
// (it stays 1 on unordered channels).
func (k *Keeper) NextSequenceRecv(s state.Store, portID, channelID string) (uint64, bool) {
	return getSeq(s, commitment.NextSequenceRecvPath(portID, channelID))
}

// NextSequenceAck returns the next acknowledgement an ordered channel
// expects (it stays 1 on unordered channels).
func (k *Keeper) NextSequenceAck(s state.Store, portID, channelID string) (uint64, bool) {
	return getSeq(s, commitment.NextSequenceAckPath(portID, channelID))
}

// PacketCommitment returns the commitment of a sent packet that was
// neither acknowledged nor timed out, or nil.
func (k *Keeper) PacketCommitment(s state.Store, portID, channelID string, seq uint64) []byte {
	return kv(s).Get([]byte(commitment.PacketCommitmentPath(portID, channelID, seq)))
}

// PacketCommitments returns the sequences of the channel's packets that
// are still committed (sent, neither acknowledged nor timed out), in
// increasing order.
func (k *Keeper) PacketCommitments(s state.Store, portID, channelID string) []uint64 {
	var seqs []uint64
	prefix := commitmentsPrefix(portID, channelID)
	it := kv(s).Iterator(prefix, state.PrefixEnd(prefix))
	defer it.Close()
	for ; it.Valid(); it.Next() {
		seq, err := strconv.ParseUint(string(it.Key()[len(prefix):]), 10, 64)
		if err != nil {
			panic(fmt.Sprintf("packet: invariant broken: malformed commitment key %q", it.Key()))
		}
		seqs = append(seqs, seq)
	}
	return sortedSeqs(seqs)
}

// PacketReceipt reports whether an unordered channel received a packet.
func (k *Keeper) PacketReceipt(s state.Store, portID, channelID string, seq uint64) bool {
	return kv(s).Has([]byte(commitment.PacketReceiptPath(portID, channelID, seq)))
}

// PacketAcknowledgement returns the commitment (sha256) of the
// acknowledgement written for a received packet, or nil.
func (k *Keeper) PacketAcknowledgement(s state.Store, portID, channelID string, seq uint64) []byte {
	return kv(s).Get([]byte(commitment.PacketAcknowledgementPath(portID, channelID, seq)))
}

// UnreceivedPackets returns, of the sequences seqs sent to the channel
// portID/channelID of this chain, those it has not received yet, in the
// order given. It is asked on the receiving chain. Errors:
// ErrChannelNotFound.
func (k *Keeper) UnreceivedPackets(s state.Store, portID, channelID string, seqs []uint64) ([]uint64, error) {
	ch, ok := k.Channels.Channel(s, portID, channelID)
	if !ok {
		return nil, fmt.Errorf("%w: port %q channel %q", ErrChannelNotFound, portID, channelID)
	}
	var out []uint64
	if ch.Ordering == channeltypes.ORDERED {
		next := mustGetSeq(s, commitment.NextSequenceRecvPath(portID, channelID))
		for _, seq := range seqs {
			if seq >= next {
				out = append(out, seq)
			}
		}
		return out, nil
	}
	for _, seq := range seqs {
		if seq != 0 && !k.PacketReceipt(s, portID, channelID, seq) {
			out = append(out, seq)
		}
	}
	return out, nil
}

// UnreceivedAcks returns, of the sequences seqs sent on portID/channelID
// by this chain, those whose acknowledgement (or timeout) has not been
// processed yet, in the order given. It is asked on the sending chain.
func (k *Keeper) UnreceivedAcks(s state.Store, portID, channelID string, seqs []uint64) []uint64 {
	var out []uint64
	for _, seq := range seqs {
		if kv(s).Has([]byte(commitment.PacketCommitmentPath(portID, channelID, seq))) {
			out = append(out, seq)
		}
	}
	return out
}
