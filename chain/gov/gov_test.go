package gov

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/abci-ics/ics/chain/bank"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/types/coin"
	"github.com/abci-ics/ics/types/fraction"
)

func TestPrefixesFrozen(t *testing.T) {
	if prefixProposal != 0x00 || prefixActive != 0x01 || prefixInactive != 0x02 || keyNextID != 0x03 ||
		prefixDeposit != 0x10 || prefixVote != 0x20 || keyParams != 0x30 {
		t.Fatal("gov key prefixes changed")
	}
	if got := ProposalKey(0x0102); !bytes.Equal(got, []byte{0, 0, 0, 0, 0, 0, 0, 1, 2}) {
		t.Fatalf("proposal key %x", got)
	}
	if got := VoteKey(1, []byte{0xaa}); !bytes.Equal(got, []byte{0x20, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0xaa}) {
		t.Fatalf("vote key %x", got)
	}
	if got := DepositKey(1, []byte{0xaa}); !bytes.Equal(got, []byte{0x10, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0xaa}) {
		t.Fatalf("deposit key %x", got)
	}
	if got := ActiveQueueKey(time.Unix(0, 1), 2); !bytes.Equal(got, []byte{0x01, 0x80, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2}) {
		t.Fatalf("active queue key %x", got)
	}
	// Queue keys sort by time, including before 1970.
	if bytes.Compare(InactiveQueueKey(time.Unix(-1, 0), 9), InactiveQueueKey(time.Unix(1, 0), 1)) >= 0 {
		t.Fatal("queue keys out of time order")
	}
}

// validators: valA 60 tokens, valB 30, valC 10, each with shares equal to
// tokens, all self-delegated.
func (e *env) validators() {
	for _, v := range []struct {
		name   string
		tokens uint64
	}{{"valA", 60}, {"valB", 30}, {"valC", 10}} {
		e.stk.setValidator(e.s, addr(v.name), v.tokens, v.tokens)
		e.stk.setDelegation(e.s, addr(v.name), addr(v.name), v.tokens)
	}
}

func TestPassesWithEnoughYes(t *testing.T) {
	e := newEnv(t)
	e.validators()
	registerMark(e.k)
	supply := e.bank.Supply(e.s, denom)
	id := e.mustSubmit("alice", mark("done"), 100)
	if e.status(id) != StatusVotingPeriod || e.balance("alice") != 900 {
		t.Fatalf("status %s, alice %d", e.status(id), e.balance("alice"))
	}
	e.mustVote("valA", id, OptionYes)
	e.mustVote("valB", id, OptionNo)
	e.mustVote("valC", id, OptionAbstain)
	if tr, _ := e.k.Tally(e.s, id); tr != (TallyResult{Yes: 60, No: 30, Abstain: 10, TotalBonded: 100}) {
		t.Fatalf("tally %+v", tr)
	}
	if evs := e.advance(19 * time.Second); len(evs) != 0 || e.status(id) != StatusVotingPeriod {
		t.Fatalf("closed early: %v", evs)
	}
	// The content's events come with the block's, before the proposal's.
	if evs := e.advance(time.Second); !reflect.DeepEqual(evs, []string{"marked:done", "active_proposal:proposal_passed"}) {
		t.Fatalf("events %v", evs)
	}
	p, _ := e.k.Proposal(e.s, id)
	if p.Status != StatusPassed || e.marked() != "done" || e.balance("alice") != 1000 {
		t.Fatalf("status %s, mark %q, alice %d", p.Status, e.marked(), e.balance("alice"))
	}
	if p.FinalTally.Yes != 60 || len(e.k.Votes(e.s, id)) != 0 || len(e.k.Deposits(e.s, id)) != 0 {
		t.Fatalf("final %+v, votes and deposits left", p.FinalTally)
	}
	if e.bank.Supply(e.s, denom) != supply {
		t.Fatal("supply changed")
	}
}

