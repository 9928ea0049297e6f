package coin

import (
	"errors"
	"testing"
)

func TestParseCoins(t *testing.T) {
	cs, err := ParseCoins("10stake, 5atom")
	if err != nil || len(cs) != 2 || cs[0] != (Coin{Denom: "stake", Amount: 10}) || cs[1] != (Coin{Denom: "atom", Amount: 5}) {
		t.Fatalf("%v %v", cs, err)
	}
	for _, bad := range []string{"", "stake", "10", "0stake", "-1stake", "1.5stake", "10stake,10stake", "99999999999999999999stake", "10st", "10ab cd"} {
		if _, err := ParseCoins(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestValidateDenom(t *testing.T) {
	for _, ok := range []string{"stake", "transfer/channel-0/uatom", "ibc/ABC", "a.b_c-d:e"} {
		if err := ValidateDenom(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "ab", "1abc", "/abc", "ab c", "abé"} {
		if err := ValidateDenom(bad); !errors.Is(err, ErrInvalidDenom) {
			t.Errorf("%q accepted", bad)
		}
	}
}

func FuzzParseCoins(f *testing.F) {
	f.Add("10stake,5atom")
	f.Add("18446744073709551615stake")
	f.Fuzz(func(t *testing.T, s string) {
		cs, err := ParseCoins(s)
		if err != nil {
			return
		}
		again, err := ParseCoins(FormatCoins(cs))
		if err != nil || len(again) != len(cs) {
			t.Fatalf("%q -> %q does not parse back: %v", s, FormatCoins(cs), err)
		}
		for i := range cs {
			if cs[i] != again[i] {
				t.Fatalf("%q: %v != %v", s, cs[i], again[i])
			}
		}
	})
}
