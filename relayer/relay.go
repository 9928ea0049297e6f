package relayer

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	gogoproto "github.com/cosmos/gogoproto/proto"
	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"

	"github.com/abci-ics/ics/ibc/commitment"
	"github.com/abci-ics/ics/ibc/packet"
	"github.com/abci-ics/ics/interchain"
)

// Progress counts what one relay pass did.
type Progress struct {
	Received int // packets delivered
	Acked    int // acknowledgements delivered
	TimedOut int // packets timed out on their sender
	Pending  int // packets still committed on either side after the pass
	// UpdatesA and UpdatesB are the client updates the pass sent to A
	// and to B (ClientUpdates), intermediate bisection steps included.
	UpdatesA, UpdatesB int
	// ClosedOn is the chain whose channel end the pass closed to match
	// its counterparty's (ConfirmClose); empty when it closed none.
	ClosedOn string
	// HeightA and HeightB are the chains' latest heights after the pass;
	// zero when it failed before reading them.
	HeightA, HeightB int64
	// LagA is how many blocks A's latest height is ahead of B's client of
	// A after the pass (LagB the other way); -1 when unknown, zero like
	// the heights when the pass failed before reading them.
	LagA, LagB int64
}

func (p Progress) String() string {
	s := fmt.Sprintf("received %d, acked %d, timed out %d, pending %d, client updates %d/%d (heights %d/%d)",
		p.Received, p.Acked, p.TimedOut, p.Pending, p.UpdatesA, p.UpdatesB, p.HeightA, p.HeightB)
	if p.ClosedOn != "" {
		s += ", channel closed on " + p.ClosedOn
	}
	return s
}

// Did reports whether the pass changed anything on a chain.
func (p Progress) Did() bool {
	return p.Received+p.Acked+p.TimedOut+p.UpdatesA+p.UpdatesB > 0 || p.ClosedOn != ""
}

// MaxBatch bounds the packets relayed in one transaction: with the client
// update it stays within the default message limit of a transaction (32).
const MaxBatch = 30

// RelayOnce relays, in both directions, every packet whose commitment the
// sender still holds: receives the ones the receiver has not received (or
// times them out on the sender once they expired), and brings back the
// acknowledgements of the ones it has. Then, when one end of the channel
// is CLOSED and the other is not, it closes the other (ConfirmClose).
// Everything is read from the chains, so a relayer restarted at any
// moment continues exactly.
func (l *Link) RelayOnce(ctx context.Context) (p Progress, err error) {
	defer l.countUpdates(&p)()
	for _, dir := range [][2]*End{{l.A, l.B}, {l.B, l.A}} {
		if err := l.relayDirection(ctx, dir[0], dir[1], &p); err != nil {
			return p, err
		}
	}
	if p.ClosedOn, err = l.ConfirmClose(ctx); err != nil {
		return p, err
	}
	for _, e := range []*End{l.A, l.B} {
		var seqs []uint64
		if err := e.Chain.QueryJSON(ctx, interchain.PathIBCCommitments+e.Port+"/"+e.Channel, &seqs); err != nil {
			return p, err
		}
		p.Pending += len(seqs)
	}
	p.HeightA, _ = l.A.Chain.Height(ctx)
	p.HeightB, _ = l.B.Chain.Height(ctx)
	p.LagA, p.LagB = lag(ctx, p.HeightA, l.B), lag(ctx, p.HeightB, l.A)
	return p, nil
}

// countUpdates returns the function that sets p's client update counts
// to those sent since countUpdates was called.
func (l *Link) countUpdates(p *Progress) func() {
	a, b := l.A.Chain.ClientUpdates(), l.B.Chain.ClientUpdates()
	return func() {
		p.UpdatesA, p.UpdatesB = int(l.A.Chain.ClientUpdates()-a), int(l.B.Chain.ClientUpdates()-b)
	}
}

// lag returns how many blocks height h of the chain e's client tracks is
// ahead of the client; -1 when h or the client's height is unknown.
func lag(ctx context.Context, h int64, e *End) int64 {
	ch, err := e.Chain.clientHeight(ctx, e.Client)
	if err != nil || h == 0 {
		return -1
	}
	return h - int64(ch.RevisionHeight)
}

