package ccvrelay

import (
	"context"
	"fmt"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	cmttypes "github.com/cometbft/cometbft/types"
	gogoproto "github.com/cosmos/gogoproto/proto"
	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"
	ibctm "github.com/cosmos/ibc-go/v10/modules/light-clients/07-tendermint"

	"github.com/abci-ics/ics/relayer"
)

// EvidenceWatcher watches a chain's blocks for duplicate-vote evidence
// that CometBFT committed and reports each one to another chain that holds
// a light client of it: in Interchain Security, a consumer's double votes
// to the provider, which punishes the validator the consumer key belongs
// to. The report carries the evidence and the header of the infraction
// height with its validator set, verifiable by the reporter's client from
// a height it trusts.
//
// The watcher keeps only the next height to scan. A new watcher starts
// Lookback blocks back, so a restarted relayer reports again what it may
// have missed; the receiving chain punishes each infraction once and
// refuses the repeats (Settled).
type EvidenceWatcher struct {
	// Chain is the watched chain (the consumer).
	Chain *relayer.Chain
	// Reporter is the chain the evidence goes to (the provider) with its
	// client of Chain.
	Reporter *relayer.End
	// Message builds the message reporting ev with the infraction header h.
	Message func(ev *cmtproto.DuplicateVoteEvidence, h *ibctm.Header) gogoproto.Message
	// Settled reports whether a failed report needs no retry (the
	// infraction was punished already, or the validator is unknown).
	Settled func(res *abcitypes.ExecTxResult) bool
	// Lookback is how many blocks before the latest a new watcher scans.
	Lookback int64
	// Found is called for each evidence reported, with the transaction's
	// result.
	Found func(ev *cmttypes.DuplicateVoteEvidence, res *abcitypes.ExecTxResult)

	next     int64
	attempts int
}

// MaxEvidenceAttempts bounds how many passes retry one failed report.
const MaxEvidenceAttempts = 3

// maxTrustedProbe bounds the heights searched for a consensus state below
// an infraction.
const maxTrustedProbe = 1000

// Scan reports the evidence in the blocks committed since the last scan.
// A report that fails is retried at the next scan, at most
// MaxEvidenceAttempts times; then it is skipped and its error returned.
func (w *EvidenceWatcher) Scan(ctx context.Context) error {
	top, err := w.Chain.Height(ctx)
	if err != nil {
		return err
	}
	if w.next == 0 {
		w.next = max(1, top-w.Lookback)
	}
	for ; w.next <= top; w.next++ {
		h := w.next
		evs, err := w.Chain.Node.Evidence(ctx, h)
		if err != nil {
			return fmt.Errorf("%s: block %d: %w", w.Chain.ID, h, err)
		}
		for _, ev := range evs {
			dv, ok := ev.(*cmttypes.DuplicateVoteEvidence)
			if !ok {
				continue
			}
			if err := w.report(ctx, dv); err != nil {
				w.attempts++
				if w.attempts < MaxEvidenceAttempts {
					return err
				}
				w.attempts = 0
				w.next++
				return fmt.Errorf("giving up on evidence in block %d of %s: %w", h, w.Chain.ID, err)
			}
		}
		w.attempts = 0
	}
	return nil
}

// report submits one double vote.
func (w *EvidenceWatcher) report(ctx context.Context, ev *cmttypes.DuplicateVoteEvidence) error {
	header, err := w.InfractionHeader(ctx, ev.VoteA.Height)
	if err != nil {
		return err
	}
	msg := w.Message(ev.ToProto(), header)
	res, err := w.Reporter.Chain.Submit.Submit(ctx, msg)
	if err != nil {
		return fmt.Errorf("%s: report double vote at height %d: %w", w.Reporter.Chain.ID, ev.VoteA.Height, err)
	}
	if res.Code != 0 && (w.Settled == nil || !w.Settled(res)) {
		return fmt.Errorf("%s: report double vote at height %d: code %d: %s", w.Reporter.Chain.ID, ev.VoteA.Height, res.Code, res.Log)
	}
	if w.Found != nil {
		w.Found(ev, res)
	}
	return nil
}

// InfractionHeader returns the header of the watched chain at height h,
// with its validator set, trusting the most recent consensus state below h
// that the reporter's client holds.
func (w *EvidenceWatcher) InfractionHeader(ctx context.Context, h int64) (*ibctm.Header, error) {
	trusted, err := w.trustedBelow(ctx, h)
	if err != nil {
		return nil, err
	}
	return w.Chain.Header(ctx, h, trusted)
}

// trustedBelow returns the highest height below h at which the reporter's
// client has a consensus state: its latest height if that is below h,
// else the first stored one found going down from h-1.
func (w *EvidenceWatcher) trustedBelow(ctx context.Context, h int64) (clienttypes.Height, error) {
	cs, err := w.Reporter.Chain.ClientState(ctx, w.Reporter.Client)
	if err != nil {
		return clienttypes.Height{}, err
	}
	if int64(cs.LatestHeight.RevisionHeight) < h {
		return cs.LatestHeight, nil
	}
	rev := cs.LatestHeight.RevisionNumber
	for t := h - 1; t >= 1 && t >= h-maxTrustedProbe; t-- {
		height := clienttypes.NewHeight(rev, uint64(t))
		if _, ok, err := w.Reporter.Chain.ConsensusState(ctx, w.Reporter.Client, height); err != nil {
			return clienttypes.Height{}, err
		} else if ok {
			return height, nil
		}
	}
	return clienttypes.Height{}, fmt.Errorf("%s: client %s has no consensus state of %s below height %d", w.Reporter.Chain.ID, w.Reporter.Client, w.Chain.ID, h)
}