func TestNoQuorumRefunds(t *testing.T) {
	e := newEnv(t)
	e.validators()
	registerMark(e.k)
	id := e.mustSubmit("alice", mark("x"), 100)
	e.mustVote("valC", id, OptionYes) // 10% < 33.4%
	e.advance(20 * time.Second)
	p, _ := e.k.Proposal(e.s, id)
	if p.Status != StatusRejected || e.marked() != "" || e.balance("alice") != 1000 {
		t.Fatalf("status %s, mark %q, alice %d", p.Status, e.marked(), e.balance("alice"))
	}
	if p.FinalTally != (TallyResult{Yes: 10, TotalBonded: 100}) {
		t.Fatalf("tally %+v", p.FinalTally)
	}

	// With BurnDepositNoQuorum the deposits are burned.
	params := e.k.Params(e.s)
	params.BurnDepositNoQuorum = true
	if err := e.k.SetParams(e.s, params); err != nil {
		t.Fatal(err)
	}
	supply := e.bank.Supply(e.s, denom)
	id = e.mustSubmit("alice", mark("x"), 100)
	e.advance(20 * time.Second)
	if e.status(id) != StatusRejected || e.balance("alice") != 900 || e.bank.Supply(e.s, denom) != supply-100 {
		t.Fatalf("status %s, alice %d", e.status(id), e.balance("alice"))
	}
}

func TestVetoBurnsDeposits(t *testing.T) {
	e := newEnv(t)
	e.validators()
	registerMark(e.k)
	supply := e.bank.Supply(e.s, denom)
	id := e.mustSubmit("alice", mark("x"), 60)
	if err := e.deposit("bob", id, 40); err != nil {
		t.Fatal(err)
	}
	e.mustVote("valA", id, OptionYes)
	e.mustVote("valB", id, OptionNoWithVeto)
	e.mustVote("valC", id, OptionNoWithVeto) // veto 40/100 > 0.334, though YES has 60%
	e.advance(20 * time.Second)
	if e.status(id) != StatusRejected || e.marked() != "" {
		t.Fatalf("status %s", e.status(id))
	}
	if e.balance("alice") != 940 || e.balance("bob") != 960 || e.bank.Supply(e.s, denom) != supply-100 {
		t.Fatalf("alice %d, bob %d, supply %d", e.balance("alice"), e.balance("bob"), e.bank.Supply(e.s, denom))
	}
	if e.bank.Balance(e.s, escrow, denom) != 0 {
		t.Fatal("escrow not empty")
	}
}

func TestThresholdIgnoresAbstain(t *testing.T) {
	e := newEnv(t)
	e.validators()
	registerMark(e.k)
	// YES 30 against NO 10 with 60 abstaining passes; all abstaining fails.
	id := e.mustSubmit("alice", mark("x"), 100)
	e.mustVote("valA", id, OptionAbstain)
	e.mustVote("valB", id, OptionYes)
	e.mustVote("valC", id, OptionNo)
	id2 := e.mustSubmit("alice", mark("y"), 100)
	e.mustVote("valA", id2, OptionAbstain)
	e.advance(20 * time.Second)
	if e.status(id) != StatusPassed || e.status(id2) != StatusRejected {
		t.Fatalf("statuses %s %s", e.status(id), e.status(id2))
	}
}

