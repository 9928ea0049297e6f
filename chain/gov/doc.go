// Package gov runs on-chain governance: proposals with typed content,
// deposits, voting by bonded stake, the tally, and the execution of passed
// proposals.
//
// # Life of a proposal
//
// MsgSubmitProposal carries a title, a summary, a Content (a type URL and
// its encoded value) and an initial deposit, which must not be empty. The
// content's type must have a handler: the built-in ParamChangeProposal, or
// one another module registered with RegisterHandler, whose check runs at
// submission so that undecodable content is rejected at once. Deposits are
// escrowed in the "gov" module account and accepted only in the minimum
// deposit's denomination.
//
// A proposal starts in its deposit period. When its deposits reach
// Params.MinDeposit (at submission or through MsgDeposit) its voting
// period of Params.VotingPeriod starts. If the deposit period of
// Params.MaxDepositPeriod ends first, the proposal is deleted and its
// deposits refunded (burned with BurnDepositExpired). MsgVote records or
// replaces a vote (YES, ABSTAIN, NO, NO_WITH_VETO) during the voting
// period only. Periods are half-open: a message at exactly a period's end
// is rejected, and EndBlock closes the period in that same block.
//
// # Tally
//
// When the voting period ends, EndBlock tallies the votes against the
// bonded stake (the Staking interface). A bonded validator's tokens vote
// with its operator's vote, except the part backing the shares of
// delegators who voted themselves: each voting delegator's shares count
// with its own option, and are deducted from its validator's. With V the
// power that voted, T the total bonded tokens:
//
//   - V/T below Quorum: REJECTED, deposits refunded (burned with
//     BurnDepositNoQuorum);
//   - NO_WITH_VETO/V above VetoThreshold: REJECTED, deposits burned
//     (refunded unless BurnVoteVeto);
//   - YES/(V-ABSTAIN) above Threshold: deposits refunded and the content
//     executed; PASSED, or FAILED if its handler errs;
//   - otherwise REJECTED, deposits refunded.
//
// All fractions are exact (numerator/denominator) and compared in
// integers; powers round down.
//
// # Execution
//
// A passed proposal's handler runs on a state.Cache over the block state,
// written only when the handler returns nil, so a failed execution changes
// nothing but the proposal's status. A ParamChangeProposal applies its
// changes in order through the setter each module registered with
// RegisterParamSpace; an unknown module, key or invalid value fails the
// whole proposal. SetParamJSON is gov's own setter.
//
// # State
//
// Proposals, deposits and votes live in the "gov" store under frozen
// prefixes. Two queues, keyed by the end of the deposit or voting period
// and the proposal id, let EndBlock visit only the periods that ended.
// Deposits and votes are deleted when a proposal is closed; the proposal
// is kept with its final tally.
package gov
