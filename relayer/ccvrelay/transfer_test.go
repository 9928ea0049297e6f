package ccvrelay_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"

	"github.com/abci-ics/ics/app/ibctest"
	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/ibc/channel"
	"github.com/abci-ics/ics/ibc/transfer"
	"github.com/abci-ics/ics/interchain"
	"github.com/abci-ics/ics/relayer"
	"github.com/abci-ics/ics/relayer/ccvrelay"
	"github.com/abci-ics/ics/relayer/linkfile"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/coin"
)

// launched starts a provider and launches consumer-1 on it; nothing links
// them yet.
func launched(t *testing.T) (cons, prov *ibctest.Chain) {
	clock := &ibctest.Clock{Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	prov = ibctest.NewProvider(t, clock, "provider-1", 4, 6, nil)
	return ibctest.LaunchConsumer(prov, "consumer-1", ibctest.ConsumerParams(), 2), prov
}

// channels returns c's channel ends.
func channels(c *ibctest.Chain) []channeltypes.IdentifiedChannel {
	var out []channeltypes.IdentifiedChannel
	c.QueryJSON(interchain.PathIBCChannels, &out)
	return out
}

// channelEnd returns c's channel end (port, id).
func channelEnd(t *testing.T, c *ibctest.Chain, port, id string) channeltypes.IdentifiedChannel {
	t.Helper()
	for _, ch := range channels(c) {
		if ch.PortId == port && ch.ChannelId == id {
			return ch
		}
	}
	t.Fatalf("%s has no channel %s/%s", c.ID, port, id)
	return channeltypes.IdentifiedChannel{}
}

// checkTransfer fails unless links' transfer channel is open on both
// sides, unordered, ics20-1, each end facing the other, on the CCV
// channel's connection.
func checkTransfer(t *testing.T, cons, prov *ibctest.Chain, links ccvrelay.Links) {
	t.Helper()
	c, tr := links.CCV, links.Transfer
	if tr == nil {
		t.Fatal("no transfer channel")
	}
	if tr.A.Port != transfer.PortID || tr.B.Port != transfer.PortID || c.A.Port != ccv.ConsumerPortID || c.B.Port != ccv.ProviderPortID {
		t.Fatalf("ports %s/%s and %s/%s", tr.A.Port, tr.B.Port, c.A.Port, c.B.Port)
	}
	if tr.A.Connection != c.A.Connection || tr.B.Connection != c.B.Connection || tr.A.Client != c.A.Client || tr.B.Client != c.B.Client {
		t.Fatalf("transfer on %s/%s (clients %s/%s), CCV on %s/%s (clients %s/%s)", tr.A.Connection, tr.B.Connection,
			tr.A.Client, tr.B.Client, c.A.Connection, c.B.Connection, c.A.Client, c.B.Client)
	}
	for _, e := range []struct {
		c           *ibctest.Chain
		end, other  *relayer.End
		ccvPort     string
		ccvChannel  string
		ccvOrdering channeltypes.Order
	}{{cons, tr.A, tr.B, c.A.Port, c.A.Channel, channeltypes.ORDERED}, {prov, tr.B, tr.A, c.B.Port, c.B.Channel, channeltypes.ORDERED}} {
		ch := channelEnd(t, e.c, e.end.Port, e.end.Channel)
		if ch.State != channeltypes.OPEN || ch.Ordering != channeltypes.UNORDERED || ch.Version != transfer.Version ||
			ch.Counterparty.PortId != transfer.PortID || ch.Counterparty.ChannelId != e.other.Channel || len(ch.ConnectionHops) != 1 || ch.ConnectionHops[0] != e.end.Connection {
			t.Fatalf("%s: transfer channel %+v", e.c.ID, ch)
		}
		if cc := channelEnd(t, e.c, e.ccvPort, e.ccvChannel); cc.State != channeltypes.OPEN || cc.Ordering != e.ccvOrdering || cc.ConnectionHops[0] != e.end.Connection {
			t.Fatalf("%s: CCV channel %+v", e.c.ID, cc)
		}
	}
}

// TestLinkCCVOpensTransfer: LinkCCVOn opens the CCV channel and then the
// unordered ICS-20 channel on the same connection, initiated by the
// consumer; run again, it finds both and opens nothing.
func TestLinkCCVOpensTransfer(t *testing.T) {
	cons, prov := launched(t)
	ctx := context.Background()
	links, err := ccvrelay.LinkCCVOn(ctx, cons.Relayer(), prov.Relayer())
	if err != nil {
		t.Fatal(err)
	}
	checkTransfer(t, cons, prov, links)
	if links.ConsumerID != ibctest.ConsumerID(prov, cons.ID) {
		t.Fatalf("consumer id %q", links.ConsumerID)
	}
	if n := ibctest.CountEvents(cons, channel.EventChannelOpenInit, channel.AttrPortID, transfer.PortID); n != 1 {
		t.Fatalf("%d transfer channels started on the consumer, want 1", n)
	}
	nc, np := len(channels(cons)), len(channels(prov))
	if nc != 2 || np != 2 {
		t.Fatalf("%d consumer and %d provider channels, want 2 each", nc, np)
	}

	again, err := ccvrelay.LinkCCVOn(ctx, cons.Relayer(), prov.Relayer())
	if err != nil {
		t.Fatal(err)
	}
	checkTransfer(t, cons, prov, again)
	if *again.CCV.A != *links.CCV.A || *again.CCV.B != *links.CCV.B || *again.Transfer.A != *links.Transfer.A || *again.Transfer.B != *links.Transfer.B {
		t.Fatalf("second run: %+v %+v, first %+v %+v", *again.Transfer.A, *again.Transfer.B, *links.Transfer.A, *links.Transfer.B)
	}
	if len(channels(cons)) != nc || len(channels(prov)) != np {
		t.Fatal("the second run opened a channel")
	}
}

// TestLinkCCVFinishesStartedTransfer: a transfer channel the consumer
// started by itself on the CCV connection (INIT) is finished, not
// duplicated.
func TestLinkCCVFinishesStartedTransfer(t *testing.T) {
	cons, prov := launched(t)
	path := ibctest.LinkCCV(cons, prov)
	res := cons.MustSucceed(ibctest.Submit(cons, &channel.MsgChannelOpenInit{PortId: transfer.PortID, Channel: ibctest.Marshal(&channeltypes.Channel{
		State: channeltypes.INIT, Ordering: channeltypes.UNORDERED, Counterparty: channeltypes.Counterparty{PortId: transfer.PortID},
		ConnectionHops: []string{path.A.Connection}, Version: transfer.Version}), Signer: cons.Address(0)}))
	started := ibctest.Events(res, channel.EventChannelOpenInit)
	if len(started) != 1 {
		t.Fatalf("%d channel inits", len(started))
	}
	links, err := ccvrelay.LinkCCVOn(context.Background(), cons.Relayer(), prov.Relayer())
	if err != nil {
		t.Fatal(err)
	}
	checkTransfer(t, cons, prov, links)
	if links.CCV.A.Channel != path.A.Channel || links.Transfer.A.Channel != started[0][channel.AttrChannelID] {
		t.Fatalf("CCV %s (want %s), transfer %s (want %s)", links.CCV.A.Channel, path.A.Channel, links.Transfer.A.Channel, started[0][channel.AttrChannelID])
	}
	if n := len(channels(cons)); n != 2 {
		t.Fatalf("%d consumer channels, want 2", n)
	}
}

// fresh returns c as a relayer started anew reaches it: a new node that
// remembers nothing.
func fresh(t *testing.T, c *ibctest.Chain) *relayer.Chain {
	rc, err := relayer.NewChainOn(context.Background(), &ibctest.Node{C: c}, ibctest.Submitter{C: c})
	if err != nil {
		t.Fatal(err)
	}
	return rc
}

// runOnce runs one pass of the relay loop of a saved CCV link, as `icsd
// relay start` does, over fresh nodes, and returns what the transfer
// channel's task reported.
func runOnce(t *testing.T, file string, cons, prov *ibctest.Chain) []relayer.Progress {
	t.Helper()
	lf, err := linkfile.Read(file)
	if err != nil {
		t.Fatal(err)
	}
	l := lf.Link(fresh(t, cons), fresh(t, prov))
	tr := lf.TransferLink(l)
	if tr == nil {
		t.Fatal("the link file names no transfer channel")
	}
	var got []relayer.Progress
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	l.Run(ctx, time.Millisecond, time.Hour, func(p relayer.Progress, err error) {
		if err != nil {
			t.Fatalf("relay pass: %v", err)
		}
	}, tr.Task(func(p relayer.Progress) { got = append(got, p) }), func(context.Context) error { cancel(); return nil })
	return got
}

// TestRelayTransfer: over the transfer channel LinkCCV saved, a transfer
// from the consumer to a provider account is relayed by one pass of the
// CCV link's relay loop, started from the link file, and arrives as a
// voucher; a relayer restarted between a packet's delivery and its
// acknowledgement finds the acknowledgement on the chain and finishes; the
// voucher goes back the same way; a transfer that times out
// is timed out on the consumer by the next pass and refunded.
func TestRelayTransfer(t *testing.T) {
	cons, prov := launched(t)
	ctx := context.Background()
	links, err := ccvrelay.LinkCCVOn(ctx, cons.Relayer(), prov.Relayer())
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "ccv.json")
	lf := linkfile.File{A: linkfile.End{Node: "in-process"}, B: linkfile.End{Node: "in-process"}, ConsumerID: links.ConsumerID}
	lf.Record(links.CCV)
	lf.RecordTransfer(links.Transfer)
	if err := linkfile.Save(file, lf); err != nil {
		t.Fatal(err)
	}
	tr := links.Transfer
	voucher := "transfer/" + tr.B.Channel + "/stake"
	far := uint64(cons.Time.Add(24 * time.Hour).UnixNano())
	send := func(from, to *ibctest.Chain, end *relayer.End, denom string, amount, timeout uint64) {
		t.Helper()
		from.MustSucceed(from.NextBlock(from.Tx(1, &transfer.MsgTransfer{Sender: from.Address(1), SourcePort: end.Port, SourceChannel: end.Channel,
			Token: coin.Coin{Denom: denom, Amount: amount}, Receiver: address.Encode("ics", to.Address(1)), TimeoutTimestamp: timeout})))
	}

	send(cons, prov, tr.A, "stake", 500, far)
	if got := runOnce(t, file, cons, prov); len(got) != 1 || got[0].Received != 1 || got[0].Acked != 1 || got[0].Pending != 0 {
		t.Fatalf("consumer to provider: %v", got)
	}
	if got := prov.Balance(prov.Address(1), voucher); got != 500 {
		t.Fatalf("provider voucher balance %d, want 500", got)
	}
	if got := cons.Balance(transfer.EscrowAddress(tr.A.Port, tr.A.Channel), "stake"); got != 500 {
		t.Fatalf("consumer escrow %d, want 500", got)
	}

	// A relayer stops after delivering a packet, before its
	// acknowledgement: the next one, from the file, finds the
	// acknowledgement on the provider and brings it back.
	send(cons, prov, tr.A, "stake", 50, far)
	work, err := relayer.PendingFrom(ctx, tr.A, tr.B)
	if err != nil || len(work.Recv) != 1 {
		t.Fatalf("pending %+v, %v", work, err)
	}
	msgs, err := relayer.RecvMsgs(ctx, tr.B, tr.A, work.Recv)
	if err != nil {
		t.Fatal(err)
	}
	prov.MustSucceed(prov.NextBlock(prov.Tx(0, msgs...)))
	if got := runOnce(t, file, cons, prov); len(got) != 1 || got[0].Received != 0 || got[0].Acked != 1 || got[0].Pending != 0 {
		t.Fatalf("pass after the restart: %v", got)
	}
	if got := prov.Balance(prov.Address(1), voucher); got != 550 {
		t.Fatalf("provider voucher balance %d, want 550", got)
	}

	consBefore := cons.Balance(cons.Address(1), "stake")
	send(prov, cons, tr.B, voucher, 200, uint64(prov.Time.Add(24*time.Hour).UnixNano()))
	if got := runOnce(t, file, cons, prov); len(got) != 1 || got[0].Received != 1 || got[0].Acked != 1 || got[0].Pending != 0 {
		t.Fatalf("provider to consumer: %v", got)
	}
	if got := cons.Balance(cons.Address(1), "stake"); got != consBefore+200 {
		t.Fatalf("consumer balance %d, want %d", got, consBefore+200)
	}
	if got := prov.Supply(voucher); got != 350 {
		t.Fatalf("voucher supply %d, want 350", got)
	}

	soon := uint64(cons.Time.Add(30 * time.Second).UnixNano())
	send(cons, prov, tr.A, "stake", 77, soon)
	sent := cons.Balance(cons.Address(1), "stake")
	for prov.Time.UnixNano() <= int64(soon) {
		prov.NextBlock()
	}
	if got := runOnce(t, file, cons, prov); len(got) != 1 || got[0].TimedOut != 1 || got[0].Received != 0 || got[0].Pending != 0 {
		t.Fatalf("timeout pass: %v", got)
	}
	if got := cons.Balance(cons.Address(1), "stake"); got != sent+77 {
		t.Fatalf("consumer balance %d after the refund, want %d", got, sent+77)
	}
	if got := prov.Supply(voucher); got != 350 {
		t.Fatalf("voucher supply %d after a timed-out packet, want 350", got)
	}
}

