package gov

import (
	"fmt"
	"time"

	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/state/typed"
	"github.com/abci-ics/ics/types/coin"
	abci "github.com/cometbft/cometbft/abci/types"
)

// Bank is what gov needs of the bank: moving deposits in and out of escrow
// and burning them. bank.Keeper satisfies it.
type Bank interface {
	// Send moves coins from one address to another. On error the caller
	// discards the store it passed.
	Send(s state.Store, from, to []byte, coins []coin.Coin) error
	// Burn destroys coins held by addr and removes them from the supply.
	Burn(s state.Store, addr []byte, coins []coin.Coin) error
}

// Validator is a bonded validator as a tally sees it.
type Validator struct {
	// Operator is the account address that votes for the validator.
	Operator []byte
	// Tokens is the validator's bonded stake: its voting power.
	Tokens uint64
	// DelegatorShares is the sum of the shares of all its delegations.
	DelegatorShares uint64
}

// Delegation is a delegator's shares of one validator.
type Delegation struct {
	Validator []byte
	Shares    uint64
}

// Staking is the view of the stake that tallies are taken against.
type Staking interface {
	// BondedValidators returns every bonded validator once, sorted by
	// operator address. The sum of their tokens must fit in a uint64 (it
	// is bounded by the bond denomination's supply).
	BondedValidators(s state.Store) []Validator
	// Delegations returns every delegation of delegator (to bonded or
	// unbonded validators), sorted by validator address. A delegation's
	// shares never exceed its validator's DelegatorShares.
	Delegations(s state.Store, delegator []byte) []Delegation
}

// Handler executes the content of a passed proposal and returns its
// events, which are the block's. It runs on a cache that is written only
// when it returns no error; an error marks the proposal FAILED.
type Handler func(s state.Store, height int64, now time.Time, content []byte) ([]abci.Event, error)

// ContentCheck checks content statelessly when a proposal is submitted.
type ContentCheck func(content []byte) error

// ParamSetter sets one parameter of a module from its JSON value. It
// returns an error for an unknown key or an invalid value.
type ParamSetter func(s state.Store, key, valueJSON string) error

type contentHandler struct {
	check ContentCheck
	exec  Handler
}

// Keeper runs governance over the gov store. It holds no chain state: the
// registries of content handlers and parameter spaces are wiring, set up
// once before the chain starts (register before copying the Keeper, since
// a copy made earlier does not see later registrations). Prefix is the
// chain's bech32 prefix, used in events.
type Keeper struct {
	Bank    Bank
	Staking Staking
	Prefix  string

	handlers map[string]contentHandler
	spaces   map[string]ParamSetter
}

// RegisterHandler routes proposal content of typeURL to exec, after check
// accepted it at submission. It panics when typeURL is empty, is the
// built-in ParamChangeTypeURL, or is registered twice: these are wiring
// errors.
func (k *Keeper) RegisterHandler(typeURL string, check ContentCheck, exec Handler) {
	if typeURL == "" || typeURL == ParamChangeTypeURL || check == nil || exec == nil {
		panic(fmt.Sprintf("gov: invalid content handler registration for %q", typeURL))
	}
	if _, dup := k.handlers[typeURL]; dup {
		panic(fmt.Sprintf("gov: content handler %q registered twice", typeURL))
	}
	if k.handlers == nil {
		k.handlers = map[string]contentHandler{}
	}
	k.handlers[typeURL] = contentHandler{check: check, exec: exec}
}

// RegisterParamSpace lets parameter-change proposals set module's
// parameters through set. It panics when module is empty or registered
// twice.
func (k *Keeper) RegisterParamSpace(module string, set ParamSetter) {
	if module == "" || set == nil {
		panic("gov: invalid parameter space registration")
	}
	if _, dup := k.spaces[module]; dup {
		panic(fmt.Sprintf("gov: parameter space %q registered twice", module))
	}
	if k.spaces == nil {
		k.spaces = map[string]ParamSetter{}
	}
	k.spaces[module] = set
}

func kv(s state.Store) state.KVStore { return s.KV(StoreName) }

