package ibctest_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strconv"
	"testing"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/crypto/ed25519"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	cmttypes "github.com/cometbft/cometbft/types"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"

	"github.com/abci-ics/ics/app"
	. "github.com/abci-ics/ics/app/ibctest"
	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/chain/staking"
	"github.com/abci-ics/ics/ibc/commitment"
	"github.com/abci-ics/ics/ibc/packet"
	"github.com/abci-ics/ics/interchain"
	"github.com/abci-ics/ics/provider"
	"github.com/abci-ics/ics/types/fraction"
)

func has(set map[string]int64, key []byte) bool {
	_, ok := set[hex.EncodeToString(key)]
	return ok
}

// TestCCVDowntimeJailsOncePerEpisode: a validator down on a consumer is
// jailed on the provider exactly once; after unjailing, a second episode
// jails it again.
func TestCCVDowntimeJailsOncePerEpisode(t *testing.T) {
	// A meter of half the power, so that the second episode is not bounced
	// (TestCCV... throttling tests cover bounces).
	n := ccvNet(t, 4, func(g *app.Genesis) { g.Provider.Params.SlashMeterReplenishFraction = fraction.New(1, 2) }, ConsumerParams())
	prov, cons := n.Provider, n.Consumers[0]
	key := prov.ValidatorKeys[3].PubKey()
	tokens := validator(prov, 3).Tokens
	for episode := 1; episode <= 2; episode++ {
		cons.Absent[string(key.Address())] = true
		if !n.Run(300, func() bool { return validator(prov, 3).Jailed }) {
			t.Fatalf("episode %d: validator never jailed", episode)
		}
		// It leaves the consumer's set; the slash ack clears the consumer's
		// outstanding flag.
		if !n.Run(30, func() bool { return !has(consumerSet(cons), key.Bytes()) }) {
			t.Fatalf("episode %d: jailed validator still in the consumer set", episode)
		}
		n.Run(10, func() bool { return false })
		if got := CountEvents(prov, "execute_consumer_chain_slash", "chain_id", cons.ID); got != episode {
			t.Fatalf("episode %d: %d slashes handled", episode, got)
		}
		if v := validator(prov, 3); v.Tokens != tokens || v.Tombstoned {
			t.Fatalf("downtime slashed or tombstoned: %+v", v)
		}
		// Back up, unjail after the jail time, and back in the consumer set.
		cons.Absent[string(key.Address())] = false
		n.Run(100, func() bool {
			return prov.Time.After(time.Now().AddDate(100, 0, 0)) || !validatorJailedUntil(prov, 3).After(prov.Time)
		})
		prov.MustSucceed(prov.NextBlock(prov.Tx(3, &staking.MsgUnjail{Validator: prov.Address(3)})))
		if !n.Run(30, func() bool { return has(consumerSet(cons), key.Bytes()) }) {
			t.Fatalf("episode %d: unjailed validator not back on the consumer", episode)
		}
	}
}

func validatorJailedUntil(c *Chain, i int) time.Time {
	v := validator(c, i)
	if v.JailedUntil == "" {
		return time.Time{}
	}
	tm, err := time.Parse(time.RFC3339Nano, v.JailedUntil)
	if err != nil {
		c.T.Fatal(err)
	}
	return tm
}

// doubleVote returns evidence that validator key signed two prevotes for
// different blocks at height h of chain c.
func doubleVote(t *testing.T, c *Chain, key ed25519.PrivKey, h int64) *cmtproto.DuplicateVoteEvidence {
	_, vals := c.SignedHeader(h)
	idx, val := vals.GetByAddress(key.PubKey().Address())
	if val == nil {
		t.Fatalf("%X is not a validator of %s at %d", key.PubKey().Address(), c.ID, h)
	}
	vote := func(tag string) *cmtproto.Vote {
		hash := sha256.Sum256([]byte(tag))
		v := &cmtproto.Vote{Type: cmtproto.PrevoteType, Height: h, Round: 0, Timestamp: c.Time,
			BlockID:          cmtproto.BlockID{Hash: hash[:], PartSetHeader: cmtproto.PartSetHeader{Total: 1, Hash: hash[:]}},
			ValidatorAddress: key.PubKey().Address(), ValidatorIndex: idx}
		sig, err := key.Sign(cmttypes.VoteSignBytes(c.ID, v))
		if err != nil {
			t.Fatal(err)
		}
		v.Signature = sig
		return v
	}
	return &cmtproto.DuplicateVoteEvidence{VoteA: vote("a"), VoteB: vote("b"), TotalVotingPower: vals.TotalVotingPower(),
		ValidatorPower: val.VotingPower, Timestamp: c.Time}
}

