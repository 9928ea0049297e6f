package client

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/cometbft/cometbft/crypto"
	ibctm "github.com/cosmos/ibc-go/v10/modules/light-clients/07-tendermint"
)

// TestVerifyHeader checks that VerifyHeader accepts what an update would
// accept, returns the header and validators it verified, and never writes.
func TestVerifyHeader(t *testing.T) {
	f := newFixture(t, "consumer-1", newSignerSet("a", 4))
	skip := f.block(9)
	skip.vals = f.vals.take(2).merge(newSignerSet("b", 2))
	for _, tc := range []struct {
		name string
		b    block
	}{
		{"adjacent", f.block(6)},
		{"skipping over a validator set change", skip},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := dump(f.s)
			now := tc.b.time.Add(time.Second)
			sh, vals, err := f.k.VerifyHeader(f.s, f.clientID, now, tc.b.ibcHeader(f.h0, f.vals))
			if err != nil {
				t.Fatal(err)
			}
			want := tc.b.signed()
			if sh == nil || !bytes.Equal(sh.Hash(), want.Hash()) || sh.Height != tc.b.height || sh.ChainID != f.chainID {
				t.Fatalf("signed header %v, want %v", sh, want)
			}
			if vals == nil || !bytes.Equal(vals.Hash(), tc.b.vals.vals.Hash()) || vals.Size() != tc.b.vals.vals.Size() {
				t.Fatalf("validator set %v, want %v", vals, tc.b.vals.vals)
			}
			if dump(f.s) != before {
				t.Fatal("VerifyHeader changed the store")
			}
			if got := f.k.LatestHeight(f.s, f.clientID); !got.EQ(f.h0) {
				t.Fatalf("latest height moved to %s", got)
			}
		})
	}

	// A header that conflicts with a stored consensus state verifies: an
	// update would freeze the client, VerifyHeader only verifies.
	b := f.block(7)
	f.update(b.time, b.ibcHeader(f.h0, f.vals))
	fork := f.block(7)
	fork.appHash = hash32("fork")
	before := dump(f.s)
	if _, _, err := f.k.VerifyHeader(f.s, f.clientID, b.time, fork.ibcHeader(f.h0, f.vals)); err != nil {
		t.Fatalf("conflicting header: %v", err)
	}
	if dump(f.s) != before || f.k.Status(f.s, f.clientID, b.time) != Active {
		t.Fatal("VerifyHeader of a conflicting header changed the client")
	}
}

