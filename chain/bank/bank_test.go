package bank

import (
	"bytes"
	"testing"
)

func TestPrefixesFrozen(t *testing.T) {
	if prefixBalance != 0x01 || prefixSupply != 0x02 {
		t.Fatal("bank key prefixes changed")
	}
	if got := BalanceKey([]byte{0xaa}, "st"); !bytes.Equal(got, []byte{0x01, 0x01, 0xaa, 's', 't'}) {
		t.Fatalf("balance key %x", got)
	}
	if got := SupplyKey("st"); !bytes.Equal(got, []byte{0x02, 's', 't'}) {
		t.Fatalf("supply key %x", got)
	}
}
