package vsc

import (
	"bytes"
	"testing"

	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/state/typed"
)

// TestPrefixesFrozen freezes this package's part of the provider store
// layout: changing a prefix or a key's shape breaks every existing chain.
func TestPrefixesFrozen(t *testing.T) {
	got := []byte{keyVSCID, prefixVSCHeight, prefixValidator, prefixAssigned, prefixKeyOwner, prefixKeyPrune,
		prefixPendingVSC, prefixSlashAck, prefixSentVSC, prefixProgress, prefixHold, keyReservedKeys}
	want := []byte{0x02, 0x04, 0x20, 0x21, 0x22, 0x23, 0x30, 0x31, 0x32, 0x33, 0x40, 0x50}
	if !bytes.Equal(got, want) || !bytes.Equal(Prefixes(), want) {
		t.Fatalf("vsc key prefixes changed: %x, Prefixes() %x", got, Prefixes())
	}
	wantConsumer := []byte{prefixValidator, prefixAssigned, prefixKeyOwner, prefixKeyPrune, prefixPendingVSC,
		prefixSlashAck, prefixSentVSC, prefixProgress, prefixHold}
	if !bytes.Equal(consumerPrefixes, wantConsumer) {
		t.Fatalf("consumer prefixes %x", consumerPrefixes)
	}
	if StoreName != "provider" {
		t.Fatal("store name changed")
	}

	addr := []byte{0xaa, 0xbb}
	for _, c := range []struct {
		name string
		got  []byte
		want []byte
	}{
		{"validator", ValidatorKey("c-1", addr), []byte{0x20, 3, 'c', '-', '1', 0xaa, 0xbb}},
		{"assigned", AssignedKey("c-1", addr), []byte{0x21, 3, 'c', '-', '1', 0xaa, 0xbb}},
		{"key owner", KeyOwnerKey("c-1", addr), []byte{0x22, 3, 'c', '-', '1', 0xaa, 0xbb}},
		{"key prune", keyPruneKey("c-1", 258, addr), []byte{0x23, 3, 'c', '-', '1', 0, 0, 0, 0, 0, 0, 1, 2, 0xaa, 0xbb}},
		{"pending vsc", PendingVSCKey("c-1", 7), []byte{0x30, 3, 'c', '-', '1', 0, 0, 0, 0, 0, 0, 0, 7}},
		{"slash ack", slashAckKey("c-1", addr), []byte{0x31, 3, 'c', '-', '1', 0xaa, 0xbb}},
		{"sent vsc", sentVSCKey("c-1", 7), []byte{0x32, 3, 'c', '-', '1', 0, 0, 0, 0, 0, 0, 0, 7}},
		{"hold", HoldKey("c-1", 7, 9), []byte{0x40, 3, 'c', '-', '1', 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 9}},
		{"reserved", reservedKey(addr, "c-1"), []byte{0x50, 0xaa, 0xbb, 3, 'c', '-', '1'}},
		{"vsc height", vscHeightKey(258), []byte{0x04, 0, 0, 0, 0, 0, 0, 1, 2}},
	} {
		if !bytes.Equal(c.got, c.want) {
			t.Errorf("%s key %x, want %x", c.name, c.got, c.want)
		}
	}
	// The length prefix keeps one chain's keys out of another's range.
	lo := typed.Key(prefixHold, IDPart("c-1"))
	if k := HoldKey("c-10", 1, 1); bytes.Compare(k, lo) >= 0 && bytes.Compare(k, state.PrefixEnd(lo)) < 0 {
		t.Fatal("c-10's hold is in c-1's range")
	}
	if bytes.Compare(keyPruneKey("c", 1, []byte{0xff}), keyPruneKey("c", 2, []byte{0})) >= 0 {
		t.Fatal("prune keys are not in time order")
	}
	if Holder("c-1") != "ccv/c-1" {
		t.Fatalf("holder name %q", Holder("c-1"))
	}
}
