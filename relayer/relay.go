package relayer

import (
	"context"
	"encoding/binary"
	"fmt"
	"strings"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	gogoproto "github.com/cosmos/gogoproto/proto"
	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"

	"github.com/abci-ics/ics/ibc/channel"
	"github.com/abci-ics/ics/ibc/commitment"
)

// Progress counts what one relay pass did.
type Progress struct {
	Received int // packets delivered
	Acked    int // acknowledgements delivered
	TimedOut int // packets timed out on their sender
	Pending  int // packets still committed on either side after the pass
	HeightA  int64
	HeightB  int64
}

func (p Progress) String() string {
	return fmt.Sprintf("received %d, acked %d, timed out %d, pending %d (heights %d/%d)", p.Received, p.Acked, p.TimedOut, p.Pending, p.HeightA, p.HeightB)
}

// MaxBatch bounds the packets relayed in one transaction: with the client
// update it stays within the default message limit of a transaction (32).
const MaxBatch = 30

// RelayOnce relays, in both directions, every packet whose commitment the
// sender still holds: receives the ones the receiver has not received (or
// times them out on the sender once they expired), and brings back the
// acknowledgements of the ones it has. Everything is read from the chains,
// so a relayer restarted at any moment continues exactly.
func (l *Link) RelayOnce(ctx context.Context) (Progress, error) {
	var p Progress
	for _, dir := range [][2]*End{{l.A, l.B}, {l.B, l.A}} {
		if err := relayDirection(ctx, dir[0], dir[1], &p); err != nil {
			return p, err
		}
	}
	for _, e := range []*End{l.A, l.B} {
		var seqs []uint64
		if err := e.Chain.queryJSON(ctx, "/ibc/commitments/"+e.Port+"/"+e.Channel, &seqs); err != nil {
			return p, err
		}
		p.Pending += len(seqs)
	}
	p.HeightA, _ = l.A.Chain.height(ctx)
	p.HeightB, _ = l.B.Chain.height(ctx)
	return p, nil
}

func seqList(seqs []uint64) string {
	parts := make([]string, len(seqs))
	for i, s := range seqs {
		parts[i] = fmt.Sprint(s)
	}
	return strings.Join(parts, ",")
}