// TestCCVDoubleVotingTombstonesOnce: double voting evidence from a consumer
// slashes, jails and tombstones the provider validator once; resubmitting
// it is rejected.
func TestCCVDoubleVotingTombstonesOnce(t *testing.T) {
	n := ccvNet(t, 4, nil, ConsumerParams())
	prov, cons, path := n.Provider, n.Consumers[0], n.Paths[0]
	before := validator(prov, 1).Tokens
	up, _ := UpdateMsg(path.B, cons)
	ev := doubleVote(t, cons, prov.ValidatorKeys[1], cons.Height)
	msg := &provider.MsgSubmitConsumerDoubleVoting{Submitter: prov.Address(0), ConsumerId: ConsumerID(prov, cons.ID),
		DuplicateVoteEvidence: Marshal(ev), InfractionBlockHeader: up.Header}
	prov.MustSucceed(prov.NextBlock(prov.Tx(0, msg)))
	v := validator(prov, 1)
	if !v.Tombstoned || !v.Jailed {
		t.Fatalf("after double voting: %+v", v)
	}
	if want := before - fraction.New(5, 100).MulFloor(before); v.Tokens != want {
		t.Fatalf("tokens %d, want %d", v.Tokens, want)
	}
	res := prov.NextBlock(prov.Tx(0, msg)).TxResults[0]
	if res.Code != app.Code(provider.ErrAlreadyTombstoned) {
		t.Fatalf("resubmission: code %d: %s", res.Code, res.Log)
	}
	if got := CountEvents(prov, "submit_consumer_double_voting", "", ""); got != 1 {
		t.Fatalf("%d double voting events", got)
	}
	// Evidence signed over another chain id does not verify.
	other := doubleVote(t, cons, prov.ValidatorKeys[2], cons.Height)
	other.VoteB.Signature, _ = prov.ValidatorKeys[2].Sign(cmttypes.VoteSignBytes("other-chain", other.VoteB))
	msg.DuplicateVoteEvidence = Marshal(other)
	if res := prov.NextBlock(prov.Tx(0, msg)).TxResults[0]; res.Code != app.Code(provider.ErrInvalidEvidence) {
		t.Fatalf("forged evidence: code %d: %s", res.Code, res.Log)
	}
	if validator(prov, 2).Tombstoned {
		t.Fatal("forged evidence tombstoned a validator")
	}
}

// TestCCVKeyAssignment: a validator assigns a consumer key, which replaces
// its provider key on the consumer at the next epoch; collisions are
// rejected, and the key becomes unusable as a new validator's key.
func TestCCVKeyAssignment(t *testing.T) {
	n := ccvNet(t, 3, nil, ConsumerParams())
	prov, cons := n.Provider, n.Consumers[0]
	newKey := ed25519.GenPrivKeyFromSecret([]byte("consumer key of validator 0"))
	cons.AddSigner(newKey)
	assign := func(signer, operator int, chain string, key []byte) *abcitypes.ExecTxResult {
		id := "99"
		if c, ok := FindConsumer(prov, chain); ok {
			id = c.ConsumerID
		}
		return prov.NextBlock(prov.Tx(signer, &provider.MsgAssignConsumerKey{Operator: prov.Address(operator), ConsumerId: id, ConsumerKey: key})).TxResults[0]
	}
	for _, tc := range []struct {
		name             string
		signer, operator int
		chain            string
		key              []byte
		want             error
	}{
		{"another validator's provider key", 0, 0, cons.ID, prov.ValidatorKeys[1].PubKey().Bytes(), provider.ErrKeyInUse},
		{"short key", 0, 0, cons.ID, newKey.PubKey().Bytes()[:31], provider.ErrInvalidConsumerKey},
		{"unknown consumer", 0, 0, "consumer-9", newKey.PubKey().Bytes(), provider.ErrConsumerNotFound},
		{"not a validator", 4, 4, cons.ID, newKey.PubKey().Bytes(), provider.ErrValidatorNotFound},
		{"signer is not the operator", 1, 0, cons.ID, newKey.PubKey().Bytes(), provider.ErrUnauthorized},
	} {
		if res := assign(tc.signer, tc.operator, tc.chain, tc.key); res.Code != app.Code(tc.want) {
			t.Errorf("%s: code %d (%s), want %d", tc.name, res.Code, res.Log, app.Code(tc.want))
		}
	}
	if res := assign(0, 0, cons.ID, newKey.PubKey().Bytes()); res.Code != 0 {
		t.Fatalf("assign: %s", res.Log)
	}
	if res := assign(1, 1, cons.ID, newKey.PubKey().Bytes()); res.Code != app.Code(provider.ErrKeyInUse) {
		t.Fatalf("same key for another validator: code %d (%s)", res.Code, res.Log)
	}
	res := prov.NextBlock(prov.Tx(4, &staking.MsgCreateValidator{Operator: prov.Address(4), PubKey: newKey.PubKey().Bytes(), Moniker: "late",
		CommissionRate: fraction.New(1, 10), CommissionMaxRate: fraction.New(1, 5), SelfDelegation: 1_000_000, MinSelfDelegation: 1})).TxResults[0]
	if res.Code != app.Code(staking.ErrConsKeyReserved) {
		t.Fatalf("validator with an assigned consumer key: code %d (%s)", res.Code, res.Log)
	}
	old := prov.ValidatorKeys[0].PubKey().Bytes()
	if !n.Run(20, func() bool { s := consumerSet(cons); return has(s, newKey.PubKey().Bytes()) && !has(s, old) }) {
		t.Fatalf("consumer set after the assignment: %v", consumerSet(cons))
	}
	n.Step()
	n.Step()
	_, vals := cons.SignedHeader(cons.Height)
	if !vals.HasAddress(newKey.PubKey().Address()) || vals.HasAddress(prov.ValidatorKeys[0].PubKey().Address()) {
		t.Fatalf("CometBFT set of the consumer: %v", vals)
	}
	// Downtime under the new key is still validator 0's.
	cons.Absent[string(newKey.PubKey().Address())] = true
	if !n.Run(300, func() bool { return validator(prov, 0).Jailed }) {
		t.Fatal("downtime under the assigned key did not jail validator 0")
	}
}

