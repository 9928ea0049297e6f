package gov

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	dbm "github.com/cosmos/cosmos-db"

	"github.com/abci-ics/ics/chain/bank"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/coin"
)

// fakeStore is the store of fakeStaking and of test content handlers.
const fakeStore = "fake"

// fakeStaking keeps validators and delegations in the fake store, so that
// they follow the caches the keeper runs on.
type fakeStaking struct{}

type fakeVal struct{ Tokens, Shares uint64 }

func (fakeStaking) setValidator(s state.Store, op []byte, tokens, shares uint64) {
	bz, _ := json.Marshal(fakeVal{tokens, shares})
	s.KV(fakeStore).Set(append([]byte("v"), op...), bz)
}

func (fakeStaking) setDelegation(s state.Store, del, val []byte, shares uint64) {
	bz, _ := json.Marshal(shares)
	s.KV(fakeStore).Set(append(append([]byte("d"), del...), val...), bz)
}

func (fakeStaking) BondedValidators(s state.Store) []Validator {
	it := s.KV(fakeStore).Iterator([]byte("v"), []byte("w"))
	defer it.Close()
	var out []Validator
	for ; it.Valid(); it.Next() {
		var v fakeVal
		if err := json.Unmarshal(it.Value(), &v); err != nil {
			panic(err)
		}
		out = append(out, Validator{Operator: bytes.Clone(it.Key()[1:]), Tokens: v.Tokens, DelegatorShares: v.Shares})
	}
	return out
}

func (fakeStaking) Delegations(s state.Store, del []byte) []Delegation {
	p := append([]byte("d"), del...)
	it := s.KV(fakeStore).Iterator(p, state.PrefixEnd(p))
	defer it.Close()
	var out []Delegation
	for ; it.Valid(); it.Next() {
		var sh uint64
		if err := json.Unmarshal(it.Value(), &sh); err != nil {
			panic(err)
		}
		out = append(out, Delegation{Validator: bytes.Clone(it.Key()[len(p):]), Shares: sh})
	}
	return out
}

// env is a chain with bank, gov and the fake staking over an IAVL memdb.
type env struct {
	t      *testing.T
	s      state.Store
	bank   bank.Keeper
	stk    fakeStaking
	k      *Keeper
	height int64
	now    time.Time
}

const denom = "stake"

func addr(name string) []byte { return address.Module("test/" + name) }

