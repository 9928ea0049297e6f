package transfer

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	dbm "github.com/cosmos/cosmos-db"
	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"

	"github.com/abci-ics/ics/chain/bank"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/coin"
)

var (
	now     = time.Unix(1_700_000_000, 0).UTC()
	relayer = address.Module("relayer")
)

// fakeChannels stands in for the channel keeper: it knows the counterparty
// of each of its chain's transfer channels, hands out sequences, writes a
// commitment key in the store it is given (so that tests see whether the
// caller keeps those writes) and queues the packets it sends.
type fakeChannels struct {
	ends    map[string]channeltypes.Counterparty
	nextSeq map[string]uint64
	out     []channeltypes.Packet
	sendErr error
}

func (f *fakeChannels) SendPacket(s state.Store, height int64, now time.Time, sourcePort, sourceChannel string, timeoutHeight clienttypes.Height, timeoutTimestamp uint64, data []byte) (uint64, []abci.Event, error) {
	if f.sendErr != nil {
		return 0, nil, f.sendErr
	}
	cp, ok := f.ends[sourceChannel]
	if !ok || sourcePort != PortID {
		return 0, nil, fmt.Errorf("fake: no channel %s/%s", sourcePort, sourceChannel)
	}
	if timeoutHeight.IsZero() && timeoutTimestamp == 0 {
		return 0, nil, errors.New("fake: packet without a timeout")
	}
	f.nextSeq[sourceChannel]++
	seq := f.nextSeq[sourceChannel]
	s.KV(StoreName).Set(fmt.Appendf(nil, "commitments/ports/%s/channels/%s/sequences/%d", sourcePort, sourceChannel, seq), []byte{1})
	f.out = append(f.out, channeltypes.Packet{
		Sequence: seq, SourcePort: sourcePort, SourceChannel: sourceChannel,
		DestinationPort: cp.PortId, DestinationChannel: cp.ChannelId,
		Data: bytes.Clone(data), TimeoutHeight: timeoutHeight, TimeoutTimestamp: timeoutTimestamp,
	})
	return seq, []abci.Event{{Type: "send_packet"}}, nil
}

func (f *fakeChannels) Counterparty(s state.Store, portID, channelID string) (channeltypes.Counterparty, bool) {
	if portID != PortID {
		return channeltypes.Counterparty{}, false
	}
	cp, ok := f.ends[channelID]
	return cp, ok
}

// chain is one chain of a test: a multistore over memdb with the bank and
// ibc stores, a real bank keeper and a transfer keeper over a fake channel
// keeper.
type chain struct {
	t    testing.TB
	name string
	ms   *state.MultiStore
	s    state.Store
	bank bank.Keeper
	k    Keeper
	ch   *fakeChannels
}

func newChain(t testing.TB, prefix string) *chain {
	t.Helper()
	ms, err := state.Open(dbm.NewMemDB(), []string{bank.StoreName, StoreName}, state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ms.Close() })
	ch := &fakeChannels{ends: map[string]channeltypes.Counterparty{}, nextSeq: map[string]uint64{}}
	bk := bank.Keeper{Prefix: prefix}
	return &chain{t: t, name: prefix, ms: ms, s: ms.Working(), bank: bk, k: Keeper{Bank: bk, Channels: ch, Prefix: prefix}, ch: ch}
}

// connect opens a transfer channel between a (aChan) and b (bChan).
func connect(a *chain, aChan string, b *chain, bChan string) {
	a.ch.ends[aChan] = channeltypes.Counterparty{PortId: PortID, ChannelId: bChan}
	b.ch.ends[bChan] = channeltypes.Counterparty{PortId: PortID, ChannelId: aChan}
}

// user returns the address of a named account and its bech32 form on c.
func (c *chain) user(name string) ([]byte, string) {
	addr := address.Module(c.name + "/" + name)
	return addr, address.Encode(c.name, addr)
}

func (c *chain) mint(addr []byte, amt coin.Coin) {
	c.t.Helper()
	if err := c.bank.Mint(c.s, addr, []coin.Coin{amt}); err != nil {
		c.t.Fatal(err)
	}
}

func (c *chain) balance(addr []byte, denom string) uint64 { return c.bank.Balance(c.s, addr, denom) }

// transferMsg is a valid transfer of amount denom from sender over channel
// to receiver, with a timestamp timeout.
func transferMsg(sender []byte, channel string, denom string, amount uint64, receiver string) *MsgTransfer {
	return &MsgTransfer{
		Sender: sender, SourcePort: PortID, SourceChannel: channel,
		Token: coin.Coin{Denom: denom, Amount: amount}, Receiver: receiver,
		TimeoutTimestamp: uint64(now.Add(time.Hour).UnixNano()),
	}
}

