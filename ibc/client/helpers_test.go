package client

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/crypto"
	"github.com/cometbft/cometbft/crypto/ed25519"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	cmtversion "github.com/cometbft/cometbft/proto/tendermint/version"
	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/cometbft/cometbft/version"
	dbm "github.com/cosmos/cosmos-db"
	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"
	commitmenttypes "github.com/cosmos/ibc-go/v10/modules/core/23-commitment/types"
	ibctm "github.com/cosmos/ibc-go/v10/modules/light-clients/07-tendermint"

	"github.com/abci-ics/ics/ibc/commitment"
	"github.com/abci-ics/ics/state"
)

// Test parameters of the clients: a day of trusting period is plenty for
// tests that move the clock by minutes.
const (
	testTrusting  = 24 * time.Hour
	testUnbonding = 36 * time.Hour
	testDrift     = 10 * time.Second
)

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// signerSet is a set of validators with their private keys.
type signerSet struct {
	vals *cmttypes.ValidatorSet
	keys map[string]crypto.PrivKey // by address
}

// deterministic keys keep test failures reproducible.
func testKey(tag string, i int) crypto.PrivKey {
	return ed25519.GenPrivKeyFromSecret(fmt.Appendf(nil, "%s/%d", tag, i))
}

// newSignerSet makes n validators of equal power 10 with keys named by
// tag.
func newSignerSet(tag string, n int) *signerSet {
	keys := make([]crypto.PrivKey, n)
	for i := range keys {
		keys[i] = testKey(tag, i)
	}
	return signerSetOf(keys...)
}

func signerSetOf(keys ...crypto.PrivKey) *signerSet {
	ss := &signerSet{keys: map[string]crypto.PrivKey{}}
	vals := make([]*cmttypes.Validator, len(keys))
	for i, k := range keys {
		vals[i] = cmttypes.NewValidator(k.PubKey(), 10)
		ss.keys[string(k.PubKey().Address())] = k
	}
	ss.vals = cmttypes.NewValidatorSet(vals)
	return ss
}

// merge returns a set of the validators of both sets.
func (ss *signerSet) merge(o *signerSet) *signerSet {
	var keys []crypto.PrivKey
	for _, s := range []*signerSet{ss, o} {
		for _, v := range s.vals.Validators {
			keys = append(keys, s.keys[string(v.Address)])
		}
	}
	return signerSetOf(keys...)
}

// take returns a set of the first n validators (in set order).
func (ss *signerSet) take(n int) *signerSet {
	keys := make([]crypto.PrivKey, n)
	for i := range keys {
		keys[i] = ss.keys[string(ss.vals.Validators[i].Address)]
	}
	return signerSetOf(keys...)
}

func hash32(s string) []byte { h := sha256.Sum256([]byte(s)); return h[:] }

func rootOf(s string) commitmenttypes.MerkleRoot { return commitmenttypes.NewMerkleRoot(hash32(s)) }

// block describes a header to build.
type block struct {
	chainID string
	height  int64
	time    time.Time
	appHash []byte
	vals    *signerSet // the validators of the block, who sign it
	next    *signerSet // the validators of the next block (vals if nil)
	// signs selects which validators (by index in vals) sign; all if nil.
	signs func(i int) bool
	// sigKeys, if set, replaces the keys used to sign (wrong signatures).
	sigKeys map[string]crypto.PrivKey
}

// signed builds and signs the header.
func (b block) signed() *cmttypes.SignedHeader {
	next := b.next
	if next == nil {
		next = b.vals
	}
	h := &cmttypes.Header{
		Version:            cmtversion.Consensus{Block: version.BlockProtocol},
		ChainID:            b.chainID,
		Height:             b.height,
		Time:               b.time,
		LastBlockID:        cmttypes.BlockID{Hash: hash32("last"), PartSetHeader: cmttypes.PartSetHeader{Total: 1, Hash: hash32("lastparts")}},
		LastCommitHash:     hash32("lastcommit"),
		DataHash:           hash32("data"),
		ValidatorsHash:     b.vals.vals.Hash(),
		NextValidatorsHash: next.vals.Hash(),
		ConsensusHash:      hash32("consensus"),
		AppHash:            b.appHash,
		LastResultsHash:    hash32("results"),
		EvidenceHash:       hash32("evidence"),
		ProposerAddress:    b.vals.vals.Validators[0].Address,
	}
	blockID := cmttypes.BlockID{Hash: h.Hash(), PartSetHeader: cmttypes.PartSetHeader{Total: 1, Hash: hash32("parts")}}
	keys := b.vals.keys
	if b.sigKeys != nil {
		keys = b.sigKeys
	}
	sigs := make([]cmttypes.CommitSig, len(b.vals.vals.Validators))
	for i, v := range b.vals.vals.Validators {
		if b.signs != nil && !b.signs(i) {
			sigs[i] = cmttypes.NewCommitSigAbsent()
			continue
		}
		vote := &cmttypes.Vote{
			Type:             cmtproto.PrecommitType,
			Height:           b.height,
			Round:            0,
			BlockID:          blockID,
			Timestamp:        b.time,
			ValidatorAddress: v.Address,
			ValidatorIndex:   int32(i),
		}
		sig, err := keys[string(v.Address)].Sign(cmttypes.VoteSignBytes(b.chainID, vote.ToProto()))
		if err != nil {
			panic(err)
		}
		vote.Signature = sig
		sigs[i] = vote.CommitSig()
	}
	return &cmttypes.SignedHeader{Header: h, Commit: &cmttypes.Commit{Height: b.height, BlockID: blockID, Signatures: sigs}}
}

