package gov

import (
	"fmt"

	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/state/typed"
	"github.com/abci-ics/ics/types/coin"
)

// DefaultGenesis returns a genesis with default parameters and no
// proposals.
func DefaultGenesis() *GenesisState {
	return &GenesisState{Params: DefaultParams(), StartingProposalId: 1}
}

// ValidateGenesis checks the gov genesis without touching state: valid
// parameters, a starting id above every proposal's, proposals with unique
// ids and a known status, deposits only on proposals in their deposit or
// voting period and adding up to their total deposit, votes only on
// proposals in their voting period, no depositor or voter twice.
func ValidateGenesis(gs *GenesisState) error {
	if err := gs.Params.Validate(); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidGenesis, err)
	}
	if gs.StartingProposalId == 0 {
		return fmt.Errorf("%w: starting proposal id 0", ErrInvalidGenesis)
	}
	props := make(map[uint64]*Proposal, len(gs.Proposals))
	sums := make(map[uint64][]coin.Coin, len(gs.Proposals))
	for i := range gs.Proposals {
		p := &gs.Proposals[i]
		switch {
		case p.Id == 0 || p.Id >= gs.StartingProposalId:
			return fmt.Errorf("%w: proposal id %d not in [1, %d)", ErrInvalidGenesis, p.Id, gs.StartingProposalId)
		case props[p.Id] != nil:
			return fmt.Errorf("%w: proposal %d appears twice", ErrInvalidGenesis, p.Id)
		case p.Status < StatusDepositPeriod || p.Status > StatusFailed:
			return fmt.Errorf("%w: proposal %d has status %d", ErrInvalidGenesis, p.Id, p.Status)
		case p.Content.TypeUrl == "":
			return fmt.Errorf("%w: proposal %d has no content type", ErrInvalidGenesis, p.Id)
		case len(p.Proposer) != 0 && checkAddr("proposer", p.Proposer) != nil:
			return fmt.Errorf("%w: proposal %d: bad proposer", ErrInvalidGenesis, p.Id)
		}
		if len(p.TotalDeposit) > 0 {
			if err := coin.ValidateCoins(p.TotalDeposit); err != nil {
				return fmt.Errorf("%w: proposal %d: total deposit: %v", ErrInvalidGenesis, p.Id, err)
			}
		}
		props[p.Id] = p
	}
	seen := map[string]bool{}
	for i, d := range gs.Deposits {
		p := props[d.ProposalId]
		switch {
		case p == nil || p.Status != StatusDepositPeriod && p.Status != StatusVotingPeriod:
			return fmt.Errorf("%w: deposit %d on proposal %d, which takes no deposits", ErrInvalidGenesis, i, d.ProposalId)
		case checkAddr("depositor", d.Depositor) != nil:
			return fmt.Errorf("%w: deposit %d: bad depositor", ErrInvalidGenesis, i)
		case seen[string(DepositKey(d.ProposalId, d.Depositor))]:
			return fmt.Errorf("%w: deposit %d: depositor appears twice", ErrInvalidGenesis, i)
		}
		seen[string(DepositKey(d.ProposalId, d.Depositor))] = true
		if err := coin.ValidateCoins(d.Amount); err != nil {
			return fmt.Errorf("%w: deposit %d: %v", ErrInvalidGenesis, i, err)
		}
		sum, err := addCoins(sums[d.ProposalId], d.Amount)
		if err != nil {
			return fmt.Errorf("%w: deposits of proposal %d: %v", ErrInvalidGenesis, d.ProposalId, err)
		}
		sums[d.ProposalId] = sum
	}
	for _, p := range gs.Proposals {
		if p.Status != StatusDepositPeriod && p.Status != StatusVotingPeriod {
			continue
		}
		if coin.FormatCoins(sums[p.Id]) != coin.FormatCoins(p.TotalDeposit) {
			return fmt.Errorf("%w: proposal %d: deposits add up to %q, total is %q", ErrInvalidGenesis, p.Id,
				coin.FormatCoins(sums[p.Id]), coin.FormatCoins(p.TotalDeposit))
		}
	}
	for i, v := range gs.Votes {
		p := props[v.ProposalId]
		switch {
		case p == nil || p.Status != StatusVotingPeriod:
			return fmt.Errorf("%w: vote %d on proposal %d, which is not in its voting period", ErrInvalidGenesis, i, v.ProposalId)
		case checkAddr("voter", v.Voter) != nil:
			return fmt.Errorf("%w: vote %d: bad voter", ErrInvalidGenesis, i)
		case !validOption(v.Option):
			return fmt.Errorf("%w: vote %d: option %d", ErrInvalidGenesis, i, v.Option)
		case seen[string(VoteKey(v.ProposalId, v.Voter))]:
			return fmt.Errorf("%w: vote %d: voter appears twice", ErrInvalidGenesis, i)
		}
		seen[string(VoteKey(v.ProposalId, v.Voter))] = true
	}
	return nil
}

// InitGenesis validates gs and writes it, with the queue entries of the
// open proposals. The escrowed deposits themselves are balances of the
// module account in the bank genesis.
func (k Keeper) InitGenesis(s state.Store, gs *GenesisState) error {
	if err := ValidateGenesis(gs); err != nil {
		return err
	}
	if err := k.SetParams(s, gs.Params); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidGenesis, err)
	}
	setNextID(s, gs.StartingProposalId)
	for i := range gs.Proposals {
		p := &gs.Proposals[i]
		setProposal(s, p)
		switch p.Status {
		case StatusDepositPeriod:
			kv(s).Set(InactiveQueueKey(p.DepositEnd(), p.Id), ProposalKey(p.Id)[1:])
		case StatusVotingPeriod:
			kv(s).Set(ActiveQueueKey(p.VotingEnd(), p.Id), ProposalKey(p.Id)[1:])
		}
	}
	for i := range gs.Deposits {
		d := &gs.Deposits[i]
		typed.Set(kv(s), DepositKey(d.ProposalId, d.Depositor), d)
	}
	for i := range gs.Votes {
		v := &gs.Votes[i]
		typed.Set(kv(s), VoteKey(v.ProposalId, v.Voter), v)
	}
	return nil
}

// ExportGenesis returns the parameters, the next proposal id and every
// proposal, deposit and vote, in key order.
func (k Keeper) ExportGenesis(s state.Store) *GenesisState {
	gs := &GenesisState{Params: k.Params(s), StartingProposalId: k.NextProposalID(s)}
	gs.Proposals = k.Proposals(s, StatusNil)
	typed.Each(kv(s), []byte{prefixDeposit}, func(_ []byte, d Deposit) { gs.Deposits = append(gs.Deposits, d) })
	typed.Each(kv(s), []byte{prefixVote}, func(_ []byte, v Vote) { gs.Votes = append(gs.Votes, v) })
	return gs
}