// TestCCVRemovalDeletesConsumerState: a removal proposal stops the consumer
// at its stop time: holds released, channel closed, and no key of that
// consumer left in the provider store; the other consumer is untouched.
func TestCCVRemovalDeletesConsumerState(t *testing.T) {
	n := ccvNet(t, 3, nil, ConsumerParams(), ConsumerParams())
	prov := n.Provider
	prov.MustSucceed(prov.NextBlock(prov.Tx(4, &staking.MsgDelegate{Delegator: prov.Address(4), Validator: prov.Address(2), Amount: 5_000_000})))
	prov.MustSucceed(prov.NextBlock(prov.Tx(4, &staking.MsgUndelegate{Delegator: prov.Address(4), Validator: prov.Address(2), Amount: 5_000_000})))
	prov.MustSucceed(prov.NextBlock(prov.Tx(0, &provider.MsgAssignConsumerKey{Operator: prov.Address(0), ConsumerId: ConsumerID(prov, "consumer-1"),
		ConsumerKey: ed25519.GenPrivKeyFromSecret([]byte("k")).PubKey().Bytes()})))
	chanID := n.Paths[0].B.Channel
	PassProposal(prov, &provider.ConsumerRemovalProposal{ConsumerId: ConsumerID(prov, "consumer-1"), StopTime: prov.Time.UnixNano()})
	prov.NextBlock()
	if _, ok := consumerInfo(prov, "consumer-1"); ok {
		t.Fatal("consumer-1 still listed")
	}
	for _, h := range holds(prov) {
		if h.ChainID == "consumer-1" {
			t.Fatalf("hold of a removed consumer: %+v", h)
		}
	}
	v, err := prov.App.View(0)
	if err != nil {
		t.Fatal(err)
	}
	it := v.KV(provider.StoreName).Iterator(nil, nil)
	part := append([]byte{byte(len("consumer-1"))}, "consumer-1"...)
	for ; it.Valid(); it.Next() {
		if bytes.Contains(it.Key(), part) || bytes.Equal(it.Value(), []byte("consumer-1")) {
			t.Errorf("key %q of the removed consumer left", it.Key())
		}
	}
	it.Close()
	var end channeltypes.Channel
	res := prov.Query("/store/ibc/key", []byte(commitment.ChannelPath(ccv.ProviderPortID, chanID)), 0, false)
	if err := end.Unmarshal(res.Value); err != nil || end.State != channeltypes.CLOSED {
		t.Fatalf("CCV channel state %v (%v)", end.State, err)
	}
	if _, ok := consumerInfo(prov, "consumer-2"); !ok {
		t.Fatal("consumer-2 removed too")
	}
	// The removed consumer keeps producing blocks on its last set.
	c1 := n.Consumers[0]
	set := consumerSet(c1)
	for i := 0; i < 5; i++ {
		c1.NextBlock()
	}
	if !sameSet(set, consumerSet(c1)) {
		t.Fatal("removed consumer's set changed")
	}
}

