package provider

import (
	"bytes"
	"github.com/abci-ics/ics/state"
	"testing"
)

// TestPrefixesFrozen freezes the provider store layout: changing a prefix
// or a key's shape breaks every existing chain.
func TestPrefixesFrozen(t *testing.T) {
	got := []byte{keyParams, keyVSCID, keySlashMeter, prefixVSCHeight, prefixConsumer, prefixChannel, prefixClient,
		prefixGenesis, prefixValidator, prefixAssigned, prefixKeyOwner, prefixKeyPrune, prefixPendingVSC,
		prefixSlashAck, prefixSentVSC, prefixHold, keyReservedKeys}
	want := []byte{0x01, 0x02, 0x03, 0x04, 0x10, 0x11, 0x12, 0x13, 0x20, 0x21, 0x22, 0x23, 0x30, 0x31, 0x32, 0x40, 0x50}
	if !bytes.Equal(got, want) {
		t.Fatalf("provider key prefixes changed: %x", got)
	}
	seen := map[byte]bool{}
	for _, b := range got {
		if seen[b] {
			t.Fatalf("prefix %x used twice", b)
		}
		seen[b] = true
	}
	if StoreName != "provider" {
		t.Fatal("store name changed")
	}
	wantConsumer := []byte{prefixConsumer, prefixGenesis, prefixValidator, prefixAssigned, prefixKeyOwner,
		prefixKeyPrune, prefixPendingVSC, prefixSlashAck, prefixSentVSC, prefixHold}
	if !bytes.Equal(consumerPrefixes, wantConsumer) {
		t.Fatalf("consumer prefixes %x", consumerPrefixes)
	}

	addr := []byte{0xaa, 0xbb}
	for _, c := range []struct {
		name string
		got  []byte
		want []byte
	}{
		{"consumer", ConsumerKey("c-1"), []byte{0x10, 3, 'c', '-', '1'}},
		{"genesis", GenesisKey("c-1"), []byte{0x13, 3, 'c', '-', '1'}},
		{"channel", ChannelKey("channel-2"), append([]byte{0x11}, "channel-2"...)},
		{"client", ClientKey("07-tendermint-0"), append([]byte{0x12}, "07-tendermint-0"...)},
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
	lo := key(prefixHold, chainPart("c-1"))
	if k := HoldKey("c-10", 1, 1); bytes.Compare(k, lo) >= 0 && bytes.Compare(k, state.PrefixEnd(lo)) < 0 {
		t.Fatal("c-10's hold is in c-1's range")
	}
	if bytes.Compare(keyPruneKey("c", 1, []byte{0xff}), keyPruneKey("c", 2, []byte{0})) >= 0 {
		t.Fatal("prune keys are not in time order")
	}
}
