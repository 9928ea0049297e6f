package ibctest_test

import (
	"math/big"
	"testing"
	"time"

	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	gogoproto "github.com/cosmos/gogoproto/proto"

	"github.com/abci-ics/ics/app"
	"github.com/abci-ics/ics/app/ibctest"
	"github.com/abci-ics/ics/app/pos"
	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/chain/distribution"
	"github.com/abci-ics/ics/chain/gov"
	"github.com/abci-ics/ics/chain/staking"
	"github.com/abci-ics/ics/ibc/channel"
	"github.com/abci-ics/ics/ibc/client"
	"github.com/abci-ics/ics/ibc/commitment"
	"github.com/abci-ics/ics/ibc/transfer"
	"github.com/abci-ics/ics/interchain"
	"github.com/abci-ics/ics/provider"
	"github.com/abci-ics/ics/provider/registry"
	"github.com/abci-ics/ics/provider/rewards"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/coin"
	"github.com/abci-ics/ics/types/fraction"
)

// rewardsEvery is the consumer's BlocksPerDistributionTransmission in the
// rewards tests: the provider pays its pool out every that many blocks.
const rewardsEvery = 25

// openTransferOnCCV opens an unordered ICS-20 channel between the
// consumer (side A, which initiates) and the provider over the connection
// of the CCV path ccvPath.
func openTransferOnCCV(ccvPath *ibctest.Path) *ibctest.Path {
	cons, prov := ccvPath.A.Chain, ccvPath.B.Chain
	p := &ibctest.Path{
		A: &ibctest.End{Chain: cons, Client: ccvPath.A.Client, Connection: ccvPath.A.Connection, Port: transfer.PortID},
		B: &ibctest.End{Chain: prov, Client: ccvPath.B.Client, Connection: ccvPath.B.Connection, Port: transfer.PortID},
	}
	A, B := p.A, p.B
	res := ibctest.Submit(cons, &channel.MsgChannelOpenInit{PortId: transfer.PortID, Signer: cons.Address(0),
		Channel: ibctest.Marshal(&channeltypes.Channel{State: channeltypes.INIT, Ordering: channeltypes.UNORDERED,
			Counterparty: channeltypes.Counterparty{PortId: transfer.PortID}, ConnectionHops: []string{A.Connection}, Version: transfer.Version})})
	A.Channel = lastAttr(cons, res, channel.EventChannelOpenInit, channel.AttrChannelID)

	proof, h, up := ibctest.Prove(B, cons, commitment.ChannelPath(transfer.PortID, A.Channel))
	res = ibctest.Submit(prov, withUpdate(up, &channel.MsgChannelOpenTry{PortId: transfer.PortID, Signer: prov.Address(0),
		Channel: ibctest.Marshal(&channeltypes.Channel{State: channeltypes.TRYOPEN, Ordering: channeltypes.UNORDERED,
			Counterparty: channeltypes.Counterparty{PortId: transfer.PortID, ChannelId: A.Channel}, ConnectionHops: []string{B.Connection}, Version: transfer.Version}),
		CounterpartyVersion: transfer.Version, ProofInit: proof, ProofRevisionNumber: h.RevisionNumber, ProofRevisionHeight: h.RevisionHeight})...)
	B.Channel = lastAttr(prov, res, channel.EventChannelOpenTry, channel.AttrChannelID)

	proof, h, up = ibctest.Prove(A, prov, commitment.ChannelPath(transfer.PortID, B.Channel))
	ibctest.Submit(cons, withUpdate(up, &channel.MsgChannelOpenAck{PortId: transfer.PortID, ChannelId: A.Channel, CounterpartyChannelId: B.Channel,
		CounterpartyVersion: transfer.Version, ProofTry: proof, ProofRevisionNumber: h.RevisionNumber, ProofRevisionHeight: h.RevisionHeight, Signer: cons.Address(0)})...)
	proof, h, up = ibctest.Prove(B, cons, commitment.ChannelPath(transfer.PortID, A.Channel))
	ibctest.Submit(prov, withUpdate(up, &channel.MsgChannelOpenConfirm{PortId: transfer.PortID, ChannelId: B.Channel, ProofAck: proof,
		ProofRevisionNumber: h.RevisionNumber, ProofRevisionHeight: h.RevisionHeight, Signer: prov.Address(0)})...)
	return p
}

// withUpdate returns msgs preceded by the client update up, if any.
func withUpdate(up *client.MsgUpdateClient, msgs ...gogoproto.Message) []gogoproto.Message {
	if up == nil {
		return msgs
	}
	return append([]gogoproto.Message{up}, msgs...)
}

