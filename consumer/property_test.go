package consumer

import (
	"reflect"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	"pgregory.net/rapid"

	"github.com/abci-ics/ics/ccv"
)

// TestVSCSequencesProperty delivers random VSC packets (some with ids that
// do not increase) and blocks, and checks after every block that the
// validator set equals a reference map, that the updates returned never
// repeat a key nor remove an absent one, and that replaying them on
// CometBFT's view of the set gives the same set.
func TestVSCSequencesProperty(t *testing.T) {
	const keys = 6
	rapid.Check(t, func(rt *rapid.T) {
		h := newHarness(t, 2, true)
		ref := map[int]int64{0: 10, 1: 11}   // the set the consumer should hold
		comet := map[int]int64{0: 10, 1: 11} // what CometBFT holds after the updates returned
		pending := map[int]int64{}           // accumulated, not yet applied
		index := map[string]int{}
		for i := range keys {
			index[string(pubKey(i))] = i
		}
		var last uint64
		steps := rapid.IntRange(1, 40).Draw(rt, "steps")
		for range steps {
			if rapid.Bool().Draw(rt, "packet") {
				id := last + rapid.Uint64Range(0, 2).Draw(rt, "id step")
				n := rapid.IntRange(0, 5).Draw(rt, "updates")
				d := vsc(id)
				for range n {
					d.ValidatorUpdates = append(d.ValidatorUpdates,
						upd(rapid.IntRange(0, keys-1).Draw(rt, "key"), rapid.Int64Range(0, 3).Draw(rt, "power")))
				}
				ack := h.recv(d)
				if accepted := id > last; ack.Success() != accepted {
					rt.Fatalf("vscId %d after %d: success %v", id, last, ack.Success())
				}
				if ack.Success() {
					last = id
					for _, u := range d.ValidatorUpdates {
						pending[index[string(u.PubKey)]] = u.Power
					}
				}
				continue
			}
			ups, _ := h.block()
			next := map[int]int64{}
			for k, v := range ref {
				next[k] = v
			}
			for k, p := range pending {
				if p == 0 {
					delete(next, k)
				} else {
					next[k] = p
				}
			}
			if len(next) > 0 {
				ref, pending = next, map[int]int64{}
			} else if ups != nil {
				rt.Fatalf("updates %v returned for an empty set", ups)
			}
			applyComet(rt, comet, ups, index)
			got := map[int]int64{}
			for _, v := range h.k.ValidatorSet(h.s) {
				i, ok := index[string(v.PubKey)]
				if !ok {
					rt.Fatalf("unknown key in the set")
				}
				got[i] = v.Power
			}
			if !reflect.DeepEqual(got, ref) {
				rt.Fatalf("set %v, reference %v", got, ref)
			}
			if !reflect.DeepEqual(comet, ref) {
				rt.Fatalf("CometBFT's set %v, reference %v", comet, ref)
			}
			want := make([]ccv.ValidatorUpdate, 0, len(pending))
			for k, p := range pending {
				want = append(want, upd(k, p))
			}
			sortUpdates(want)
			if got := h.k.PendingChanges(h.s); len(got) != len(want) || (len(want) > 0 && !reflect.DeepEqual(got, want)) {
				rt.Fatalf("pending %v, want %v", got, want)
			}
		}
	})
}

// applyComet applies updates as CometBFT does, failing on what CometBFT
// refuses: a repeated key or the removal of an absent validator.
func applyComet(rt *rapid.T, set map[int]int64, ups []abci.ValidatorUpdate, index map[string]int) {
	seen := map[int]bool{}
	for _, u := range ups {
		i := index[string(u.PubKey.GetEd25519())]
		if seen[i] {
			rt.Fatalf("key %d twice in one block", i)
		}
		seen[i] = true
		if u.Power == 0 {
			if _, ok := set[i]; !ok {
				rt.Fatalf("removal of absent validator %d", i)
			}
			delete(set, i)
		} else {
			set[i] = u.Power
		}
	}
}
