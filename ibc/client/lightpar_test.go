package client

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cometbft/cometbft/crypto"
	"github.com/cometbft/cometbft/light"
	cmttypes "github.com/cometbft/cometbft/types"
	ibctm "github.com/cosmos/ibc-go/v10/modules/light-clients/07-tendermint"
)

// referenceVerifyHeader is verifyHeader as it was before package
// lightverify: CometBFT's light package called directly. The client's
// decisions and errors must not have moved.
func referenceVerifyHeader(cs *ibctm.ClientState, trusted *ibctm.ConsensusState, d *header, now time.Time) (err error) {
	if err := checkTrusted(cs, trusted, d, now); err != nil {
		return err
	}
	if t := d.signed.Time; !t.Before(now.Add(cs.MaxClockDrift)) {
		return fmt.Errorf("%w: header time %s, now %s, max clock drift %s", ErrHeaderInFuture,
			t.UTC().Format(time.RFC3339Nano), now.UTC().Format(time.RFC3339Nano), cs.MaxClockDrift)
	}
	defer recoverInvalid(&err)
	th := &cmttypes.SignedHeader{Header: &cmttypes.Header{
		ChainID: cs.ChainId, Height: int64(d.trusted.RevisionHeight), Time: trusted.Timestamp, NextValidatorsHash: trusted.NextValidatorsHash,
	}}
	if d.height.RevisionHeight == d.trusted.RevisionHeight+1 {
		err = light.VerifyAdjacent(th, d.signed, d.vals, cs.TrustingPeriod, now, cs.MaxClockDrift)
	} else {
		err = light.VerifyNonAdjacent(th, d.trustedVals, d.signed, d.vals, cs.TrustingPeriod, now, cs.MaxClockDrift, cs.TrustLevel.ToTendermint())
	}
	return lightError(err)
}

// referenceMisbehaviourCommits is the end of verifyMisbehaviourHeader as
// it was: CometBFT's commit checks called directly.
func referenceMisbehaviourCommits(cs *ibctm.ClientState, d *header) error {
	if err := d.trustedVals.VerifyCommitLightTrusting(cs.ChainId, d.signed.Commit, cs.TrustLevel.ToTendermint()); err != nil {
		return fmt.Errorf("%w: %v", ErrInsufficientTrust, err)
	}
	if err := d.vals.VerifyCommitLight(cs.ChainId, d.signed.Commit.BlockID, d.signed.Height, d.signed.Commit); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidHeader, err)
	}
	return nil
}

// forgedBy returns signing keys for b where the validators at the given
// indices sign with the wrong key.
func forgedBy(ss *signerSet, idx ...int) map[string]crypto.PrivKey {
	keys := make(map[string]crypto.PrivKey, len(ss.keys))
	for a, k := range ss.keys {
		keys[a] = k
	}
	for _, i := range idx {
		keys[string(ss.vals.Validators[i].Address)] = testKey("impostor", i)
	}
	return keys
}

// powerCutoff is the index of the signature that brings the tally of ss
// (all signing, equal powers) above num/den of the total power.
func powerCutoff(ss *signerSet, num, den int64) int {
	needed := ss.vals.TotalVotingPower() * num / den
	var tally int64
	for i, v := range ss.vals.Validators {
		if tally += v.VotingPower; tally > needed {
			return i
		}
	}
	return ss.vals.Size() - 1
}

