package ibctest_test

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	gogoproto "github.com/cosmos/gogoproto/proto"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"

	"github.com/abci-ics/ics/app"
	. "github.com/abci-ics/ics/app/ibctest"
	"github.com/abci-ics/ics/chain/auth"
	"github.com/abci-ics/ics/chain/distribution"
	"github.com/abci-ics/ics/chain/gov"
	"github.com/abci-ics/ics/chain/staking"
	"github.com/abci-ics/ics/consumer"
	"github.com/abci-ics/ics/ibc/packet"
	"github.com/abci-ics/ics/ibc/transfer"
	"github.com/abci-ics/ics/interchain"
	"github.com/abci-ics/ics/provider"
	"github.com/abci-ics/ics/provider/registry"
	"github.com/abci-ics/ics/provider/rewards"
	"github.com/abci-ics/ics/types/coin"
	"github.com/abci-ics/ics/types/fraction"
)

// The consumer's BlocksPerDistributionTransmission and
// TransferTimeoutPeriod in TestRewardsProperties: a transfer held for
// more than eight blocks of either chain times out.
const (
	propEvery   = 5
	propTimeout = 40 * time.Second
)

// propSeeds are the seeds of the runs of TestRewardsProperties.
var propSeeds = []uint64{1, 2, 3, 4, 5}

// rewardsProp is the net of one run of TestRewardsProperties: a provider
// of five validators (powers 100, 70, 50, 30, 20; accounts 6 and 7
// delegate), an opt-in consumer of account 5's with validators 0, 1 and
// 2 opted in at launch, its CCV path and the transfer channel on the CCV
// connection, with the consumer's voucher allowlisted by governance.
type rewardsProp struct {
	t          *testing.T
	n          *Net
	prov, cons *Chain
	xfer       *Path // the transfer channel; n.Paths[0] is the CCV path
	id         string
	voucher    string
	launch     int64
	nonce      uint64            // of consumer account 1, which pays the random fees
	supply     uint64            // the consumer's stake, which never changes
	keep       fraction.Fraction // the consumer's redistribution fraction
	checked    int64             // the provider heights checked so far
	dists      int               // distributions with a non-empty pool checked
	paidOut    uint64            // what those paid
	outside    int               // of those, the ones that left a validator out
	sets       map[string]bool   // the distinct sets those paid
}

func newRewardsProp(t *testing.T) *rewardsProp {
	prov := pssProvider(t, []int64{100, 70, 50, 30, 20}, nil)
	ip := initParams(prov, 3*BlockInterval)
	ip.Params.BlocksPerDistributionTransmission = propEvery
	ip.Params.TransferTimeoutPeriod = propTimeout
	id := createConsumer(prov, 5, &registry.MsgCreateConsumer{Submitter: prov.Address(5), ChainId: "consumer-1",
		Metadata: registry.ConsumerMetadata{Name: "consumer-1"}, InitializationParameters: ip})
	optIn(prov, id, 0, 1, 2)
	waitPhase(prov, id, "launched", 10)
	cons := StartConsumer(prov, "consumer-1", 2)
	ccvPath := LinkCCV(cons, prov)
	ccvPath.Flush()
	xfer := openTransfer(ccvPath)
	r := &rewardsProp{t: t, prov: prov, cons: cons, xfer: xfer, id: id,
		voucher: transfer.VoucherDenom(transfer.PortID, xfer.B.Channel, "stake"), supply: cons.Supply("stake"), sets: map[string]bool{},
		keep: ip.Params.ConsumerRedistributionFraction}
	// Nothing is relayed on the transfer channel before the voucher is
	// allowlisted: every reward that arrives is the consumer's.
	PassProposal(prov, &registry.MsgChangeRewardDenoms{Owner: gov.ModuleAddress(), ConsumerId: id, Add: []string{r.voucher}})
	c, ok := FindConsumer(prov, "consumer-1")
	if !ok || c.LaunchHeight == 0 {
		t.Fatalf("consumer %+v", c)
	}
	r.launch = c.LaunchHeight
	r.n = &Net{Provider: prov, Consumers: []*Chain{cons}, Paths: []*Path{ccvPath}}
	return r
}

// distributes reports whether provider block h pays out the consumer's
// pool.
func (r *rewardsProp) distributes(h int64) bool {
	return h > r.launch && (h-r.launch)%propEvery == 0
}

