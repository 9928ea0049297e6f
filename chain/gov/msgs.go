package gov

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/bits"
	"sort"
	"strconv"
	"time"
	"unicode/utf8"

	abci "github.com/cometbft/cometbft/abci/types"
	gogoproto "github.com/cosmos/gogoproto/proto"

	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/state/typed"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/coin"
	"github.com/abci-ics/ics/types/event"
)

// Bounds on what a proposal may carry.
const (
	MaxTitleBytes   = 140
	MaxSummaryBytes = 10_000
	MaxTypeURLBytes = 256
	MaxContentBytes = 64 << 10
	MaxParamChanges = 32
	MaxParamBytes   = 64    // module and key names
	MaxValueBytes   = 4_096 // a parameter's JSON value
)

// ParamChangeTypeURL is the content type of the built-in ParamChangeProposal.
var ParamChangeTypeURL = "/" + gogoproto.MessageName(&ParamChangeProposal{})

func checkAddr(what string, a []byte) error {
	if len(a) != address.Len {
		return fmt.Errorf("%w: %s must be %d bytes, got %d", ErrInvalidAddress, what, address.Len, len(a))
	}
	return nil
}

// checkDeposit rejects an empty or all-zero deposit with ErrNoDeposit and
// invalid coins with ErrInvalidDeposit.
func checkDeposit(cs []coin.Coin) error {
	zero := true
	for _, c := range cs {
		if c.Amount != 0 {
			zero = false
		}
	}
	if zero {
		return ErrNoDeposit
	}
	if err := coin.ValidateCoins(cs); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidDeposit, err)
	}
	return nil
}

// ValidateBasic checks the message without state: the proposer's address,
// the title and summary (valid UTF-8, bounded, a non-empty title), the
// content's size, and the initial deposit (ErrNoDeposit when empty or
// zero).
func (m *MsgSubmitProposal) ValidateBasic() error {
	if err := checkAddr("proposer", m.Proposer); err != nil {
		return err
	}
	switch {
	case m.Title == "" || len(m.Title) > MaxTitleBytes || !utf8.ValidString(m.Title):
		return fmt.Errorf("%w: title must be 1 to %d bytes of UTF-8", ErrInvalidProposal, MaxTitleBytes)
	case len(m.Summary) > MaxSummaryBytes || !utf8.ValidString(m.Summary):
		return fmt.Errorf("%w: summary must be at most %d bytes of UTF-8", ErrInvalidProposal, MaxSummaryBytes)
	case m.Content.TypeUrl == "" || len(m.Content.TypeUrl) > MaxTypeURLBytes:
		return fmt.Errorf("%w: content type URL must be 1 to %d bytes", ErrInvalidContent, MaxTypeURLBytes)
	case len(m.Content.Value) > MaxContentBytes:
		return fmt.Errorf("%w: content of %d bytes, limit %d", ErrInvalidContent, len(m.Content.Value), MaxContentBytes)
	}
	return checkDeposit(m.InitialDeposit)
}

// ValidateBasic checks the depositor's address, the proposal id and the
// amount.
func (m *MsgDeposit) ValidateBasic() error {
	if err := checkAddr("depositor", m.Depositor); err != nil {
		return err
	}
	if m.ProposalId == 0 {
		return fmt.Errorf("%w: proposal id 0", ErrUnknownProposal)
	}
	return checkDeposit(m.Amount)
}

// ValidateBasic checks the voter's address, the proposal id and the option.
func (m *MsgVote) ValidateBasic() error {
	if err := checkAddr("voter", m.Voter); err != nil {
		return err
	}
	if m.ProposalId == 0 {
		return fmt.Errorf("%w: proposal id 0", ErrUnknownProposal)
	}
	if !validOption(m.Option) {
		return fmt.Errorf("%w: %d", ErrInvalidVote, m.Option)
	}
	return nil
}

func validOption(o VoteOption) bool { return o >= OptionYes && o <= OptionNoWithVeto }

