package ibctest_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"

	"github.com/abci-ics/ics/app"
	. "github.com/abci-ics/ics/app/ibctest"
	"github.com/abci-ics/ics/chain/auth"
	"github.com/abci-ics/ics/consumer"
	"github.com/abci-ics/ics/ibc/channel"
	"github.com/abci-ics/ics/ibc/commitment"
	"github.com/abci-ics/ics/ibc/packet"
	"github.com/abci-ics/ics/ibc/transfer"
	"github.com/abci-ics/ics/interchain"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/coin"
)

// rewardNet is a provider, a consumer linked to it over CCV, and the
// unordered transfer channel on the CCV connection that carries the
// consumer's rewards. Account 2 of the consumer pays the fees of the
// transactions feeBlock makes, with its own nonces.
type rewardNet struct {
	t          *testing.T
	prov, cons *Chain
	ccv, xfer  *Path
	nonce      uint64
	supply     uint64 // the consumer's supply of stake, which never changes
}

// every is the consumer's BlocksPerDistributionTransmission in these tests.
const every = 8

func newRewards(t *testing.T, transferTimeout time.Duration, edit func(*app.Genesis)) *rewardNet {
	clock := &Clock{Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	prov := NewProvider(t, clock, "provider-1", 2, 3, edit)
	params := ConsumerParams()
	params.BlocksPerDistributionTransmission = every
	params.TransferTimeoutPeriod = transferTimeout
	cons := LaunchConsumer(prov, "consumer-1", params, 3)
	r := &rewardNet{t: t, prov: prov, cons: cons, ccv: LinkCCV(cons, prov)}
	r.xfer = openTransfer(r.ccv)
	r.supply = cons.Supply("stake")
	return r
}

// openTransfer opens an unordered ICS-20 channel from the consumer's
// transfer port to the provider's, on the CCV channel's connection, by
// the four steps of the handshake.
func openTransfer(ccvPath *Path) *Path {
	a, b := ccvPath.A, ccvPath.B
	p := &Path{A: &End{Chain: a.Chain, Client: a.Client, Connection: a.Connection, Port: transfer.PortID},
		B: &End{Chain: b.Chain, Client: b.Client, Connection: b.Connection, Port: transfer.PortID}}
	resp := Submit(a.Chain, &channel.MsgChannelOpenInit{PortId: transfer.PortID, Channel: Marshal(&channeltypes.Channel{State: channeltypes.INIT,
		Ordering: channeltypes.UNORDERED, Counterparty: channeltypes.Counterparty{PortId: transfer.PortID}, ConnectionHops: []string{a.Connection},
		Version: transfer.Version}), Signer: a.Chain.Address(0)})
	p.A.Channel = Events(resp, channel.EventChannelOpenInit)[0][channel.AttrChannelID]

	proof, h, up := Prove(p.B, a.Chain, commitment.ChannelPath(transfer.PortID, p.A.Channel))
	resp = Submit(b.Chain, up, &channel.MsgChannelOpenTry{PortId: transfer.PortID, Channel: Marshal(&channeltypes.Channel{State: channeltypes.TRYOPEN,
		Ordering: channeltypes.UNORDERED, Counterparty: channeltypes.Counterparty{PortId: transfer.PortID, ChannelId: p.A.Channel},
		ConnectionHops: []string{b.Connection}, Version: transfer.Version}), CounterpartyVersion: transfer.Version,
		ProofInit: proof, ProofRevisionNumber: h.RevisionNumber, ProofRevisionHeight: h.RevisionHeight, Signer: b.Chain.Address(0)})
	p.B.Channel = Events(resp, channel.EventChannelOpenTry)[0][channel.AttrChannelID]

	proof, h, up = Prove(p.A, b.Chain, commitment.ChannelPath(transfer.PortID, p.B.Channel))
	Submit(a.Chain, up, &channel.MsgChannelOpenAck{PortId: transfer.PortID, ChannelId: p.A.Channel, CounterpartyChannelId: p.B.Channel,
		CounterpartyVersion: transfer.Version, ProofTry: proof, ProofRevisionNumber: h.RevisionNumber, ProofRevisionHeight: h.RevisionHeight,
		Signer: a.Chain.Address(0)})
	proof, h, up = Prove(p.B, a.Chain, commitment.ChannelPath(transfer.PortID, p.A.Channel))
	Submit(b.Chain, up, &channel.MsgChannelOpenConfirm{PortId: transfer.PortID, ChannelId: p.B.Channel, ProofAck: proof,
		ProofRevisionNumber: h.RevisionNumber, ProofRevisionHeight: h.RevisionHeight, Signer: b.Chain.Address(0)})
	return p
}

// feeBlock runs a consumer block with a transaction of account 2 that
// pays fee stake: it brings the consumer's client of the provider to a
// new provider block.
func (r *rewardNet) feeBlock(fee uint64) {
	c := r.cons
	r.prov.NextBlock()
	up, _ := UpdateMsg(r.xfer.A, r.prov)
	up.Signer = c.Address(2)
	msg, err := auth.NewAny(up)
	if err != nil {
		r.t.Fatal(err)
	}
	tx, err := auth.SignTx(c.Accounts[2], &auth.TxBody{ChainId: c.ID, Nonce: r.nonce, Fee: coin.Coin{Denom: "stake", Amount: fee}, Msgs: []auth.Any{msg}})
	if err != nil {
		r.t.Fatal(err)
	}
	r.nonce++
	c.MustSucceed(c.NextBlock(tx))
}

// providerShare is what the consumer set aside for the provider in blocks
// 1 to h: each block's fees (every transaction's, relayers' included)
// minus the consumer's floor(3/4) of them.
func (r *rewardNet) providerShare(h int64) uint64 {
	var total uint64
	for _, resp := range r.cons.Log[:h] {
		var fees uint64
		for _, e := range Events(resp, "tx") {
			amount, err := strconv.ParseUint(strings.TrimSuffix(e["fee"], "stake"), 10, 64)
			if err != nil {
				r.t.Fatalf("fee %q: %v", e["fee"], err)
			}
			fees += amount
		}
		total += fees - fees*3/4
	}
	return total
}

func (r *rewardNet) pending() uint64 { return r.cons.Balance(consumer.ToProviderAddress(), "stake") }

func (r *rewardNet) escrow() uint64 {
	return r.cons.Balance(transfer.EscrowAddress(transfer.PortID, r.xfer.A.Channel), "stake")
}

func (r *rewardNet) voucher() string { return "transfer/" + r.xfer.B.Channel + "/stake" }

func (r *rewardNet) pool() []byte {
	var st interchain.ConsumerStatusJSON
	r.cons.QueryJSON(interchain.PathConsumerStatus, &st)
	addr, err := address.Decode("ics", st.ProviderFeePoolAddr)
	if err != nil {
		r.t.Fatalf("provider fee pool address %q: %v", st.ProviderFeePoolAddr, err)
	}
	return addr
}

// check asserts the accounting at the consumer's current height: what was
// set aside is pending, in flight or escrowed; what is escrowed is minted
// as vouchers on the provider or in flight; the consumer's supply of stake
// has not moved; and the fee collector is empty after every block.
func (r *rewardNet) check(inFlight uint64) {
	r.t.Helper()
	share := r.providerShare(r.cons.Height)
	if got := r.pending() + r.escrow(); got != share {
		r.t.Fatalf("height %d: pending %d + escrowed %d = %d, set aside %d", r.cons.Height, r.pending(), r.escrow(), got, share)
	}
	if r.escrow() != r.prov.Supply(r.voucher())+inFlight {
		r.t.Fatalf("height %d: escrowed %d, vouchers %d + in flight %d", r.cons.Height, r.escrow(), r.prov.Supply(r.voucher()), inFlight)
	}
	if r.cons.Supply("stake") != r.supply {
		r.t.Fatalf("height %d: consumer supply %d, was %d", r.cons.Height, r.cons.Supply("stake"), r.supply)
	}
	if fc := r.cons.Balance(app.FeeCollectorAddress(), "stake"); fc != 0 {
		r.t.Fatalf("height %d: fee collector holds %d", r.cons.Height, fc)
	}
}

// arrived is what the provider received at the pool address, all
// acknowledged with success: the amounts of its fungible_token_packet
// events. (Where the provider moves the vouchers next is its part.)
func (r *rewardNet) arrived() uint64 {
	r.t.Helper()
	pool := address.Encode("ics", r.pool())
	var total uint64
	for _, resp := range r.prov.Log {
		for _, e := range Events(resp, transfer.EventTypePacket) {
			if e[transfer.AttributeReceiver] != pool || e[transfer.AttributeDenom] != "stake" {
				continue
			}
			if e[transfer.AttributeSuccess] != "true" {
				r.t.Fatalf("provider refused a reward transfer: %v", e)
			}
			amount, err := strconv.ParseUint(e[transfer.AttributeAmount], 10, 64)
			if err != nil {
				r.t.Fatal(err)
			}
			total += amount
		}
	}
	return total
}

// checkArrived asserts that the provider minted exactly the provider's
// share of the consumer's blocks 1 to h as vouchers, all received at its
// pool address.
func (r *rewardNet) checkArrived(h int64) {
	r.t.Helper()
	want := r.providerShare(h)
	if got := r.arrived(); got != want {
		r.t.Fatalf("the pool received %d %s, want %d", got, r.voucher(), want)
	}
	if got := r.prov.Supply(r.voucher()); got != want {
		r.t.Fatalf("provider supply of %s is %d, want %d", r.voucher(), got, want)
	}
}

func (r *rewardNet) next() interchain.NextFeeDistributionJSON {
	var nd interchain.NextFeeDistributionJSON
	r.cons.QueryJSON(interchain.PathConsumerNextFeeDistribution, &nd)
	return nd
}

// runToTransmission pays fees in every consumer block until the next
// transmission and returns that block's transfer packets.
func (r *rewardNet) runToTransmission() []channeltypes.Packet {
	r.t.Helper()
	next := r.next().NextHeight
	if next <= r.cons.Height {
		r.t.Fatalf("next transmission at %d, consumer at %d", next, r.cons.Height)
	}
	for r.cons.Height < next-1 {
		r.feeBlock(uint64(1000 + r.cons.Height))
		r.check(0)
	}
	r.feeBlock(7)
	packets, _ := PacketsIn(r.t, r.cons.Log[r.cons.Height-1], packet.EventSendPacket)
	var out []channeltypes.Packet
	for _, pk := range packets {
		if pk.SourcePort == transfer.PortID {
			out = append(out, pk)
		}
	}
	return out
}

// sentAmount checks the reward packets (one, stake, to the pool, with the
// memo) and returns their amount.
func (r *rewardNet) sentAmount(packets []channeltypes.Packet) uint64 {
	r.t.Helper()
	if len(packets) != 1 || packets[0].SourceChannel != r.xfer.A.Channel {
		r.t.Fatalf("reward packets %v, want one on %s", packets, r.xfer.A.Channel)
	}
	d, amount, err := transfer.DecodePacketData(packets[0].Data)
	if err != nil {
		r.t.Fatal(err)
	}
	want := `{"provider":{"consumerId":"` + ConsumerID(r.prov, r.cons.ID) + `","chainId":"consumer-1","memo":"ICS rewards"}}`
	if d.Denom != "stake" || d.Receiver != address.Encode("ics", r.pool()) || d.Memo != want {
		r.t.Fatalf("reward packet data %+v", d)
	}
	if sender, err := address.Decode(d.Sender[:strings.LastIndex(d.Sender, "1")], d.Sender); err != nil || string(sender) != string(consumer.ToProviderAddress()) {
		r.t.Fatalf("sender %s, want the provider-reward account", d.Sender)
	}
	return amount
}

// TestRewardsReachProvider: the consumer splits every block's fees,
// finds the transfer channel on the CCV connection, and every
// BlocksPerDistributionTransmission blocks sends the provider's share to
// the provider's pool address, where it arrives as a voucher.
func TestRewardsReachProvider(t *testing.T) {
	r := newRewards(t, time.Hour, nil)
	r.feeBlock(1001)
	r.check(0)
	if kept := r.cons.Balance(consumer.RedistributeAddress(), "stake"); kept == 0 {
		t.Fatal("the consumer kept nothing of the fees")
	}
	nd := r.next()
	if nd.ChannelID != r.xfer.A.Channel || nd.BlocksPerDistribution != every || nd.ConsumerID != ConsumerID(r.prov, r.cons.ID) ||
		nd.CurrentHeight != r.cons.Height || nd.DistributionFraction != "3/4" {
		t.Fatalf("next fee distribution %+v, want channel %s", nd, r.xfer.A.Channel)
	}
	if len(nd.Pending) != 1 || nd.Pending[0].Amount != r.pending() {
		t.Fatalf("pending %+v, want %d stake", nd.Pending, r.pending())
	}

	for round := 1; round <= 2; round++ {
		packets := r.runToTransmission()
		T := r.cons.Height
		sent := r.sentAmount(packets)
		if want := r.providerShare(T) - r.prov.Supply(r.voucher()); sent != want || r.pending() != 0 {
			t.Fatalf("round %d: sent %d, want %d; %d left pending", round, sent, want, r.pending())
		}
		r.check(sent)
		if n := r.xfer.Flush(); n != 1 {
			t.Fatalf("round %d: relayed %d packets", round, n)
		}
		r.check(0)
		r.checkArrived(T)
		if nd := r.next(); nd.LastHeight != T || nd.NextHeight != T+every {
			t.Fatalf("round %d: schedule %+v after a transmission at %d", round, nd, T)
		}
	}
}

// TestRewardTransferTimeoutRefund: a reward packet that is not relayed
// times out; the refund lands back in the provider-reward account, is
// sent again at the next transmission, and then arrives.
func TestRewardTransferTimeoutRefund(t *testing.T) {
	r := newRewards(t, time.Minute, nil)
	packets := r.runToTransmission()
	T := r.cons.Height
	sent := r.sentAmount(packets)
	if sent != r.providerShare(T) || r.pending() != 0 {
		t.Fatalf("sent %d, want %d", sent, r.providerShare(T))
	}
	r.check(sent)

	// Past the timeout on the provider, then the relayer times it out.
	timeout := time.Unix(0, int64(packets[0].TimeoutTimestamp))
	for !r.prov.Time.After(timeout) {
		r.prov.NextBlock()
	}
	r.check(sent)
	before := r.pending()
	pr, err := r.xfer.Relayer().RelayOnce(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if pr.TimedOut != 1 || pr.Received != 0 {
		t.Fatalf("relay: %s", pr)
	}
	if r.prov.Supply(r.voucher()) != 0 || r.escrow() != 0 {
		t.Fatalf("after the timeout: vouchers %d, escrow %d", r.prov.Supply(r.voucher()), r.escrow())
	}
	// The refund is back, with what the blocks since set aside.
	if got := r.pending(); got < before+sent || got != r.providerShare(r.cons.Height) {
		t.Fatalf("pending %d after the refund, want %d (at least %d + %d)", got, r.providerShare(r.cons.Height), before, sent)
	}
	r.check(0)

	packets = r.runToTransmission()
	T2 := r.cons.Height
	if T2 != T+every {
		t.Fatalf("second transmission at %d, want %d", T2, T+every)
	}
	sent = r.sentAmount(packets)
	if sent != r.providerShare(T2) {
		t.Fatalf("second transmission sent %d, want everything set aside %d", sent, r.providerShare(T2))
	}
	r.check(sent)
	if n := r.xfer.Flush(); n != 1 {
		t.Fatalf("relayed %d packets", n)
	}
	r.check(0)
	r.checkArrived(T2)
}

// TestRewardTransferErrorAckRefund: a provider that refuses the transfer
// (receiving disabled) answers with an error acknowledgement; the refund
// lands back in the provider-reward account, nothing is minted, and the
// accounting holds.
func TestRewardTransferErrorAckRefund(t *testing.T) {
	r := newRewards(t, time.Hour, func(g *app.Genesis) { g.Transfer.Params.ReceiveEnabled = false })
	packets := r.runToTransmission()
	sent := r.sentAmount(packets)
	if sent == 0 || sent != r.providerShare(r.cons.Height) || r.pending() != 0 {
		t.Fatalf("sent %d, want %d", sent, r.providerShare(r.cons.Height))
	}
	r.check(sent)
	if n := r.xfer.Flush(); n != 1 {
		t.Fatalf("relayed %d packets", n)
	}
	r.check(0)
	if r.escrow() != 0 || r.prov.Supply(r.voucher()) != 0 {
		t.Fatalf("after the error ack: escrow %d, vouchers %d", r.escrow(), r.prov.Supply(r.voucher()))
	}
	if got := r.pending(); got != r.providerShare(r.cons.Height) {
		t.Fatalf("pending %d after the refund, want everything set aside, %d", got, r.providerShare(r.cons.Height))
	}
}