func TestDelegatorOverridesValidator(t *testing.T) {
	e := newEnv(t)
	registerMark(e.k)
	// valA: 50 tokens for 100 shares (slashed by half); dave holds 40 of
	// them (20 tokens of power). valB: 40 tokens, 40 shares.
	e.stk.setValidator(e.s, addr("valA"), 50, 100)
	e.stk.setDelegation(e.s, addr("valA"), addr("valA"), 60)
	e.stk.setDelegation(e.s, addr("dave"), addr("valA"), 40)
	e.stk.setValidator(e.s, addr("valB"), 40, 40)

	id := e.mustSubmit("alice", mark("x"), 100)
	e.mustVote("valA", id, OptionYes)
	e.mustVote("valB", id, OptionNo)
	if tr, _ := e.k.Tally(e.s, id); tr.Yes != 50 || tr.No != 40 {
		t.Fatalf("without dave: %+v", tr)
	}
	e.mustVote("dave", id, OptionNo)
	if tr, _ := e.k.Tally(e.s, id); tr.Yes != 30 || tr.No != 60 || tr.TotalBonded != 90 {
		t.Fatalf("with dave: %+v", tr)
	}
	// dave changes his mind, then changes it back: the last vote counts.
	e.mustVote("dave", id, OptionYes)
	e.mustVote("dave", id, OptionNo)
	if v, ok := e.k.Vote(e.s, id, addr("dave")); !ok || v.Option != OptionNo {
		t.Fatalf("dave's vote %v %v", v, ok)
	}
	e.advance(20 * time.Second)
	p, _ := e.k.Proposal(e.s, id)
	if p.Status != StatusRejected || p.FinalTally.Yes != 30 || p.FinalTally.No != 60 {
		t.Fatalf("status %s tally %+v", p.Status, p.FinalTally)
	}

	// Without dave's vote the same proposal passes.
	id = e.mustSubmit("alice", mark("x"), 100)
	e.mustVote("valA", id, OptionYes)
	e.mustVote("valB", id, OptionNo)
	e.advance(20 * time.Second)
	if e.status(id) != StatusPassed {
		t.Fatalf("status %s", e.status(id))
	}

	// A delegator votes alone, its validator silent: only its share counts.
	id = e.mustSubmit("alice", mark("x"), 100)
	e.mustVote("dave", id, OptionYes)
	if tr, _ := e.k.Tally(e.s, id); tr != (TallyResult{Yes: 20, TotalBonded: 90}) {
		t.Fatalf("dave alone: %+v", tr)
	}
}

func TestVoteOutsideVotingPeriod(t *testing.T) {
	e := newEnv(t)
	e.validators()
	registerMark(e.k)
	id := e.mustSubmit("alice", mark("x"), 50)
	if err := e.vote("valA", id, OptionYes); !errors.Is(err, ErrInactiveProposal) {
		t.Fatalf("vote in deposit period: %v", err)
	}
	if err := e.vote("valA", 99, OptionYes); !errors.Is(err, ErrUnknownProposal) {
		t.Fatalf("vote on unknown proposal: %v", err)
	}
	if err := e.deposit("bob", id, 50); err != nil {
		t.Fatal(err)
	}
	if err := e.vote("valA", id, OptionEmpty); !errors.Is(err, ErrInvalidVote) {
		t.Fatalf("empty option: %v", err)
	}
	if err := e.vote("valA", id, VoteOption(7)); !errors.Is(err, ErrInvalidVote) {
		t.Fatalf("option 7: %v", err)
	}
	// At exactly the end of the voting period votes are refused.
	e.now = e.now.Add(20 * time.Second)
	if err := e.vote("valA", id, OptionYes); !errors.Is(err, ErrInactiveProposal) {
		t.Fatalf("vote at the end: %v", err)
	}
	e.advance(0)
	if err := e.vote("valA", id, OptionYes); !errors.Is(err, ErrInactiveProposal) {
		t.Fatalf("vote after the end: %v", err)
	}
	// Someone else cannot vote for valA.
	id = e.mustSubmit("alice", mark("x"), 100)
	err := e.run(func(s state.Store) error {
		_, err := e.k.HandleVote(s, e.height, e.now, addr("bob"), &MsgVote{Voter: addr("valA"), ProposalId: id, Option: OptionYes})
		return err
	})
	if !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("vote by another signer: %v", err)
	}
}