// provTx runs a provider block of tx from account i that moves
// distribution records, never in a distribution block (an empty block
// first if the next one is), so that a distribution block's rewards are
// the distribution's alone.
func (r *rewardsProp) provTx(i int, msg gogoproto.Message) {
	if r.distributes(r.prov.Height + 1) {
		r.prov.NextBlock()
	}
	r.prov.MustSucceed(r.prov.NextBlock(r.prov.Tx(i, msg)))
}

// feeBlock runs a provider block, then a consumer block with a
// transaction of account 1 paying a random fee: a client update of the
// consumer's client of the provider to that provider block (a consumer
// handles nothing but IBC messages, and an update must move its client).
func (r *rewardsProp) feeBlock(rng *rand.Rand) {
	c := r.cons
	r.prov.NextBlock()
	up, _ := UpdateMsg(r.xfer.A, r.prov)
	up.Signer = c.Address(1)
	msg, err := auth.NewAny(up)
	if err != nil {
		r.t.Fatal(err)
	}
	fee := 1 + rng.Uint64N(5000)
	if rng.IntN(4) == 0 {
		fee = 1 + rng.Uint64N(3)
	}
	tx, err := auth.SignTx(c.Accounts[1], &auth.TxBody{ChainId: c.ID, Nonce: r.nonce, Fee: coin.Coin{Denom: "stake", Amount: fee}, Msgs: []auth.Any{msg}})
	if err != nil {
		r.t.Fatal(err)
	}
	r.nonce++
	c.MustSucceed(c.NextBlock(tx))
}

// feesPaid is the stake every transaction on the consumer paid as fees,
// the relayer's included, and the provider's share of it: in each block
// the block's fees less the consumer's floor(fees * keep).
func (r *rewardsProp) feesPaid() (total, providers uint64) {
	for _, resp := range r.cons.Log {
		var fees uint64
		for _, e := range Events(resp, "tx") {
			fees += r.amount(e["fee"], "stake")
		}
		total += fees
		providers += fees - r.keep.MulFloor(fees)
	}
	return total, providers
}

// amount parses s, an amount of denom ("" is zero).
func (r *rewardsProp) amount(s, denom string) uint64 {
	if s == "" {
		return 0
	}
	v, err := strconv.ParseUint(strings.TrimSuffix(s, denom), 10, 64)
	if err != nil || !strings.HasSuffix(s, denom) {
		r.t.Fatalf("amount %q of %s: %v", s, denom, err)
	}
	return v
}

// flying returns the reward packets the consumer sent on the transfer
// channel that the provider has not received and that have not timed
// out, by sequence, with their amounts.
func (r *rewardsProp) flying() (map[uint64]channeltypes.Packet, map[uint64]uint64) {
	packets, amounts := map[uint64]channeltypes.Packet{}, map[uint64]uint64{}
	for _, resp := range r.cons.Log {
		sent, _ := PacketsIn(r.t, resp, packet.EventSendPacket)
		for _, pk := range sent {
			if pk.SourcePort != transfer.PortID || pk.SourceChannel != r.xfer.A.Channel {
				continue
			}
			d, amount, err := transfer.DecodePacketData(pk.Data)
			if err != nil || d.Denom != "stake" {
				r.t.Fatalf("reward packet %v: %+v, %v", pk, d, err)
			}
			packets[pk.Sequence], amounts[pk.Sequence] = pk, amount
		}
	}
	gone := func(c *Chain, typ, channelKey, channel string) {
		for _, resp := range c.Log {
			for _, e := range Events(resp, typ) {
				if e[packet.AttrPacketSrcPort] != transfer.PortID || e[channelKey] != channel {
					continue
				}
				seq, err := strconv.ParseUint(e[packet.AttrPacketSequence], 10, 64)
				if err != nil {
					r.t.Fatal(err)
				}
				delete(packets, seq)
				delete(amounts, seq)
			}
		}
	}
	gone(r.prov, packet.EventRecvPacket, packet.AttrPacketDstChannel, r.xfer.B.Channel)
	gone(r.cons, packet.EventTimeoutPacket, packet.AttrPacketSrcChannel, r.xfer.A.Channel)
	return packets, amounts
}

// inFlight is the stake of the packets flying returns.
func (r *rewardsProp) inFlight() uint64 {
	_, amounts := r.flying()
	var total uint64
	for _, a := range amounts {
		total += a
	}
	return total
}

