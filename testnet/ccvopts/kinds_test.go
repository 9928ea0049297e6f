package ccvopts

import (
	"slices"
	"strings"
	"testing"
)

func TestParseConsumerKinds(t *testing.T) {
	got, err := ParseConsumerKinds("top-n:100, opt-in:0+1,top-n:50,opt-in:2")
	if err != nil {
		t.Fatal(err)
	}
	want := []ConsumerKind{TopN(100), OptIn(0, 1), TopN(50), OptIn(2)}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for i := range want {
		if got[i].TopN != want[i].TopN || !slices.Equal(got[i].OptIn, want[i].OptIn) {
			t.Fatalf("kind %d: %v, want %v", i+1, got[i], want[i])
		}
		if again, err := ParseConsumerKinds(got[i].String()); err != nil || again[0].String() != got[i].String() {
			t.Fatalf("%s read back as %v, %v", got[i], again, err)
		}
	}
	if got, err := ParseConsumerKinds(" "); err != nil || got != nil {
		t.Fatalf("empty list: %v %v", got, err)
	}
	for in, msg := range map[string]string{
		"top-n:0":          "N must be 50 to 100",
		"top-n:101":        "N must be 50 to 100",
		"top-n:49":         "N must be 50 to 100",
		"top-n:x":          "N must be 50 to 100",
		"opt-in:":          "no validator opts in",
		"opt-in:0+a":       `validator "a"`,
		"opt-in:-1":        `validator "-1"`,
		"top-n:100,opt-in": `consumer kind 2 "opt-in": no colon`,
		"all:1":            `unknown kind "all"`,
		"top-n:100,,":      "consumer kind 2",
	} {
		if _, err := ParseConsumerKinds(in); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%q: %v, want %q", in, err, msg)
		}
	}
}

func TestConsumerKindsValidate(t *testing.T) {
	o := Default()
	o.Bin = "icsd"
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
	if k := o.Kind(3); k.TopN != 100 {
		t.Fatalf("a consumer past the list: %v", k)
	}
	for _, tc := range []struct {
		kinds []ConsumerKind
		want  string
	}{
		{[]ConsumerKind{TopN(100), OptIn(0, 3)}, "consumer-2 (opt-in:0+3): there is no validator 3 (validators are 0 to 2)"},
		{[]ConsumerKind{OptIn(1, 1)}, "validator 1 listed twice"},
		{[]ConsumerKind{OptIn()}, "no validator opts in"},
		{[]ConsumerKind{{TopN: 100, OptIn: []int{1}}}, "a top-N consumer lists no opt-in validators"},
		{[]ConsumerKind{TopN(101)}, "N must be 50 to 100"},
	} {
		o.Kinds = tc.kinds
		if err := o.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want %q", tc.kinds, err, tc.want)
		}
	}
	// Kinds past Consumers are unused.
	o.Kinds, o.Consumers = []ConsumerKind{TopN(100), OptIn(7)}, 1
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
}