func TestSubmitRejects(t *testing.T) {
	e := newEnv(t)
	registerMark(e.k)
	good := func() *MsgSubmitProposal {
		return &MsgSubmitProposal{Proposer: addr("alice"), Content: mark("x"), Title: "t", Summary: "s",
			InitialDeposit: []coin.Coin{{Denom: denom, Amount: 10}}}
	}
	pc := func(changes ...ParamChange) Content {
		bz, _ := (&ParamChangeProposal{Changes: changes}).Marshal()
		return Content{TypeUrl: ParamChangeTypeURL, Value: bz}
	}
	cases := []struct {
		name   string
		signer string
		edit   func(m *MsgSubmitProposal)
		want   error
	}{
		{"no deposit", "alice", func(m *MsgSubmitProposal) { m.InitialDeposit = nil }, ErrNoDeposit},
		{"zero deposit", "alice", func(m *MsgSubmitProposal) { m.InitialDeposit[0].Amount = 0 }, ErrNoDeposit},
		{"other denom", "alice", func(m *MsgSubmitProposal) { m.InitialDeposit[0].Denom = "atom" }, ErrInvalidDeposit},
		{"bad denom", "alice", func(m *MsgSubmitProposal) { m.InitialDeposit[0].Denom = "x" }, ErrInvalidDeposit},
		{"too poor", "alice", func(m *MsgSubmitProposal) { m.InitialDeposit[0].Amount = 5000 }, bank.ErrInsufficientFunds},
		{"other signer", "bob", func(*MsgSubmitProposal) {}, ErrUnauthorized},
		{"short proposer", "alice", func(m *MsgSubmitProposal) { m.Proposer = m.Proposer[:5] }, ErrInvalidAddress},
		{"no title", "alice", func(m *MsgSubmitProposal) { m.Title = "" }, ErrInvalidProposal},
		{"long title", "alice", func(m *MsgSubmitProposal) { m.Title = strings.Repeat("a", 141) }, ErrInvalidProposal},
		{"bad utf8", "alice", func(m *MsgSubmitProposal) { m.Summary = "\xff" }, ErrInvalidProposal},
		{"unknown content", "alice", func(m *MsgSubmitProposal) { m.Content.TypeUrl = "/nope" }, ErrUnknownContent},
		{"invalid content", "alice", func(m *MsgSubmitProposal) { m.Content = mark("") }, ErrInvalidContent},
		{"undecodable param change", "alice", func(m *MsgSubmitProposal) {
			m.Content = Content{TypeUrl: ParamChangeTypeURL, Value: []byte{0xff}}
		}, ErrInvalidContent},
		{"empty param change", "alice", func(m *MsgSubmitProposal) { m.Content = pc() }, ErrInvalidContent},
		{"param value not JSON", "alice", func(m *MsgSubmitProposal) {
			m.Content = pc(ParamChange{Module: "gov", Key: "quorum", Value: "0.5x"})
		}, ErrInvalidContent},
	}
	for _, c := range cases {
		m := good()
		c.edit(m)
		err := e.run(func(s state.Store) error {
			_, err := e.k.HandleSubmitProposal(s, e.height, e.now, addr(c.signer), m)
			return err
		})
		if !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
	}
	if e.k.NextProposalID(e.s) != 1 || e.balance("alice") != 1000 {
		t.Fatal("a rejected submission changed state")
	}
	if _, err := e.submit("alice", mark("x"), 10); err != nil {
		t.Fatalf("the valid fixture fails: %v", err)
	}
}

func TestDeposits(t *testing.T) {
	e := newEnv(t)
	registerMark(e.k)
	if err := e.deposit("bob", 7, 10); !errors.Is(err, ErrUnknownProposal) {
		t.Fatalf("deposit to unknown proposal: %v", err)
	}
	id := e.mustSubmit("alice", mark("x"), 40)
	if err := e.deposit("bob", id, 30); err != nil {
		t.Fatal(err)
	}
	if err := e.deposit("bob", id, 20); err != nil {
		t.Fatal(err)
	}
	if d, _ := e.k.Deposit(e.s, id, addr("bob")); d.Amount[0].Amount != 50 || e.status(id) != StatusDepositPeriod {
		t.Fatalf("bob's deposit %v, status %s", d.Amount, e.status(id))
	}
	if err := e.deposit("carol", id, 10); err != nil {
		t.Fatal(err)
	}
	p, _ := e.k.Proposal(e.s, id)
	if p.Status != StatusVotingPeriod || p.TotalDeposit[0].Amount != 100 || !p.VotingEnd().Equal(e.now.Add(20*time.Second)) {
		t.Fatalf("proposal %+v", p)
	}
	// Deposits are still accepted during the voting period.
	if err := e.deposit("dave", id, 5); err != nil {
		t.Fatal(err)
	}

	// A proposal that does not reach the minimum in time is dropped and
	// refunded; the voting one is unaffected.
	id2 := e.mustSubmit("carol", mark("x"), 30)
	if evs := e.advance(10 * time.Second); !reflect.DeepEqual(evs, []string{"inactive_proposal:proposal_dropped"}) {
		t.Fatalf("events %v", evs)
	}
	if _, ok := e.k.Proposal(e.s, id2); ok || e.balance("carol") != 990 {
		t.Fatalf("dropped proposal still there or not refunded: carol %d", e.balance("carol"))
	}
	if err := e.deposit("bob", id2, 10); !errors.Is(err, ErrUnknownProposal) {
		t.Fatalf("deposit on dropped proposal: %v", err)
	}
	if e.status(id) != StatusVotingPeriod {
		t.Fatal("voting proposal dropped")
	}
	e.advance(10 * time.Second)
	if err := e.deposit("bob", id, 10); !errors.Is(err, ErrInactiveProposal) {
		t.Fatalf("deposit on closed proposal: %v", err)
	}
	if e.balance("alice") != 1000 || e.balance("bob") != 1000 || e.balance("dave") != 1000 {
		t.Fatal("deposits of a rejected proposal not refunded")
	}

	// With BurnDepositExpired the deposits of dropped proposals burn.
	params := e.k.Params(e.s)
	params.BurnDepositExpired = true
	_ = e.k.SetParams(e.s, params)
	supply := e.bank.Supply(e.s, denom)
	e.mustSubmit("carol", mark("x"), 30)
	e.advance(10 * time.Second)
	if e.balance("carol") != 970 || e.bank.Supply(e.s, denom) != supply-30 {
		t.Fatalf("carol %d", e.balance("carol"))
	}
}

