package relayer_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"

	connectiontypes "github.com/cosmos/ibc-go/v10/modules/core/03-connection/types"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"
	host "github.com/cosmos/ibc-go/v10/modules/core/24-host"

	"github.com/abci-ics/ics/app/ibctest"
	"github.com/abci-ics/ics/chain/staking"
	"github.com/abci-ics/ics/ibc/client"
	"github.com/abci-ics/ics/ibc/commitment"
	"github.com/abci-ics/ics/ibc/transfer"
	"github.com/abci-ics/ics/relayer"
	"github.com/abci-ics/ics/relayer/linkfile"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/coin"
)

var start = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// chains starts two in-process chains of four validators on one clock.
func chains(t *testing.T) (*ibctest.Chain, *ibctest.Chain) {
	clock := &ibctest.Clock{Now: start}
	return ibctest.NewChain(t, clock, "chain-a", 4, 4), ibctest.NewChain(t, clock, "chain-b", 4, 4)
}

// newLink links a and b with the relayer: clients, a connection and an
// unordered transfer channel.
func newLink(t *testing.T, a, b *ibctest.Chain) *relayer.Link {
	t.Helper()
	l, err := relayer.NewLink(context.Background(), a.Relayer(), b.Relayer(), transfer.PortID, channeltypes.UNORDERED, transfer.Version, ibctest.ClientOptions)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// clientHeight returns the latest height of c's client id.
func clientHeight(t *testing.T, c *ibctest.Chain, id string) int64 {
	t.Helper()
	res := c.Query("/store/ibc/key", host.FullClientStateKey(id), 0, false)
	if res.Code != 0 {
		t.Fatalf("%s: client %s: %s", c.ID, id, res.Log)
	}
	cs, err := client.DecodeClientState(res.Value)
	if err != nil {
		t.Fatalf("%s: client %s: %v", c.ID, id, err)
	}
	return int64(cs.LatestHeight.RevisionHeight)
}

// updates counts the client updates of client id in c's blocks after
// block from.
func updates(c *ibctest.Chain, from int64, id string) int {
	n := 0
	for _, resp := range c.Log[from:] {
		for _, e := range ibctest.Events(resp, client.EventTypeUpdateClient) {
			if e[client.AttributeKeyClientID] == id {
				n++
			}
		}
	}
	return n
}

// send transfers amount of denom from account 1 of chain c, through
// its end from, to account 1 of chain to, timing out at timeout (unix
// nanoseconds), in one block.
func send(t *testing.T, c *ibctest.Chain, from *relayer.End, to *ibctest.Chain, denom string, amount, timeout uint64) {
	t.Helper()
	c.MustSucceed(c.NextBlock(c.Tx(1, &transfer.MsgTransfer{Sender: c.Address(1), SourcePort: from.Port, SourceChannel: from.Channel,
		Token: coin.Coin{Denom: denom, Amount: amount}, Receiver: address.Encode("ics", to.Address(1)), TimeoutTimestamp: timeout})))
}

func relayOnce(t *testing.T, l *relayer.Link) relayer.Progress {
	t.Helper()
	p, err := l.RelayOnce(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func commitments(c *ibctest.Chain, e *relayer.End) []uint64 {
	var seqs []uint64
	c.QueryJSON("/ibc/commitments/"+e.Port+"/"+e.Channel, &seqs)
	return seqs
}

// TestClientUpdates: NewLink creates each chain's client of the other at
// the other's latest height; an update to the next header is one
// transaction, and so is an update that skips blocks while the validators
// stay.
func TestClientUpdates(t *testing.T) {
	a, b := chains(t)
	l := newLink(t, a, b)
	ctx := context.Background()
	b.NextBlock()
	before, hb := a.Height, b.Height
	if err := l.UpdateClients(ctx); err != nil {
		t.Fatal(err)
	}
	// A's client is updated first, then B's client of A (a block on B).
	if got := clientHeight(t, a, l.A.Client); got != hb {
		t.Fatalf("adjacent update: client at %d, chain was at %d", got, hb)
	}
	if got := clientHeight(t, b, l.B.Client); got != a.Height {
		t.Fatalf("B's client of A at %d, A at %d", got, a.Height)
	}
	if n := updates(a, before, l.A.Client); n != 1 {
		t.Fatalf("adjacent update took %d updates", n)
	}
	for range 7 {
		b.NextBlock()
	}
	before, hb = a.Height, b.Height
	if err := l.UpdateClients(ctx); err != nil {
		t.Fatal(err)
	}
	if got := clientHeight(t, a, l.A.Client); got != hb {
		t.Fatalf("skipping update: client at %d, chain was at %d", got, hb)
	}
	if n := updates(a, before, l.A.Client); n != 1 {
		t.Fatalf("skipping update over an unchanged set took %d updates", n)
	}
	// A's client has B's header hb: no update.
	before = a.Height
	up, err := relayer.UpdateMsg(ctx, l.A, b.Relayer(), hb)
	if err != nil || up != nil {
		t.Fatalf("update to a height the client has: %v, %v", up, err)
	}
	if a.Height != before {
		t.Fatal("a needless update made blocks")
	}
}

// TestClientBisection: three of B's four validators leave its set, so the
// validators A's client trusts hold less than a third of the power that
// signs B's new headers; the relayer updates through an intermediate
// header first (bisection) and the client reaches B's latest header.
func TestClientBisection(t *testing.T) {
	a, b := chains(t)
	l := newLink(t, a, b)
	var txs [][]byte
	for i := 1; i < 4; i++ {
		txs = append(txs, b.Tx(i, &staking.MsgUndelegate{Delegator: b.Address(i), Validator: b.Address(i), Amount: 100_000_000}))
	}
	b.MustSucceed(b.NextBlock(txs...))
	for range 6 {
		b.NextBlock()
	}
	if _, vals := b.SignedHeader(b.Height); vals.Size() != 1 {
		t.Fatalf("B runs %d validators, want 1", vals.Size())
	}
	before, hb := a.Height, b.Height
	if err := l.UpdateClients(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := clientHeight(t, a, l.A.Client); got != hb {
		t.Fatalf("client at %d, chain was at %d", got, hb)
	}
	if n := updates(a, before, l.A.Client); n < 2 {
		t.Fatalf("%d updates: no bisection", n)
	}
}

// TestHandshake: NewLink leaves both channel ends OPEN on one connection
// each, pointing at each other, with the version both applications agreed.
func TestHandshake(t *testing.T) {
	a, b := chains(t)
	l := newLink(t, a, b)
	for _, side := range []struct {
		c         *ibctest.Chain
		end, peer *relayer.End
	}{{a, l.A, l.B}, {b, l.B, l.A}} {
		var ch channeltypes.Channel
		res := side.c.Query("/store/ibc/key", []byte(commitment.ChannelPath(side.end.Port, side.end.Channel)), 0, false)
		if err := ch.Unmarshal(res.Value); err != nil || len(res.Value) == 0 {
			t.Fatalf("%s: channel %s: %v", side.c.ID, side.end.Channel, err)
		}
		if ch.State != channeltypes.OPEN || ch.Ordering != channeltypes.UNORDERED || ch.Version != transfer.Version ||
			ch.Counterparty.ChannelId != side.peer.Channel || ch.Counterparty.PortId != side.peer.Port || !slices.Equal(ch.ConnectionHops, []string{side.end.Connection}) {
			t.Fatalf("%s: channel %+v", side.c.ID, ch)
		}
		var conn connectiontypes.ConnectionEnd
		res = side.c.Query("/store/ibc/key", []byte(commitment.ConnectionPath(side.end.Connection)), 0, false)
		if err := conn.Unmarshal(res.Value); err != nil || conn.State != connectiontypes.OPEN || conn.ClientId != side.end.Client ||
			conn.Counterparty.ConnectionId != side.peer.Connection || conn.Counterparty.ClientId != side.peer.Client {
			t.Fatalf("%s: connection %+v (%v)", side.c.ID, conn, err)
		}
	}
	// The link read back from A's channel end is the same.
	got, err := relayer.LinkOfChannel(context.Background(), a.Relayer(), b.Relayer(), l.A.Port, l.A.Channel)
	if err != nil {
		t.Fatal(err)
	}
	if *got.A != *l.A || *got.B != *l.B {
		t.Fatalf("LinkOfChannel: %+v %+v, want %+v %+v", *got.A, *got.B, *l.A, *l.B)
	}
}

// TestRelayPacketAndAck: a pass delivers a packet each way and brings the
// acknowledgements back; the next pass finds nothing to do.
func TestRelayPacketAndAck(t *testing.T) {
	a, b := chains(t)
	l := newLink(t, a, b)
	far := uint64(start.Add(24 * time.Hour).UnixNano())
	send(t, a, l.A, b, "stake", 700, far)
	send(t, a, l.A, b, "stake", 300, far)
	fromA, fromB := a.Height, b.Height
	p := relayOnce(t, l)
	if p.Received != 2 || p.Acked != 2 || p.TimedOut != 0 || p.Pending != 0 || p.HeightA != a.Height || p.HeightB != b.Height {
		t.Fatalf("first pass: %s", p)
	}
	// The pass counts the client updates each chain executed, and the
	// lag of each client behind the chain it tracks.
	if ua, ub := updates(a, fromA, l.A.Client), updates(b, fromB, l.B.Client); p.UpdatesA != ua || p.UpdatesB != ub || ua == 0 || ub == 0 {
		t.Fatalf("first pass counted %d/%d client updates, the chains executed %d/%d", p.UpdatesA, p.UpdatesB, ua, ub)
	}
	if p.LagA != a.Height-clientHeight(t, b, l.B.Client) || p.LagB != b.Height-clientHeight(t, a, l.A.Client) || p.LagA < 0 || p.LagB < 0 {
		t.Fatalf("lag %d/%d, heights %d/%d", p.LagA, p.LagB, a.Height, b.Height)
	}
	voucher := "transfer/" + l.B.Channel + "/stake"
	if got := b.Balance(b.Address(1), voucher); got != 1000 {
		t.Fatalf("voucher balance %d", got)
	}
	send(t, b, l.B, a, voucher, 400, far)
	if p := relayOnce(t, l); p.Received != 1 || p.Acked != 1 || p.Pending != 0 {
		t.Fatalf("return pass: %s", p)
	}
	if got := b.Balance(b.Address(1), voucher); got != 600 {
		t.Fatalf("voucher balance %d after sending 400 back", got)
	}
	height := a.Height
	if p := relayOnce(t, l); p.Received+p.Acked+p.TimedOut+p.Pending+p.UpdatesA+p.UpdatesB != 0 || p.Did() || a.Height != height {
		t.Fatalf("idle pass: %s, A at %d (was %d)", p, a.Height, height)
	}
	if len(commitments(a, l.A))+len(commitments(b, l.B)) != 0 {
		t.Fatal("commitments left")
	}
}

// TestIntercept: packets a pass holds back stay committed and go out with
// the next pass; packets reordered on an unordered channel are received.
func TestIntercept(t *testing.T) {
	a, b := chains(t)
	l := newLink(t, a, b)
	far := uint64(start.Add(24 * time.Hour).UnixNano())
	for _, amt := range []uint64{1, 2, 3} {
		send(t, a, l.A, b, "stake", amt, far)
	}
	l.Intercept = func(src *relayer.End, pks []channeltypes.Packet) []channeltypes.Packet { return nil }
	if p := relayOnce(t, l); p.Received != 0 || p.Pending != 3 {
		t.Fatalf("dropping pass: %s", p)
	}
	l.Intercept = func(src *relayer.End, pks []channeltypes.Packet) []channeltypes.Packet {
		out := slices.Clone(pks)
		slices.Reverse(out)
		return out[:2]
	}
	if p := relayOnce(t, l); p.Received != 2 || p.Acked != 2 || p.Pending != 1 {
		t.Fatalf("reversing pass: %s", p)
	}
	if got := commitments(a, l.A); !slices.Equal(got, []uint64{1}) {
		t.Fatalf("commitments %v, want the first packet only", got)
	}
	l.Intercept = nil
	if p := relayOnce(t, l); p.Received != 1 || p.Acked != 1 || p.Pending != 0 {
		t.Fatalf("last pass: %s", p)
	}
	if got := b.Balance(b.Address(1), "transfer/"+l.B.Channel+"/stake"); got != 6 {
		t.Fatalf("voucher balance %d", got)
	}
}

// TestTimeout: a packet B did not receive before its timeout is timed out
// on A with a proof of absence, and refunded.
func TestTimeout(t *testing.T) {
	a, b := chains(t)
	l := newLink(t, a, b)
	before := a.Balance(a.Address(1), "stake")
	soon := uint64(a.Time.Add(30 * time.Second).UnixNano())
	send(t, a, l.A, b, "stake", 77, soon)
	for b.Time.UnixNano() <= int64(soon) {
		b.NextBlock()
	}
	if p := relayOnce(t, l); p.Received != 0 || p.Acked != 0 || p.TimedOut != 1 || p.Pending != 0 {
		t.Fatalf("pass: %s", p)
	}
	if got := a.Balance(a.Address(1), "stake"); got != before-1 {
		t.Fatalf("balance %d after the refund, want %d", got, before-1)
	}
	if got := b.Supply("transfer/" + l.B.Channel + "/stake"); got != 0 {
		t.Fatalf("%d vouchers minted for a timed-out packet", got)
	}
}

// TestRestartFromLinkFile: a relayer that received a packet and stopped
// before bringing its acknowledgement back is replaced by a new one that
// starts from the saved link file and fresh nodes; it finds the packet's
// acknowledgement in B's events and the other packet in A's, and finishes.
func TestRestartFromLinkFile(t *testing.T) {
	a, b := chains(t)
	l := newLink(t, a, b)
	file := filepath.Join(t.TempDir(), "relayer", "link.json")
	lf := linkfile.File{A: linkfile.End{Node: "in-process"}, B: linkfile.End{Node: "in-process"}}
	lf.Record(l)
	if err := linkfile.Save(file, lf); err != nil {
		t.Fatal(err)
	}
	far := uint64(start.Add(24 * time.Hour).UnixNano())
	send(t, a, l.A, b, "stake", 5, far)
	send(t, a, l.A, b, "stake", 6, far)
	ctx := context.Background()
	work, err := relayer.PendingFrom(ctx, l.A, l.B)
	if err != nil || len(work.Recv) != 2 || len(work.Timeout)+len(work.Acked) != 0 {
		t.Fatalf("pending %+v, %v", work, err)
	}
	msgs, err := relayer.RecvMsgs(ctx, l.B, l.A, work.Recv[:1])
	if err != nil {
		t.Fatal(err)
	}
	b.MustSucceed(b.NextBlock(b.Tx(0, msgs...)))

	read, err := linkfile.Read(file)
	if err != nil {
		t.Fatal(err)
	}
	fresh := func(c *ibctest.Chain) *relayer.Chain {
		rc, err := relayer.NewChainOn(ctx, &ibctest.Node{C: c}, ibctest.Submitter{C: c})
		if err != nil {
			t.Fatal(err)
		}
		return rc
	}
	l2 := read.Link(fresh(a), fresh(b))
	if l2.A.Chain.ID != "chain-a" || l2.A.Client != l.A.Client || l2.B.Channel != l.B.Channel || l2.B.Connection != l.B.Connection {
		t.Fatalf("link from the file: %+v %+v", *l2.A, *l2.B)
	}
	work, err = relayer.PendingFrom(ctx, l2.A, l2.B)
	if err != nil || len(work.Recv) != 1 || work.Recv[0].Sequence != 2 || !slices.Equal(work.Acked, []uint64{1}) {
		t.Fatalf("pending after the restart %+v, %v", work, err)
	}
	if p := relayOnce(t, l2); p.Received != 1 || p.Acked != 2 || p.Pending != 0 {
		t.Fatalf("pass after the restart: %s", p)
	}
	if got := b.Balance(b.Address(1), "transfer/"+l.B.Channel+"/stake"); got != 11 {
		t.Fatalf("voucher balance %d", got)
	}
}

// TestEventNotFound: a node without the send_packet event of a committed
// packet makes the pass fail with ErrEventNotFound.
func TestEventNotFound(t *testing.T) {
	a, b := chains(t)
	l := newLink(t, a, b)
	send(t, a, l.A, b, "stake", 5, uint64(start.Add(time.Hour).UnixNano()))
	a.Log[a.Height-1].TxResults[0].Events = nil // the index lost the block
	l.A.Chain = &relayer.Chain{ID: a.ID, Node: &ibctest.Node{C: a}, Submit: ibctest.Submitter{C: a}}
	if _, err := l.RelayOnce(context.Background()); !errors.Is(err, relayer.ErrEventNotFound) {
		t.Fatalf("pass without the event: %v", err)
	}
}

// TestRunTasksAfterFailedPass: a pass that fails does not keep Run from
// its tasks (the relay of a second channel, the evidence watcher); the
// pass's error is reported.
func TestRunTasksAfterFailedPass(t *testing.T) {
	a, b := chains(t)
	l := newLink(t, a, b)
	send(t, a, l.A, b, "stake", 5, uint64(start.Add(time.Hour).UnixNano()))
	a.Log[a.Height-1].TxResults[0].Events = nil // the index lost the block
	l.A.Chain = &relayer.Chain{ID: a.ID, Node: &ibctest.Node{C: a}, Submit: ibctest.Submitter{C: a}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ran, passes := 0, 0
	var reported error
	l.Run(ctx, time.Millisecond, time.Hour, func(_ relayer.Progress, err error) {
		reported = err
		if passes++; passes == 2 {
			cancel()
		}
	}, func(context.Context) error { ran++; return nil })
	if ran != 2 || !errors.Is(reported, relayer.ErrEventNotFound) {
		t.Fatalf("task ran %d times, pass error %v", ran, reported)
	}
}

// TestConfirmCloseNothingToDo: on a channel open on both ends, or whose
// counterparty is not known yet, ConfirmClose submits nothing.
func TestConfirmCloseNothingToDo(t *testing.T) {
	a, b := chains(t)
	l := newLink(t, a, b)
	ha, hb := a.Height, b.Height
	for _, link := range []*relayer.Link{l, l.OnConnection(l.A.Port, l.A.Channel, l.B.Port, "")} {
		if closed, err := link.ConfirmClose(context.Background()); err != nil || closed != "" {
			t.Fatalf("closed %q (%v)", closed, err)
		}
	}
	if a.Height != ha || b.Height != hb {
		t.Fatal("ConfirmClose submitted a transaction")
	}
}

// TestRunRefreshesAfterFailedPass: Run updates a client gone stale (its
// last header older than a third of its trusting period) even when every
// pass fails, so that a packet that cannot be relayed for a while does not
// let the clients expire.
func TestRunRefreshesAfterFailedPass(t *testing.T) {
	a, b := chains(t)
	l := newLink(t, a, b)
	send(t, a, l.A, b, "stake", 5, uint64(start.Add(30*24*time.Hour).UnixNano()))
	a.Log[a.Height-1].TxResults[0].Events = nil // the index lost the block: every pass fails
	l.A.Chain = &relayer.Chain{ID: a.ID, Node: &ibctest.Node{C: a}, Submit: ibctest.Submitter{C: a}}
	a.Clock().Advance(5 * 24 * time.Hour) // past a third of the 14-day trusting period
	a.NextBlock()
	b.NextBlock()
	before := clientHeight(t, b, l.B.Client)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var reported error
	l.Run(ctx, time.Millisecond, time.Hour, func(_ relayer.Progress, err error) {
		reported = err
		cancel()
	})
	if !errors.Is(reported, relayer.ErrEventNotFound) {
		t.Fatalf("pass error %v", reported)
	}
	if after := clientHeight(t, b, l.B.Client); after <= before {
		t.Fatalf("%s's client of %s stayed at height %d after a failed pass", b.ID, a.ID, after)
	}
}