// ValidateBasic checks the changes: 1 to MaxParamChanges, each naming a
// module and a key and carrying a JSON value.
func (m *ParamChangeProposal) ValidateBasic() error {
	if len(m.Changes) == 0 || len(m.Changes) > MaxParamChanges {
		return fmt.Errorf("%w: %d parameter changes, want 1 to %d", ErrInvalidContent, len(m.Changes), MaxParamChanges)
	}
	for i, c := range m.Changes {
		switch {
		case c.Module == "" || len(c.Module) > MaxParamBytes, c.Key == "" || len(c.Key) > MaxParamBytes:
			return fmt.Errorf("%w: change %d: module and key must be 1 to %d bytes", ErrInvalidContent, i, MaxParamBytes)
		case len(c.Value) > MaxValueBytes || !json.Valid([]byte(c.Value)):
			return fmt.Errorf("%w: change %d (%s/%s): value is not JSON of at most %d bytes", ErrInvalidContent, i, c.Module, c.Key, MaxValueBytes)
		}
	}
	return nil
}

// checkContent runs the registered check of c's type. It returns
// ErrUnknownContent for an unregistered type and ErrInvalidContent when the
// check fails.
func (k Keeper) checkContent(c Content) error {
	if c.TypeUrl == ParamChangeTypeURL {
		var pc ParamChangeProposal
		if err := pc.Unmarshal(c.Value); err != nil {
			return fmt.Errorf("%w: %v", ErrInvalidContent, err)
		}
		return pc.ValidateBasic()
	}
	h, ok := k.handlers[c.TypeUrl]
	if !ok {
		return fmt.Errorf("%w: %q", ErrUnknownContent, c.TypeUrl)
	}
	if err := h.check(c.Value); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidContent, err)
	}
	return nil
}

// execute runs c's handler on a cache of s, writes the cache only when
// the handler succeeds and returns the handler's events.
func (k Keeper) execute(s state.Store, height int64, now time.Time, c Content) ([]abci.Event, error) {
	cache := state.NewCache(s)
	var events []abci.Event
	var err error
	if c.TypeUrl == ParamChangeTypeURL {
		err = k.applyParamChanges(cache, c.Value)
	} else if h, ok := k.handlers[c.TypeUrl]; ok {
		events, err = h.exec(cache, height, now, c.Value)
	} else {
		err = fmt.Errorf("%w: %q", ErrUnknownContent, c.TypeUrl)
	}
	if err != nil {
		return nil, err
	}
	cache.Write()
	return events, nil
}

func (k Keeper) applyParamChanges(s state.Store, bz []byte) error {
	var pc ParamChangeProposal
	if err := pc.Unmarshal(bz); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidContent, err)
	}
	for i, c := range pc.Changes {
		set, ok := k.spaces[c.Module]
		if !ok {
			return fmt.Errorf("change %d: %w: %q", i, ErrUnknownParamSpace, c.Module)
		}
		if err := set(s, c.Key, c.Value); err != nil {
			return fmt.Errorf("change %d (%s/%s): %w", i, c.Module, c.Key, err)
		}
	}
	return nil
}

