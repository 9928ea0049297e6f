package provider

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/abci-ics/ics/provider/registry"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	ibctm "github.com/cosmos/ibc-go/v10/modules/light-clients/07-tendermint"
)

func header(height int64, t time.Time) *ibctm.Header {
	return &ibctm.Header{SignedHeader: &cmtproto.SignedHeader{Header: &cmtproto.Header{ChainID: "consumer", Height: height, Time: t}}}
}

// TestEvidenceRejections refuses evidence that cannot be checked or does
// not hold, before any punishment: each refusal returns its error and
// changes nothing. (Valid evidence is covered by provider/equivocation and
// the app/ibctest scenarios.)
func TestEvidenceRejections(t *testing.T) {
	submitter := []byte("submitter")
	someVotes := mustMarshal(&cmtproto.DuplicateVoteEvidence{TotalVotingPower: 1})
	cases := []struct {
		name    string
		signer  []byte
		chainID string
		votes   []byte
		header  *ibctm.Header
		rawHdr  []byte
		verify  error
		want    error
	}{
		{name: "signer is not the submitter", signer: []byte("other"), want: ErrUnauthorized},
		{name: "unknown consumer", chainID: "nope", want: ErrConsumerNotFound},
		{name: "registered consumer without a client", chainID: "registered", want: ErrConsumerNotFound},
		{name: "no evidence", votes: []byte{}, want: ErrInvalidEvidence},
		{name: "evidence too large", votes: make([]byte, MaxEvidenceBytes+1), want: ErrInvalidEvidence},
		{name: "evidence does not decode", votes: []byte{0xff, 0xff}, want: ErrInvalidEvidence},
		{name: "header does not decode", rawHdr: []byte{0xff, 0xff}, want: ErrInvalidEvidence},
		{name: "header without a header", header: &ibctm.Header{SignedHeader: &cmtproto.SignedHeader{}}, want: ErrInvalidEvidence},
		{name: "header before the initial height", header: header(0, t0), want: ErrStaleEvidence},
		{name: "header older than the unbonding period", header: header(5, t0.Add(-unbondingPeriod-time.Hour)), want: ErrStaleEvidence},
		{name: "header the client does not verify", verify: errors.New("fake: bad header"), want: ErrInvalidEvidence},
		{name: "votes that do not conflict", want: ErrInvalidEvidence},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, 2, testParams())
			h.run("consumer")
			h.add("registered", h.now.Add(time.Hour))
			h.cl.verifyErr = c.verify
			m := &MsgSubmitConsumerDoubleVoting{Submitter: submitter, ConsumerId: h.id("consumer"), DuplicateVoteEvidence: someVotes}
			if c.chainID != "" {
				m.ConsumerId = h.id(c.chainID)
			}
			if c.votes != nil {
				m.DuplicateVoteEvidence = c.votes
			}
			hdr := c.header
			if hdr == nil {
				hdr = header(5, h.now)
			}
			m.InfractionBlockHeader = mustMarshal(hdr)
			if c.rawHdr != nil {
				m.InfractionBlockHeader = c.rawHdr
			}
			signer := c.signer
			if signer == nil {
				signer = submitter
			}
			before := h.hash()
			if _, err := h.k.HandleSubmitConsumerDoubleVoting(h.s, h.height, h.now, signer, m); !errors.Is(err, c.want) {
				t.Fatalf("double voting: %v, want %v", err, c.want)
			}
			h.mustUnchanged(before, "refused evidence")
			if h.st.calls() != 0 {
				t.Fatal("refused evidence punished")
			}
		})
	}
}