func seqList(seqs []uint64) string {
	parts := make([]string, len(seqs))
	for i, s := range seqs {
		parts[i] = fmt.Sprint(s)
	}
	return strings.Join(parts, ",")
}

// Pending is the work a relay pass finds for the packets one end sent.
type Pending struct {
	// Recv are the packets the other end has not received and can still
	// receive, in sequence order.
	Recv []channeltypes.Packet
	// Timeout are the packets that can no longer be received, to time out
	// on the sender (on an ordered channel at most one, the first).
	Timeout []channeltypes.Packet
	// Acked are the sequences the other end has received whose
	// acknowledgement the sender has not processed yet.
	Acked []uint64
	// Ordered is whether the channel is ordered.
	Ordered bool
	// SrcClosed is whether src's end is not OPEN: it takes no
	// acknowledgement, so Acked is empty and none is brought back for
	// the packets delivered from Recv.
	SrcClosed bool
}

// PendingFrom reads from both chains the packets src sent to dst that
// still need work: at most 10 x MaxBatch of them, oldest first. A closed
// end neither receives packets nor takes acknowledgements, so when dst's
// end is not OPEN, Recv is empty: the packets it did not receive can only
// be timed out, once their timeout has passed (the channel layer has no
// timeout on close); when src's end is not OPEN, Acked is empty.
func PendingFrom(ctx context.Context, src, dst *End) (Pending, error) {
	var out Pending
	var committed []uint64
	if err := src.Chain.QueryJSON(ctx, interchain.PathIBCCommitments+src.Port+"/"+src.Channel, &committed); err != nil {
		return out, err
	}
	if len(committed) == 0 {
		return out, nil
	}
	if len(committed) > 10*MaxBatch {
		committed = committed[:10*MaxBatch]
	}
	var unreceived []uint64
	if err := dst.Chain.QueryJSON(ctx, interchain.PathIBCUnreceived+dst.Port+"/"+dst.Channel+"/"+seqList(committed), &unreceived); err != nil {
		return out, err
	}
	srcEnd, err := src.Chain.channelEnd(ctx, src.Port, src.Channel)
	if err != nil {
		return out, err
	}
	dstEnd, err := dst.Chain.channelEnd(ctx, dst.Port, dst.Channel)
	if err != nil {
		return out, err
	}
	out.Ordered = srcEnd.Ordering == channeltypes.ORDERED
	out.SrcClosed = srcEnd.State != channeltypes.OPEN
	isUnreceived := map[uint64]bool{}
	for _, s := range unreceived {
		isUnreceived[s] = true
	}
	for _, s := range committed {
		if !isUnreceived[s] && !out.SrcClosed {
			out.Acked = append(out.Acked, s)
		}
	}
	// dst's latest header decides what has timed out.
	dh, err := dst.Chain.Height(ctx)
	if err != nil {
		return out, err
	}
	dsh, _, err := dst.Chain.signedHeader(ctx, dh)
	if err != nil {
		return out, err
	}
	for _, seq := range unreceived {
		e, err := src.Chain.findEvent(ctx, packet.EventSendPacket, "src", src.Port, src.Channel, seq)
		if err != nil {
			return out, err
		}
		pk, _, err := PacketFromEvent(e)
		if err != nil {
			return out, err
		}
		if timedOut(pk, clienttypes.NewHeight(dst.Chain.revision(), uint64(dh)), dsh.Time) {
			out.Timeout = append(out.Timeout, pk)
			if out.Ordered {
				// The first timeout closes an ordered channel: nothing
				// after it can be received.
				break
			}
		} else if dstEnd.State == channeltypes.OPEN {
			out.Recv = append(out.Recv, pk)
		}
	}
	return out, nil
}