// relayTransfers relays the transfer channel: reward packets, their
// acknowledgements and their timeouts. The relayer judges a timeout by
// the provider's last block, and a receive lands a block or two of the
// shared clock later (the proof takes a consumer block): a packet that
// times out in between is first let time out on the provider, so that
// the relayer times it out rather than submit a receive that fails.
func (r *rewardsProp) relayTransfers() {
	for again := true; again; {
		again = false
		packets, _ := r.flying()
		soon := uint64(r.prov.Clock().Now.Add(3 * BlockInterval).UnixNano())
		for _, pk := range packets {
			if pk.TimeoutTimestamp > uint64(r.prov.Time.UnixNano()) && pk.TimeoutTimestamp <= soon {
				r.prov.NextBlock()
				again = true
				break
			}
		}
	}
	r.xfer.Flush()
}

// storeAmount reads a distribution record of the provider at height h:
// a commission (rewards false) or a validator's outstanding rewards.
func (r *rewardsProp) storeAmount(key []byte, h int64, outstanding bool) uint64 {
	res := r.prov.Query(app.PathStore+distribution.StoreName+"/key", key, h, false)
	if res.Code != 0 {
		r.t.Fatalf("distribution record %X at %d: %s", key, h, res.Log)
	}
	if len(res.Value) == 0 {
		return 0
	}
	if outstanding {
		var vr distribution.ValidatorRewards
		if err := gogoproto.Unmarshal(res.Value, &vr); err != nil {
			r.t.Fatal(err)
		}
		return vr.Outstanding
	}
	var a distribution.Amount
	if err := gogoproto.Unmarshal(res.Value, &a); err != nil {
		r.t.Fatal(err)
	}
	return a.Amount
}

// reward is what validator i had been given in the voucher by the end of
// provider block h: its commission plus its delegators' outstanding
// rewards.
func (r *rewardsProp) reward(i int, h int64) uint64 {
	op := r.prov.Address(i)
	return r.storeAmount(distribution.CommissionKey(op, r.voucher), h, false) +
		r.storeAmount(distribution.ValidatorRewardsKey(op, r.voucher), h, true)
}

// poolAt is the consumer's pool in the voucher at the end of provider
// block h.
func (r *rewardsProp) poolAt(h int64) uint64 {
	var info interchain.ConsumerRewardsJSON
	queryAt(r.prov, interchain.PathConsumerRewards+r.id, h, &info)
	for _, c := range info.Pool {
		if c.Denom == r.voucher {
			return c.Amount
		}
	}
	return 0
}

// checkDistribution checks provider block h: at a distribution block
// each validator of the consumer's stored set is given floor(pool * its
// power / the set's power) of the pool the block had (what was left plus
// what the block credited), the others nothing, and the rest stays in
// the pool; in any other block no validator's rewards in the voucher
// grow (they shrink by withdrawals, which provTx keeps out of
// distribution blocks). No block sends a reward to the community pool or
// refuses a transfer.
func (r *rewardsProp) checkDistribution(step int, h int64) {
	resp := r.prov.Log[h-1]
	for _, e := range Events(resp, "consumer_rewards_to_community_pool") {
		r.t.Fatalf("step %d: provider block %d sent rewards to the community pool: %v", step, h, e)
	}
	for _, e := range Events(resp, transfer.EventTypePacket) {
		if e[transfer.AttributeSuccess] != "true" {
			r.t.Fatalf("step %d: provider block %d refused a transfer: %v", step, h, e)
		}
	}
	if !r.distributes(h) {
		for i := range r.prov.ValidatorKeys {
			if before, after := r.reward(i, h-1), r.reward(i, h); after > before {
				r.t.Fatalf("step %d: provider block %d, not a distribution block, gave validator %d %d", step, h, i, after-before)
			}
		}
		return
	}
	var info interchain.ConsumerRewardsJSON
	queryAt(r.prov, interchain.PathConsumerRewards+r.id, h, &info)
	if info.LastDistribution != h {
		r.t.Fatalf("step %d: provider block %d: last distribution %d", step, h, info.LastDistribution)
	}
	pool := r.poolAt(h - 1)
	for _, e := range Events(resp, "consumer_rewards_credited") {
		pool += r.amount(e["amount"], r.voucher)
	}
	set := storedSet(r.prov, r.id, h)
	var total uint64
	for _, p := range set {
		if p > 0 {
			total += uint64(p)
		}
	}
	var paid uint64
	for i := range r.prov.ValidatorKeys {
		var want uint64
		if p := set[valcons(r.prov, i)]; p > 0 {
			want = pool * uint64(p) / total
		}
		got := r.reward(i, h) - r.reward(i, h-1)
		if got != want {
			r.t.Fatalf("step %d: distribution at provider block %d: validator %d given %d, want floor(%d*%d/%d) = %d (set %v)",
				step, h, i, got, pool, set[valcons(r.prov, i)], total, want, set)
		}
		paid += got
	}
	if left := r.poolAt(h); left != pool-paid {
		r.t.Fatalf("step %d: distribution at provider block %d: pool %d, paid %d, %d left, want %d", step, h, pool, paid, left, pool-paid)
	}
	if pool > 0 {
		r.dists++
		r.paidOut += paid
		r.sets[setKey(set)] = true
		if len(set) < len(r.prov.ValidatorKeys) {
			r.outside++
		}
	}
}