// TestMisbehaviourRejections does the same for light client attacks.
func TestMisbehaviourRejections(t *testing.T) {
	h := newHarness(t, 2, testParams())
	h.run("consumer")
	good := func() []byte {
		return mustMarshal(&ibctm.Misbehaviour{Header1: header(5, h.now), Header2: header(5, h.now)})
	}
	for _, c := range []struct {
		name   string
		signer []byte
		chain  string
		mb     []byte
		verify error
		want   error
	}{
		{"signer is not the submitter", []byte("other"), "consumer", good(), nil, ErrUnauthorized},
		{"unknown consumer", nil, "nope", good(), nil, ErrConsumerNotFound},
		{"empty", nil, "consumer", nil, nil, ErrInvalidEvidence},
		{"does not decode", nil, "consumer", []byte{0xff}, nil, ErrInvalidEvidence},
		{"one header", nil, "consumer", mustMarshal(&ibctm.Misbehaviour{Header1: header(5, h.now)}), nil, ErrInvalidEvidence},
		{"header the client does not verify", nil, "consumer", good(), errors.New("fake: bad header"), ErrInvalidEvidence},
		{"identical headers", nil, "consumer", good(), nil, ErrInvalidEvidence},
	} {
		t.Run(c.name, func(t *testing.T) {
			h.cl.verifyErr = c.verify
			signer := c.signer
			if signer == nil {
				signer = []byte("submitter")
			}
			m := &MsgSubmitConsumerMisbehaviour{Submitter: []byte("submitter"), ConsumerId: h.id(c.chain), Misbehaviour: c.mb}
			before := h.hash()
			if _, err := h.k.HandleSubmitConsumerMisbehaviour(h.s, h.height, h.now, signer, m); !errors.Is(err, c.want) {
				t.Fatalf("misbehaviour: %v, want %v", err, c.want)
			}
			h.mustUnchanged(before, "refused misbehaviour")
			if h.st.calls() != 0 {
				t.Fatal("refused misbehaviour punished")
			}
		})
	}
}

// TestPunishEquivocation checks the punishment of verified evidence:
// slash the double-sign fraction of the whole stake, jail forever,
// tombstone, exactly once.
func TestPunishEquivocation(t *testing.T) {
	h := newHarness(t, 2, testParams())
	p := h.k.Params(h.s)
	evs, err := h.k.punishEquivocation(h.s, registry.Consumer{ConsumerId: "0", ChainId: "consumer", Infraction: DefaultInfractionParameters(p)}, consAddrOf(0), 5, h.height, h.now, "submit_consumer_double_voting")
	if err != nil {
		t.Fatal(err)
	}
	if len(h.st.slashes) != 1 || len(h.st.jails) != 1 || len(h.st.tombstones) != 1 {
		t.Fatalf("slashes %d, jails %d, tombstones %d", len(h.st.slashes), len(h.st.jails), len(h.st.tombstones))
	}
	s := h.st.slashes[0]
	if !bytes.Equal(s.addr, consAddrOf(0)) || s.infractionHeight != 0 || s.power != 10 || s.frac != p.DoubleSignSlashFraction || s.height != h.height {
		t.Fatalf("slash %+v", s)
	}
	if !h.st.jailUntil[0].Equal(maxTime) {
		t.Fatalf("jailed until %s", h.st.jailUntil[0])
	}
	if len(evs) != 1 || attr(evs[0], "chain_id") != "consumer" {
		t.Fatalf("events %v", evs)
	}
	before := h.hash()
	if _, err := h.k.punishEquivocation(h.s, registry.Consumer{ConsumerId: "0", ChainId: "consumer", Infraction: DefaultInfractionParameters(p)}, consAddrOf(0), 5, h.height, h.now, "x"); !errors.Is(err, ErrAlreadyTombstoned) {
		t.Fatalf("second punishment: %v", err)
	}
	if _, err := h.k.punishEquivocation(h.s, registry.Consumer{ConsumerId: "0", ChainId: "consumer", Infraction: DefaultInfractionParameters(p)}, consAddrOf(9), 5, h.height, h.now, "x"); !errors.Is(err, ErrValidatorNotFound) {
		t.Fatalf("unknown validator: %v", err)
	}
	h.mustUnchanged(before, "refused punishments")
	if h.st.calls() != 3 {
		t.Fatal("punished twice")
	}
}