// RecvMsgs returns the messages that deliver on dst the packets src sent:
// the client update the proofs need, then one MsgRecvPacket per packet,
// proven in src's latest state (Prove).
func RecvMsgs(ctx context.Context, dst, src *End, packets []channeltypes.Packet) ([]gogoproto.Message, error) {
	paths := make([]string, len(packets))
	for i, pk := range packets {
		paths[i] = commitment.PacketCommitmentPath(pk.SourcePort, pk.SourceChannel, pk.Sequence)
	}
	ps, err := Prove(ctx, dst, src.Chain, paths)
	if err != nil {
		return nil, err
	}
	msgs := make([]gogoproto.Message, len(packets))
	for i := range packets {
		msgs[i] = &packet.MsgRecvPacket{Packet: marshal(&packets[i]), ProofCommitment: ps.Proofs[i], ProofRevisionNumber: ps.Height.RevisionNumber,
			ProofRevisionHeight: ps.Height.RevisionHeight, Signer: dst.Chain.Submit.Address()}
	}
	return ps.Messages(msgs...), nil
}

// AckMsgs returns the messages that bring back to src, the packets'
// sender, the acknowledgements acks that dst wrote for packets: the client
// update the proofs need, then one MsgAcknowledgement per packet.
func AckMsgs(ctx context.Context, src, dst *End, packets []channeltypes.Packet, acks [][]byte) ([]gogoproto.Message, error) {
	paths := make([]string, len(packets))
	for i, pk := range packets {
		paths[i] = commitment.PacketAcknowledgementPath(pk.DestinationPort, pk.DestinationChannel, pk.Sequence)
	}
	ps, err := Prove(ctx, src, dst.Chain, paths)
	if err != nil {
		return nil, err
	}
	msgs := make([]gogoproto.Message, len(packets))
	for i := range packets {
		msgs[i] = &packet.MsgAcknowledgement{Packet: marshal(&packets[i]), Acknowledgement: acks[i], ProofAcked: ps.Proofs[i],
			ProofRevisionNumber: ps.Height.RevisionNumber, ProofRevisionHeight: ps.Height.RevisionHeight, Signer: src.Chain.Submit.Address()}
	}
	return ps.Messages(msgs...), nil
}

