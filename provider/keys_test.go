package provider

import (
	"bytes"
	"testing"

	"github.com/abci-ics/ics/provider/registry"
	"github.com/abci-ics/ics/provider/rewards"
	"github.com/abci-ics/ics/provider/vsc"
)

// TestPrefixesFrozen freezes the provider store layout: changing a prefix
// or a key's shape breaks every existing chain. The keys of packages vsc
// and registry in the same store are frozen by their own tests; here the
// three sets of prefixes must not meet, and together they are the layout.
func TestPrefixesFrozen(t *testing.T) {
	got := []byte{keyParams, keySlashMeter, prefixChannel, prefixClient, prefixGenesis, prefixPunished}
	want := []byte{0x01, 0x03, 0x11, 0x12, 0x13, 0x16}
	if !bytes.Equal(got, want) {
		t.Fatalf("provider key prefixes changed: %x", got)
	}
	all := map[byte]bool{}
	for _, b := range append(append(append(got, vsc.Prefixes()...), registry.Prefixes()...), rewards.Prefixes()...) {
		if all[b] {
			t.Fatalf("prefix %x used twice", b)
		}
		all[b] = true
	}
	for _, b := range []byte{0x01, 0x02, 0x03, 0x04, 0x05, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x20, 0x21, 0x22, 0x23, 0x30, 0x31, 0x32, 0x33, 0x40, 0x50} {
		if !all[b] {
			t.Errorf("prefix %x is gone", b)
		}
	}
	if len(all) != 25 {
		t.Fatalf("%d prefixes, want 25", len(all))
	}
	if StoreName != "provider" || vsc.StoreName != StoreName || registry.StoreName != StoreName || rewards.StoreName != StoreName {
		t.Fatal("store name changed")
	}

	for _, c := range []struct {
		name string
		got  []byte
		want []byte
	}{
		{"genesis", GenesisKey("c-1"), []byte{0x13, 3, 'c', '-', '1'}},
		{"channel", ChannelKey("channel-2"), append([]byte{0x11}, "channel-2"...)},
		{"client", ClientKey("07-tendermint-0"), append([]byte{0x12}, "07-tendermint-0"...)},
		{"punished", PunishedKey("c-1", []byte{0xaa}, 258), []byte{0x16, 3, 'c', '-', '1', 0xaa, 0, 0, 0, 0, 0, 0, 1, 2}},
		{"id part", vsc.IDPart("c-1"), []byte{3, 'c', '-', '1'}},
		{"reward denom", rewards.DenomKey("c-1", "ab"), []byte{0x17, 3, 'c', '-', '1', 'a', 'b'}},
		{"reward pool", rewards.PoolKey("c-1", "ab"), []byte{0x18, 3, 'c', '-', '1', 'a', 'b'}},
		{"last reward distribution", rewards.LastDistributionKey("c-1"), []byte{0x19, 3, 'c', '-', '1'}},
	} {
		if !bytes.Equal(c.got, c.want) {
			t.Errorf("%s key %x, want %x", c.name, c.got, c.want)
		}
	}
}
