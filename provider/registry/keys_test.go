package registry

import (
	"bytes"
	"testing"
)

// TestPrefixesFrozen freezes the registry's keys in the provider store
// (package provider checks that no prefix of the store is used twice).
func TestPrefixesFrozen(t *testing.T) {
	got := []byte{keyNextConsumerID, prefixConsumer, prefixOptedIn, prefixCommission}
	want := []byte{0x05, 0x10, 0x14, 0x15}
	if !bytes.Equal(got, want) || !bytes.Equal(Prefixes(), want) {
		t.Fatalf("registry key prefixes changed: %x, Prefixes() %x", got, Prefixes())
	}
	if !bytes.Equal(ConsumerPrefixes(), []byte{prefixOptedIn, prefixCommission}) {
		t.Fatalf("consumer prefixes %x", ConsumerPrefixes())
	}
	for _, c := range []struct {
		name string
		got  []byte
		want []byte
	}{
		{"consumer", ConsumerKey("c-1"), []byte{0x10, 3, 'c', '-', '1'}},
		{"opted in", OptedInKey("c-1", []byte{0xaa}), []byte{0x14, 3, 'c', '-', '1', 0xaa}},
		{"commission", CommissionKey("c-1", []byte{0xaa}), []byte{0x15, 3, 'c', '-', '1', 0xaa}},
	} {
		if !bytes.Equal(c.got, c.want) {
			t.Errorf("%s key %x, want %x", c.name, c.got, c.want)
		}
	}
}
