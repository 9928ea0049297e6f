package tx

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/cometbft/cometbft/crypto/ed25519"
	gogoproto "github.com/cosmos/gogoproto/proto"

	"github.com/abci-ics/ics/chain/auth"
	"github.com/abci-ics/ics/chain/gov"
	"github.com/abci-ics/ics/client"
	"github.com/abci-ics/ics/consumer/sovereign"
)

// TestSovereignProposal checks the proposal submit-sovereign-transition
// sends: a MsgScheduleSovereignTransition from governance at the height
// given, or +N from the node's, with --self-bond; and the arguments it
// refuses before asking the node anything.
func TestSovereignProposal(t *testing.T) {
	key := client.Key{Name: "alice", Priv: ed25519.GenPrivKey()}
	at := func(h int64) func() (int64, error) { return func() (int64, error) { return h, nil } }
	unasked := func() (int64, error) { t.Fatal("the node's height was read"); return 0, nil }
	build := func(flags []string, height, deposit string, current func() (int64, error)) (*gov.MsgSubmitProposal, error) {
		c := submitSovereignTransitionCmd()
		if err := c.Flags().Parse(flags); err != nil {
			t.Fatal(err)
		}
		return sovereignProposal(c, key, height, deposit, current)
	}
	for _, tc := range []struct {
		name   string
		flags  []string
		height string
		now    func() (int64, error)
		want   int64
	}{
		{"absolute", []string{"--self-bond", "500"}, "120", unasked, 120},
		{"relative", []string{"--self-bond", "500", "--title", "T"}, "+30", at(90), 120},
	} {
		p, err := build(tc.flags, tc.height, "1000stake", tc.now)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if !bytes.Equal(p.Proposer, key.Address()) || len(p.InitialDeposit) != 1 || p.InitialDeposit[0].String() != "1000stake" {
			t.Fatalf("%s: proposal %+v", tc.name, p)
		}
		if p.Content.TypeUrl != "/icsd.consumer.v1.MsgScheduleSovereignTransition" || p.Content.TypeUrl != auth.TypeURL(&sovereign.MsgScheduleSovereignTransition{}) {
			t.Fatalf("%s: content type %s", tc.name, p.Content.TypeUrl)
		}
		var m sovereign.MsgScheduleSovereignTransition
		if err := gogoproto.Unmarshal(p.Content.Value, &m); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(m.Authority, gov.ModuleAddress()) || m.Height != tc.want || m.SelfBond != 500 {
			t.Fatalf("%s: content %+v, want height %d self-bond 500 from gov", tc.name, m, tc.want)
		}
		if tc.name == "relative" && p.Title != "T" {
			t.Fatalf("title %q", p.Title)
		}
	}

	down := errors.New("node down")
	for _, tc := range []struct {
		name, height, deposit, want string
		flags                       []string
		now                         func() (int64, error)
	}{
		{"no self-bond", "120", "1000stake", "--self-bond", nil, unasked},
		{"zero self-bond", "120", "1000stake", "--self-bond", []string{"--self-bond", "0"}, unasked},
		{"bad deposit", "120", "lots", "deposit", []string{"--self-bond", "5"}, unasked},
		{"height zero", "0", "1000stake", "positive height", []string{"--self-bond", "5"}, unasked},
		{"negative height", "-3", "1000stake", "positive height", []string{"--self-bond", "5"}, unasked},
		{"height not a number", "soon", "1000stake", "positive height", []string{"--self-bond", "5"}, unasked},
		{"relative zero", "+0", "1000stake", "positive height", []string{"--self-bond", "5"}, unasked},
		{"node down", "+10", "1000stake", "node down", []string{"--self-bond", "5"}, func() (int64, error) { return 0, down }},
	} {
		if _, err := build(tc.flags, tc.height, tc.deposit, tc.now); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one about %q", tc.name, err, tc.want)
		}
	}
	if err := submitSovereignTransitionCmd().Flags().Parse([]string{"--self-bond", "-1"}); err == nil {
		t.Error("--self-bond -1 parsed")
	}
}