// check checks every provider block not yet checked, then the supply:
// on the consumer the fee collector, the consumer's share, the
// provider-reward account and the escrow of the transfer channel hold
// exactly the fees paid, the stake supply is unchanged, the fee
// collector is empty after every block and the provider-reward account
// and the escrow hold exactly the provider's share; on the
// provider the vouchers minted are the escrow less what is in flight,
// and they are all in the pool account (exactly the consumer's pool),
// the distribution module account or the accounts' balances.
func (r *rewardsProp) check(step int) {
	for ; r.checked < r.prov.Height; r.checked++ {
		r.checkDistribution(step, r.checked+1)
	}
	c, p := r.cons, r.prov
	escrow := c.Balance(transfer.EscrowAddress(transfer.PortID, r.xfer.A.Channel), "stake")
	fc, kept, toProv := c.Balance(app.FeeCollectorAddress(), "stake"), c.Balance(consumer.RedistributeAddress(), "stake"), c.Balance(consumer.ToProviderAddress(), "stake")
	fees, share := r.feesPaid()
	if fc+kept+toProv+escrow != fees {
		r.t.Fatalf("step %d: consumer at %d: fee collector %d + kept %d + to the provider %d + escrow %d = %d, fees paid %d",
			step, c.Height, fc, kept, toProv, escrow, fc+kept+toProv+escrow, fees)
	}
	if fc != 0 || toProv+escrow != share {
		r.t.Fatalf("step %d: consumer at %d: fee collector %d, to the provider %d + escrow %d, want 0 and the provider's share %d",
			step, c.Height, fc, toProv, escrow, share)
	}
	if got := c.Supply("stake"); got != r.supply {
		r.t.Fatalf("step %d: consumer supply %d, was %d", step, got, r.supply)
	}
	minted, flying := p.Supply(r.voucher), r.inFlight()
	if minted+flying != escrow {
		r.t.Fatalf("step %d: %d vouchers minted + %d in flight, %d escrowed", step, minted, flying, escrow)
	}
	poolAcc := p.Balance(rewards.PoolAddress(), r.voucher)
	if pool := r.poolAt(0); pool != poolAcc {
		r.t.Fatalf("step %d: the pool account holds %d, the consumer's pool is %d", step, poolAcc, pool)
	}
	held := poolAcc + p.Balance(distribution.ModuleAddress(), r.voucher)
	for i := range p.Accounts {
		held += p.Balance(p.Address(i), r.voucher)
	}
	if held != minted {
		r.t.Fatalf("step %d: %d vouchers accounted for, %d minted", step, held, minted)
	}
}

// TestRewardsProperties runs, for each of a few seeds, random consumer
// blocks with transactions paying random fees, provider blocks, steps of
// both chains, CCV and transfer relaying held back and released (held
// reward transfers time out and the timeouts are relayed), opt-ins and
// opt-outs, delegations, withdrawals of rewards and commission,
// consumer commission rates, downtime on the consumer (jailing on the
// provider) and unjailing over a provider and an opt-in consumer whose
// rewards reach the provider over ICS-20 (newRewardsProp), and checks
// after every step that no coin is created or lost on either chain and
// that every distribution pays each validator of the consumer's stored
// set its power's share of the pool, to the unit, and nothing to the
// others (rewardsProp.check).
func TestRewardsProperties(t *testing.T) {
	for _, seed := range propSeeds {
		t.Run("seed"+strconv.FormatUint(seed, 10), func(t *testing.T) {
			runRewardsProperties(t, seed, 150)
		})
	}
}