// TestCCVPacketTimeoutStopsConsumer: a VSC packet that times out on the CCV
// channel closes it and stops the consumer.
func TestCCVPacketTimeoutStopsConsumer(t *testing.T) {
	n := ccvNet(t, 3, func(g *app.Genesis) { g.Provider.Params.CcvTimeoutPeriod = 3 * time.Minute }, ConsumerParams())
	prov, cons, path := n.Provider, n.Consumers[0], n.Paths[0]
	prov.MustSucceed(prov.NextBlock(prov.Tx(4, &staking.MsgDelegate{Delegator: prov.Address(4), Validator: prov.Address(0), Amount: 50_000_000})))
	var pk channeltypes.Packet
	for i := 0; i < 2*EpochBlocks && pk.Sequence == 0; i++ {
		prov.NextBlock()
		for _, p := range prov.Outbox {
			if p.SourcePort == ccv.ProviderPortID {
				pk = p
			}
		}
	}
	if pk.Sequence == 0 {
		info, _ := consumerInfo(prov, cons.ID)
		t.Fatalf("no VSC packet sent: outbox %v, pending %s, consumer %+v, stopped %d", prov.Outbox, prov.Query(interchain.PathPendingVSC+cons.ID, nil, 0, false).Value, info, CountEvents(prov, "consumer_stopped", "", ""))
	}
	prov.Outbox = nil
	for !cons.Time.After(time.Unix(0, int64(pk.TimeoutTimestamp))) {
		cons.NextBlock()
	}
	proof, h, up := Prove(path.B, cons, commitment.NextSequenceRecvPath(pk.DestinationPort, pk.DestinationChannel))
	prov.MustSucceed(prov.NextBlock(prov.Tx(0, up, &packet.MsgTimeout{Packet: Marshal(&pk), ProofUnreceived: proof,
		ProofRevisionNumber: h.RevisionNumber, ProofRevisionHeight: h.RevisionHeight, NextSequenceRecv: pk.Sequence, Signer: prov.Address(0)})))
	if _, ok := consumerInfo(prov, cons.ID); ok {
		t.Fatal("consumer not stopped by the timeout")
	}
	if CountEvents(prov, "consumer_stopped", "chain_id", cons.ID) != 1 {
		t.Fatal("no consumer_stopped event")
	}
}

// TestCCVPacketReplayAndOrder: on the CCV channel a VSC packet received
// twice is refused with a clear error, a packet ahead of its turn is
// refused, and neither changes the consumer.
func TestCCVPacketReplayAndOrder(t *testing.T) {
	n := ccvNet(t, 3, nil, ConsumerParams())
	prov, cons, path := n.Provider, n.Consumers[0], n.Paths[0]
	var sent []channeltypes.Packet
	for round := 0; round < 2; round++ {
		prov.MustSucceed(prov.NextBlock(prov.Tx(4, &staking.MsgDelegate{Delegator: prov.Address(4), Validator: prov.Address(round), Amount: 10_000_000})))
		for len(sent) == round {
			prov.NextBlock()
			for _, p := range prov.Outbox {
				if p.SourcePort == ccv.ProviderPortID {
					sent = append(sent, p)
				}
			}
			prov.Outbox = nil
		}
	}
	recv := func(pk channeltypes.Packet) *abcitypes.ExecTxResult {
		msgs := path.RecvMsgs(prov, []channeltypes.Packet{pk})
		return cons.NextBlock(cons.Tx(0, msgs...)).TxResults[0]
	}
	before := status(cons)
	if res := recv(sent[1]); res.Code != app.Code(packet.ErrPacketOutOfOrder) {
		t.Fatalf("second packet first: code %d: %s", res.Code, res.Log)
	}
	if st := status(cons); st.HighestVSCID != before.HighestVSCID {
		t.Fatalf("out-of-order packet applied: %+v", st)
	}
	if res := recv(sent[0]); res.Code != 0 {
		t.Fatalf("first packet: code %d: %s", res.Code, res.Log)
	}
	applied := status(cons).HighestVSCID
	if res := recv(sent[0]); res.Code == 0 || res.Log == "" {
		t.Fatalf("replayed packet accepted: %s", res.Log)
	}
	if res := recv(sent[1]); res.Code != 0 {
		t.Fatalf("second packet: code %d: %s", res.Code, res.Log)
	}
	if st := status(cons); st.HighestVSCID <= applied {
		t.Fatalf("vsc id %d after both packets, %d after the first", st.HighestVSCID, applied)
	}
}