// lastAttr returns attribute key of the last event typ of resp.
func lastAttr(c *ibctest.Chain, resp *abcitypes.ResponseFinalizeBlock, typ, key string) string {
	evs := ibctest.Events(resp, typ)
	if len(evs) == 0 || evs[len(evs)-1][key] == "" {
		c.T.Fatalf("%s: no %s.%s", c.ID, typ, key)
	}
	return evs[len(evs)-1][key]
}

// rewardMemo is the memo of a reward transfer of consumer id.
func rewardMemo(id, chainID string) string { return ccv.NewRewardMemo(id, chainID) }

// sendRewards has consumer account 1 send amount of its "stake" over the
// path's channel to the provider's consumer-rewards pool with memo, and
// relays the packet and its acknowledgement.
func sendRewards(t *testing.T, p *ibctest.Path, amount uint64, memo string) {
	t.Helper()
	cons := p.A.Chain
	m := &transfer.MsgTransfer{Sender: cons.Address(1), SourcePort: p.A.Port, SourceChannel: p.A.Channel,
		Token: coin.Coin{Denom: "stake", Amount: amount}, Receiver: address.Encode("ics", rewards.PoolAddress()),
		TimeoutTimestamp: uint64(cons.Time.Add(time.Hour).UnixNano()), Memo: memo}
	cons.MustSucceed(cons.NextBlock(cons.Tx(1, m)))
	if n := p.Flush(); n != 1 {
		t.Fatalf("relayed %d packets, want 1", n)
	}
}

type delegationRewards struct {
	Validator []byte
	Rewards   []coin.Coin
}

// pending returns what delegator can withdraw from validator in denom.
func pending(c *ibctest.Chain, delegator, validator []byte, denom string) uint64 {
	var rs []delegationRewards
	c.QueryJSON(pos.PathRewards+address.Encode("ics", delegator), &rs)
	for _, r := range rs {
		if string(r.Validator) == string(validator) {
			for _, x := range r.Rewards {
				if x.Denom == denom {
					return x.Amount
				}
			}
		}
	}
	return 0
}

// coinsOf returns the amount of denom in a coins query answer.
func coinsOf(c *ibctest.Chain, path, denom string) uint64 {
	var cs []app.CoinJSON
	c.QueryJSON(path, &cs)
	for _, x := range cs {
		if x.Denom == denom {
			return x.Amount
		}
	}
	return 0
}