// TestVerifyHeaderUnchanged checks that verifyHeader, which verifies
// signatures in parallel, returns exactly the error (or none) that the
// light package called directly returned, for adjacent and skipping
// headers with bad signatures at many indices, too little power, unknown
// signers and validator set changes, with 4 validators (serial) and 60
// (parallel); and that the misbehaviour commit checks do the same.
func TestVerifyHeaderUnchanged(t *testing.T) {
	for _, n := range []int{4, 60} {
		vals := newSignerSet(fmt.Sprintf("unchanged%d", n), n)
		third, twoThirds := powerCutoff(vals, 1, 3), powerCutoff(vals, 2, 3)
		type change struct {
			name string
			mod  func(b *block)
		}
		changes := []change{
			{"all signed", func(*block) {}},
			{"too few signed", func(b *block) { b.signs = func(i int) bool { return i < twoThirds } }},
			{"first third absent", func(b *block) { b.signs = func(i int) bool { return i >= n/3 } }},
			{"signed by strangers", func(b *block) { b.vals = newSignerSet("strangers", n) }},
			{"half the validators replaced", func(b *block) { b.vals = vals.take(n / 2).merge(newSignerSet("newcomers", n-n/2)) }},
			{"every signature forged", func(b *block) {
				all := make([]int, n)
				for i := range all {
					all[i] = i
				}
				b.sigKeys = forgedBy(vals, all...)
			}},
		}
		for _, i := range []int{0, n / 2, n - 1, third, third + 1, twoThirds, min(n-1, twoThirds+1)} {
			changes = append(changes, change{fmt.Sprintf("forged at %d", i), func(b *block) { b.sigKeys = forgedBy(vals, i) }})
		}
		changes = append(changes, change{"forged at 1, 2 and the +2/3 cutoff", func(b *block) { b.sigKeys = forgedBy(vals, twoThirds, 2, 1) }})
		for _, ch := range changes {
			for _, height := range []int64{6, 9} {
				t.Run(fmt.Sprintf("%d validators/%s/height %d", n, ch.name, height), func(t *testing.T) {
					f := newFixture(t, "consumer-1", vals)
					b := f.block(height)
					ch.mod(&b)
					h := b.ibcHeader(f.h0, f.vals)
					now := b.time.Add(time.Second)
					cs := f.clientState()
					trusted, _ := f.k.ConsensusState(f.s, f.clientID, f.h0)
					decode := func() *header {
						d, err := decodeHeader(cs, h)
						if err != nil {
							t.Fatal(err)
						}
						return d
					}
					want := referenceVerifyHeader(cs, trusted, decode(), now)
					for range 5 {
						if got := verifyHeader(cs, trusted, decode(), now); fmt.Sprint(got) != fmt.Sprint(want) {
							t.Fatalf("verifyHeader: %v\nlight package: %v", got, want)
						}
					}
					d := decode()
					if err := checkTrusted(cs, trusted, d, now); err != nil {
						t.Fatal(err)
					}
					wantMis := referenceMisbehaviourCommits(cs, d)
					gotMis := verifyMisbehaviourHeader(kv(f.s), f.clientID, cs, decode(), now)
					if bytes.Equal(d.vals.Hash(), d.signed.ValidatorsHash) && fmt.Sprint(gotMis) != fmt.Sprint(wantMis) {
						t.Fatalf("misbehaviour header: %v\ncommit checks: %v", gotMis, wantMis)
					}
					// The update agrees, with the client's context around it.
					_, err := f.k.UpdateClient(f.s, 300, now, f.clientID, h)
					switch {
					case want == nil && err != nil:
						t.Fatalf("update failed where verification passed: %v", err)
					case want != nil && (err == nil || !strings.HasSuffix(err.Error(), want.Error())):
						t.Fatalf("update returned %v, verification %v", err, want)
					}
				})
			}
		}
	}
}

// TestUpdateErrorIsDeterministic updates a client many times with the
// same header, whose forged signatures fall in different runs of the
// parallel verification, and checks that the error never changes and
// names the lowest forged index.
func TestUpdateErrorIsDeterministic(t *testing.T) {
	vals := newSignerSet("determinism", 90)
	f := newFixture(t, "consumer-1", vals)
	for _, height := range []int64{6, 9} {
		b := f.block(height)
		b.sigKeys = forgedBy(vals, 50, 3, 31)
		h := b.ibcHeader(f.h0, f.vals)
		now := b.time.Add(time.Second)
		_, first := f.k.UpdateClient(f.s, 300, now, f.clientID, h)
		if first == nil || !strings.Contains(first.Error(), "wrong signature (#3)") {
			t.Fatalf("height %d: %v, want the signature at index 3", height, first)
		}
		for range 100 {
			if _, err := f.k.UpdateClient(f.s, 300, now, f.clientID, h); fmt.Sprint(err) != fmt.Sprint(first) {
				t.Fatalf("height %d: %v, then %v", height, first, err)
			}
		}
	}
}
