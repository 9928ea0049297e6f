package sovnet

import (
	"context"
	"encoding/hex"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	gogoproto "github.com/cosmos/gogoproto/proto"

	"github.com/abci-ics/ics/app/consumerapp"
	"github.com/abci-ics/ics/app/pos"
	"github.com/abci-ics/ics/chain/auth"
	"github.com/abci-ics/ics/chain/gov"
	"github.com/abci-ics/ics/chain/staking"
	"github.com/abci-ics/ics/client"
	"github.com/abci-ics/ics/consumer/sovereign"
	"github.com/abci-ics/ics/interchain"
	"github.com/abci-ics/ics/provider"
	"github.com/abci-ics/ics/types/coin"
)

// waitFor polls done until it says true, failing after timeout with the
// last error it returned.
func (t *Transition) waitFor(ctx context.Context, what string, timeout time.Duration, done func() (bool, error)) error {
	deadline := time.Now().Add(timeout)
	for {
		ok, err := done()
		if ok {
			return nil
		}
		if time.Now().After(deadline) {
			if err != nil {
				return fmt.Errorf("%s: not %s after %s (last error: %w)", t.Opts.ChainID, what, timeout, err)
			}
			return fmt.Errorf("%s: not %s after %s", t.Opts.ChainID, what, timeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(300 * time.Millisecond):
		}
	}
}

// blockTime returns the chain's recent block interval, over its last 20
// blocks at most, and its latest height.
func blockTime(ctx context.Context, c *client.Client) (time.Duration, int64, error) {
	st, err := c.RPC().Status(ctx)
	if err != nil {
		return 0, 0, err
	}
	h := st.SyncInfo.LatestBlockHeight
	from := max(h-20, 1)
	if from >= h {
		return time.Second, h, nil
	}
	old, err := c.RPC().Header(ctx, &from)
	if err != nil {
		return 0, 0, err
	}
	return st.SyncInfo.LatestBlockTime.Sub(old.Header.Time) / time.Duration(h-from), h, nil
}

// proposalID returns the id in the submit_proposal event of res.
func proposalID(events []string) (uint64, error) {
	if len(events) != 1 {
		return 0, fmt.Errorf("%d proposal ids in the transaction's events", len(events))
	}
	return strconv.ParseUint(events[0], 10, 64)
}

// propose submits content as a proposal from keys[0] to the chain of c
// with the chain's minimum deposit, and has every key vote yes; it
// returns the proposal's id and the voting period.
func (t *Transition) propose(ctx context.Context, c *client.Client, keys []client.Key, content gogoproto.Message, title string) (uint64, time.Duration, error) {
	var gp gov.Params
	if err := c.QueryJSON(ctx, pos.PathGovParams, &gp); err != nil {
		return 0, 0, err
	}
	bz, err := gogoproto.Marshal(content)
	if err != nil {
		return 0, 0, err
	}
	res, err := client.Submitter{Client: c, Key: keys[0]}.SubmitOK(ctx, "the proposer", &gov.MsgSubmitProposal{Proposer: keys[0].Address(),
		Content: gov.Content{TypeUrl: auth.TypeURL(content), Value: bz}, InitialDeposit: []coin.Coin{gp.MinDeposit}, Title: title})
	if err != nil {
		return 0, 0, err
	}
	var ids []string
	for _, e := range res.Events {
		for _, a := range e.Attributes {
			if e.Type == "submit_proposal" && a.Key == "proposal_id" {
				ids = append(ids, a.Value)
			}
		}
	}
	id, err := proposalID(ids)
	if err != nil {
		return 0, 0, err
	}
	voters := make([]Node, len(keys))
	for i, k := range keys {
		voters[i] = Node{Validator: i, Operator: k}
	}
	err = t.parallel(voters, func(n Node) error {
		_, err := client.Submitter{Client: c, Key: n.Operator}.SubmitOK(ctx, n.Operator.Name, &gov.MsgVote{Voter: n.Operator.Address(), ProposalId: id, Option: gov.OptionYes})
		return err
	})
	if err != nil {
		return 0, 0, fmt.Errorf("vote on proposal %d: %w", id, err)
	}
	return id, time.Duration(gp.VotingPeriod), nil
}

// proposalFailed tells why proposal id on the chain of c failed, if it
// did.
func proposalFailed(ctx context.Context, c *client.Client, id uint64) (string, bool) {
	var p gov.Proposal
	if err := c.QueryJSON(ctx, pos.PathProposal+strconv.FormatUint(id, 10), &p); err != nil {
		return "", false
	}
	switch p.Status {
	case gov.StatusRejected:
		return fmt.Sprintf("proposal %d rejected (tally %+v)", id, p.FinalTally), true
	case gov.StatusFailed:
		return fmt.Sprintf("proposal %d failed: %s", id, p.FailedReason), true
	}
	return "", false
}

// Propose plans the transition with the consumer's governance: validator
// 0's operator proposes it at the height the vote should end by (at the
// recent block interval, with half of it again as slack) plus the
// margin, every node's validator votes yes (each must have an own
// validator: CreateValidators); it waits for the plan and returns its
// height.
func (t *Transition) Propose(ctx context.Context) (int64, error) {
	c, err := t.consumer(ctx)
	if err != nil {
		return 0, err
	}
	var gp gov.Params
	if err := c.QueryJSON(ctx, pos.PathGovParams, &gp); err != nil {
		return 0, err
	}
	var sp staking.Params
	if err := c.QueryJSON(ctx, pos.PathStakingParams, &sp); err != nil {
		return 0, err
	}
	interval, now, err := blockTime(ctx, c)
	if err != nil {
		return 0, err
	}
	voting := time.Duration(gp.VotingPeriod)
	blocks := int64(voting / max(interval, time.Millisecond))
	h := now + blocks + blocks/2 + 1 + t.Opts.Margin
	bond := t.Opts.SelfBond
	if bond == 0 {
		bond = sp.PowerReduction
	}
	keys := make([]client.Key, len(t.Nodes))
	for i, n := range t.Nodes {
		keys[i] = n.Operator
	}
	m := &sovereign.MsgScheduleSovereignTransition{Authority: gov.ModuleAddress(), Height: h, SelfBond: bond}
	id, _, err := t.propose(ctx, c, keys, m, fmt.Sprintf("Turn %s sovereign at height %d", t.Opts.ChainID, h))
	if err != nil {
		return 0, fmt.Errorf("%s: %w", t.Opts.ChainID, err)
	}
	t.logf("%s: proposal %d, sovereign at height %d (now %d, a block every %s, the vote ends in %s), self-bond %d%s: validators %s voted yes",
		t.Opts.ChainID, id, h, now, interval.Round(time.Millisecond), voting, bond, sp.BondDenom, t.describe(t.Nodes))
	var plan consumerapp.SovereignTransitionJSON
	err = t.waitFor(ctx, "planned", voting+time.Minute, func() (bool, error) {
		if why, failed := proposalFailed(ctx, c, id); failed {
			return false, fmt.Errorf("%s", why)
		}
		if err := c.QueryJSON(ctx, consumerapp.PathSovereignTransition, &plan); err != nil {
			return false, err
		}
		return plan.Planned, nil
	})
	if err != nil {
		return 0, err
	}
	t.logf("%s: planned: sovereign at height %d, each CCV validator bonding %d (%s)", t.Opts.ChainID, plan.Height, plan.SelfBond, plan.Reason)
	return plan.Height, nil
}

// describe names nodes by validator index: "0, 1".
func (t *Transition) describe(nodes []Node) string {
	parts := make([]string, len(nodes))
	for i, n := range nodes {
		parts[i] = strconv.Itoa(n.Validator)
	}
	return strings.Join(parts, ", ")
}

// providerConsumer returns the provider's record of the consumer: the
// live one with its chain id, else the last one.
func (t *Transition) providerConsumer(ctx context.Context, pc *client.Client) (interchain.ConsumerJSON, bool, error) {
	var list []interchain.ConsumerJSON
	if err := pc.QueryJSON(ctx, interchain.PathConsumers, &list); err != nil {
		return interchain.ConsumerJSON{}, false, err
	}
	var out interchain.ConsumerJSON
	found := false
	for _, c := range list {
		if c.ChainID != t.Opts.ChainID {
			continue
		}
		if !found || (c.Phase != "stopped" && c.Phase != "deleted") {
			out, found = c, true
		}
	}
	return out, found, nil
}

// StopOnProvider stops the consumer on the provider: a consumer removal
// proposal stopping it now, every provider validator voting yes. The
// consumer then turns sovereign by itself; it waits for that and returns
// the height.
func (t *Transition) StopOnProvider(ctx context.Context) (int64, error) {
	pc, err := live(ctx, t.Provider)
	if err != nil {
		return 0, err
	}
	c, ok, err := t.providerConsumer(ctx, pc)
	if err != nil {
		return 0, err
	}
	if !ok || c.Phase == "stopped" || c.Phase == "deleted" {
		return 0, fmt.Errorf("the provider runs no consumer %s", t.Opts.ChainID)
	}
	p := &provider.ConsumerRemovalProposal{ConsumerId: c.ConsumerID, StopTime: time.Now().UnixNano()}
	id, voting, err := t.propose(ctx, pc, t.ProviderKeys, p, "Remove consumer "+c.ConsumerID)
	if err != nil {
		return 0, fmt.Errorf("provider: %w", err)
	}
	t.logf("provider: proposal %d removes %s (consumer %s); all %d validators voted yes, the vote ends in %s", id, t.Opts.ChainID, c.ConsumerID, len(t.ProviderKeys), voting)
	var h int64
	err = t.waitFor(ctx, "sovereign", voting+2*time.Minute, func() (bool, error) {
		if why, failed := proposalFailed(ctx, pc, id); failed {
			return false, fmt.Errorf("provider: %s", why)
		}
		st, err := t.Stores(ctx)
		if err != nil {
			return false, err
		}
		var ok bool
		h, ok = SovereignSince(st)
		return ok, nil
	})
	return h, err
}

// Result is what Follow saw.
type Result struct {
	Height int64
	// Own is the own staking's set that signs from Height+2 on:
	// consensus key (hex) -> power.
	Own map[string]int64
}

// cometSet returns CometBFT's validator set at height h: hex key ->
// power.
func cometSet(ctx context.Context, c *client.Client, h int64) (map[string]int64, error) {
	perPage := 100
	res, err := c.RPC().Validators(ctx, &h, nil, &perPage)
	if err != nil {
		return nil, err
	}
	out := map[string]int64{}
	for _, v := range res.Validators {
		out[hex.EncodeToString(v.PubKey.Bytes())] = v.VotingPower
	}
	return out, nil
}

// name spells a set with the nodes' validator indices: [0:301 1:101].
func (t *Transition) name(set map[string]int64) string {
	var parts []string
	for k, p := range set {
		who := "key " + k[:8]
		for _, n := range t.Nodes {
			if hex.EncodeToString(n.PubKey) == k {
				who = strconv.Itoa(n.Validator)
			}
		}
		parts = append(parts, fmt.Sprintf("%s:%d", who, p))
	}
	sort.Strings(parts)
	return "[" + strings.Join(parts, " ") + "]"
}

// Follow waits for the transition at height h and reports it: the
// stores it changed, the sets that signed blocks h to h+3 (the CCV set up
// to h+1, the own staking's from h+2), and the provider stopping the
// consumer once the relayer brought it the closing. It fails when the
// set of h+2 is not the own staking's.
func (t *Transition) Follow(ctx context.Context, h int64) (Result, error) {
	r := Result{Height: h}
	var c *client.Client
	err := t.waitFor(ctx, fmt.Sprintf("at height %d", h+3), 5*time.Minute, func() (bool, error) {
		var err error
		if c, err = t.consumer(ctx); err != nil {
			return false, err
		}
		st, err := c.RPC().Status(ctx)
		return err == nil && st.SyncInfo.LatestBlockHeight >= h+3, err
	})
	if err != nil {
		return r, err
	}
	st, err := t.Stores(ctx)
	if err != nil {
		return r, err
	}
	if since, ok := SovereignSince(st); !ok || since != h {
		return r, fmt.Errorf("%s: no sovereign transition at height %d: stores %+v", t.Opts.ChainID, h, st)
	}
	t.logf("%s: turned sovereign at height %d: stores now %s", t.Opts.ChainID, h, strings.Join(st.Stores, ", "))
	vals, err := ownValidators(ctx, c)
	if err != nil {
		return r, err
	}
	r.Own = map[string]int64{}
	for _, v := range vals {
		if v.Status == staking.BOND_STATUS_BONDED.String() && v.Power > 0 {
			r.Own[hex.EncodeToString(v.PubKey)] = v.Power
		}
	}
	for hh := h; hh <= h+3; hh++ {
		set, err := cometSet(ctx, c, hh)
		if err != nil {
			return r, err
		}
		whose := "the CCV set"
		if hh >= h+2 {
			whose = "its own staking's set"
			if !sameSet(set, r.Own) {
				return r, fmt.Errorf("%s: height %d signed by %s, not by its own staking's set %s", t.Opts.ChainID, hh, t.name(set), t.name(r.Own))
			}
		}
		t.logf("%s: height %d signed by %s %s (validator:power)", t.Opts.ChainID, hh, whose, t.name(set))
	}
	pc, err := live(ctx, t.Provider)
	if err != nil {
		return r, err
	}
	var last interchain.ConsumerJSON
	err = t.waitFor(ctx, "stopped on the provider", 2*time.Minute, func() (bool, error) {
		var found bool
		last, found, err = t.providerConsumer(ctx, pc)
		return found && (last.Phase == "stopped" || last.Phase == "deleted"), err
	})
	if err != nil {
		return r, fmt.Errorf("%w (phase %q: is its relayer running?)", err, last.Phase)
	}
	t.logf("provider: %s (consumer %s) %s: %s", t.Opts.ChainID, last.ConsumerID, last.Phase, last.StopReason)
	return r, nil
}

func sameSet(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, p := range a {
		if b[k] != p {
			return false
		}
	}
	return true
}