// Params returns the stored parameters. They are written at genesis; a
// missing record is a broken invariant.
func (Keeper) Params(s state.Store) Params {
	p, ok := typed.Get[Params](kv(s), []byte{keyParams})
	if !ok {
		panic("gov: broken invariant: parameters missing from state")
	}
	return p
}

// SetParams validates and stores p. It returns ErrInvalidParams.
func (Keeper) SetParams(s state.Store, p Params) error {
	if err := p.Validate(); err != nil {
		return err
	}
	typed.Set(kv(s), []byte{keyParams}, &p)
	return nil
}

// NextProposalID returns the id the next proposal will get.
func (Keeper) NextProposalID(s state.Store) uint64 {
	v, ok := typed.Get[ProposalID](kv(s), []byte{keyNextID})
	if !ok {
		return 1
	}
	return v.Id
}

func setNextID(s state.Store, id uint64) {
	typed.Set(kv(s), []byte{keyNextID}, &ProposalID{Id: id})
}

// Proposal returns proposal id and whether it exists. Proposals that
// expired in their deposit period are deleted; finished ones are kept with
// their final tally.
func (Keeper) Proposal(s state.Store, id uint64) (Proposal, bool) {
	return typed.Get[Proposal](kv(s), ProposalKey(id))
}

// Proposals returns the proposals with the given status (every proposal
// for StatusNil), sorted by id.
func (Keeper) Proposals(s state.Store, status ProposalStatus) []Proposal {
	var out []Proposal
	typed.Each(kv(s), []byte{prefixProposal}, func(_ []byte, p Proposal) {
		if status == StatusNil || p.Status == status {
			out = append(out, p)
		}
	})
	return out
}

func setProposal(s state.Store, p *Proposal) { typed.Set(kv(s), ProposalKey(p.Id), p) }

// Deposit returns depositor's deposit on proposal id and whether it exists.
func (Keeper) Deposit(s state.Store, id uint64, depositor []byte) (Deposit, bool) {
	return typed.Get[Deposit](kv(s), DepositKey(id, depositor))
}

// Deposits returns the deposits of proposal id, sorted by depositor. They
// exist only until the proposal's deposit or voting period ends.
func (Keeper) Deposits(s state.Store, id uint64) []Deposit {
	var out []Deposit
	typed.Each(kv(s), proposalPrefix(prefixDeposit, id), func(_ []byte, d Deposit) { out = append(out, d) })
	return out
}

// Vote returns voter's vote on proposal id and whether it exists.
func (Keeper) Vote(s state.Store, id uint64, voter []byte) (Vote, bool) {
	return typed.Get[Vote](kv(s), VoteKey(id, voter))
}

// Votes returns the votes on proposal id, sorted by voter. They exist only
// during the voting period.
func (Keeper) Votes(s state.Store, id uint64) []Vote {
	var out []Vote
	typed.Each(kv(s), proposalPrefix(prefixVote, id), func(_ []byte, v Vote) { out = append(out, v) })
	return out
}

// Tally returns the tally of proposal id: the current one during the
// voting period, the final one after it, an empty one before it. It
// returns ErrUnknownProposal.
func (k Keeper) Tally(s state.Store, id uint64) (TallyResult, error) {
	p, ok := k.Proposal(s, id)
	if !ok {
		return TallyResult{}, fmt.Errorf("%w: %d", ErrUnknownProposal, id)
	}
	switch p.Status {
	case StatusVotingPeriod:
		t, _ := k.tally(s, id, k.Params(s))
		return t, nil
	case StatusDepositPeriod:
		return TallyResult{}, nil
	default:
		return p.FinalTally, nil
	}
}

// Time helpers: proposals store Unix nanoseconds.

func nanos(t time.Time) int64 { return t.UnixNano() }

func fromNanos(ns int64) time.Time { return time.Unix(0, ns).UTC() }

// DepositEnd returns the end of the proposal's deposit period.
func (p *Proposal) DepositEnd() time.Time { return fromNanos(p.DepositEndTime) }

// VotingEnd returns the end of the proposal's voting period (the zero Unix
// time before it started).
func (p *Proposal) VotingEnd() time.Time { return fromNanos(p.VotingEndTime) }