// relayDirection handles the packets sent by src to dst.
func relayDirection(ctx context.Context, src, dst *End, p *Progress) error {
	var committed []uint64
	if err := src.Chain.queryJSON(ctx, "/ibc/commitments/"+src.Port+"/"+src.Channel, &committed); err != nil {
		return err
	}
	if len(committed) == 0 {
		return nil
	}
	if len(committed) > 10*MaxBatch {
		committed = committed[:10*MaxBatch]
	}
	var unreceived []uint64
	if err := dst.Chain.queryJSON(ctx, "/ibc/unreceived/"+dst.Port+"/"+dst.Channel+"/"+seqList(committed), &unreceived); err != nil {
		return err
	}
	isUnreceived := map[uint64]bool{}
	for _, s := range unreceived {
		isUnreceived[s] = true
	}
	var received []uint64
	for _, s := range committed {
		if !isUnreceived[s] {
			received = append(received, s)
		}
	}
	// dst's latest header decides what has timed out.
	dh, err := dst.Chain.height(ctx)
	if err != nil {
		return err
	}
	dsh, _, err := dst.Chain.signedHeader(ctx, dh)
	if err != nil {
		return err
	}
	srcEnd, err := src.Chain.channelEnd(ctx, src.Port, src.Channel)
	if err != nil {
		return err
	}
	ordered := srcEnd.Ordering == channeltypes.ORDERED
	var toRecv, toTimeout []channeltypes.Packet
	written := map[uint64]abcitypes.Event{} // acknowledgements written in this pass
	for _, seq := range unreceived {
		e, err := src.Chain.findEvent(ctx, channel.EventSendPacket, "src", src.Port, src.Channel, seq)
		if err != nil {
			return err
		}
		pk, _, err := packetFromEvent(e)
		if err != nil {
			return err
		}
		if timedOut(pk, clienttypes.NewHeight(dst.Chain.revision(), uint64(dh)), dsh.Time) {
			toTimeout = append(toTimeout, pk)
			if ordered {
				// The first timeout closes an ordered channel: nothing
				// after it can be received.
				break
			}
		} else {
			toRecv = append(toRecv, pk)
		}
	}
	for len(toRecv) > 0 {
		batch := toRecv[:min(MaxBatch, len(toRecv))]
		toRecv = toRecv[len(batch):]
		paths := make([]string, len(batch))
		for i, pk := range batch {
			paths[i] = commitment.PacketCommitmentPath(pk.SourcePort, pk.SourceChannel, pk.Sequence)
		}
		res, err := proveAndSubmit(ctx, dst, src.Chain, paths, func(ps [][]byte, h clienttypes.Height) []gogoproto.Message {
			msgs := make([]gogoproto.Message, len(batch))
			for i := range batch {
				msgs[i] = &channel.MsgRecvPacket{Packet: marshal(&batch[i]), ProofCommitment: ps[i], ProofRevisionNumber: h.RevisionNumber, ProofRevisionHeight: h.RevisionHeight, Signer: dst.Chain.Submit.Address()}
			}
			return msgs
		})
		if err != nil {
			return fmt.Errorf("receive on %s: %w", dst.Chain.ID, err)
		}
		// The acknowledgements written by this transaction come with its
		// result: the node may not have indexed it yet.
		for _, pk := range batch {
			if e, ok := matchPacketEvent(res.Events, channel.EventWriteAck, "dst", dst.Port, dst.Channel, pk.Sequence); ok {
				written[pk.Sequence] = e
			}
		}
		p.Received += len(batch)
	}
	for _, pk := range toTimeout {
		if err := timeoutPacket(ctx, src, dst, pk, ordered); err != nil {
			return fmt.Errorf("timeout on %s: %w", src.Chain.ID, err)
		}
		p.TimedOut++
	}
	// Acknowledgements of packets dst received (including in this pass).
	received = append(received, toRecvDone(unreceived, toTimeout)...)
	for len(received) > 0 {
		batch := received[:min(MaxBatch, len(received))]
		received = received[len(batch):]
		packets := make([]channeltypes.Packet, len(batch))
		acks := make([][]byte, len(batch))
		paths := make([]string, len(batch))
		for i, seq := range batch {
			e, ok := written[seq]
			if !ok {
				if e, err = dst.Chain.findEvent(ctx, channel.EventWriteAck, "dst", dst.Port, dst.Channel, seq); err != nil {
					return err
				}
			}
			if packets[i], acks[i], err = packetFromEvent(e); err != nil {
				return err
			}
			paths[i] = commitment.PacketAcknowledgementPath(dst.Port, dst.Channel, seq)
		}
		if _, err := proveAndSubmit(ctx, src, dst.Chain, paths, func(ps [][]byte, h clienttypes.Height) []gogoproto.Message {
			msgs := make([]gogoproto.Message, len(batch))
			for i := range batch {
				msgs[i] = &channel.MsgAcknowledgement{Packet: marshal(&packets[i]), Acknowledgement: acks[i], ProofAcked: ps[i],
					ProofRevisionNumber: h.RevisionNumber, ProofRevisionHeight: h.RevisionHeight, Signer: src.Chain.Submit.Address()}
			}
			return msgs
		}); err != nil {
			return fmt.Errorf("acknowledge on %s: %w", src.Chain.ID, err)
		}
		p.Acked += len(batch)
	}
	return nil
}

// timeoutPacket times pk out on its sender src, with a proof that dst has
// not received it: the absence of its receipt on an unordered channel,
// dst's next receive sequence on an ordered one.
func timeoutPacket(ctx context.Context, src, dst *End, pk channeltypes.Packet, ordered bool) error {
	path := commitment.PacketReceiptPath(pk.DestinationPort, pk.DestinationChannel, pk.Sequence)
	if ordered {
		path = commitment.NextSequenceRecvPath(pk.DestinationPort, pk.DestinationChannel)
	}
	ps, h, up, values, err := proofsWithValues(ctx, src, dst.Chain, []string{path})
	if err != nil {
		return err
	}
	next := pk.Sequence
	if ordered {
		if len(values[0]) != 8 {
			return fmt.Errorf("%s: next receive sequence of %s/%s: %d bytes", dst.Chain.ID, pk.DestinationPort, pk.DestinationChannel, len(values[0]))
		}
		next = binary.BigEndian.Uint64(values[0])
	}
	msgs := []gogoproto.Message{&channel.MsgTimeout{Packet: marshal(&pk), ProofUnreceived: ps[0], ProofRevisionNumber: h.RevisionNumber,
		ProofRevisionHeight: h.RevisionHeight, NextSequenceRecv: next, Signer: src.Chain.Submit.Address()}}
	if up != nil {
		msgs = append([]gogoproto.Message{up}, msgs...)
	}
	_, err = src.Chain.submit(ctx, msgs...)
	return err
}