// TestCCVHoldsOnlyWhereValidated: once a jailed validator has left the
// consumers' sets, undelegating from it is held by no consumer (SPEC 3:
// consumers that the validator did not validate do not hold it).
func TestCCVHoldsOnlyWhereValidated(t *testing.T) {
	n := ccvNet(t, 4, nil, ConsumerParams(), ConsumerParams())
	prov, cons := n.Provider, n.Consumers[0]
	key := prov.ValidatorKeys[3].PubKey()
	prov.MustSucceed(prov.NextBlock(prov.Tx(4, &staking.MsgDelegate{Delegator: prov.Address(4), Validator: prov.Address(3), Amount: 5_000_000})))
	cons.Absent[string(key.Address())] = true
	if !n.Run(300, func() bool {
		return validator(prov, 3).Jailed && !has(consumerSet(n.Consumers[0]), key.Bytes()) && !has(consumerSet(n.Consumers[1]), key.Bytes())
	}) {
		t.Fatal("validator 3 not jailed and removed from both consumers")
	}
	// Leaving the provider's set at an EndBlock started the validator's
	// own unbonding, which both consumers that ran it hold.
	var held []string
	for _, h := range holds(prov) {
		if h.Kind == "UNBONDING_KIND_VALIDATOR" && h.Validator == addrString(prov, 3) {
			held = append(held, h.ChainID)
		}
	}
	if len(held) != 2 {
		t.Fatalf("validator 3's unbonding held by %v, want both consumers: %+v", held, holds(prov))
	}
	cons.Absent[string(key.Address())] = false
	before := len(holds(prov))
	resp := prov.MustSucceed(prov.NextBlock(prov.Tx(4, &staking.MsgUndelegate{Delegator: prov.Address(4), Validator: prov.Address(3), Amount: 5_000_000})))
	id := Events(resp, "unbond")
	if len(id) == 0 {
		t.Fatalf("no unbond event")
	}
	for _, h := range holds(prov) {
		if strconv.FormatUint(h.UnbondingID, 10) == id[0]["unbonding_id"] {
			t.Fatalf("undelegation from a validator no consumer runs is held: %+v (holds before %d)", h, before)
		}
	}
}

// TestCCVSlashThrottle: three validators go down on a consumer at once.
// The slash meter (5% of the power, refilled hourly) lets one jailing
// through; the next reports are bounced and retried by the consumer until
// the meter has refilled, so the three are jailed at least an hour apart,
// and each exactly once.
func TestCCVSlashThrottle(t *testing.T) {
	n := ccvNet(t, 10, nil, ConsumerParams())
	prov, cons := n.Provider, n.Consumers[0]
	down := []int{7, 8, 9}
	for _, i := range down {
		cons.Absent[string(prov.ValidatorKeys[i].PubKey().Address())] = true
	}
	jailedAt := map[int]time.Time{}
	all := func() bool {
		for _, i := range down {
			if _, ok := jailedAt[i]; !ok && validator(prov, i).Jailed {
				jailedAt[i] = prov.Time
			}
		}
		return len(jailedAt) == len(down)
	}
	if !n.Run(3000, all) {
		t.Fatalf("jailed %v after %s", jailedAt, prov.Time.Sub(jailedAt[down[0]]))
	}
	var times []time.Time
	for _, i := range down {
		times = append(times, jailedAt[i])
	}
	sort.Slice(times, func(a, b int) bool { return times[a].Before(times[b]) })
	for k := 1; k < len(times); k++ {
		if gap := times[k].Sub(times[k-1]); gap < 50*time.Minute {
			t.Fatalf("jailings %s apart: the meter did not throttle (%v)", gap, times)
		}
	}
	if got := CountEvents(prov, "execute_consumer_chain_slash", "", ""); got != len(down) {
		t.Fatalf("%d slashes handled, want %d", got, len(down))
	}
	if CountEvents(prov, "consumer_slash_request", "result", "bounced") == 0 {
		t.Fatal("no slash packet was bounced")
	}
	for i := 0; i < 7; i++ {
		if validator(prov, i).Jailed {
			t.Fatalf("validator %d, never down, is jailed", i)
		}
	}
}