// HandleSubmitProposal executes MsgSubmitProposal for signer: it checks the
// message and its content, escrows the initial deposit, and opens the
// deposit period, or the voting period at once when the deposit already
// reaches the minimum. Deposits are accepted in the minimum deposit's
// denomination only. Errors: ErrUnauthorized, ErrNoDeposit,
// ErrInvalidDeposit, ErrInvalidProposal, ErrUnknownContent,
// ErrInvalidContent, or the bank's error when the proposer cannot pay.
func (k Keeper) HandleSubmitProposal(s state.Store, height int64, now time.Time, signer []byte, m *MsgSubmitProposal) ([]abci.Event, error) {
	if err := m.ValidateBasic(); err != nil {
		return nil, err
	}
	if !bytes.Equal(signer, m.Proposer) {
		return nil, fmt.Errorf("%w: proposer is not the signer", ErrUnauthorized)
	}
	if err := k.checkContent(m.Content); err != nil {
		return nil, err
	}
	params := k.Params(s)
	if err := checkDenoms(m.InitialDeposit, params); err != nil {
		return nil, err
	}
	id := k.NextProposalID(s)
	if id == ^uint64(0) {
		return nil, fmt.Errorf("%w: proposal ids exhausted", ErrOverflow)
	}
	setNextID(s, id+1)
	p := Proposal{
		Id:             id,
		Content:        m.Content,
		Status:         StatusDepositPeriod,
		Title:          m.Title,
		Summary:        m.Summary,
		Proposer:       m.Proposer,
		SubmitTime:     nanos(now),
		DepositEndTime: nanos(now.Add(time.Duration(params.MaxDepositPeriod))),
	}
	events := []abci.Event{event.New("submit_proposal",
		"proposal_id", strconv.FormatUint(id, 10),
		"proposer", address.Encode(k.Prefix, m.Proposer),
		"content_type", m.Content.TypeUrl)}
	ev, err := k.addDeposit(s, &p, m.Proposer, m.InitialDeposit)
	if err != nil {
		return nil, err
	}
	events = append(events, ev)
	if reached(p.TotalDeposit, params) {
		events = append(events, k.activate(s, &p, now, params))
	} else {
		kv(s).Set(InactiveQueueKey(p.DepositEnd(), id), ProposalKey(id)[1:])
	}
	setProposal(s, &p)
	return events, nil
}

// HandleDeposit executes MsgDeposit for signer. Deposits are accepted
// during the deposit and voting periods; reaching the minimum deposit opens
// the voting period. Errors: ErrUnauthorized, ErrUnknownProposal,
// ErrInactiveProposal, ErrNoDeposit, ErrInvalidDeposit, ErrOverflow, or
// the bank's error when the depositor cannot pay.
func (k Keeper) HandleDeposit(s state.Store, height int64, now time.Time, signer []byte, m *MsgDeposit) ([]abci.Event, error) {
	if err := m.ValidateBasic(); err != nil {
		return nil, err
	}
	if !bytes.Equal(signer, m.Depositor) {
		return nil, fmt.Errorf("%w: depositor is not the signer", ErrUnauthorized)
	}
	p, ok := k.Proposal(s, m.ProposalId)
	if !ok {
		return nil, fmt.Errorf("%w: %d", ErrUnknownProposal, m.ProposalId)
	}
	switch {
	case p.Status == StatusDepositPeriod && now.Before(p.DepositEnd()):
	case p.Status == StatusVotingPeriod && now.Before(p.VotingEnd()):
	default:
		return nil, fmt.Errorf("%w: proposal %d takes no deposits (status %s)", ErrInactiveProposal, p.Id, p.Status)
	}
	params := k.Params(s)
	if err := checkDenoms(m.Amount, params); err != nil {
		return nil, err
	}
	ev, err := k.addDeposit(s, &p, m.Depositor, m.Amount)
	if err != nil {
		return nil, err
	}
	events := []abci.Event{ev}
	if p.Status == StatusDepositPeriod && reached(p.TotalDeposit, params) {
		kv(s).Delete(InactiveQueueKey(p.DepositEnd(), p.Id))
		events = append(events, k.activate(s, &p, now, params))
	}
	setProposal(s, &p)
	return events, nil
}

