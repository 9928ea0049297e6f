package main_test

import (
	"context"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/abci-ics/ics/app"
	"github.com/abci-ics/ics/app/pos"
	"github.com/abci-ics/ics/client"
	"github.com/abci-ics/ics/consumer"
	"github.com/abci-ics/ics/ibc/transfer"
	"github.com/abci-ics/ics/interchain"
	"github.com/abci-ics/ics/relayer/linkfile"
	"github.com/abci-ics/ics/testnet"
	"github.com/abci-ics/ics/testnet/ccvopts"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/coin"
)

// TestCCVRewards runs a provider of two validators with one top-N consumer
// whose fees are in its own coin (ucon1) and which sends the provider its
// share every 10 blocks, over the transfer channel its relayer opened; the
// testnet allowlists the voucher by a governance proposal. An ordinary
// account delegates to validator 1 on the provider. The consumer's relayer
// is killed with -9 three times at random moments after a transmission,
// and restarted; then every coin the consumer sent has arrived, once: the
// provider's supply of the voucher equals the sum of the transmissions
// (read from the consumer's blocks) and the consumer's escrow, with no
// transfer left unacknowledged. The delegator withdraws its rewards and
// holds the consumer's voucher.
func TestCCVRewards(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a provider, a consumer and its relayer")
	}
	began := time.Now()
	bin := buildBinary(t)
	out := &lockedBuffer{}
	o := e2eOptions(t, bin, 20, 2, []ccvopts.ConsumerKind{ccvopts.TopN(100)}, out)
	o.BlocksPerDistribution = 10
	n, ctx := startCCV(t, o, out, 6*time.Minute, "consumer-1/relayer.log")
	net := n.net
	go net.Watch(ctx, out, 500*time.Millisecond, 20)
	c := net.Consumers[0]
	lf, err := linkfile.Read(c.LinkFile)
	if err != nil || lf.Transfer == nil {
		t.Fatalf("link file without a transfer channel: %v %+v", err, lf)
	}
	voucher := transfer.VoucherDenom(transfer.PortID, lf.Transfer.B, ccvopts.FeeDenom(1))
	if c.RewardDenom != voucher {
		t.Fatalf("reward denomination %q, want %q", c.RewardDenom, voucher)
	}
	var r interchain.ConsumerRewardsJSON
	n.mustQuery(net.ProviderRPC(0), interchain.PathConsumerRewards+c.ConsumerID, &r)
	if len(r.AllowlistedDenoms) != 1 || r.AllowlistedDenoms[0] != voucher {
		t.Fatalf("allowlist %v", r.AllowlistedDenoms)
	}

	// An ordinary account delegates to validator 1.
	owner, err := client.LoadKey(net.OwnerHome(), testnet.OwnerKey)
	if err != nil {
		t.Fatal(err)
	}
	delegator, v1 := address.Encode("ics", owner.Address()), n.validator(1)
	txHeight(t, run(t, bin, "tx", "staking", "delegate", testnet.OwnerKey, v1.Operator, "50000000000stake",
		"--home", net.OwnerHome(), "--node", net.ProviderRPC(0), "-o", "json"))

	// The relayer dies with -9 at random moments just after a
	// transmission, with the transfer packet in flight or being relayed.
	rounds := &transmissions{n: n, c: c}
	for k := range 3 {
		last := rounds.lastNonEmpty()
		n.waitFor("a reward transmission", time.Minute, func() bool { return rounds.lastNonEmpty() > last })
		time.Sleep(time.Duration(rand.IntN(800)) * time.Millisecond)
		c.Relayer.Kill()
		t.Logf("relayer killed (%d) after the transmission at consumer height %d", k+1, rounds.lastNonEmpty())
		time.Sleep(time.Duration(2+rand.IntN(4)) * time.Second)
		if err := net.StartRelayer(ctx, c); err != nil {
			t.Fatal(err)
		}
	}

	// Everything sent arrives once: at some moment the provider's voucher
	// supply equals every transmission up to the consumer's height and
	// the consumer's escrow, with no transfer packet unacknowledged.
	escrow := address.Encode(n.consumerPrefix(c), transfer.EscrowAddress(transfer.PortID, lf.Transfer.A))
	var sent, supply uint64
	n.waitFor("every transmission minted on the provider", 90*time.Second, func() bool {
		var s app.CoinJSON
		if err := n.query(net.ProviderRPC(0), app.PathSupply+"/"+voucher, &s); err != nil {
			return false
		}
		var pending []uint64
		if err := n.query(c.LiveRPC(), interchain.PathIBCCommitments+transfer.PortID+"/"+lf.Transfer.A, &pending); err != nil || len(pending) > 0 {
			return false
		}
		sent, supply = rounds.total(), s.Amount
		return supply == sent && n.balance(c.LiveRPC(), escrow, ccvopts.FeeDenom(1)) == sent
	})
	if sent == 0 {
		t.Fatal("no reward sent")
	}
	t.Logf("%d%s sent in %d transmissions, all minted on the provider as %s", sent, ccvopts.FeeDenom(1), rounds.count(), voucher)

	// The delegator's share of a distribution is withdrawn: its balance
	// holds the voucher.
	n.waitFor("the delegator's consumer rewards", time.Minute, func() bool {
		var rs []struct{ Rewards []coin.Coin }
		if err := n.query(net.ProviderRPC(0), pos.PathRewards+delegator, &rs); err != nil {
			return false
		}
		for _, r := range rs {
			for _, c := range r.Rewards {
				if c.Denom == voucher && c.Amount > 0 {
					return true
				}
			}
		}
		return false
	})
	before := n.balance(net.ProviderRPC(0), delegator, voucher)
	txHeight(t, run(t, bin, "tx", "distribution", "withdraw-rewards", testnet.OwnerKey, v1.Operator,
		"--home", net.OwnerHome(), "--node", net.ProviderRPC(0), "-o", "json"))
	got := n.balance(net.ProviderRPC(0), delegator, voucher)
	if got <= before {
		t.Fatalf("the delegator holds %d%s after withdrawing, %d before", got, voucher, before)
	}
	t.Logf("the delegator withdrew %d%s", got-before, voucher)
	for _, want := range []string{"allowlisted on", "rewards sent to the provider", "rewards distributed"} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("progress output without %q:\n%s", want, out.String())
		}
	}
	t.Logf("done in %s", time.Since(began).Round(time.Second))
}