// relayDirection handles the packets sent by src to dst.
func (l *Link) relayDirection(ctx context.Context, src, dst *End, p *Progress) error {
	work, err := PendingFrom(ctx, src, dst)
	if err != nil {
		return err
	}
	toRecv := work.Recv
	if l.Intercept != nil && len(toRecv) > 0 {
		toRecv = l.Intercept(src, toRecv)
	}
	written := map[uint64]abcitypes.Event{} // acknowledgements written in this pass
	var delivered []uint64
	for len(toRecv) > 0 {
		batch := toRecv[:min(MaxBatch, len(toRecv))]
		toRecv = toRecv[len(batch):]
		msgs, err := RecvMsgs(ctx, dst, src, batch)
		if err != nil {
			return fmt.Errorf("receive on %s: %w", dst.Chain.ID, err)
		}
		res, err := dst.Chain.submit(ctx, msgs...)
		if err != nil {
			return fmt.Errorf("receive on %s: %w", dst.Chain.ID, err)
		}
		// The acknowledgements written by this transaction come with its
		// result: the node may not have indexed it yet.
		for _, pk := range batch {
			if e, ok := matchPacketEvent(res.Events, packet.EventWriteAck, "dst", dst.Port, dst.Channel, pk.Sequence); ok {
				written[pk.Sequence] = e
			}
			delivered = append(delivered, pk.Sequence)
		}
		p.Received += len(batch)
	}
	for _, pk := range work.Timeout {
		if err := timeoutPacket(ctx, src, dst, pk, work.Ordered); err != nil {
			return fmt.Errorf("timeout on %s: %w", src.Chain.ID, err)
		}
		p.TimedOut++
	}
	// Acknowledgements of packets dst received (including in this pass).
	received := append(work.Acked, delivered...)
	if work.SrcClosed {
		received = nil
	}
	for len(received) > 0 {
		batch := received[:min(MaxBatch, len(received))]
		received = received[len(batch):]
		packets := make([]channeltypes.Packet, len(batch))
		acks := make([][]byte, len(batch))
		for i, seq := range batch {
			e, ok := written[seq]
			if !ok {
				if e, err = dst.Chain.findEvent(ctx, packet.EventWriteAck, "dst", dst.Port, dst.Channel, seq); err != nil {
					return err
				}
			}
			if packets[i], acks[i], err = PacketFromEvent(e); err != nil {
				return err
			}
		}
		msgs, err := AckMsgs(ctx, src, dst, packets, acks)
		if err == nil {
			_, err = src.Chain.submit(ctx, msgs...)
		}
		if err != nil {
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
	ps, err := Prove(ctx, src, dst.Chain, []string{path})
	if err != nil {
		return err
	}
	next := pk.Sequence
	if ordered {
		if len(ps.Values[0]) != 8 {
			return fmt.Errorf("%s: next receive sequence of %s/%s: %d bytes", dst.Chain.ID, pk.DestinationPort, pk.DestinationChannel, len(ps.Values[0]))
		}
		next = binary.BigEndian.Uint64(ps.Values[0])
	}
	_, err = src.Chain.submit(ctx, ps.Messages(&packet.MsgTimeout{Packet: marshal(&pk), ProofUnreceived: ps.Proofs[0], ProofRevisionNumber: ps.Height.RevisionNumber,
		ProofRevisionHeight: ps.Height.RevisionHeight, NextSequenceRecv: next, Signer: src.Chain.Submit.Address()})...)
	return err
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
	h, err := src.Height(ctx)
	if err != nil {
		return err
	}
	up, err := UpdateMsg(ctx, dst, src, h)
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
	cs, err := dst.Chain.ClientState(ctx, dst.Client)
	if err != nil {
		return false, err
	}
	cons, ok, err := dst.Chain.ConsensusState(ctx, dst.Client, cs.LatestHeight)
	if err != nil {
		return false, err
	}
	if !ok {
		return true, nil
	}
	st, err := src.Node.Status(ctx)
	if err != nil {
		return false, fmt.Errorf("%s: status: %w", src.ID, err)
	}
	age := st.Time.Sub(cons.Timestamp)
	return age >= time.Duration(frac*float64(cs.TrustingPeriod)), nil
}

// Task is extra work Run does after each relay pass, such as watching a
// consumer for evidence; an error is reported and the work retried at the
// next pass.
type Task func(ctx context.Context) error

// Task returns the Task that relays l's channel once per pass of another
// link's Run, on the same clients (a second channel on the same
// connection, as the ICS-20 channel beside the CCV channel): Run keeps the
// clients alive, the task only relays. report is called after each pass
// that did not fail; a failed pass is the task's error.
func (l *Link) Task(report func(Progress)) Task {
	return func(ctx context.Context) error {
		p, err := l.RelayOnce(ctx)
		if err != nil {
			return fmt.Errorf("%s/%s: %w", l.A.Port, l.A.Channel, err)
		}
		report(p)
		return nil
	}
}

// StaleFraction is the part of a client's trusting period after which Run
// updates it even when no packet flows.
const StaleFraction = 1.0 / 3

// Run relays every interval until ctx ends, reporting each pass to report
// (Progress.Did tells the ones that did something); the pass's client
// updates include those of the refresh. It updates both clients at least
// every refresh, and any client whose last header is older than
// StaleFraction of its trusting period at once, whether the pass failed or
// not; then it runs every task, likewise, and reports their errors with
// the pass's.
func (l *Link) Run(ctx context.Context, interval, refresh time.Duration, report func(Progress, error), tasks ...Task) {
	lastRefresh := time.Now()
	for {
		var p Progress
		count := l.countUpdates(&p)
		p, err := l.RelayOnce(ctx)
		// The clients are kept alive even when the pass failed: a packet
		// that cannot be relayed for a while (its transaction refused, a
		// node behind) must not let a short-lived client expire.
		if time.Since(lastRefresh) >= refresh {
			uerr := l.UpdateClients(ctx)
			if uerr == nil {
				lastRefresh = time.Now()
			}
			err = errors.Join(err, uerr)
		} else if _, serr := l.RefreshStaleClients(ctx, StaleFraction); serr != nil {
			err = errors.Join(err, serr)
		}
		count()
		for _, t := range tasks {
			err = errors.Join(err, t(ctx))
		}
		if ctx.Err() != nil {
			return
		}
		report(p, err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(interval):
		}
	}
}