// HandleVote executes MsgVote for signer: it records or replaces the signer's
// vote. Votes are accepted only during the voting period (before its end).
// Errors: ErrUnauthorized, ErrInvalidVote, ErrUnknownProposal,
// ErrInactiveProposal.
func (k Keeper) HandleVote(s state.Store, height int64, now time.Time, signer []byte, m *MsgVote) ([]abci.Event, error) {
	if err := m.ValidateBasic(); err != nil {
		return nil, err
	}
	if !bytes.Equal(signer, m.Voter) {
		return nil, fmt.Errorf("%w: voter is not the signer", ErrUnauthorized)
	}
	p, ok := k.Proposal(s, m.ProposalId)
	if !ok {
		return nil, fmt.Errorf("%w: %d", ErrUnknownProposal, m.ProposalId)
	}
	if p.Status != StatusVotingPeriod || !now.Before(p.VotingEnd()) {
		return nil, fmt.Errorf("%w: proposal %d is not in its voting period (status %s)", ErrInactiveProposal, p.Id, p.Status)
	}
	typed.Set(kv(s), VoteKey(p.Id, m.Voter), &Vote{ProposalId: p.Id, Voter: m.Voter, Option: m.Option})
	return []abci.Event{event.New("proposal_vote",
		"proposal_id", strconv.FormatUint(p.Id, 10),
		"voter", address.Encode(k.Prefix, m.Voter),
		"option", m.Option.String())}, nil
}

func checkDenoms(cs []coin.Coin, p Params) error {
	for _, c := range cs {
		if c.Denom != p.MinDeposit.Denom {
			return fmt.Errorf("%w: deposits are in %s, not %s", ErrInvalidDeposit, p.MinDeposit.Denom, c.Denom)
		}
	}
	return nil
}

func reached(total []coin.Coin, p Params) bool {
	for _, c := range total {
		if c.Denom == p.MinDeposit.Denom {
			return c.Amount >= p.MinDeposit.Amount
		}
	}
	return false
}

// addDeposit escrows coins from depositor for p and adds them to the
// depositor's deposit and to p's total. The caller saves p.
func (k Keeper) addDeposit(s state.Store, p *Proposal, depositor []byte, coins []coin.Coin) (abci.Event, error) {
	d, _ := k.Deposit(s, p.Id, depositor)
	amount, err := addCoins(d.Amount, coins)
	if err != nil {
		return abci.Event{}, err
	}
	total, err := addCoins(p.TotalDeposit, coins)
	if err != nil {
		return abci.Event{}, err
	}
	if err := k.Bank.Send(s, depositor, escrow, coins); err != nil {
		return abci.Event{}, fmt.Errorf("escrow deposit: %w", err)
	}
	typed.Set(kv(s), DepositKey(p.Id, depositor), &Deposit{ProposalId: p.Id, Depositor: depositor, Amount: amount})
	p.TotalDeposit = total
	return event.New("proposal_deposit",
		"proposal_id", strconv.FormatUint(p.Id, 10),
		"depositor", address.Encode(k.Prefix, depositor),
		"amount", coin.FormatCoins(coins)), nil
}

// activate opens p's voting period at now. The caller saves p.
func (k Keeper) activate(s state.Store, p *Proposal, now time.Time, params Params) abci.Event {
	p.Status = StatusVotingPeriod
	p.VotingStartTime = nanos(now)
	p.VotingEndTime = nanos(now.Add(time.Duration(params.VotingPeriod)))
	kv(s).Set(ActiveQueueKey(p.VotingEnd(), p.Id), ProposalKey(p.Id)[1:])
	return event.New("voting_period_start", "proposal_id", strconv.FormatUint(p.Id, 10))
}

// addCoins returns a+b, sorted by denomination, or ErrOverflow.
func addCoins(a, b []coin.Coin) ([]coin.Coin, error) {
	sum := make(map[string]uint64, len(a)+len(b))
	for _, cs := range [][]coin.Coin{a, b} {
		for _, c := range cs {
			v, carry := bits.Add64(sum[c.Denom], c.Amount, 0)
			if carry != 0 {
				return nil, fmt.Errorf("%w: %s", ErrOverflow, c.Denom)
			}
			sum[c.Denom] = v
		}
	}
	out := make([]coin.Coin, 0, len(sum))
	for d, v := range sum {
		if v > 0 {
			out = append(out, coin.Coin{Denom: d, Amount: v})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Denom < out[j].Denom })
	return out, nil
}
