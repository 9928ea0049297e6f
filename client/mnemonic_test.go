package client

import (
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/abci-ics/ics/types/address"
)

// TestDeriveEd25519SLIP10: the derivation gives SLIP-0010's own test
// vector 1 for ed25519 (seed 000102...0f).
func TestDeriveEd25519SLIP10(t *testing.T) {
	seed, _ := hex.DecodeString("000102030405060708090a0b0c0d0e0f")
	for _, tc := range []struct {
		path        []uint32
		chain, priv string
	}{
		{nil, "90046a93de5380a72b5e45010748567d5ea02bbf6522f979e05c0d8d8ca9fffb", "2b4be7f19ee27bbf30c667b642d5f4aa69fd169872f8fc3059c08ebae2eb19e7"},
		{[]uint32{0}, "8b59aa11380b624e81507a27fedda59fea6d0b779a778918a2fd3590e16e9c69", "68e0fe46dfb67e368c75379acec591dad19df3cde26e63b93a8e704f1dade7a3"},
		{[]uint32{0, 1}, "a320425f77d1b5c2505a6b1b27382b37368ee640e3557c315416801243552f14", "b1d0bad404bf35da785a64ca1ac54b2617211d2777696fbffaf208f746ae84f2"},
		{[]uint32{0, 1, 2}, "2e69929e00b5ab250f49c3fb1c12f252de4fed2c1db88387094a0f8c4c9ccd6c", "92a5b23c0b8a99e37d07df3fb9966917f5d06e02ddbd909c7e184371463e9fc9"},
		{[]uint32{0, 1, 2, 2}, "8f6d87f93d750e0efccda017d662a1b31a266e4a6f5993b15f5c1f07f74dd5cc", "30d1dc7e5fc04c31219ab25a27ae00b50f6fd66622f6e9c913253d6511d1e662"},
	} {
		k, c := deriveEd25519(seed, tc.path)
		if hex.EncodeToString(c[:]) != tc.chain || hex.EncodeToString(k[:]) != tc.priv {
			t.Errorf("path %v: chain code %x, key %x", tc.path, c, k)
		}
	}
}

// testMnemonic is BIP-39's test vector of 32 zero bytes of entropy.
var testMnemonic = strings.TrimSpace(strings.Repeat("abandon ", 23)) + " art"

// TestKeyFromMnemonicVector: a fixed mnemonic gives a fixed key and
// address (checked once against an independent SLIP-0010 computation), in
// whatever case and spacing it is typed.
func TestKeyFromMnemonicVector(t *testing.T) {
	for _, m := range []string{testMnemonic, "  " + strings.ToUpper(strings.ReplaceAll(testMnemonic, " ", "\n ")) + "\n"} {
		k, err := KeyFromMnemonic("alice", m)
		if err != nil {
			t.Fatal(err)
		}
		if got := hex.EncodeToString(k.Priv[:32]); got != "3bc1e4ddfeaa9e1279e07664c003088ad9576bf39e6386911c8e7017865ce8b4" {
			t.Fatalf("private key seed %s", got)
		}
		if got := hex.EncodeToString(k.Priv.PubKey().Bytes()); got != "1884827c3324b13454be77d7656d0ddeb3bb3d0774bcff0f2c547515d2b2015c" {
			t.Fatalf("public key %s", got)
		}
		if got := address.Encode("ics", k.Address()); got != "ics1pywgxt6s0n9qmv2vqgd8vpvcw73j2t26hyn5a3" {
			t.Fatalf("address %s", got)
		}
	}
}

// TestMnemonicRoundTrip: a new mnemonic has 24 valid words and gives the
// same key every time; different mnemonics give different keys; broken
// mnemonics are refused with ErrInvalidMnemonic.
func TestMnemonicRoundTrip(t *testing.T) {
	m, err := NewMnemonic()
	if err != nil {
		t.Fatal(err)
	}
	if n := len(strings.Fields(m)); n != MnemonicWords {
		t.Fatalf("%d words", n)
	}
	a, err := KeyFromMnemonic("a", m)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := KeyFromMnemonic("b", m)
	if !a.Priv.Equals(b.Priv) {
		t.Fatal("same mnemonic, different keys")
	}
	m2, _ := NewMnemonic()
	if c, _ := KeyFromMnemonic("c", m2); m2 == m || c.Priv.Equals(a.Priv) {
		t.Fatal("two new mnemonics gave the same key")
	}
	words := strings.Fields(testMnemonic)
	for name, bad := range map[string]string{
		"checksum":   strings.Join(append(words[:23:23], "zoo"), " "),
		"not a word": strings.Join(append(words[:23:23], "abandonn"), " "),
		"too short":  strings.Join(words[:11], " "),
		"empty":      "",
	} {
		if _, err := KeyFromMnemonic("x", bad); !errors.Is(err, ErrInvalidMnemonic) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