func valsProto(ss *signerSet) *cmtproto.ValidatorSet {
	p, err := ss.vals.ToProto()
	if err != nil {
		panic(err)
	}
	return p
}

// ibcHeader wraps the signed block for an update from trusted height
// trusted, whose next validators are trustedVals.
func (b block) ibcHeader(trusted clienttypes.Height, trustedVals *signerSet) *ibctm.Header {
	return &ibctm.Header{
		SignedHeader:      b.signed().ToProto(),
		ValidatorSet:      valsProto(b.vals),
		TrustedHeight:     trusted,
		TrustedValidators: valsProto(trustedVals),
	}
}

// fixture is a chain with a client of a counterparty chain.
type fixture struct {
	t        testing.TB
	ms       *state.MultiStore
	s        state.Store
	k        Keeper
	chainID  string
	vals     *signerSet
	clientID string
	h0       clienttypes.Height // the client's initial height
}

func openStore(t testing.TB) *state.MultiStore {
	t.Helper()
	ms, err := state.Open(dbm.NewMemDB(), []string{"bank", commitment.StoreName}, state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ms.Close() })
	return ms
}

// newFixture creates a client of chainID (whose validators are vals) at
// height 5 of its revision, with a consensus state of time t0.
func newFixture(t testing.TB, chainID string, vals *signerSet) *fixture {
	t.Helper()
	ms := openStore(t)
	f := &fixture{t: t, ms: ms, s: ms.Working(), chainID: chainID, vals: vals}
	f.h0 = clienttypes.NewHeight(clienttypes.ParseChainID(chainID), 5)
	cs := NewClientState(chainID, f.h0, testTrusting, testUnbonding, testDrift)
	cons := &ibctm.ConsensusState{Timestamp: t0, Root: rootOf("app5"), NextValidatorsHash: vals.vals.Hash()}
	id, err := f.k.CreateClient(f.s, 100, t0.Add(time.Minute), cs, cons)
	if err != nil {
		t.Fatal(err)
	}
	f.clientID = id
	return f
}

// height returns the height n of the counterparty's revision.
func (f *fixture) height(n uint64) clienttypes.Height {
	return clienttypes.NewHeight(clienttypes.ParseChainID(f.chainID), n)
}

// block returns a block of the counterparty at height n, n minutes after
// the client's initial consensus state, signed by all its validators.
func (f *fixture) block(n int64) block {
	return block{
		chainID: f.chainID,
		height:  n,
		time:    t0.Add(time.Duration(n-5) * time.Minute),
		appHash: hash32(fmt.Sprintf("app%d", n)),
		vals:    f.vals,
	}
}

// update updates the client and fails the test on error.
func (f *fixture) update(now time.Time, h *ibctm.Header) []abci.Event {
	f.t.Helper()
	evs, err := f.k.UpdateClient(f.s, 200, now, f.clientID, h)
	if err != nil {
		f.t.Fatalf("update: %v", err)
	}
	return evs
}

func (f *fixture) clientState() *ibctm.ClientState {
	f.t.Helper()
	cs, ok := f.k.ClientState(f.s, f.clientID)
	if !ok {
		f.t.Fatal("client state missing")
	}
	return cs
}

// dump returns every key and value of the IBC store.
func dump(s state.Store) string {
	var b bytes.Buffer
	it := s.KV(commitment.StoreName).Iterator(nil, nil)
	defer it.Close()
	for ; it.Valid(); it.Next() {
		fmt.Fprintf(&b, "%x=%x\n", it.Key(), it.Value())
	}
	return b.String()
}

// attr returns the value of attribute key of the event.
func attr(ev abci.Event, key string) string {
	for _, a := range ev.Attributes {
		if a.Key == key {
			return a.Value
		}
	}
	return ""
}