// toRecvDone returns the sequences of unreceived that were delivered (all
// but the timed-out ones).
func toRecvDone(unreceived []uint64, timedOut []channeltypes.Packet) []uint64 {
	skip := map[uint64]bool{}
	for _, pk := range timedOut {
		skip[pk.Sequence] = true
	}
	var out []uint64
	for _, s := range unreceived {
		if !skip[s] {
			out = append(out, s)
		}
	}
	return out
}

// timedOut reports whether pk can no longer be received by a chain at
// height h and time t.
func timedOut(pk channeltypes.Packet, h clienttypes.Height, t time.Time) bool {
	if !pk.TimeoutHeight.IsZero() && h.GTE(pk.TimeoutHeight) {
		return true
	}
	return pk.TimeoutTimestamp != 0 && uint64(t.UnixNano()) >= pk.TimeoutTimestamp
}

// UpdateClients brings each chain's client of the other to the other's
// latest header, so that clients do not expire while no packet flows.
func (l *Link) UpdateClients(ctx context.Context) error {
	for _, dir := range [][2]*End{{l.A, l.B}, {l.B, l.A}} {
		if err := updateClient(ctx, dir[0], dir[1].Chain); err != nil {
			return err
		}
	}
	return nil
}

// updateClient brings dst's client of src to src's latest header.
func updateClient(ctx context.Context, dst *End, src *Chain) error {
	h, err := src.height(ctx)
	if err != nil {
		return err
	}
	up, err := updateMsg(ctx, dst, src, h)
	if err != nil || up == nil {
		return err
	}
	if _, err := dst.Chain.submit(ctx, up); err != nil {
		return fmt.Errorf("update client %s on %s: %w", dst.Client, dst.Chain.ID, err)
	}
	return nil
}

// RefreshStaleClients updates each chain's client of the other whose
// latest consensus state is older than frac of its trusting period, as
// measured by the other chain's latest block time, and reports how many
// it updated. Clients with a short trusting period (the provider's client
// of a consumer trusts for 0.66 x the consumer's unbonding period) are so
// kept alive whatever the relayer's fixed refresh interval.
func (l *Link) RefreshStaleClients(ctx context.Context, frac float64) (int, error) {
	n := 0
	for _, dir := range [][2]*End{{l.A, l.B}, {l.B, l.A}} {
		dst, src := dir[0], dir[1].Chain
		stale, err := clientStale(ctx, dst, src, frac)
		if err != nil {
			return n, err
		}
		if !stale {
			continue
		}
		if err := updateClient(ctx, dst, src); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// clientStale reports whether dst's client of src last trusted a header
// more than frac of its trusting period before src's latest block.
func clientStale(ctx context.Context, dst *End, src *Chain, frac float64) (bool, error) {
	cs, err := dst.Chain.clientState(ctx, dst.Client)
	if err != nil {
		return false, err
	}
	cons, ok, err := dst.Chain.consensusState(ctx, dst.Client, cs.LatestHeight)
	if err != nil {
		return false, err
	}
	if !ok {
		return true, nil
	}
	st, err := src.RPC.Status(ctx)
	if err != nil {
		return false, fmt.Errorf("%s: status: %w", src.ID, err)
	}
	age := st.SyncInfo.LatestBlockTime.Sub(cons.Timestamp)
	return age >= time.Duration(frac*float64(cs.TrustingPeriod)), nil
}

// Task is extra work Run does after each relay pass, such as watching a
// consumer for evidence; an error is reported and the work retried at the
// next pass.
type Task func(ctx context.Context) error

// StaleFraction is the part of a client's trusting period after which Run
// updates it even when no packet flows.
const StaleFraction = 1.0 / 3

// Run relays every interval until ctx ends, reporting each pass that did
// something (or failed) to report. It updates both clients at least every
// refresh, and any client whose last header is older than StaleFraction of
// its trusting period at once; then it runs tasks.
func (l *Link) Run(ctx context.Context, interval, refresh time.Duration, report func(Progress, error), tasks ...Task) {
	lastRefresh := time.Now()
	for {
		p, err := l.RelayOnce(ctx)
		if err == nil {
			if time.Since(lastRefresh) >= refresh {
				if err = l.UpdateClients(ctx); err == nil {
					lastRefresh = time.Now()
				}
			} else {
				_, err = l.RefreshStaleClients(ctx, StaleFraction)
			}
		}
		for _, t := range tasks {
			if err != nil {
				break
			}
			err = t(ctx)
		}
		if ctx.Err() != nil {
			return
		}
		if err != nil || p.Received+p.Acked+p.TimedOut > 0 {
			report(p, err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(interval):
		}
	}
}
