package vsc

import (
	"crypto/sha256"
	"fmt"
	"testing"

	"github.com/abci-ics/ics/ccv"
)

func testKey(i int) []byte {
	h := sha256.Sum256(fmt.Appendf(nil, "validator %d", i))
	return h[:]
}

func updatesString(us []ccv.ValidatorUpdate) string {
	out := ""
	for _, u := range us {
		out += fmt.Sprintf("%X:%d ", u.PubKey[:4], u.Power)
	}
	return out
}

// TestDiff checks diff directly on sets that share keys: updates are
// sorted by consumer key, a key that leaves gets power 0, and no key
// appears twice.
func TestDiff(t *testing.T) {
	k := testKey
	old := []Member{{ConsumerKey: k(0), Power: 1}, {ConsumerKey: k(1), Power: 2}, {ConsumerKey: k(2), Power: 3}}
	next := []Member{{ConsumerKey: k(1), Power: 2}, {ConsumerKey: k(2), Power: 4}, {ConsumerKey: k(3), Power: 5}}
	want := diffWant(ccv.ValidatorUpdate{PubKey: k(0), Power: 0}, ccv.ValidatorUpdate{PubKey: k(2), Power: 4}, ccv.ValidatorUpdate{PubKey: k(3), Power: 5})
	if got := updatesString(diff(old, next)); got != want {
		t.Fatalf("diff %s, want %s", got, want)
	}
	if d := diff(old, old); len(d) != 0 {
		t.Fatalf("diff of a set with itself: %v", d)
	}
	// A key that moves from one validator to another keeps one update.
	moved := []Member{{ProviderAddr: []byte{9}, ConsumerKey: k(0), Power: 7}}
	if got, want := updatesString(diff(old[:1], moved)), diffWant(ccv.ValidatorUpdate{PubKey: k(0), Power: 7}); got != want {
		t.Fatalf("diff %s, want %s", got, want)
	}
}

// diffWant renders updates sorted by key, as diff returns them.
func diffWant(us ...ccv.ValidatorUpdate) string {
	for i := range us {
		for j := i + 1; j < len(us); j++ {
			if string(us[j].PubKey) < string(us[i].PubKey) {
				us[i], us[j] = us[j], us[i]
			}
		}
	}
	return updatesString(us)
}
