package ibctest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	gogoproto "github.com/cosmos/gogoproto/proto"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"

	. "github.com/abci-ics/ics/app/ibctest"
	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/chain/staking"
	"github.com/abci-ics/ics/ibc/channel"
	"github.com/abci-ics/ics/ibc/commitment"
	"github.com/abci-ics/ics/ibc/transfer"
	"github.com/abci-ics/ics/provider"
	"github.com/abci-ics/ics/relayer"
	"github.com/abci-ics/ics/types/coin"
)

// channelState returns the state of c's channel end (port, ch).
func channelState(t *testing.T, c *Chain, port, ch string) channeltypes.State {
	t.Helper()
	var end channeltypes.Channel
	res := c.Query("/store/ibc/key", []byte(commitment.ChannelPath(port, ch)), 0, false)
	if res.Code != 0 || end.Unmarshal(res.Value) != nil {
		t.Fatalf("%s: channel %s/%s: %s", c.ID, port, ch, res.Log)
	}
	return end.State
}

// killedBeforeConfirm is a Submitter that dies between the client update
// and the close confirmation: of a transaction holding a
// MsgChannelCloseConfirm it submits the other messages only, then fails.
type killedBeforeConfirm struct{ relayer.Submitter }

func (k killedBeforeConfirm) Submit(ctx context.Context, msgs ...gogoproto.Message) (*abcitypes.ExecTxResult, error) {
	var rest []gogoproto.Message
	for _, m := range msgs {
		if _, ok := m.(*channel.MsgChannelCloseConfirm); !ok {
			rest = append(rest, m)
		}
	}
	if len(rest) == len(msgs) {
		return k.Submitter.Submit(ctx, msgs...)
	}
	if len(rest) > 0 {
		if _, err := k.Submitter.Submit(ctx, rest...); err != nil {
			return nil, err
		}
	}
	return nil, errors.New("killed")
}

