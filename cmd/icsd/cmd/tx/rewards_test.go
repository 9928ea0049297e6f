package tx

import (
	"bytes"
	"slices"
	"testing"

	"github.com/cometbft/cometbft/crypto/ed25519"
	gogoproto "github.com/cosmos/gogoproto/proto"

	"github.com/abci-ics/ics/chain/auth"
	"github.com/abci-ics/ics/chain/gov"
	"github.com/abci-ics/ics/client"
	"github.com/abci-ics/ics/provider/registry"
)

// TestRewardDenomsMessages checks the messages the reward-denomination
// commands send: the owner's own for change-reward-denoms, and for
// submit-change-reward-denoms a proposal whose content is the same
// message from governance.
func TestRewardDenomsMessages(t *testing.T) {
	key := client.Key{Name: "alice", Priv: ed25519.GenPrivKey()}
	flags := []string{"--add", "transfer/channel-0/stake,atom", "--add", "coin", "--remove", "transfer/channel-1/stake"}
	want := registry.MsgChangeRewardDenoms{ConsumerId: "3", Add: []string{"transfer/channel-0/stake", "atom", "coin"}, Remove: []string{"transfer/channel-1/stake"}}
	same := func(got *registry.MsgChangeRewardDenoms, owner []byte) {
		t.Helper()
		if !bytes.Equal(got.Owner, owner) || got.ConsumerId != want.ConsumerId || !slices.Equal(got.Add, want.Add) || !slices.Equal(got.Remove, want.Remove) {
			t.Fatalf("message %+v, want %+v from %X", got, want, owner)
		}
	}

	c := changeRewardDenomsCmd()
	if err := c.Flags().Parse(flags); err != nil {
		t.Fatal(err)
	}
	m, err := rewardDenomsMsg(c.Flags(), key.Address(), "3")
	if err != nil {
		t.Fatal(err)
	}
	same(m, key.Address())

	c = submitChangeRewardDenomsCmd()
	if err := c.Flags().Parse(append(flags, "--title", "T")); err != nil {
		t.Fatal(err)
	}
	p, err := rewardDenomsProposal(c, key, "3", "10stake")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(p.Proposer, key.Address()) || p.Title != "T" || len(p.InitialDeposit) != 1 || p.InitialDeposit[0].String() != "10stake" {
		t.Fatalf("proposal %+v", p)
	}
	if p.Content.TypeUrl != auth.TypeURL(&registry.MsgChangeRewardDenoms{}) {
		t.Fatalf("content type %s", p.Content.TypeUrl)
	}
	var content registry.MsgChangeRewardDenoms
	if err := gogoproto.Unmarshal(p.Content.Value, &content); err != nil {
		t.Fatal(err)
	}
	same(&content, gov.ModuleAddress())
}
