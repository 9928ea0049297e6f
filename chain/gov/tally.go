package gov

import (
	"encoding/binary"
	"fmt"
	"math/big"
	"strconv"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/types/coin"
	"github.com/abci-ics/ics/types/event"
)

// outcome is the result of a tally.
type outcome int

const (
	outcomeNoQuorum outcome = iota
	outcomeVetoed
	outcomeRejected
	outcomePassed
)

// tallyVal is a bonded validator during a tally.
type tallyVal struct {
	tokens, shares *big.Int
	deducted       *big.Int // shares of delegators who voted themselves
	vote           VoteOption
}

// tally counts the votes on proposal id against the bonded stake.
//
// Every bonded validator's tokens vote with its operator's vote, except
// the part that backs the shares of delegators who voted themselves: a
// delegator's vote counts for shares*tokens/delegator_shares of each
// bonded validator it delegates to, and that part is taken out of the
// validator's own vote. Validators whose operator did not vote contribute
// only through their voting delegators. Divisions round down.
func (k Keeper) tally(s state.Store, id uint64, p Params) (TallyResult, outcome) {
	vals := k.Staking.BondedValidators(s)
	byOp := make(map[string]*tallyVal, len(vals))
	total := new(big.Int)
	for _, v := range vals {
		tv := &tallyVal{
			tokens:   new(big.Int).SetUint64(v.Tokens),
			shares:   new(big.Int).SetUint64(v.DelegatorShares),
			deducted: new(big.Int),
		}
		byOp[string(v.Operator)] = tv
		total.Add(total, tv.tokens)
	}
	var results [OptionNoWithVeto + 1]big.Int
	for _, vote := range k.Votes(s, id) {
		if !validOption(vote.Option) {
			continue
		}
		if tv, ok := byOp[string(vote.Voter)]; ok {
			tv.vote = vote.Option
		}
		for _, d := range k.Staking.Delegations(s, vote.Voter) {
			tv, ok := byOp[string(d.Validator)]
			if !ok || tv.shares.Sign() == 0 {
				continue
			}
			sh := new(big.Int).SetUint64(d.Shares)
			if left := new(big.Int).Sub(tv.shares, tv.deducted); sh.Cmp(left) > 0 {
				sh = left
			}
			tv.deducted.Add(tv.deducted, sh)
			results[vote.Option].Add(&results[vote.Option], power(sh, tv))
		}
	}
	for _, v := range vals {
		tv := byOp[string(v.Operator)]
		if tv.vote == OptionEmpty || tv.shares.Sign() == 0 {
			continue
		}
		left := new(big.Int).Sub(tv.shares, tv.deducted)
		results[tv.vote].Add(&results[tv.vote], power(left, tv))
	}
	voted := new(big.Int)
	for i := range results {
		voted.Add(voted, &results[i])
	}
	tr := TallyResult{
		Yes:         toUint64(&results[OptionYes]),
		Abstain:     toUint64(&results[OptionAbstain]),
		No:          toUint64(&results[OptionNo]),
		NoWithVeto:  toUint64(&results[OptionNoWithVeto]),
		TotalBonded: toUint64(total),
	}
	switch {
	case !p.Quorum.ReachedBy(voted, total):
		return tr, outcomeNoQuorum
	case p.VetoThreshold.ExceededBy(&results[OptionNoWithVeto], voted):
		return tr, outcomeVetoed
	case p.Threshold.ExceededBy(&results[OptionYes], new(big.Int).Sub(voted, &results[OptionAbstain])):
		return tr, outcomePassed
	default:
		return tr, outcomeRejected
	}
}

// power is the stake behind shares of validator tv, rounded down.
func power(shares *big.Int, tv *tallyVal) *big.Int {
	p := new(big.Int).Mul(shares, tv.tokens)
	return p.Quo(p, tv.shares)
}

// toUint64 converts a tally sum, which Staking's contract bounds by the
// total bonded stake.
func toUint64(b *big.Int) uint64 {
	if !b.IsUint64() {
		panic(fmt.Sprintf("gov: tally sum %s overflows: bonded tokens exceed a uint64", b))
	}
	return b.Uint64()
}

