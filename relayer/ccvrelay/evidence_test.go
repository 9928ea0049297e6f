package ccvrelay_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"testing"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/crypto/ed25519"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/abci-ics/ics/app/ibctest"
	"github.com/abci-ics/ics/relayer"
	"github.com/abci-ics/ics/relayer/ccvrelay"
)

// evidenceNode is an in-process node whose block at height holds evs.
type evidenceNode struct {
	*ibctest.Node
	height int64
	evs    []cmttypes.Evidence
}

func (n evidenceNode) Evidence(_ context.Context, h int64) ([]cmttypes.Evidence, error) {
	if h == n.height {
		return n.evs, nil
	}
	return nil, nil
}

// doubleVote returns evidence that key signed two prevotes for different
// blocks at height h of chain c.
func doubleVote(t *testing.T, c *ibctest.Chain, key ed25519.PrivKey, h int64) *cmttypes.DuplicateVoteEvidence {
	_, vals := c.SignedHeader(h)
	idx, val := vals.GetByAddress(key.PubKey().Address())
	if val == nil {
		t.Fatalf("%X is not a validator of %s at %d", key.PubKey().Address(), c.ID, h)
	}
	vote := func(tag string) *cmtproto.Vote {
		hash := sha256.Sum256([]byte(tag))
		v := &cmtproto.Vote{Type: cmtproto.PrevoteType, Height: h, Timestamp: c.Time,
			BlockID:          cmtproto.BlockID{Hash: hash[:], PartSetHeader: cmtproto.PartSetHeader{Total: 1, Hash: hash[:]}},
			ValidatorAddress: key.PubKey().Address(), ValidatorIndex: idx}
		sig, err := key.Sign(cmttypes.VoteSignBytes(c.ID, v))
		if err != nil {
			t.Fatal(err)
		}
		v.Signature = sig
		return v
	}
	a, b := vote("a"), vote("b")
	if bytes.Compare(a.BlockID.Hash, b.BlockID.Hash) > 0 {
		a, b = b, a // CometBFT orders the two votes by block id
	}
	ev, err := cmttypes.DuplicateVoteEvidenceFromProto(&cmtproto.DuplicateVoteEvidence{VoteA: a, VoteB: b,
		TotalVotingPower: vals.TotalVotingPower(), ValidatorPower: val.VotingPower, Timestamp: c.Time})
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// TestEvidenceWatcher: a double vote committed on the consumer is reported
// to the provider with a header its client verifies, and the validator is
// punished; a restarted watcher that scans the block again reports it
// again, is refused as settled, and punishes no one twice.
func TestEvidenceWatcher(t *testing.T) {
	clock := &ibctest.Clock{Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	prov := ibctest.NewProvider(t, clock, "provider-1", 4, 6, nil)
	cons := ibctest.LaunchConsumer(prov, "consumer-1", ibctest.ConsumerParams(), 2)
	path := ibctest.LinkCCV(cons, prov)
	path.Flush()
	cons.NextBlock()
	cons.NextBlock()
	h := cons.Height
	ev := doubleVote(t, cons, prov.ValidatorKeys[1], h)
	l := path.Relayer()
	l.A.Chain = &relayer.Chain{ID: cons.ID, Node: evidenceNode{Node: &ibctest.Node{C: cons}, height: h, evs: []cmttypes.Evidence{ev}}}
	cons.NextBlock()

	var codes []uint32
	found := func(got *cmttypes.DuplicateVoteEvidence, res *abcitypes.ExecTxResult) {
		if got.VoteA.Height != h {
			t.Errorf("reported evidence of height %d, want %d", got.VoteA.Height, h)
		}
		codes = append(codes, res.Code)
	}
	for run := 0; run < 2; run++ {
		w := ccvrelay.NewEvidenceWatcher(l, ibctest.ConsumerID(prov, cons.ID), 5, found)
		if err := w.Scan(context.Background()); err != nil {
			t.Fatalf("scan %d: %v", run, err)
		}
	}
	if len(codes) != 2 || codes[0] != 0 || codes[1] == 0 {
		t.Fatalf("report codes %v, want a success then a settled refusal", codes)
	}
	if n := ibctest.CountEvents(prov, "submit_consumer_double_voting", "", ""); n != 1 {
		t.Fatalf("%d double votes punished, want 1", n)
	}
}
