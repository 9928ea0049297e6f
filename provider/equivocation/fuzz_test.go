package equivocation

import (
	"bytes"
	"testing"

	"github.com/cometbft/cometbft/crypto/ed25519"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	cmttypes "github.com/cometbft/cometbft/types"
	ibctm "github.com/cosmos/ibc-go/v10/modules/light-clients/07-tendermint"
)

func mustBytes(f *testing.F, m interface{ Marshal() ([]byte, error) }) []byte {
	f.Helper()
	bz, err := m.Marshal()
	if err != nil {
		f.Fatal(err)
	}
	return bz
}

// FuzzDoubleVote decodes arbitrary bytes as duplicate vote evidence and,
// when they decode, as the infraction header (else the fixture's header
// is used): DoubleVote must never panic, and whatever it accepts must be
// two conflicting votes of the validator it names, whose key it returns.
func FuzzDoubleVote(f *testing.F) {
	fx := newDVFixture()
	header := mustBytes(f, fx.header)
	f.Add(mustBytes(f, evidence(fx.a, fx.b)), header)
	f.Add(mustBytes(f, evidence(fx.a, fx.a)), header)
	nilVote := fx.b
	nilVote.block = cmttypes.BlockID{}
	f.Add(mustBytes(f, evidence(fx.a, nilVote)), header)
	other := fx.b
	other.height = 11
	f.Add(mustBytes(f, evidence(fx.a, other)), header)
	f.Add([]byte{}, []byte{})
	f.Add([]byte{0x0a, 0x00, 0x12, 0x00}, []byte{0x0a, 0x00})
	f.Fuzz(func(t *testing.T, evBz, headerBz []byte) {
		ev := new(cmtproto.DuplicateVoteEvidence)
		if err := ev.Unmarshal(evBz); err != nil {
			return
		}
		h := new(ibctm.Header)
		if err := h.Unmarshal(headerBz); err != nil {
			h = fx.header
		}
		addr, pub, err := DoubleVote(ev, h, testChain)
		if err != nil {
			if addr != nil || pub != nil {
				t.Fatalf("error %v with results %X %X", err, addr, pub)
			}
			return
		}
		a, b := ev.VoteA, ev.VoteB
		idA, errA := a.BlockID.Marshal()
		idB, errB := b.BlockID.Marshal()
		if errA != nil || errB != nil || a.Height != b.Height || a.Round != b.Round || a.Type != b.Type || bytes.Equal(idA, idB) {
			t.Fatalf("accepted votes that do not conflict: %v", ev)
		}
		if len(pub) != ed25519.PubKeySize || !bytes.Equal(ed25519.PubKey(pub).Address(), addr) ||
			!bytes.Equal(addr, a.ValidatorAddress) || !bytes.Equal(addr, b.ValidatorAddress) {
			t.Fatalf("accepted evidence names %X with key %X, votes are of %X and %X", addr, pub, a.ValidatorAddress, b.ValidatorAddress)
		}
	})
}

// FuzzLightClientAttack decodes arbitrary bytes as a misbehaviour:
// LightClientAttack must never panic, and what it returns must be sorted
// addresses without duplicates.
func FuzzLightClientAttack(f *testing.F) {
	b1, b2 := overlapping()
	f.Add(mustBytes(f, &ibctm.Misbehaviour{Header1: b1.header(), Header2: b2.header()}))
	f.Add(mustBytes(f, &ibctm.Misbehaviour{Header1: b1.header(), Header2: b1.header()}))
	amnesia := b1
	amnesia.round = 2
	amnesia.data = hash32("other txs")
	f.Add(mustBytes(f, &ibctm.Misbehaviour{Header1: b1.header(), Header2: amnesia.header()}))
	f.Add([]byte{})
	f.Add([]byte{0x12, 0x00, 0x1a, 0x00})
	f.Fuzz(func(t *testing.T, bz []byte) {
		m := new(ibctm.Misbehaviour)
		if err := m.Unmarshal(bz); err != nil {
			return
		}
		got, err := LightClientAttack(m, testChain)
		if err != nil {
			if got != nil {
				t.Fatalf("error %v with results %X", err, got)
			}
			return
		}
		for i, a := range got {
			if len(a) != 20 {
				t.Fatalf("address %X", a)
			}
			if i > 0 && bytes.Compare(got[i-1], a) >= 0 {
				t.Fatalf("addresses not sorted or duplicated: %X", got)
			}
		}
	})
}