// noTransferNode is an in-process node of a chain without ICS-20: it does
// not answer the denomination-trace query, as a consumer without a bank
// (examples/kvconsumer) does not.
type noTransferNode struct{ *ibctest.Node }

func (n noTransferNode) Query(ctx context.Context, path string, data []byte, height int64, prove bool) (*abcitypes.ResponseQuery, error) {
	if path == interchain.PathDenomTraces {
		return &abcitypes.ResponseQuery{Code: 1, Log: "unknown query"}, nil
	}
	return n.Node.Query(ctx, path, data, height, prove)
}

// TestLinkCCVWithoutICS20: a consumer without ICS-20 gets its CCV channel
// and no transfer channel.
func TestLinkCCVWithoutICS20(t *testing.T) {
	cons, prov := launched(t)
	a := &relayer.Chain{ID: cons.ID, Node: noTransferNode{&ibctest.Node{C: cons}}, Submit: ibctest.Submitter{C: cons}}
	links, err := ccvrelay.LinkCCVOn(context.Background(), a, prov.Relayer())
	if err != nil {
		t.Fatal(err)
	}
	if links.Transfer != nil || links.CCV == nil || links.CCV.A.Channel == "" {
		t.Fatalf("links %+v", links)
	}
	if n := len(channels(cons)); n != 1 {
		t.Fatalf("%d consumer channels, want the CCV channel only", n)
	}
}