// relayCCV returns a new relayer of the CCV channel of path, found from
// the consumer's end as a restarted relayer finds it.
func relayCCV(t *testing.T, cons, prov *Chain, path *Path) *relayer.Link {
	t.Helper()
	l, err := relayer.LinkOfChannel(context.Background(), cons.Relayer(), prov.Relayer(), ccv.ConsumerPortID, path.A.Channel)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestRelayCloseConfirmProviderStops: the provider removes a consumer and
// closes its end of the CCV channel; a relayer killed between the client
// update and the close confirmation leaves the consumer's end open, a new
// relayer closes it and the consumer stops; a further pass does nothing.
func TestRelayCloseConfirmProviderStops(t *testing.T) {
	n := ccvNet(t, 3, nil, ConsumerParams())
	prov, cons, path := n.Provider, n.Consumers[0], n.Paths[0]
	PassProposal(prov, &provider.ConsumerRemovalProposal{ConsumerId: ConsumerID(prov, cons.ID), StopTime: prov.Time.UnixNano()})
	prov.NextBlock()
	if s := channelState(t, prov, ccv.ProviderPortID, path.B.Channel); s != channeltypes.CLOSED {
		t.Fatalf("provider end %s after the removal", s)
	}
	cons.NextBlock()

	killed := relayCCV(t, cons, prov, path)
	killed.A.Chain = &relayer.Chain{ID: cons.ID, Node: cons.Relayer().Node, Submit: killedBeforeConfirm{cons.Relayer().Submit}}
	before := cons.Height
	if _, err := killed.RelayOnce(context.Background()); err == nil {
		t.Fatal("the killed relayer's pass succeeded")
	}
	updated := 0
	for _, resp := range cons.Log[before:] {
		updated += len(Events(resp, "update_client"))
	}
	if updated == 0 {
		t.Fatal("no client update before the kill")
	}
	if s := channelState(t, cons, ccv.ConsumerPortID, path.A.Channel); s != channeltypes.OPEN {
		t.Fatalf("consumer end %s after the kill", s)
	}

	l := relayCCV(t, cons, prov, path)
	p, err := l.RelayOnce(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if p.ClosedOn != cons.ID {
		t.Fatalf("pass: %s", p)
	}
	if s := channelState(t, cons, ccv.ConsumerPortID, path.A.Channel); s != channeltypes.CLOSED {
		t.Fatalf("consumer end %s after the confirmation", s)
	}
	if !status(cons).Stopped {
		t.Fatal("consumer not stopped")
	}
	if p, err := l.RelayOnce(context.Background()); err != nil || p.Did() {
		t.Fatalf("second pass: %s (%v)", p, err)
	}
}

// TestRelayCloseConfirmConsumerCloses: a consumer packet that is not
// relayed in time is timed out by the relayer on the consumer, which
// closes the consumer's end of the ordered CCV channel; in the same pass
// the relayer receives nothing on the closed end and closes the
// provider's end, and the provider stops the consumer and releases its
// holds. A further pass does nothing.
func TestRelayCloseConfirmConsumerCloses(t *testing.T) {
	params := ConsumerParams()
	params.CcvTimeoutPeriod = 3 * time.Minute
	n := ccvNet(t, 4, nil, params)
	prov, cons, path := n.Provider, n.Consumers[0], n.Paths[0]
	prov.MustSucceed(prov.NextBlock(prov.Tx(4, &staking.MsgDelegate{Delegator: prov.Address(4), Validator: prov.Address(1), Amount: 5_000_000})))
	prov.MustSucceed(prov.NextBlock(prov.Tx(4, &staking.MsgUndelegate{Delegator: prov.Address(4), Validator: prov.Address(1), Amount: 5_000_000})))
	n.Run(2*EpochBlocks, func() bool { return false })
	if len(holds(prov)) != 1 {
		t.Fatalf("holds %+v", holds(prov))
	}

	// A validator misses consumer blocks: the consumer sends a slash
	// packet that no one relays.
	cons.Absent[string(prov.ValidatorKeys[3].PubKey().Address())] = true
	var pk channeltypes.Packet
	for i := 0; i < 100 && pk.Sequence == 0; i++ {
		cons.NextBlock()
		prov.NextBlock()
		for _, p := range cons.Outbox {
			if p.SourcePort == ccv.ConsumerPortID {
				pk = p
			}
		}
		if i%10 == 9 {
			path.UpdateClients()
		}
	}
	if pk.Sequence == 0 {
		t.Fatal("the consumer sent no packet")
	}
	// A validator set change the provider sends meanwhile can no longer
	// be received once the consumer's end is closed.
	prov.MustSucceed(prov.NextBlock(prov.Tx(4, &staking.MsgDelegate{Delegator: prov.Address(4), Validator: prov.Address(0), Amount: 5_000_000})))
	for i := 0; !prov.Time.After(time.Unix(0, int64(pk.TimeoutTimestamp))); i++ {
		prov.NextBlock()
		cons.NextBlock()
		if i%10 == 9 {
			path.UpdateClients()
		}
	}

	var sent []uint64
	prov.QueryJSON("/ibc/commitments/"+ccv.ProviderPortID+"/"+path.B.Channel, &sent)
	if len(sent) == 0 {
		t.Fatal("no VSC packet in flight")
	}
	l := relayCCV(t, cons, prov, path)
	p, err := l.RelayOnce(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if p.TimedOut != 1 || p.Received != 0 || p.Pending != len(sent) || p.ClosedOn != prov.ID {
		t.Fatalf("pass: %s", p)
	}
	if s := channelState(t, cons, ccv.ConsumerPortID, path.A.Channel); s != channeltypes.CLOSED {
		t.Fatalf("consumer end %s after the timeout", s)
	}
	if s := channelState(t, prov, ccv.ProviderPortID, path.B.Channel); s != channeltypes.CLOSED {
		t.Fatalf("provider end %s after the confirmation", s)
	}
	prov.NextBlock()
	if _, ok := consumerInfo(prov, cons.ID); ok {
		t.Fatal("consumer not stopped by the provider")
	}
	if CountEvents(prov, "consumer_stopped", "chain_id", cons.ID) != 1 {
		t.Fatal("no consumer_stopped event")
	}
	if h := holds(prov); len(h) != 0 {
		t.Fatalf("holds of the stopped consumer: %+v", h)
	}
	if p, err := l.RelayOnce(context.Background()); err != nil || p.Did() {
		t.Fatalf("second pass: %s (%v)", p, err)
	}
}

// TestRelayCloseRunKeepsTransfer: Run over a CCV link whose provider end
// the provider closed reports the closing once and no error, and goes on
// relaying the transfer channel beside it, which stays open.
func TestRelayCloseRunKeepsTransfer(t *testing.T) {
	n := ccvNet(t, 3, nil, ConsumerParams())
	prov, cons, path := n.Provider, n.Consumers[0], n.Paths[0]
	xfer := openTransfer(path)
	PassProposal(prov, &provider.ConsumerRemovalProposal{ConsumerId: ConsumerID(prov, cons.ID), StopTime: prov.Time.UnixNano()})
	prov.NextBlock()
	cons.MustSucceed(cons.NextBlock(cons.Tx(1, transferMsg(nil, xfer.A, xfer.B, 1, coin.Coin{Denom: "stake", Amount: 7}, uint64(cons.Time.Add(time.Hour).UnixNano())))))

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var closings []string
	var errs []error
	var moved relayer.Progress
	passes := 0
	relayCCV(t, cons, prov, path).Run(ctx, time.Millisecond, time.Hour, func(p relayer.Progress, err error) {
		if err != nil {
			errs = append(errs, err)
		}
		if p.ClosedOn != "" {
			closings = append(closings, p.ClosedOn)
		}
	}, xfer.Relayer().Task(func(p relayer.Progress) {
		moved.Received += p.Received
		moved.Acked += p.Acked
	}), func(context.Context) error {
		if passes++; passes == 5 {
			cancel()
		}
		return nil
	})
	if len(errs) > 0 || len(closings) != 1 || closings[0] != cons.ID {
		t.Fatalf("closings %v, errors %v", closings, errs)
	}
	if moved.Received != 1 || moved.Acked != 1 {
		t.Fatalf("transfer channel: %s", moved)
	}
	if got := prov.Balance(prov.Address(1), "transfer/"+xfer.B.Channel+"/stake"); got != 7 {
		t.Fatalf("voucher balance %d on the provider", got)
	}
	if s := channelState(t, cons, transfer.PortID, xfer.A.Channel); s != channeltypes.OPEN {
		t.Fatalf("transfer channel %s", s)
	}
}
