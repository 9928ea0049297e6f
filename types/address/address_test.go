package address

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
)

// BIP-173 test vectors.
func TestBech32Vectors(t *testing.T) {
	valid := []string{
		"A12UEL5L",
		"a12uel5l",
		"an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
		"abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
		"11qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqc8247j"[:0] + "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
		"?1ezyfcl",
	}
	for _, s := range valid {
		if _, _, err := bech32Decode(s); err != nil {
			t.Errorf("%q: %v", s, err)
		}
	}
	invalid := []string{
		"pzry9x0s0muk",  // no separator
		"1pzry9x0s0muk", // empty prefix
		"x1b4n0q5v",     // invalid data character
		"li1dgmt3",      // too short checksum
		"A1G7SGD8",      // checksum computed with upper-case prefix
		"10a06t8",       // empty prefix
		"1qzzfhee",      // empty prefix
		"a12UEL5L",      // mixed case
	}
	for _, s := range invalid {
		if _, _, err := bech32Decode(s); err == nil {
			t.Errorf("%q decoded", s)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	addr := FromPubKey(bytes.Repeat([]byte{7}, 32))
	s := Encode("ics", addr)
	if !strings.HasPrefix(s, "ics1") {
		t.Fatalf("encoded %q", s)
	}
	got, err := Decode("ics", s)
	if err != nil || !bytes.Equal(got, addr) {
		t.Fatalf("decode %q: %x %v", s, got, err)
	}
	if _, err := Decode("cosmos", s); err == nil {
		t.Fatal("wrong prefix accepted")
	}
	if _, err := Decode("", strings.ToUpper(s)); err != nil {
		t.Fatalf("upper case rejected: %v", err)
	}
	short, _ := bech32Encode("ics", addr[:10])
	if _, err := Decode("ics", short); err == nil {
		t.Fatal("10-byte address accepted")
	}
}

func TestModuleAddressFrozen(t *testing.T) {
	// The fee collector's address is the SHA-256 of its name, truncated.
	if got := hex.EncodeToString(Module("fee_collector")); got != "f1829676db577682e944fc3493d451b67ff3e29f" {
		t.Fatalf("fee collector address %s", got)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add("ics1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq")
	f.Add(Encode("ics", make([]byte, 20)))
	f.Fuzz(func(t *testing.T, s string) {
		addr, err := Decode("", s)
		if err != nil {
			return
		}
		hrp := strings.ToLower(s[:strings.LastIndexByte(s, '1')])
		if ValidatePrefix(hrp) != nil {
			return
		}
		if again := Encode(hrp, addr); again != strings.ToLower(s) {
			t.Fatalf("%q re-encodes as %q", s, again)
		}
	})
}

func BenchmarkEncode(b *testing.B) {
	addr := FromPubKey([]byte("k"))
	for i := 0; i < b.N; i++ {
		_ = Encode("ics", addr)
	}
}

func TestShow(t *testing.T) {
	addr := make([]byte, Len)
	if Show("ics", addr) != Encode("ics", addr) || Show("ics", nil) != "" || Show("ics", addr[:3]) != "" {
		t.Fatal("Show")
	}
}
