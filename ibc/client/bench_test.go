package client

import (
	"fmt"
	"testing"
	"time"

	"github.com/cometbft/cometbft/light"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/abci-ics/ics/state"
)

// BenchmarkUpdateClientVsCometLight measures UpdateClient with 50, 100,
// 200 and 300 validators, for the next height (adjacent) and for a skip of
// 45 heights under the same validator set (skipping), beside CometBFT's
// light.VerifyAdjacent and light.VerifyNonAdjacent on the same signed
// header. The sub-benchmarks vals=N/KIND/ours and vals=N/KIND/light sit
// side by side; ours/light is the ratio the throughput issue tracks, which
// vals=N/KIND/paired also reports from alternating calls.
//
// UpdateClient does more than the light package: it converts the header
// from its protobuf form, checks the trusted validators against the
// trusted consensus state and reads and writes the store (a cache over an
// IAVL working tree, discarded after each update).
func BenchmarkUpdateClientVsCometLight(b *testing.B) {
	for _, n := range []int{50, 100, 200, 300} {
		f := newFixture(b, "counterparty", newSignerSet(fmt.Sprintf("bench%d", n), n))
		for _, tc := range []struct {
			name   string
			height int64
		}{{"adjacent", 6}, {"skipping", 50}} {
			blk := f.block(tc.height)
			h := blk.ibcHeader(f.h0, f.vals)
			now := blk.time.Add(time.Second)
			cs := f.clientState()
			trusted, _ := f.k.ConsensusState(f.s, f.clientID, f.h0)
			sh, err := cmttypes.SignedHeaderFromProto(h.SignedHeader)
			if err != nil {
				b.Fatal(err)
			}
			vals := f.vals.vals
			th := &cmttypes.SignedHeader{Header: &cmttypes.Header{
				ChainID: cs.ChainId, Height: int64(f.h0.RevisionHeight), Time: trusted.Timestamp, NextValidatorsHash: trusted.NextValidatorsHash,
			}}
			ours := func() {
				c := state.NewCache(f.s)
				evs, err := f.k.UpdateClient(c, 300, now, f.clientID, h)
				if err != nil || len(evs) != 1 || evs[0].Type != EventTypeUpdateClient {
					b.Fatalf("update: %v %v", evs, err)
				}
			}
			cmt := func() {
				var err error
				if tc.height == 6 {
					err = light.VerifyAdjacent(th, sh, vals, cs.TrustingPeriod, now, cs.MaxClockDrift)
				} else {
					err = light.VerifyNonAdjacent(th, vals, sh, vals, cs.TrustingPeriod, now, cs.MaxClockDrift, cs.TrustLevel.ToTendermint())
				}
				if err != nil {
					b.Fatal(err)
				}
			}
			b.Run(fmt.Sprintf("vals=%d/%s/ours", n, tc.name), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					ours()
				}
			})
			b.Run(fmt.Sprintf("vals=%d/%s/light", n, tc.name), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					cmt()
				}
			})
			// paired alternates the two, one call each per iteration, and
			// reports the ratio of their summed times: on a machine whose
			// load changes, both see the same load.
			b.Run(fmt.Sprintf("vals=%d/%s/paired", n, tc.name), func(b *testing.B) {
				var tOurs, tLight time.Duration
				for b.Loop() {
					t := time.Now()
					ours()
					t1 := time.Now()
					cmt()
					tOurs, tLight = tOurs+t1.Sub(t), tLight+time.Since(t1)
				}
				b.ReportMetric(float64(tOurs)/float64(tLight), "ours/light")
			})
		}
	}
}