func paramChange(changes ...ParamChange) Content {
	bz, err := (&ParamChangeProposal{Changes: changes}).Marshal()
	if err != nil {
		panic(err)
	}
	return Content{TypeUrl: ParamChangeTypeURL, Value: bz}
}

func TestParamChange(t *testing.T) {
	e := newEnv(t)
	e.validators()
	e.k.RegisterParamSpace("gov", e.k.SetParamJSON)
	pass := func(c Content) Proposal {
		t.Helper()
		id := e.mustSubmit("alice", c, 100)
		e.mustVote("valA", id, OptionYes)
		e.advance(time.Duration(e.k.Params(e.s).VotingPeriod))
		p, _ := e.k.Proposal(e.s, id)
		return p
	}
	p := pass(paramChange(
		ParamChange{Module: "gov", Key: "voting_period", Value: `"30s"`},
		ParamChange{Module: "gov", Key: "quorum", Value: `"1/2"`},
		ParamChange{Module: "gov", Key: "min_deposit", Value: `"100stake"`},
		ParamChange{Module: "gov", Key: "burn_vote_veto", Value: `false`},
	))
	got := e.k.Params(e.s)
	if p.Status != StatusPassed || got.VotingPeriod != int64(30*time.Second) || got.Quorum != fraction.New(1, 2) || got.BurnVoteVeto {
		t.Fatalf("status %s (%s), params %+v", p.Status, p.FailedReason, got)
	}

	// A change set with one bad change fails as a whole: the good change
	// before it is discarded too.
	before := e.k.ExportGenesis(e.s).Params
	for _, bad := range []ParamChange{
		{Module: "gov", Key: "nope", Value: `1`},
		{Module: "mint", Key: "rate", Value: `1`},
		{Module: "gov", Key: "quorum", Value: `"1.5"`},
		{Module: "gov", Key: "voting_period", Value: `30`},
		{Module: "gov", Key: "voting_period", Value: `{"a":1}`},
		{Module: "gov", Key: "burn_vote_veto", Value: `"yes"`},
	} {
		p := pass(paramChange(ParamChange{Module: "gov", Key: "threshold", Value: `"0.9"`}, bad))
		if p.Status != StatusFailed || p.FailedReason == "" {
			t.Fatalf("%+v: status %s", bad, p.Status)
		}
		if after := e.k.Params(e.s); !reflect.DeepEqual(after, before) {
			t.Fatalf("%+v: params changed to %+v", bad, after)
		}
		if e.balance("alice") != 1000 {
			t.Fatal("deposit of a failed proposal not refunded")
		}
	}
}