// transmissions reads a consumer's reward transmissions from its blocks.
type transmissions struct {
	n       *ccvNet
	c       *testnet.ConsumerChain
	scanned int64            // the heights read so far
	amounts map[int64]uint64 // of the consumer's fee denomination, by height
}

// scan reads the blocks up to the consumer's latest height.
func (tr *transmissions) scan() {
	if tr.amounts == nil {
		tr.amounts = map[int64]uint64{}
	}
	rpc := tr.n.rpc(tr.c.LiveRPC())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := rpc.Status(ctx)
	if err != nil {
		return
	}
	for h := tr.scanned + 1; h <= st.SyncInfo.LatestBlockHeight; h++ {
		res, err := rpc.BlockResults(ctx, &h)
		if err != nil {
			return
		}
		for _, e := range res.FinalizeBlockEvents {
			if e.Type != consumer.EventFeeDistribution {
				continue
			}
			for _, a := range e.Attributes {
				if a.Key != "provider_amount" || a.Value == "" {
					continue
				}
				cs, err := coin.ParseCoins(a.Value)
				if err != nil || len(cs) != 1 || cs[0].Denom != tr.c.Fee.Denom {
					tr.n.t.Fatalf("transmission at height %d: %q", h, a.Value)
				}
				tr.amounts[h] = cs[0].Amount
			}
		}
		tr.scanned = h
	}
}

// lastNonEmpty returns the height of the last transmission that sent
// something, 0 before the first.
func (tr *transmissions) lastNonEmpty() int64 {
	tr.scan()
	var last int64
	for h := range tr.amounts {
		last = max(last, h)
	}
	return last
}

// total returns what the transmissions sent, up to the consumer's height.
func (tr *transmissions) total() uint64 {
	tr.scan()
	var sum uint64
	for _, a := range tr.amounts {
		sum += a
	}
	return sum
}

func (tr *transmissions) count() int { return len(tr.amounts) }

// balance returns addr's balance in denom on the chain at rpc.
func (n *ccvNet) balance(rpc, addr, denom string) uint64 {
	n.t.Helper()
	var cs []app.CoinJSON
	n.mustQuery(rpc, app.PathBalances+addr, &cs)
	for _, c := range cs {
		if c.Denom == denom {
			return c.Amount
		}
	}
	return 0
}

// consumerPrefix returns the bech32 prefix of consumer c's addresses.
func (n *ccvNet) consumerPrefix(c *testnet.ConsumerChain) string {
	n.t.Helper()
	var p struct {
		Prefix string `json:"bech32_prefix"`
	}
	n.mustQuery(c.LiveRPC(), app.PathParams, &p)
	if p.Prefix == "" {
		n.t.Fatal("no bech32 prefix in the consumer's auth parameters")
	}
	return p.Prefix
}
