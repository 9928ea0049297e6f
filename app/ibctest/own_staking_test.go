package ibctest_test

import (
	"bytes"
	"encoding/hex"
	"strconv"
	"testing"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/crypto/ed25519"
	gogoproto "github.com/cosmos/gogoproto/proto"

	"github.com/abci-ics/ics/app"
	. "github.com/abci-ics/ics/app/ibctest"
	"github.com/abci-ics/ics/app/pos"
	"github.com/abci-ics/ics/chain/distribution"
	"github.com/abci-ics/ics/chain/gov"
	"github.com/abci-ics/ics/chain/staking"
	"github.com/abci-ics/ics/consumer"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/coin"
	"github.com/abci-ics/ics/types/fraction"
)

// ownUnbonding is the own-staking consumer's own unbonding period, shorter
// than its CCV unbonding period (ConsumerParams: 10 minutes).
const ownUnbonding = 2 * time.Minute

// ownVoting is the own-staking consumer's voting period.
const ownVoting = time.Minute

// ownStakingNet starts a provider with two validators and launches and
// links consumer-1 with its own staking (no validators of its own at
// genesis; unbonding ownUnbonding, voting period ownVoting, a deposit of
// 1stake).
func ownStakingNet(t *testing.T) *Net {
	clock := &Clock{Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	prov := NewProvider(t, clock, "provider-1", 2, 4, func(g *app.Genesis) {
		g.Staking.Params.UnbondingPeriod = 15 * time.Minute
	})
	cons := LaunchOwnStakingConsumer(prov, "consumer-1", ConsumerParams(), 4, func(g *app.Genesis) {
		g.Staking.Params.UnbondingPeriod = ownUnbonding
		g.Gov.Params.VotingPeriod = int64(ownVoting)
		g.Gov.Params.MinDeposit = coin.Coin{Denom: "stake", Amount: 1}
	})
	n := &Net{Provider: prov, Consumers: []*Chain{cons}, Paths: []*Path{LinkCCV(cons, prov)}}
	n.Step()
	return n
}

// ownKey is the consensus key of the consumer's own validator operated by
// account i.
func ownKey(c *Chain, i int) ed25519.PrivKey {
	return ed25519.GenPrivKeyFromSecret([]byte(c.ID + "/own/" + strconv.Itoa(i)))
}

// createOwnValidator has account i of the consumer create a validator of
// its own staking with self-delegation amount (commission 1/10) and checks
// that the block returned no validator update to CometBFT.
func createOwnValidator(c *Chain, i int, amount uint64) pos.ValidatorJSON {
	resp := c.MustSucceed(c.NextBlock(c.Tx(i, &staking.MsgCreateValidator{Operator: c.Address(i), PubKey: ownKey(c, i).PubKey().Bytes(),
		Moniker: "own", CommissionRate: fraction.New(1, 10), CommissionMaxRate: fraction.New(1, 5), SelfDelegation: amount, MinSelfDelegation: 1})))
	if len(resp.ValidatorUpdates) != 0 {
		c.T.Fatalf("validator creation returned updates %v", resp.ValidatorUpdates)
	}
	return ownValidator(c, i)
}

func ownValidator(c *Chain, i int) pos.ValidatorJSON {
	var v pos.ValidatorJSON
	c.QueryJSON(pos.PathValidator+address.Encode("ics", c.Address(i)), &v)
	return v
}

// noOwnKeyInCometBFT fails the test when a block of the consumer returned
// an update of one of its own validators' keys, or when CometBFT's set of
// its last block differs from its CCV set.
func noOwnKeyInCometBFT(t *testing.T, c *Chain) {
	t.Helper()
	own := map[string]bool{}
	for i := range c.Accounts {
		own[string(ownKey(c, i).PubKey().Bytes())] = true
	}
	for h, resp := range c.Log {
		for _, u := range resp.ValidatorUpdates {
			if own[string(u.PubKey.GetEd25519())] {
				t.Fatalf("block %d returned an update of an own validator: %v", h+1, u)
			}
		}
	}
	_, vals := c.SignedHeader(c.Height)
	comet := map[string]int64{}
	for _, v := range vals.Validators {
		comet[hex.EncodeToString(v.PubKey.Bytes())] = v.VotingPower
	}
	if want := consumerSet(c); !sameSet(comet, want) {
		t.Fatalf("CometBFT's set %v, CCV set %v", comet, want)
	}
}

func unbondings(c *Chain, i int) []pos.UnbondingJSON {
	var out []pos.UnbondingJSON
	c.QueryJSON(pos.PathUnbonding+"/"+address.Encode("ics", c.Address(i)), &out)
	return out
}

// TestOwnStakingConsumerDelegations: on a consumer with its own staking, a
// validator is created and bonded by power, a delegation adds to it and an
// undelegation completes after the consumer's own unbonding period; none
// of it reaches CometBFT, whose set stays the provider's.
func TestOwnStakingConsumerDelegations(t *testing.T) {
	n := ownStakingNet(t)
	cons := n.Consumers[0]
	v := createOwnValidator(cons, 1, 100_000_000)
	if v.Status != staking.BOND_STATUS_BONDED.String() || v.Power != 100 {
		t.Fatalf("own validator after creation: %+v", v)
	}
	resp := cons.MustSucceed(cons.NextBlock(cons.Tx(2, &staking.MsgDelegate{Delegator: cons.Address(2), Validator: cons.Address(1), Amount: 50_000_000})))
	if len(resp.ValidatorUpdates) != 0 {
		t.Fatalf("delegation returned updates %v", resp.ValidatorUpdates)
	}
	if v := ownValidator(cons, 1); v.Power != 150 || v.Tokens != 150_000_000 {
		t.Fatalf("own validator after delegation: %+v", v)
	}
	var dels []pos.DelegationJSON
	cons.QueryJSON(pos.PathDelegations+address.Encode("ics", cons.Address(2)), &dels)
	if len(dels) != 1 || dels[0].Tokens != 50_000_000 {
		t.Fatalf("delegations of account 2: %+v", dels)
	}

	cons.MustSucceed(cons.NextBlock(cons.Tx(2, &staking.MsgUndelegate{Delegator: cons.Address(2), Validator: cons.Address(1), Amount: 20_000_000})))
	start := cons.Time
	balance := cons.Balance(cons.Address(2), "stake")
	ubs := unbondings(cons, 2)
	if len(ubs) != 1 || ubs[0].Balance != 20_000_000 || len(ubs[0].Holders) != 0 {
		t.Fatalf("unbondings of account 2: %+v", ubs)
	}
	if want := start.Add(ownUnbonding).UTC().Format(time.RFC3339Nano); ubs[0].CompletionTime != want {
		t.Fatalf("undelegation completes at %s, want %s (the consumer's own unbonding period)", ubs[0].CompletionTime, want)
	}
	for cons.Time.Before(start.Add(ownUnbonding)) {
		if len(unbondings(cons, 2)) != 1 || cons.Balance(cons.Address(2), "stake") != balance {
			t.Fatalf("undelegation completed at %s, before %s", cons.Time, start.Add(ownUnbonding))
		}
		n.Step()
	}
	if len(unbondings(cons, 2)) != 0 || cons.Balance(cons.Address(2), "stake") != balance+20_000_000 {
		t.Fatalf("undelegation not completed at %s: %+v, balance %d", cons.Time, unbondings(cons, 2), cons.Balance(cons.Address(2), "stake"))
	}
	noOwnKeyInCometBFT(t, cons)
}

// TestOwnStakingConsumerReceivesVSCs: a consumer launched with its own
// staking follows the provider's validator set like any consumer: a
// delegation on the provider reaches its CCV set and CometBFT's, while a
// power change of its own staking in the same blocks changes nothing
// there.
func TestOwnStakingConsumerReceivesVSCs(t *testing.T) {
	n := ownStakingNet(t)
	prov, cons := n.Provider, n.Consumers[0]
	if got, want := consumerSet(cons), providerSet(prov); !sameSet(got, want) || len(got) != 2 {
		t.Fatalf("consumer set %v, provider set %v", got, want)
	}
	createOwnValidator(cons, 1, 100_000_000)
	prov.MustSucceed(prov.NextBlock(prov.Tx(3, &staking.MsgDelegate{Delegator: prov.Address(3), Validator: prov.Address(0), Amount: 50_000_000})))
	cons.MustSucceed(cons.NextBlock(cons.Tx(2, &staking.MsgDelegate{Delegator: cons.Address(2), Validator: cons.Address(1), Amount: 70_000_000})))
	want := providerSet(prov)
	if !n.Run(12, func() bool { return sameSet(consumerSet(cons), want) }) {
		t.Fatalf("consumer set %v, provider set %v", consumerSet(cons), want)
	}
	n.Step()
	n.Step()
	var updates []abcitypes.ValidatorUpdate
	for _, resp := range cons.Log {
		updates = append(updates, resp.ValidatorUpdates...)
	}
	pk := prov.ValidatorKeys[0].PubKey().Bytes()
	found := false
	for _, u := range updates {
		found = found || (bytes.Equal(u.PubKey.GetEd25519(), pk) && u.Power == want[hex.EncodeToString(pk)])
	}
	if !found {
		t.Fatalf("no update of the provider validator to power %d among the consumer's %v", want[hex.EncodeToString(pk)], updates)
	}
	if v := ownValidator(cons, 1); v.Power != 170 || v.Status != staking.BOND_STATUS_BONDED.String() {
		t.Fatalf("own validator: %+v", v)
	}
	noOwnKeyInCometBFT(t, cons)
}

// submitProposal submits a parameter change from account i of c with a
// deposit of 1stake and returns its id.
func submitProposal(c *Chain, i int, changes ...gov.ParamChange) string {
	content := &gov.ParamChangeProposal{Changes: changes}
	bz, err := gogoproto.Marshal(content)
	if err != nil {
		c.T.Fatal(err)
	}
	resp := c.MustSucceed(c.NextBlock(c.Tx(i, &gov.MsgSubmitProposal{Proposer: c.Address(i),
		Content: gov.Content{TypeUrl: gov.ParamChangeTypeURL, Value: bz}, InitialDeposit: []coin.Coin{{Denom: "stake", Amount: 1}}, Title: "params"})))
	ev := Events(resp, "submit_proposal")
	if len(ev) != 1 {
		c.T.Fatalf("submit_proposal events: %v", ev)
	}
	return ev[0]["proposal_id"]
}

func proposal(c *Chain, id string) gov.Proposal {
	var p gov.Proposal
	c.QueryJSON(pos.PathProposal+id, &p)
	return p
}

// TestOwnStakingConsumerGovernance: the consumer's governance tallies by
// its own bonded stake: a parameter change its own validator votes for
// passes and is executed; one nobody with own stake votes for fails for
// want of quorum, whatever the provider's validators sign.
func TestOwnStakingConsumerGovernance(t *testing.T) {
	n := ownStakingNet(t)
	cons := n.Consumers[0]
	createOwnValidator(cons, 1, 100_000_000)
	voted := submitProposal(cons, 2, gov.ParamChange{Module: "staking", Key: "max_validators", Value: "50"})
	ignored := submitProposal(cons, 2, gov.ParamChange{Module: "staking", Key: "max_entries", Value: "3"})
	pid, err := strconv.ParseUint(voted, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	cons.MustSucceed(cons.NextBlock(cons.Tx(1, &gov.MsgVote{Voter: cons.Address(1), ProposalId: pid, Option: gov.OptionYes})))
	end := cons.Time.Add(ownVoting)
	for !cons.Time.After(end) {
		n.Step()
	}
	if p := proposal(cons, voted); p.Status != gov.StatusPassed {
		t.Fatalf("proposal voted by own stake: %+v", p)
	}
	if p := proposal(cons, ignored); p.Status != gov.StatusRejected {
		t.Fatalf("proposal without votes: %+v", p)
	}
	var params staking.Params
	cons.QueryJSON(pos.PathStakingParams, &params)
	if params.MaxValidators != 50 || params.MaxEntries != 7 {
		t.Fatalf("staking params after governance: %+v", params)
	}
	noOwnKeyInCometBFT(t, cons)
}

// TestOwnStakingConsumerFees: the consumer's share of a block's fees stays
// in the fee collector, and the consumer's own distribution pays it to its
// own validator and delegators at the next block (less the community
// tax); the provider's share goes to the provider-reward account as on any
// consumer.
func TestOwnStakingConsumerFees(t *testing.T) {
	n := ownStakingNet(t)
	cons := n.Consumers[0]
	createOwnValidator(cons, 1, 100_000_000)
	cons.NextBlock() // the fees of the creation are paid out
	pool := func() uint64 {
		var cs []app.CoinJSON
		cons.QueryJSON(pos.PathCommunityPool, &cs)
		if len(cs) == 0 {
			return 0
		}
		return cs[0].Amount
	}
	rewards := func() uint64 {
		var rs []distribution.DelegationRewards
		cons.QueryJSON(pos.PathRewards+address.Encode("ics", cons.Address(1)), &rs)
		var cs []app.CoinJSON
		cons.QueryJSON(pos.PathCommission+address.Encode("ics", cons.Address(1)), &cs)
		var total uint64
		for _, r := range rs {
			total += stakeOf(r.Rewards)
		}
		for _, c := range cs {
			total += c.Amount
		}
		return total
	}
	feeCollector := app.FeeCollectorAddress()
	pending, paid, taxed := cons.Balance(consumer.ToProviderAddress(), "stake"), rewards(), pool()

	const fee = 10_000
	cons.MustSucceed(cons.NextBlock(cons.TxFee(2, coin.Coin{Denom: "stake", Amount: fee},
		&staking.MsgDelegate{Delegator: cons.Address(2), Validator: cons.Address(1), Amount: 1_000_000})))
	kept := uint64(fee * 3 / 4) // ConsumerRedistributionFraction 0.75
	if got := cons.Balance(consumer.ToProviderAddress(), "stake") - pending; got != fee-kept {
		t.Fatalf("provider's share %d, want %d", got, fee-kept)
	}
	if got := cons.Balance(feeCollector, "stake"); got != kept {
		t.Fatalf("fee collector holds %d after the split, want the consumer's share %d", got, kept)
	}
	if got := cons.Balance(consumer.RedistributeAddress(), "stake"); got != 0 {
		t.Fatalf("the redistribution account holds %d", got)
	}

	cons.NextBlock()
	if got := cons.Balance(feeCollector, "stake"); got != 0 {
		t.Fatalf("fee collector holds %d after distribution", got)
	}
	tax := kept * 2 / 100 // community tax 2%
	if got := pool() - taxed; got != tax {
		t.Fatalf("community pool got %d, want %d", got, tax)
	}
	// Account 1 is the only delegator of the only validator; account 2's
	// new delegation earns its part, which rounds down.
	var rs2 []distribution.DelegationRewards
	cons.QueryJSON(pos.PathRewards+address.Encode("ics", cons.Address(2)), &rs2)
	var other uint64
	for _, r := range rs2 {
		other += stakeOf(r.Rewards)
	}
	got := rewards() - paid + other
	if got > kept-tax || got+2 < kept-tax {
		t.Fatalf("own stakers earned %d of the consumer's %d less tax %d", got, kept, tax)
	}
	noOwnKeyInCometBFT(t, cons)
}

func stakeOf(cs []coin.Coin) uint64 {
	for _, c := range cs {
		if c.Denom == "stake" {
			return c.Amount
		}
	}
	return 0
}

// TestOwnStakingConsumerRestart: a consumer with its own staking reopened
// from its database reports the same height and app hash, is assembled
// with its own staking again (from the stores its state has), and carries
// on: its pending undelegation completes and its queries answer.
func TestOwnStakingConsumerRestart(t *testing.T) {
	n := ownStakingNet(t)
	cons := n.Consumers[0]
	createOwnValidator(cons, 1, 100_000_000)
	cons.MustSucceed(cons.NextBlock(cons.Tx(1, &staking.MsgUndelegate{Delegator: cons.Address(1), Validator: cons.Address(1), Amount: 10_000_000})))
	start := cons.Time
	balance := cons.Balance(cons.Address(1), "stake")
	cons.Restart()
	if v := ownValidator(cons, 1); v.Power != 90 {
		t.Fatalf("own validator after restart: %+v", v)
	}
	for !cons.Time.After(start.Add(ownUnbonding)) {
		n.Step()
	}
	if len(unbondings(cons, 1)) != 0 || cons.Balance(cons.Address(1), "stake") != balance+10_000_000 {
		t.Fatalf("undelegation after restart: %+v, balance %d", unbondings(cons, 1), cons.Balance(cons.Address(1), "stake"))
	}
	cons.Restart()
	cons.MustSucceed(cons.NextBlock(cons.Tx(2, &staking.MsgDelegate{Delegator: cons.Address(2), Validator: cons.Address(1), Amount: 5_000_000})))
	if v := ownValidator(cons, 1); v.Power != 95 {
		t.Fatalf("own validator after a delegation after restart: %+v", v)
	}
	n.Step()
	noOwnKeyInCometBFT(t, cons)
}