func TestFailedExecutionChangesNothing(t *testing.T) {
	e := newEnv(t)
	e.validators()
	registerMark(e.k)
	id := e.mustSubmit("alice", mark("fail"), 100)
	e.mustVote("valA", id, OptionYes)
	if evs := e.advance(20 * time.Second); !reflect.DeepEqual(evs, []string{"active_proposal:proposal_failed"}) {
		t.Fatalf("events %v", evs)
	}
	p, _ := e.k.Proposal(e.s, id)
	if p.Status != StatusFailed || !strings.Contains(p.FailedReason, "mark refused") || e.marked() != "" {
		t.Fatalf("status %s, reason %q, mark %q", p.Status, p.FailedReason, e.marked())
	}
	if e.balance("alice") != 1000 {
		t.Fatal("deposit not refunded")
	}
}

func TestProposalsQuery(t *testing.T) {
	e := newEnv(t)
	e.validators()
	registerMark(e.k)
	a := e.mustSubmit("alice", mark("x"), 10)
	b := e.mustSubmit("alice", mark("x"), 100)
	if ps := e.k.Proposals(e.s, StatusDepositPeriod); len(ps) != 1 || ps[0].Id != a {
		t.Fatalf("deposit period: %v", ps)
	}
	if ps := e.k.Proposals(e.s, StatusVotingPeriod); len(ps) != 1 || ps[0].Id != b {
		t.Fatalf("voting period: %v", ps)
	}
	if ps := e.k.Proposals(e.s, StatusNil); len(ps) != 2 || ps[0].Id != a || ps[1].Id != b {
		t.Fatalf("all: %v", ps)
	}
	if _, err := e.k.Tally(e.s, 42); !errors.Is(err, ErrUnknownProposal) {
		t.Fatalf("tally of unknown proposal: %v", err)
	}
}

func TestGenesisRoundTrip(t *testing.T) {
	e := newEnv(t)
	e.validators()
	registerMark(e.k)
	e.mustSubmit("alice", mark("x"), 10)
	id := e.mustSubmit("bob", mark("y"), 100)
	e.mustVote("valA", id, OptionYes)
	done := e.mustSubmit("carol", mark("z"), 100)
	_ = done
	e.advance(5 * time.Second)
	e.mustVote("valB", id, OptionNo)
	gs := e.k.ExportGenesis(e.s)
	if len(gs.Proposals) != 3 || len(gs.Deposits) != 3 || len(gs.Votes) != 2 || gs.StartingProposalId != 4 {
		t.Fatalf("export %+v", gs)
	}
	e2 := newEnv(t)
	if err := e2.k.InitGenesis(e2.s, gs); err != nil {
		t.Fatal(err)
	}
	if again := e2.k.ExportGenesis(e2.s); !reflect.DeepEqual(again, gs) {
		t.Fatalf("round trip:\n%+v\n%+v", again, gs)
	}
	// The queues were rebuilt: the proposals close on time in the copy.
	e2.now = e.now
	e2.validators()
	registerMark(e2.k)
	e2.stk = e.stk
	_ = e2.bank.Mint(e2.s, escrow, []coin.Coin{{Denom: denom, Amount: 210}})
	e2.advance(15 * time.Second)
	if e2.status(1) != StatusNil || e2.status(id) != StatusPassed {
		t.Fatalf("statuses after import: %s %s", e2.status(1), e2.status(id))
	}
}