// send runs HandleTransfer as the application does: on a cache written
// only on success.
func (c *chain) send(m *MsgTransfer) error {
	cache := state.NewCache(c.s)
	if _, err := c.k.HandleTransfer(cache, 10, now, m.Sender, m); err != nil {
		return err
	}
	cache.Write()
	return nil
}

// mustSend sends m and returns its packet, which stays queued for relay.
func (c *chain) mustSend(m *MsgTransfer) channeltypes.Packet {
	c.t.Helper()
	if err := c.send(m); err != nil {
		c.t.Fatalf("%s: transfer: %v", c.name, err)
	}
	return c.ch.out[len(c.ch.out)-1]
}

// pop takes the packet c has sent last off its queue.
func (c *chain) pop() channeltypes.Packet {
	c.t.Helper()
	if len(c.ch.out) == 0 {
		c.t.Fatalf("%s: no packet sent", c.name)
	}
	p := c.ch.out[len(c.ch.out)-1]
	c.ch.out = c.ch.out[:len(c.ch.out)-1]
	return p
}

// recv delivers p to c as the channel keeper will: OnRecvPacket on a
// cache written only on a success acknowledgement.
func (c *chain) recv(p channeltypes.Packet) channeltypes.Acknowledgement {
	cache := state.NewCache(c.s)
	ack, _ := c.k.OnRecvPacket(cache, 20, now, p, relayer)
	if ack.Success() {
		cache.Write()
	}
	return ack
}

// ack delivers the acknowledgement of p to its sender c.
func (c *chain) ack(p channeltypes.Packet, ack channeltypes.Acknowledgement) {
	c.t.Helper()
	cache := state.NewCache(c.s)
	if _, err := c.k.OnAcknowledgementPacket(cache, 30, now, p, ack, relayer); err != nil {
		c.t.Fatalf("%s: acknowledgement: %v", c.name, err)
	}
	cache.Write()
}

// timeout delivers the timeout of p to its sender c.
func (c *chain) timeout(p channeltypes.Packet) {
	c.t.Helper()
	cache := state.NewCache(c.s)
	if _, err := c.k.OnTimeoutPacket(cache, 30, now, p, relayer); err != nil {
		c.t.Fatalf("%s: timeout: %v", c.name, err)
	}
	cache.Write()
}

// relay moves the packet sent last from one chain to the other and its
// acknowledgement back, and returns the acknowledgement.
func relay(from, to *chain) channeltypes.Acknowledgement {
	from.t.Helper()
	p := from.pop()
	ack := to.recv(p)
	from.ack(p, ack)
	return ack
}

// wantAck fails unless ack is the error acknowledgement of code.
func wantErrorAck(t testing.TB, ack channeltypes.Acknowledgement, code uint32) {
	t.Helper()
	want := fmt.Sprintf("ABCI code: %d: error handling packet: see events for details", code)
	e, ok := ack.Response.(*channeltypes.Acknowledgement_Error)
	if !ok || e.Error != want {
		t.Fatalf("ack %v, want error %q", ack, want)
	}
}

func wantSuccessAck(t testing.TB, ack channeltypes.Acknowledgement) {
	t.Helper()
	r, ok := ack.Response.(*channeltypes.Acknowledgement_Result)
	if !ok || !bytes.Equal(r.Result, []byte{1}) {
		t.Fatalf("ack %v, want result 0x01", ack)
	}
}

func wantBalance(t testing.TB, c *chain, addr []byte, denom string, want uint64) {
	t.Helper()
	if got := c.balance(addr, denom); got != want {
		t.Fatalf("%s: balance of %s: %d, want %d", c.name, denom, got, want)
	}
}

func wantSupply(t testing.TB, c *chain, denom string, want uint64) {
	t.Helper()
	if got := c.bank.Supply(c.s, denom); got != want {
		t.Fatalf("%s: supply of %s: %d, want %d", c.name, denom, got, want)
	}
}

// wantEscrow checks a channel's escrow balance and the total escrow of denom.
func wantEscrow(t testing.TB, c *chain, channel, denom string, channelAmt, total uint64) {
	t.Helper()
	if got := c.k.EscrowBalance(c.s, channel, denom); got != channelAmt {
		t.Fatalf("%s: escrow of %s on %s: %d, want %d", c.name, denom, channel, got, channelAmt)
	}
	if got := c.k.TotalEscrow(c.s, denom); got != total {
		t.Fatalf("%s: total escrow of %s: %d, want %d", c.name, denom, got, total)
	}
}