// TestProviderConsumerRewards: a consumer sends its fee token to the
// provider's consumer-rewards pool over an ICS-20 channel on its CCV
// connection. Before the token is allowlisted it goes to the community
// pool; once allowlisted (by governance) it is credited to the consumer's
// pool and paid out at the consumer's next distribution block to exactly
// the validators of its set (one provider validator is denylisted), by
// consumer power, each minus its commission (a consumer commission for
// validator 0, the staking commission for the others), to the unit, and
// the remainder stays in the pool; a transfer with another consumer's memo
// or over a channel on another connection goes to the community pool.
// Every voucher minted on the provider is escrowed on the consumer.
func TestProviderConsumerRewards(t *testing.T) {
	clock := &ibctest.Clock{Now: start}
	prov := ibctest.NewProvider(t, clock, "provider", 4, 5, nil)
	// Account 4 delegates to validator 1, which then has half again the
	// power of the others and two delegators.
	const extra = 50_000_000
	prov.MustSucceed(prov.NextBlock(prov.Tx(4, &staking.MsgDelegate{Delegator: prov.Address(4), Validator: prov.Address(1), Amount: extra})))
	denied := prov.ValidatorKeys[3].PubKey().Address()
	params := ibctest.ConsumerParams()
	params.BlocksPerDistributionTransmission = rewardsEvery
	// The consumer keeps all its fees: its own reward transmissions would
	// add to the pool; here only the test's transfers arrive.
	params.ConsumerRedistributionFraction = fraction.New(1, 1)
	ibctest.PassProposal(prov, &provider.ConsumerAdditionProposal{ChainId: "consumer", SpawnTime: prov.Time.UnixNano(), InitialHeight: 1, Params: params,
		PowerShaping: registry.PowerShapingParameters{TopN: 100, Denylist: [][]byte{denied}}})
	prov.NextBlock()
	cons := ibctest.StartConsumer(prov, "consumer", 2)
	id := ibctest.ConsumerID(prov, "consumer")
	ccvPath := ibctest.LinkCCV(cons, prov)
	ccvPath.Flush()
	tp := openTransferOnCCV(ccvPath)
	voucher := transfer.VoucherDenom(transfer.PortID, tp.B.Channel, "stake")

	var vals []interchain.ConsumerValidatorJSON
	prov.QueryJSON(interchain.PathConsumerVals+id, &vals)
	if len(vals) != 3 {
		t.Fatalf("consumer set of %d validators, want 3", len(vals))
	}
	powers := map[int64]int{}
	for _, v := range vals {
		powers[v.Power]++
	}
	if len(powers) != 2 {
		t.Fatalf("consumer powers %v, want two different", powers)
	}
	for _, v := range vals {
		if v.ProviderAddress == address.Encode("icsvalcons", denied) {
			t.Fatal("the denylisted validator is in the consumer's set")
		}
	}

	var info interchain.ConsumerRewardsJSON
	rewardsOf := func() interchain.ConsumerRewardsJSON {
		var r interchain.ConsumerRewardsJSON
		prov.QueryJSON(interchain.PathConsumerRewards+id, &r)
		return r
	}
	poolOf := func(r interchain.ConsumerRewardsJSON) uint64 {
		for _, c := range r.Pool {
			if c.Denom == voucher {
				return c.Amount
			}
		}
		return 0
	}
	community := func() uint64 { return coinsOf(prov, pos.PathCommunityPool, voucher) }

	// (b) Not allowlisted: to the community pool.
	sendRewards(t, tp, 1000, rewardMemo(id, "consumer"))
	if got := community(); got != 1000 {
		t.Fatalf("community pool %d, want 1000", got)
	}
	if info = rewardsOf(); poolOf(info) != 0 || len(info.AllowlistedDenoms) != 0 {
		t.Fatalf("rewards %+v", info)
	}

	// Only the consumer's owner (here governance) changes its reward
	// denominations.
	failsWith(t, prov, provider.ErrNotOwner, &registry.MsgChangeRewardDenoms{Owner: prov.Address(0), ConsumerId: id, Add: []string{voucher}})
	ibctest.PassProposal(prov, &registry.MsgChangeRewardDenoms{Owner: gov.ModuleAddress(), ConsumerId: id, Add: []string{voucher}})
	if info = rewardsOf(); len(info.AllowlistedDenoms) != 1 || info.AllowlistedDenoms[0] != voucher {
		t.Fatalf("allowlist %v", info.AllowlistedDenoms)
	}
	// Validator 0 takes a consumer commission of 1/4.
	prov.MustSucceed(prov.NextBlock(prov.Tx(0, &registry.MsgSetConsumerCommissionRate{Operator: prov.Address(0), ConsumerId: id, Rate: fraction.New(1, 4)})))

	// (c) The memo of another consumer, or a channel on another connection:
	// to the community pool.
	sendRewards(t, tp, 7, rewardMemo("9", "consumer"))
	other := &ibctest.Path{A: &ibctest.End{Chain: cons, Client: ccvPath.A.Client}, B: &ibctest.End{Chain: prov, Client: ccvPath.B.Client}}
	other.Open(transfer.PortID, transfer.PortID, channeltypes.UNORDERED, transfer.Version)
	if other.B.Connection == tp.B.Connection {
		t.Fatal("the other channel is on the CCV connection")
	}
	sendRewards(t, other, 11, rewardMemo(id, "consumer"))
	otherVoucher := transfer.VoucherDenom(transfer.PortID, other.B.Channel, "stake")
	if got := community(); got != 1007 {
		t.Fatalf("community pool %d, want 1007", got)
	}
	if got := coinsOf(prov, pos.PathCommunityPool, otherVoucher); got != 11 {
		t.Fatalf("community pool %d %s, want 11", got, otherVoucher)
	}
	if info = rewardsOf(); poolOf(info) != 0 {
		t.Fatalf("pool %d after refused transfers", poolOf(info))
	}

	// (a) Allowlisted, with the right memo, early in a distribution
	// period: credited to the consumer's pool.
	c, _ := ibctest.FindConsumer(prov, "consumer")
	launch := c.LaunchHeight
	for (prov.Height-launch)%rewardsEvery != 0 {
		prov.NextBlock()
	}
	const amount = 1_000_003
	before := map[string][2]uint64{}
	for i := 0; i < 4; i++ {
		op := prov.Address(i)
		before[string(op)] = [2]uint64{pending(prov, op, op, voucher), coinsOf(prov, pos.PathCommission+address.Encode("ics", op), voucher)}
	}
	sendRewards(t, tp, amount, rewardMemo(id, "consumer"))
	if info = rewardsOf(); poolOf(info) != amount {
		t.Fatalf("pool %d after the reward transfer, want %d (last distribution %d)", poolOf(info), amount, info.LastDistribution)
	}
	if got := prov.Balance(rewards.PoolAddress(), voucher); got != amount {
		t.Fatalf("pool account holds %d, want %d", got, amount)
	}

	// The next distribution block pays the consumer's validators.
	for (prov.Height-launch)%rewardsEvery != 0 {
		prov.NextBlock()
	}
	info = rewardsOf()
	if info.LastDistribution != prov.Height {
		t.Fatalf("last distribution at %d, want %d", info.LastDistribution, prov.Height)
	}
	var total int64
	for _, v := range vals {
		total += v.Power
	}
	var paid uint64
	for i := 0; i < 4; i++ {
		op := prov.Address(i)
		cons := address.Encode("icsvalcons", prov.ValidatorKeys[i].PubKey().Address())
		var share uint64
		for _, v := range vals {
			if v.ProviderAddress == cons {
				share = uint64(amount) * uint64(v.Power) / uint64(total)
			}
		}
		rate := fraction.New(1, 10)
		if i == 0 {
			rate = fraction.New(1, 4)
		}
		comm := rate.MulFloor(share)
		gotDel := pending(prov, op, op, voucher) - before[string(op)][0]
		if i == 1 {
			// Two delegators: the operator's 100M shares and account 4's
			// extra, paid through the validator's reward per share.
			rps := new(big.Int).Mul(big.NewInt(int64(share-comm)), distribution.Scale)
			rps.Quo(rps, big.NewInt(100_000_000+extra))
			part := func(shares int64) uint64 {
				return new(big.Int).Quo(new(big.Int).Mul(rps, big.NewInt(shares)), distribution.Scale).Uint64()
			}
			if got := pending(prov, prov.Address(4), op, voucher); got != part(extra) {
				t.Errorf("account 4's rewards %d, want %d", got, part(extra))
			}
			if gotDel != part(100_000_000) {
				t.Errorf("validator 1's operator's rewards %d, want %d", gotDel, part(100_000_000))
			}
			gotDel += pending(prov, prov.Address(4), op, voucher)
			if share-comm-gotDel > 1 {
				t.Errorf("validator 1's delegators got %d of %d", gotDel, share-comm)
			}
			gotDel = share - comm // the rounding dust stays outstanding
		}
		gotComm := coinsOf(prov, pos.PathCommission+address.Encode("ics", op), voucher) - before[string(op)][1]
		if gotDel != share-comm || gotComm != comm {
			t.Errorf("validator %d: delegators %d, commission %d; want %d and %d of a share of %d", i, gotDel, gotComm, share-comm, comm, share)
		}
		if i == 3 && share+gotDel+gotComm != 0 {
			t.Errorf("the validator outside the consumer's set got %d", gotDel+gotComm)
		}
		paid += share
	}
	if got := poolOf(info); got != amount-paid {
		t.Errorf("pool keeps %d, want the remainder %d", got, amount-paid)
	}
	if got := prov.Balance(rewards.PoolAddress(), voucher); got != amount-paid {
		t.Errorf("pool account holds %d, want %d", got, amount-paid)
	}

	// A delegator withdraws its part in the voucher.
	del, op := prov.Address(4), prov.Address(1)
	owed := pending(prov, del, op, voucher)
	bal := prov.Balance(del, voucher)
	prov.MustSucceed(prov.NextBlock(prov.Tx(4, &distribution.MsgWithdrawRewards{Delegator: del, Validator: op})))
	if got := prov.Balance(del, voucher); got != bal+owed || owed == 0 {
		t.Errorf("withdrew %d, owed %d", got-bal, owed)
	}

	// (d) Supply: every voucher minted on the provider is escrowed on the
	// consumer.
	for _, c := range []struct {
		voucher, channel string
	}{{voucher, tp.A.Channel}, {otherVoucher, other.A.Channel}} {
		if minted, escrowed := prov.Supply(c.voucher), cons.Balance(transfer.EscrowAddress(transfer.PortID, c.channel), "stake"); minted != escrowed {
			t.Errorf("%s: %d minted on the provider, %d escrowed on the consumer", c.voucher, minted, escrowed)
		}
	}
	if prov.Supply(voucher) != 1000+7+amount {
		t.Errorf("supply of %s: %d", voucher, prov.Supply(voucher))
	}
	// Every voucher is in the pool account, the distribution module
	// account (community pool, commission, outstanding rewards) or the
	// balance of the delegator that withdrew.
	if held := prov.Balance(rewards.PoolAddress(), voucher) + prov.Balance(distribution.ModuleAddress(), voucher) + prov.Balance(del, voucher); held != prov.Supply(voucher) {
		t.Errorf("%d %s accounted for, %d minted", held, voucher, prov.Supply(voucher))
	}
}