// TestVerifyHeaderRejects breaks a valid header one rule at a time; each
// error is the one UpdateClient returns for the same header.
func TestVerifyHeaderRejects(t *testing.T) {
	vals := newSignerSet("a", 4)
	for _, tc := range []struct {
		name  string
		err   []error
		setup func(f *fixture)
		mk    func(f *fixture) (*ibctm.Header, time.Time, string)
	}{
		{"unknown client", []error{ErrClientNotFound}, nil, func(f *fixture) (*ibctm.Header, time.Time, string) {
			b := f.block(6)
			return b.ibcHeader(f.h0, f.vals), b.time, "07-tendermint-9"
		}},
		{"invalid client id", []error{ErrClientNotFound}, nil, func(f *fixture) (*ibctm.Header, time.Time, string) {
			b := f.block(6)
			return b.ibcHeader(f.h0, f.vals), b.time, "../clients"
		}},
		{"another chain", []error{ErrChainIDMismatch}, nil, func(f *fixture) (*ibctm.Header, time.Time, string) {
			b := f.block(6)
			b.chainID = "other-1"
			return b.ibcHeader(f.h0, f.vals), b.time, f.clientID
		}},
		{"signed by untrusted validators", []error{ErrInsufficientTrust}, nil, func(f *fixture) (*ibctm.Header, time.Time, string) {
			b := f.block(9)
			b.vals = newSignerSet("strangers", 4)
			return b.ibcHeader(f.h0, f.vals), b.time, f.clientID
		}},
		{"adjacent, signed by other validators", []error{ErrInvalidHeader}, nil, func(f *fixture) (*ibctm.Header, time.Time, string) {
			b := f.block(6)
			b.vals = newSignerSet("strangers", 4)
			return b.ibcHeader(f.h0, f.vals), b.time, f.clientID
		}},
		{"forged signatures", []error{ErrInvalidHeader}, nil, func(f *fixture) (*ibctm.Header, time.Time, string) {
			b := f.block(6)
			b.sigKeys = map[string]crypto.PrivKey{}
			for _, v := range f.vals.vals.Validators {
				b.sigKeys[string(v.Address)] = testKey("impostor", 0)
			}
			return b.ibcHeader(f.h0, f.vals), b.time, f.clientID
		}},
		{"unknown trusted height", []error{ErrConsensusStateNotFound}, nil, func(f *fixture) (*ibctm.Header, time.Time, string) {
			b := f.block(9)
			return b.ibcHeader(f.height(7), f.vals), b.time, f.clientID
		}},
		{"wrong trusted validators", []error{ErrInvalidTrustedValidators}, nil, func(f *fixture) (*ibctm.Header, time.Time, string) {
			b := f.block(9)
			return b.ibcHeader(f.h0, newSignerSet("b", 4)), b.time, f.clientID
		}},
		{"header in the future", []error{ErrHeaderInFuture}, nil, func(f *fixture) (*ibctm.Header, time.Time, string) {
			b := f.block(6)
			return b.ibcHeader(f.h0, f.vals), b.time.Add(-testDrift), f.clientID
		}},
		{"height not above the trusted height", []error{ErrInvalidHeaderHeight}, nil, func(f *fixture) (*ibctm.Header, time.Time, string) {
			b := f.block(5)
			return b.ibcHeader(f.h0, f.vals), b.time, f.clientID
		}},
		{"expired client", []error{ErrClientNotActive, ErrClientExpired}, nil, func(f *fixture) (*ibctm.Header, time.Time, string) {
			b := f.block(6)
			return b.ibcHeader(f.h0, f.vals), t0.Add(testTrusting), f.clientID
		}},
		{"frozen client", []error{ErrClientNotActive, ErrClientFrozen}, func(f *fixture) {
			cs := f.clientState()
			cs.FrozenHeight = frozenHeight
			setClientState(kv(f.s), f.clientID, cs)
		}, func(f *fixture) (*ibctm.Header, time.Time, string) {
			b := f.block(6)
			return b.ibcHeader(f.h0, f.vals), b.time, f.clientID
		}},
		{"nil header", []error{ErrInvalidHeader}, nil, func(f *fixture) (*ibctm.Header, time.Time, string) {
			return nil, t0.Add(time.Minute), f.clientID
		}},
		{"commit of another block", []error{ErrInvalidHeader}, nil, func(f *fixture) (*ibctm.Header, time.Time, string) {
			b := f.block(6)
			h := b.ibcHeader(f.h0, f.vals)
			h.SignedHeader.Header.AppHash = hash32("forged")
			return h, b.time, f.clientID
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, "consumer-1", vals)
			if tc.setup != nil {
				tc.setup(f)
			}
			h, now, id := tc.mk(f)
			before := dump(f.s)
			sh, vs, err := f.k.VerifyHeader(f.s, id, now, h)
			t.Log(err)
			for _, want := range tc.err {
				if !errors.Is(err, want) {
					t.Fatalf("got %v, want %v", err, want)
				}
			}
			if sh != nil || vs != nil {
				t.Fatal("a rejected header returned results")
			}
			if dump(f.s) != before {
				t.Fatal("VerifyHeader changed the store")
			}
			// UpdateClient agrees on the first sentinel.
			if _, uerr := f.k.UpdateClient(f.s, 300, now, id, h); !errors.Is(uerr, tc.err[0]) {
				t.Fatalf("UpdateClient returned %v where VerifyHeader returned %v", uerr, err)
			}
		})
	}
}