func runRewardsProperties(t *testing.T, seed uint64, steps int) {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	r := newRewardsProp(t)
	prov := r.prov
	held := map[int]bool{}
	r.n.Hold = func(int) bool { return held[0] }
	holdXfer := false
	r.check(-1)
	for s := 0; s < steps; s++ {
		switch rng.IntN(12) {
		case 0, 1:
			r.feeBlock(rng)
		case 2:
			prov.NextBlock()
		case 3:
			r.n.Step()
		case 4:
			held[0] = !held[0]
		case 5:
			holdXfer = !holdXfer
		case 6:
			v := rng.IntN(len(prov.ValidatorKeys))
			if rng.IntN(2) == 0 {
				prov.MustSucceed(prov.NextBlock(prov.Tx(v, &registry.MsgOptIn{Operator: prov.Address(v), ConsumerId: r.id})))
			} else {
				res := prov.NextBlock(prov.Tx(v, &registry.MsgOptOut{Operator: prov.Address(v), ConsumerId: r.id})).TxResults[0]
				if res.Code != 0 && !strings.Contains(res.Log, provider.ErrNotOptedIn.Error()) {
					t.Fatalf("step %d: opt-out of validator %d: %s", s, v, res.Log)
				}
			}
		case 7:
			v := rng.IntN(len(prov.ValidatorKeys))
			d := 6 + rng.IntN(2)
			r.provTx(d, &staking.MsgDelegate{Delegator: prov.Address(d), Validator: prov.Address(v), Amount: uint64(1+rng.IntN(60)) * tokensPerPower})
		case 8:
			v := rng.IntN(len(prov.ValidatorKeys))
			switch rng.IntN(3) {
			case 0:
				r.provTx(v, &distribution.MsgWithdrawRewards{Delegator: prov.Address(v), Validator: prov.Address(v)})
			case 1:
				r.provTx(v, &distribution.MsgWithdrawCommission{Validator: prov.Address(v)})
			default:
				r.provTx(v, &registry.MsgSetConsumerCommissionRate{Operator: prov.Address(v), ConsumerId: r.id, Rate: fraction.New(uint64(rng.IntN(5)), 4)})
			}
		case 10:
			// Downtime on the consumer: a validator of its set misses
			// blocks (long enough, it is jailed on the provider), or
			// every validator signs again.
			c := r.cons
			for k := range c.Absent {
				delete(c.Absent, k)
			}
			if rng.IntN(2) == 0 {
				_, vals := c.SignedHeader(c.Height)
				c.Absent[string(vals.Validators[rng.IntN(vals.Size())].Address)] = true
			}
		case 11:
			for v := range prov.ValidatorKeys {
				if validator(prov, v).Jailed && !validatorJailedUntil(prov, v).After(prov.Time) {
					prov.MustSucceed(prov.NextBlock(prov.Tx(v, &staking.MsgUnjail{Validator: prov.Address(v)})))
				}
			}
		case 9:
			for i := 1 + rng.IntN(4); i > 0; i-- {
				if rng.IntN(2) == 0 {
					r.feeBlock(rng)
				} else {
					r.cons.NextBlock()
				}
			}
		}
		if !holdXfer {
			r.relayTransfers()
		}
		r.check(s)
	}
	// Release everything: every reward either arrives or times out and is
	// sent again, the checks still hold, and nothing is left in flight.
	held[0] = false
	for k := range r.cons.Absent {
		delete(r.cons.Absent, k)
	}
	for i := 0; i < 3*propEvery; i++ {
		r.n.Step()
		r.relayTransfers()
		r.check(steps)
	}
	if f := r.inFlight(); f != 0 {
		t.Fatalf("%d still in flight after the transfer channel was flushed", f)
	}
	timeouts := CountEvents(r.cons, packet.EventTimeoutPacket, packet.AttrPacketSrcChannel, r.xfer.A.Channel)
	if r.dists == 0 || r.paidOut == 0 {
		t.Fatalf("no distribution paid anything (%d distributions)", r.dists)
	}
	t.Logf("seed %d: %d provider blocks, %d consumer blocks, %d reward packets timed out, %d consumer downtime slashes; %d distributions paid %d %s over %d sets, %d leaving validators out",
		seed, prov.Height, r.cons.Height, timeouts, CountEvents(prov, "execute_consumer_chain_slash", "", ""), r.dists, r.paidOut, r.voucher, len(r.sets), r.outside)
}