// testParams: deposits of 100stake, a 10 s deposit period and a 20 s
// voting period.
func testParams() Params {
	p := DefaultParams()
	p.MinDeposit = coin.Coin{Denom: denom, Amount: 100}
	p.MaxDepositPeriod = int64(10 * time.Second)
	p.VotingPeriod = int64(20 * time.Second)
	return p
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ms, err := state.Open(dbm.NewMemDB(), []string{bank.StoreName, StoreName, fakeStore}, state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ms.Close() })
	e := &env{t: t, s: ms.Working(), bank: bank.Keeper{Prefix: "ics"}, height: 1, now: time.Unix(1_700_000_000, 0).UTC()}
	e.k = &Keeper{Bank: e.bank, Staking: e.stk, Prefix: "ics"}
	gs := DefaultGenesis()
	gs.Params = testParams()
	if err := e.k.InitGenesis(e.s, gs); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"alice", "bob", "carol", "dave", "valA", "valB", "valC"} {
		if err := e.bank.Mint(e.s, addr(n), []coin.Coin{{Denom: denom, Amount: 1000}}); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// advance moves the clock by d and runs EndBlock.
func (e *env) advance(d time.Duration) []string {
	e.t.Helper()
	e.height++
	e.now = e.now.Add(d)
	evs, err := e.k.EndBlock(e.s, e.height, e.now)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, ev := range evs {
		out = append(out, ev.Type+":"+ev.Attributes[len(ev.Attributes)-1].Value)
	}
	e.checkEscrow()
	return out
}

// run executes fn on a cache written only on success, like the app does.
func (e *env) run(fn func(s state.Store) error) error {
	c := state.NewCache(e.s)
	if err := fn(c); err != nil {
		return err
	}
	c.Write()
	e.checkEscrow()
	return nil
}

func (e *env) submit(proposer string, content Content, deposit uint64) (uint64, error) {
	id := e.k.NextProposalID(e.s)
	m := &MsgSubmitProposal{Proposer: addr(proposer), Content: content, Title: "t", Summary: "s"}
	if deposit > 0 {
		m.InitialDeposit = []coin.Coin{{Denom: denom, Amount: deposit}}
	}
	return id, e.run(func(s state.Store) error {
		_, err := e.k.HandleSubmitProposal(s, e.height, e.now, addr(proposer), m)
		return err
	})
}

func (e *env) mustSubmit(proposer string, content Content, deposit uint64) uint64 {
	e.t.Helper()
	id, err := e.submit(proposer, content, deposit)
	if err != nil {
		e.t.Fatal(err)
	}
	return id
}

func (e *env) deposit(who string, id, amount uint64) error {
	return e.run(func(s state.Store) error {
		_, err := e.k.HandleDeposit(s, e.height, e.now, addr(who), &MsgDeposit{Depositor: addr(who), ProposalId: id, Amount: []coin.Coin{{Denom: denom, Amount: amount}}})
		return err
	})
}

func (e *env) vote(who string, id uint64, o VoteOption) error {
	return e.run(func(s state.Store) error {
		_, err := e.k.HandleVote(s, e.height, e.now, addr(who), &MsgVote{Voter: addr(who), ProposalId: id, Option: o})
		return err
	})
}

func (e *env) mustVote(who string, id uint64, o VoteOption) {
	e.t.Helper()
	if err := e.vote(who, id, o); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) balance(who string) uint64 { return e.bank.Balance(e.s, addr(who), denom) }

func (e *env) status(id uint64) ProposalStatus {
	p, ok := e.k.Proposal(e.s, id)
	if !ok {
		return StatusNil
	}
	return p.Status
}

// checkEscrow asserts that the module account holds exactly the deposits
// of the open proposals and that they match the proposals' totals.
func (e *env) checkEscrow() {
	e.t.Helper()
	var sum uint64
	for _, p := range e.k.Proposals(e.s, StatusNil) {
		var deps []coin.Coin
		for _, d := range e.k.Deposits(e.s, p.Id) {
			deps, _ = addCoins(deps, d.Amount)
		}
		open := p.Status == StatusDepositPeriod || p.Status == StatusVotingPeriod
		if open && coin.FormatCoins(deps) != coin.FormatCoins(p.TotalDeposit) {
			e.t.Fatalf("proposal %d: deposits %v, total %v", p.Id, deps, p.TotalDeposit)
		}
		if !open && len(deps) > 0 {
			e.t.Fatalf("closed proposal %d still has deposits %v", p.Id, deps)
		}
		for _, c := range deps {
			sum += c.Amount
		}
	}
	if got := e.bank.Balance(e.s, escrow, denom); got != sum {
		e.t.Fatalf("escrow holds %d, deposits add up to %d", got, sum)
	}
}

// markContent is a test content type whose handler writes its value into
// the fake store, or fails after writing when the value is "fail".
const markURL = "/test.Mark"

func registerMark(k *Keeper) {
	k.RegisterHandler(markURL, func(c []byte) error {
		if len(c) == 0 {
			return fmt.Errorf("empty mark")
		}
		return nil
	}, func(s state.Store, _ int64, _ time.Time, c []byte) ([]abci.Event, error) {
		s.KV(fakeStore).Set([]byte("mark"), c)
		if string(c) == "fail" {
			return nil, fmt.Errorf("mark refused")
		}
		return []abci.Event{{Type: "marked", Attributes: []abci.EventAttribute{{Key: "value", Value: string(c)}}}}, nil
	})
}

func mark(v string) Content { return Content{TypeUrl: markURL, Value: []byte(v)} }

func (e *env) marked() string { return string(e.s.KV(fakeStore).Get([]byte("mark"))) }
