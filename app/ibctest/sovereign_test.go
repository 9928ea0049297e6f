package ibctest_test

import (
	"bytes"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	gogoproto "github.com/cosmos/gogoproto/proto"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"

	"github.com/abci-ics/ics/abci"
	"github.com/abci-ics/ics/app"
	"github.com/abci-ics/ics/app/consumerapp"
	. "github.com/abci-ics/ics/app/ibctest"
	"github.com/abci-ics/ics/app/providerapp"
	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/chain/auth"
	"github.com/abci-ics/ics/chain/bank"
	"github.com/abci-ics/ics/chain/gov"
	"github.com/abci-ics/ics/chain/staking"
	"github.com/abci-ics/ics/consumer"
	"github.com/abci-ics/ics/consumer/sovereign"
	"github.com/abci-ics/ics/ibc/transfer"
	"github.com/abci-ics/ics/interchain"
	"github.com/abci-ics/ics/provider"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/coin"
	"github.com/abci-ics/ics/types/fraction"
)

// sovereignNet is ownStakingNet with at most two validators in the
// consumer's own staking, and the consumer's transfer channel to the
// provider open beside the CCV channel.
func sovereignNet(t *testing.T) (*Net, *Path) {
	clock := &Clock{Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	prov := NewProvider(t, clock, "provider-1", 2, 4, func(g *app.Genesis) {
		g.Staking.Params.UnbondingPeriod = 15 * time.Minute
	})
	cons := LaunchOwnStakingConsumer(prov, "consumer-1", ConsumerParams(), 4, func(g *app.Genesis) {
		g.Staking.Params.UnbondingPeriod = ownUnbonding
		g.Staking.Params.MaxValidators = 2
		g.Staking.Params.MinSelfDelegation = 1000
		g.Gov.Params.VotingPeriod = int64(ownVoting)
		g.Gov.Params.MinDeposit = coin.Coin{Denom: "stake", Amount: 1}
	})
	ccvPath := LinkCCV(cons, prov)
	xfer := openTransfer(ccvPath)
	n := &Net{Provider: prov, Consumers: []*Chain{cons}, Paths: []*Path{ccvPath, xfer}}
	n.Step()
	return n, xfer
}

// planSovereign passes a proposal on c, voted by its own validator
// operated by account 1, planning the transition at height with
// selfBond.
func planSovereign(n *Net, c *Chain, height int64, selfBond uint64) {
	content := &sovereign.MsgScheduleSovereignTransition{Authority: gov.ModuleAddress(), Height: height, SelfBond: selfBond}
	bz, err := gogoproto.Marshal(content)
	if err != nil {
		c.T.Fatal(err)
	}
	resp := c.MustSucceed(c.NextBlock(c.Tx(2, &gov.MsgSubmitProposal{Proposer: c.Address(2),
		Content: gov.Content{TypeUrl: auth.TypeURL(content), Value: bz}, InitialDeposit: []coin.Coin{{Denom: "stake", Amount: 1}}, Title: "sovereign"})))
	id, err := strconv.ParseUint(Events(resp, "submit_proposal")[0]["proposal_id"], 10, 64)
	if err != nil {
		c.T.Fatal(err)
	}
	c.MustSucceed(c.NextBlock(c.Tx(1, &gov.MsgVote{Voter: c.Address(1), ProposalId: id, Option: gov.OptionYes})))
	planned := func() bool {
		var p consumerapp.SovereignTransitionJSON
		c.QueryJSON(consumerapp.PathSovereignTransition, &p)
		return p.Planned && p.Height == height && p.SelfBond == selfBond && p.Reason == sovereign.ReasonGovernance
	}
	if !n.Run(30, planned) {
		c.T.Fatalf("the transition was not planned: proposal %+v", proposal(c, strconv.FormatUint(id, 10)))
	}
	// The block that executed the proposal carries the plan's event.
	if CountEvents(c, sovereign.EventScheduled, "height", strconv.FormatInt(height, 10)) != 1 {
		c.T.Fatal("no sovereign_transition_scheduled event")
	}
}

// setAt returns CometBFT's validator set at height h of c: hex key ->
// power.
func setAt(c *Chain, h int64) map[string]int64 {
	_, vals := c.SignedHeader(h)
	out := map[string]int64{}
	for _, v := range vals.Validators {
		out[hex.EncodeToString(v.PubKey.Bytes())] = v.VotingPower
	}
	return out
}

// TestSovereignTransition: a consumer with its own staking, planned by its
// governance to turn sovereign at height H, makes the transition first in
// block H: the provider's store added and the consumer's retired, the CCV
// channel closed, every validator of the last CCV set bonded to its own
// staking. Blocks up to H+1 are signed by the CCV set and from H+2 on by
// its own staking's set (the update returned at H, as CometBFT applies
// it), which dropped the CCV member that did not rank. The provider stops
// the consumer when the closing is relayed, and its holds are released;
// an ICS-20 transfer over the old connection still arrives; a restarted
// node opens the chain as a standalone one with the same app hash. A
// second plan, and a plan in the past, are refused.
func TestSovereignTransition(t *testing.T) {
	n, xfer := sovereignNet(t)
	prov, cons := n.Provider, n.Consumers[0]
	createOwnValidator(cons, 1, 100_000_000)
	cons.AddSigner(ownKey(cons, 1))
	// A provider unbonding the consumer holds.
	prov.MustSucceed(prov.NextBlock(prov.Tx(3, &staking.MsgDelegate{Delegator: prov.Address(3), Validator: prov.Address(0), Amount: 10_000_000})))
	prov.MustSucceed(prov.NextBlock(prov.Tx(3, &staking.MsgUndelegate{Delegator: prov.Address(3), Validator: prov.Address(0), Amount: 5_000_000})))
	if len(holds(prov)) == 0 {
		t.Fatal("no hold on the provider's unbonding")
	}

	h := cons.Height + 25
	planSovereign(n, cons, h, 5_000_000)
	for cons.Height < h-1 {
		n.Step()
	}
	ccvSet := consumerSet(cons)
	if len(ccvSet) != 2 {
		t.Fatalf("CCV set before the transition: %v", ccvSet)
	}
	n.Step() // block h
	resp := cons.Log[h-1]
	if len(Events(resp, abci.EventTransition)) != 1 || len(Events(resp, consumerapp.EventSovereign)) != 1 {
		t.Fatalf("block %d: events %v", h, resp.Events)
	}
	var st abci.StoresJSON
	cons.QueryJSON(abci.PathStores, &st)
	if slices.Contains(st.Stores, consumer.StoreName) || !slices.Contains(st.Stores, provider.StoreName) || len(st.Upgrades) != 1 ||
		st.Upgrades[0].Height != h || !slices.Equal(st.Upgrades[0].Added, []string{provider.StoreName}) ||
		!slices.Equal(st.Upgrades[0].Retired, []string{consumer.StoreName}) {
		t.Fatalf("stores after the transition: %+v", st)
	}
	own := providerSet(cons)
	if len(own) != 2 || own[hex.EncodeToString(ownKey(cons, 1).PubKey().Bytes())] != 100 {
		t.Fatalf("own staking's set after the transition: %v", own)
	}
	for k := range own {
		if _, ccv := ccvSet[k]; ccv && own[k] != 5 {
			t.Fatalf("CCV validator %s bonded power %d, want 5", k, own[k])
		}
	}
	// The update of block h: own set's powers, the CCV member left out at 0.
	if len(resp.ValidatorUpdates) != 3 {
		t.Fatalf("updates of block %d: %v", h, resp.ValidatorUpdates)
	}
	for _, u := range resp.ValidatorUpdates {
		k := hex.EncodeToString(u.PubKey.GetEd25519())
		if want, ok := own[k]; (ok && u.Power != want) || (!ok && u.Power != 0) {
			t.Fatalf("update %s to %d, own set %v", k, u.Power, own)
		}
	}
	for i := 0; i < 6; i++ {
		n.Step()
	}
	for hh := h - 1; hh <= h+1; hh++ {
		if got := setAt(cons, hh); !sameSet(got, ccvSet) {
			t.Fatalf("height %d signed by %v, want the CCV set %v", hh, got, ccvSet)
		}
	}
	for hh := h + 2; hh <= h+5; hh++ {
		if got := setAt(cons, hh); !sameSet(got, own) {
			t.Fatalf("height %d signed by %v, want own staking's set %v", hh, got, own)
		}
	}

	// The CCV channel is closed on the consumer.
	var chans []channeltypes.IdentifiedChannel
	cons.QueryJSON(interchain.PathIBCChannels, &chans)
	for _, c := range chans {
		if c.PortId == ccv.ConsumerPortID && c.State != channeltypes.CLOSED {
			t.Fatalf("CCV channel after the transition: %+v", c)
		}
	}

	// The relayer brought the closing to the provider, which stopped the
	// consumer and released its holds.
	if c, ok := FindConsumer(prov, cons.ID); ok {
		t.Fatalf("the provider still runs the consumer: %+v", c)
	}
	if hs := holds(prov); len(hs) != 0 {
		t.Fatalf("holds after the consumer stopped: %+v", hs)
	}

	// ICS-20 keeps working over the old connection.
	before := prov.Balance(prov.Address(2), transfer.VoucherDenom(transfer.PortID, xfer.B.Channel, "stake"))
	cons.MustSucceed(cons.NextBlock(cons.Tx(2, &transfer.MsgTransfer{SourcePort: transfer.PortID, SourceChannel: xfer.A.Channel,
		Token: coin.Coin{Denom: "stake", Amount: 1234}, Sender: cons.Address(2), Receiver: address.Encode("ics", prov.Address(2)),
		TimeoutTimestamp: uint64(cons.Time.Add(time.Hour).UnixNano())})))
	n.Step()
	if got := prov.Balance(prov.Address(2), transfer.VoucherDenom(transfer.PortID, xfer.B.Channel, "stake")); got != before+1234 {
		t.Fatalf("voucher on the provider %d, want %d", got, before+1234)
	}

	// A node reopened after the transition runs a standalone chain.
	cons.Restart()
	if _, ok := cons.App.Chain().(*providerapp.Chain); !ok {
		t.Fatalf("reopened as %T", cons.App.Chain())
	}
	n.Step()
	if got := setAt(cons, cons.Height); !sameSet(got, providerSet(cons)) {
		t.Fatalf("after the restart signed by %v, own set %v", got, providerSet(cons))
	}
}

// TestSovereignOnStop: a consumer with its own staking that the provider
// stops (a removal proposal; the relayer brings the closing) plans its
// transition for the next block by itself and turns sovereign: each CCV
// validator bonds one unit of power, and blocks keep coming, signed first
// by the CCV set and then by its own.
func TestSovereignOnStop(t *testing.T) {
	n, _ := sovereignNet(t)
	prov, cons := n.Provider, n.Consumers[0]
	ccvSet := consumerSet(cons)
	PassProposal(prov, &provider.ConsumerRemovalProposal{ConsumerId: ConsumerID(prov, cons.ID), StopTime: prov.Time.UnixNano()})
	turned := func() bool { return slices.Contains(cons.App.Stores(), provider.StoreName) }
	if !n.Run(20, turned) {
		var st interchain.ConsumerStatusJSON
		cons.QueryJSON(interchain.PathConsumerStatus, &st)
		t.Fatalf("no transition after the provider stopped the consumer: status %+v", st)
	}
	h := cons.Height
	if ev := Events(cons.Log[h-1], consumerapp.EventSovereign); len(ev) != 1 || ev[0]["reason"] != sovereign.ReasonStopped {
		t.Fatalf("transition event %v", ev)
	}
	for i := 0; i < 4; i++ {
		n.Step()
	}
	own := providerSet(cons)
	if len(own) != len(ccvSet) {
		t.Fatalf("own set %v, CCV set %v", own, ccvSet)
	}
	for k, p := range own {
		if _, ok := ccvSet[k]; !ok || p != 1 {
			t.Fatalf("own set %v: want every CCV validator at power 1", own)
		}
	}
	if got := setAt(cons, h+1); !sameSet(got, ccvSet) {
		t.Fatalf("height %d signed by %v, want the CCV set", h+1, got)
	}
	if got := setAt(cons, h+2); !sameSet(got, own) {
		t.Fatalf("height %d signed by %v, want own set %v", h+2, got, own)
	}
}

// TestSovereignPlanRefused: governance cannot plan a second transition,
// one in the past, or one whose self-bond is below staking's minimum
// self-delegation: the proposal passes and its execution fails with the
// reason, leaving the plan as it was.
func TestSovereignPlanRefused(t *testing.T) {
	n, _ := sovereignNet(t)
	cons := n.Consumers[0]
	createOwnValidator(cons, 1, 100_000_000)
	cons.AddSigner(ownKey(cons, 1))
	first := cons.Height + 100
	planSovereign(n, cons, first, 1_000_000)
	for _, tc := range []struct {
		h        int64
		selfBond uint64
		reason   string
	}{{cons.Height + 30, 2_000_000, "planned already"}, {cons.Height - 1, 2_000_000, "not after the current height"},
		{cons.Height + 30, 999, "minimum self-delegation"}} {
		h := tc.h
		content := &sovereign.MsgScheduleSovereignTransition{Authority: gov.ModuleAddress(), Height: h, SelfBond: tc.selfBond}
		bz, err := gogoproto.Marshal(content)
		if err != nil {
			t.Fatal(err)
		}
		resp := cons.MustSucceed(cons.NextBlock(cons.Tx(2, &gov.MsgSubmitProposal{Proposer: cons.Address(2),
			Content: gov.Content{TypeUrl: auth.TypeURL(content), Value: bz}, InitialDeposit: []coin.Coin{{Denom: "stake", Amount: 1}}, Title: "again"})))
		idStr := Events(resp, "submit_proposal")[0]["proposal_id"]
		id, _ := strconv.ParseUint(idStr, 10, 64)
		cons.MustSucceed(cons.NextBlock(cons.Tx(1, &gov.MsgVote{Voter: cons.Address(1), ProposalId: id, Option: gov.OptionYes})))
		if !n.Run(30, func() bool { return proposal(cons, idStr).Status != gov.StatusVotingPeriod }) {
			t.Fatal("the vote did not end")
		}
		if p := proposal(cons, idStr); p.Status != gov.StatusFailed || !strings.Contains(p.FailedReason, tc.reason) {
			t.Fatalf("plan at %d, self-bond %d: proposal %+v, want it failed for %q", h, tc.selfBond, p, tc.reason)
		}
		var p consumerapp.SovereignTransitionJSON
		cons.QueryJSON(consumerapp.PathSovereignTransition, &p)
		if p.Height != first || p.SelfBond != 1_000_000 {
			t.Fatalf("plan after a refused one: %+v", p)
		}
	}
}

// TestSovereignKeyAccountValidator: a CCV validator whose consensus key's
// account operates a validator of the consumer's own staking already
// (with another consensus key) bonds its self-bond to that validator at
// the transition instead of creating a second one, and that validator
// signs from H+2 on.
func TestSovereignKeyAccountValidator(t *testing.T) {
	n, _ := sovereignNet(t)
	prov, cons := n.Provider, n.Consumers[0]
	key := prov.ValidatorKeys[0]
	if _, ok := consumerSet(cons)[hex.EncodeToString(key.PubKey().Bytes())]; !ok {
		t.Fatalf("validator 0's key is not in the CCV set %v", consumerSet(cons))
	}
	cons.Accounts = append(cons.Accounts, key)
	i := len(cons.Accounts) - 1
	cons.MustSucceed(cons.NextBlock(cons.Tx(1, &bank.MsgSend{From: cons.Address(1), To: cons.Address(i),
		Amount: []coin.Coin{{Denom: "stake", Amount: 10_000_000}}})))
	other := ownKey(cons, 9)
	cons.MustSucceed(cons.NextBlock(cons.Tx(i, &staking.MsgCreateValidator{Operator: cons.Address(i), PubKey: other.PubKey().Bytes(),
		Moniker: "own", CommissionRate: fraction.New(1, 10), CommissionMaxRate: fraction.New(1, 5), SelfDelegation: 1_000_000, MinSelfDelegation: 1})))
	before := ownValidator(cons, i)
	cons.AddSigner(other)

	PassProposal(prov, &provider.ConsumerRemovalProposal{ConsumerId: ConsumerID(prov, cons.ID), StopTime: prov.Time.UnixNano()})
	if !n.Run(20, func() bool { return slices.Contains(cons.App.Stores(), provider.StoreName) }) {
		t.Fatal("no transition after the provider stopped the consumer")
	}
	h := cons.Height
	for i := 0; i < 4; i++ {
		n.Step()
	}
	if after := ownValidator(cons, i); after.Tokens <= before.Tokens || !bytes.Equal(after.PubKey, other.PubKey().Bytes()) {
		t.Fatalf("the key account's validator before %+v, after %+v: want the self-bond added", before, after)
	}
	own := providerSet(cons)
	if _, ok := own[hex.EncodeToString(key.PubKey().Bytes())]; ok || own[hex.EncodeToString(other.PubKey().Bytes())] == 0 {
		t.Fatalf("own set %v: want the key account's validator, and none with the CCV key", own)
	}
	if got := setAt(cons, h+2); !sameSet(got, own) {
		t.Fatalf("height %d signed by %v, want own set %v", h+2, got, own)
	}
}