// EndBlock closes the deposit and voting periods that ended at or before
// now, in order of their end and then of id.
//
// A proposal whose deposit period ended without the minimum deposit is
// deleted and its deposits refunded (burned with BurnDepositExpired). A
// proposal whose voting period ended is tallied: without quorum it is
// REJECTED and its deposits refunded (burned with BurnDepositNoQuorum); if
// vetoed it is REJECTED and its deposits burned (refunded unless
// BurnVoteVeto); if YES exceeds the threshold its deposits are refunded and
// its content executed on a cache, written only on success: PASSED, or
// FAILED with the handler's error as reason; otherwise it is REJECTED and
// its deposits refunded. Votes are deleted after the tally.
//
// An error means the escrow could not pay out, a broken invariant; the
// caller should discard s.
func (k Keeper) EndBlock(s state.Store, height int64, now time.Time) ([]abci.Event, error) {
	params := k.Params(s)
	var events []abci.Event
	for _, id := range dueProposals(s, prefixInactive, now) {
		p, ok := k.Proposal(s, id)
		if !ok {
			panic(fmt.Sprintf("gov: queued proposal %d missing", id))
		}
		kv(s).Delete(InactiveQueueKey(p.DepositEnd(), id))
		if err := k.settleDeposits(s, id, params.BurnDepositExpired); err != nil {
			return nil, err
		}
		kv(s).Delete(ProposalKey(id))
		events = append(events, event.New("inactive_proposal",
			"proposal_id", strconv.FormatUint(id, 10),
			"proposal_result", "proposal_dropped"))
	}
	for _, id := range dueProposals(s, prefixActive, now) {
		p, ok := k.Proposal(s, id)
		if !ok {
			panic(fmt.Sprintf("gov: queued proposal %d missing", id))
		}
		kv(s).Delete(ActiveQueueKey(p.VotingEnd(), id))
		tr, out := k.tally(s, id, params)
		burn := out == outcomeNoQuorum && params.BurnDepositNoQuorum || out == outcomeVetoed && params.BurnVoteVeto
		if err := k.settleDeposits(s, id, burn); err != nil {
			return nil, err
		}
		k.deleteVotes(s, id)
		p.FinalTally = tr
		result := "proposal_rejected"
		p.Status = StatusRejected
		if out == outcomePassed {
			if evs, err := k.execute(s, height, now, p.Content); err != nil {
				p.Status, p.FailedReason, result = StatusFailed, err.Error(), "proposal_failed"
			} else {
				p.Status, result = StatusPassed, "proposal_passed"
				events = append(events, evs...)
			}
		}
		setProposal(s, &p)
		events = append(events, event.New("active_proposal",
			"proposal_id", strconv.FormatUint(id, 10),
			"proposal_result", result))
	}
	return events, nil
}

// dueProposals returns the ids in the queue under prefix whose period
// ended at or before now, in queue order.
func dueProposals(s state.Store, prefix byte, now time.Time) []uint64 {
	it := kv(s).Iterator([]byte{prefix}, queueEnd(prefix, now))
	defer it.Close()
	var ids []uint64
	for ; it.Valid(); it.Next() {
		k := it.Key()
		if len(k) != 17 {
			panic(fmt.Sprintf("gov: malformed queue key %x", k))
		}
		ids = append(ids, binary.BigEndian.Uint64(k[9:]))
	}
	return ids
}

// settleDeposits refunds (or burns) and deletes every deposit of id.
func (k Keeper) settleDeposits(s state.Store, id uint64, burn bool) error {
	deps := k.Deposits(s, id)
	var burned []coin.Coin
	for _, d := range deps {
		kv(s).Delete(DepositKey(id, d.Depositor))
		if burn {
			var err error
			if burned, err = addCoins(burned, d.Amount); err != nil {
				return err
			}
			continue
		}
		if err := k.Bank.Send(s, escrow, d.Depositor, d.Amount); err != nil {
			return fmt.Errorf("refund deposit of proposal %d: %w", id, err)
		}
	}
	if len(burned) > 0 {
		if err := k.Bank.Burn(s, escrow, burned); err != nil {
			return fmt.Errorf("burn deposits of proposal %d: %w", id, err)
		}
	}
	return nil
}

func (k Keeper) deleteVotes(s state.Store, id uint64) {
	for _, v := range k.Votes(s, id) {
		kv(s).Delete(VoteKey(id, v.Voter))
	}
}