func TestValidateGenesis(t *testing.T) {
	valid := func() *GenesisState {
		gs := DefaultGenesis()
		gs.StartingProposalId = 3
		gs.Proposals = []Proposal{
			{Id: 1, Status: StatusVotingPeriod, Content: mark("x"), TotalDeposit: []coin.Coin{{Denom: denom, Amount: 5}}},
			{Id: 2, Status: StatusPassed, Content: mark("x")},
		}
		gs.Deposits = []Deposit{{ProposalId: 1, Depositor: addr("a"), Amount: []coin.Coin{{Denom: denom, Amount: 5}}}}
		gs.Votes = []Vote{{ProposalId: 1, Voter: addr("a"), Option: OptionYes}}
		return gs
	}
	if err := ValidateGenesis(valid()); err != nil {
		t.Fatal(err)
	}
	breaks := map[string]func(gs *GenesisState){
		"bad params":          func(gs *GenesisState) { gs.Params.Quorum.Denominator = 0 },
		"starting id 0":       func(gs *GenesisState) { gs.StartingProposalId = 0 },
		"id not below start":  func(gs *GenesisState) { gs.StartingProposalId = 2 },
		"duplicate proposal":  func(gs *GenesisState) { gs.Proposals[1].Id = 1 },
		"bad status":          func(gs *GenesisState) { gs.Proposals[0].Status = 9 },
		"no content":          func(gs *GenesisState) { gs.Proposals[0].Content.TypeUrl = "" },
		"deposit mismatch":    func(gs *GenesisState) { gs.Deposits[0].Amount[0].Amount = 4 },
		"deposit on closed":   func(gs *GenesisState) { gs.Deposits[0].ProposalId = 2 },
		"vote on closed":      func(gs *GenesisState) { gs.Votes[0].ProposalId = 2 },
		"bad vote option":     func(gs *GenesisState) { gs.Votes[0].Option = 0 },
		"bad voter":           func(gs *GenesisState) { gs.Votes[0].Voter = []byte{1} },
		"duplicate vote":      func(gs *GenesisState) { gs.Votes = append(gs.Votes, gs.Votes[0]) },
		"duplicate depositor": func(gs *GenesisState) { gs.Deposits = append(gs.Deposits, gs.Deposits[0]) },
	}
	for name, b := range breaks {
		gs := valid()
		b(gs)
		if err := ValidateGenesis(gs); !errors.Is(err, ErrInvalidGenesis) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestRegisterPanics(t *testing.T) {
	k := &Keeper{}
	registerMark(k)
	for name, fn := range map[string]func(){
		"twice":    func() { registerMark(k) },
		"builtin":  func() { k.RegisterHandler(ParamChangeTypeURL, func([]byte) error { return nil }, nil) },
		"space 2x": func() { k.RegisterParamSpace("a", k.SetParamJSON); k.RegisterParamSpace("a", k.SetParamJSON) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			fn()
		}()
	}
}

// TestSupplyConserved runs proposals to every end and checks that coins
// only move between accounts and the escrow, except the burned deposits.
func TestSupplyConserved(t *testing.T) {
	e := newEnv(t)
	e.validators()
	registerMark(e.k)
	accounts := []string{"alice", "bob", "carol", "dave", "valA", "valB", "valC"}
	supply := e.bank.Supply(e.s, denom)
	var burned uint64
	check := func() {
		t.Helper()
		sum := e.bank.Balance(e.s, escrow, denom)
		for _, a := range accounts {
			sum += e.balance(a)
		}
		if sum != supply-burned || e.bank.Supply(e.s, denom) != supply-burned {
			t.Fatalf("balances %d, supply %d, want %d", sum, e.bank.Supply(e.s, denom), supply-burned)
		}
	}
	pass := e.mustSubmit("alice", mark("a"), 70)
	veto := e.mustSubmit("bob", mark("b"), 100)
	drop := e.mustSubmit("carol", mark("c"), 20)
	fail := e.mustSubmit("dave", mark("fail"), 100)
	check()
	if err := e.deposit("carol", pass, 30); err != nil {
		t.Fatal(err)
	}
	if err := e.deposit("dave", veto, 25); err != nil {
		t.Fatal(err)
	}
	check()
	e.mustVote("valA", pass, OptionYes)
	e.mustVote("valA", fail, OptionYes)
	e.mustVote("valA", veto, OptionNoWithVeto)
	e.advance(10 * time.Second)
	if e.status(drop) != StatusNil {
		t.Fatal("proposal not dropped")
	}
	check()
	e.advance(10 * time.Second)
	burned += 125
	if e.status(pass) != StatusPassed || e.status(veto) != StatusRejected || e.status(fail) != StatusFailed {
		t.Fatalf("statuses %s %s %s", e.status(pass), e.status(veto), e.status(fail))
	}
	check()
	if e.balance("alice") != 1000 || e.balance("carol") != 1000 || e.balance("dave") != 975 || e.balance("bob") != 900 {
		t.Fatalf("balances alice %d carol %d dave %d bob %d", e.balance("alice"), e.balance("carol"), e.balance("dave"), e.balance("bob"))
	}
	if v, ok := e.k.Vote(e.s, pass, addr("valA")); ok {
		t.Fatalf("vote kept after tally: %v", v)
	}
}
