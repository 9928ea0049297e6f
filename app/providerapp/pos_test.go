package providerapp_test

import (
	"testing"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/crypto/ed25519"
	dbm "github.com/cosmos/cosmos-db"
	gogoproto "github.com/cosmos/gogoproto/proto"

	"github.com/abci-ics/ics/app"
	"github.com/abci-ics/ics/app/pos"
	"github.com/abci-ics/ics/chain/auth"
	"github.com/abci-ics/ics/chain/bank"
	"github.com/abci-ics/ics/chain/distribution"
	"github.com/abci-ics/ics/chain/gov"
	"github.com/abci-ics/ics/chain/staking"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/coin"
	"github.com/abci-ics/ics/types/fraction"
)

// posChain is a chain with three genesis validators (accounts 0-2, each
// bonding 100 power) and a fourth funded account.
func posChain(t *testing.T) (*chain, []ed25519.PrivKey) {
	keys := testKeys(4)
	cons := make([]ed25519.PrivKey, 3)
	g := app.DefaultGenesis()
	g.Gov.Params.VotingPeriod = int64(10 * time.Second)
	g.Gov.Params.MaxDepositPeriod = int64(10 * time.Second)
	for i, k := range keys {
		a := address.Encode("ics", addr(k))
		g.Auth.Accounts = append(g.Auth.Accounts, auth.GenesisAccount{Address: a, PubKey: k.PubKey().Bytes()})
		g.Bank.Balances = append(g.Bank.Balances, bank.GenesisBalance{Address: a, Coins: []coin.Coin{stake(1_000_000_000)}})
		if i < 3 {
			cons[i] = ed25519.GenPrivKeyFromSecret([]byte{byte(i), 'c'})
			g.Staking.Validators = append(g.Staking.Validators, staking.GenesisValidator{
				Operator: a, PubKey: cons[i].PubKey().Bytes(), Moniker: "v",
				CommissionRate: fraction.New(1, 10), CommissionMaxRate: fraction.New(1, 5),
				SelfDelegation: 100_000_000, MinSelfDelegation: 1,
			})
		}
	}
	appState, err := g.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	c := &chain{t: t, db: dbm.NewMemDB(), keys: keys, nonces: map[string]uint64{}, hashes: map[int64][]byte{}}
	c.open()
	res, err := c.app.InitChain(ctx, &abcitypes.RequestInitChain{ChainId: chainID, InitialHeight: 1, AppStateBytes: appState, Time: time.Unix(0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Validators) != 3 || res.Validators[0].Power != 100 {
		t.Fatalf("initial validators %+v", res.Validators)
	}
	return c, cons
}

func (c *chain) tx(from int, msgs ...gogoproto.Message) []byte {
	k := c.keys[from]
	body := auth.TxBody{ChainId: chainID, Nonce: c.nonces[string(addr(k))], Fee: stake(10)}
	for _, m := range msgs {
		a, err := auth.NewAny(m)
		if err != nil {
			c.t.Fatal(err)
		}
		body.Msgs = append(body.Msgs, a)
	}
	c.nonces[string(addr(k))]++
	return sign(c.t, k, &body)
}

func (c *chain) mustBlock(txs ...[]byte) *abcitypes.ResponseFinalizeBlock {
	c.t.Helper()
	resp := c.finalize(txs...)
	for i, r := range resp.TxResults {
		if r.Code != 0 {
			c.t.Fatalf("height %d tx %d: code %d %s", c.height, i, r.Code, r.Log)
		}
	}
	if _, err := c.app.Commit(ctx, &abcitypes.RequestCommit{}); err != nil {
		c.t.Fatal(err)
	}
	return resp
}

func (c *chain) supply() uint64 {
	var s app.CoinJSON
	c.query(app.PathSupply+"/stake", &s)
	return s.Amount
}

// TestProofOfStake drives delegation, rewards and a governance parameter
// change through the application.
func TestProofOfStake(t *testing.T) {
	c, _ := posChain(t)
	supply := c.supply // before the first block the query is refused
	c.mustBlock()
	total := supply()

	// A delegation is a validator update in the same block's response.
	resp := c.mustBlock(c.tx(3, &staking.MsgDelegate{Delegator: addr(c.keys[3]), Validator: addr(c.keys[1]), Amount: 50_000_000}))
	if len(resp.ValidatorUpdates) != 1 || resp.ValidatorUpdates[0].Power != 150 {
		t.Fatalf("validator updates %+v", resp.ValidatorUpdates)
	}

	// Fees are distributed; the delegator withdraws its rewards.
	for i := 0; i < 3; i++ {
		c.mustBlock(c.send(0, addr(c.keys[2]), stake(1)), c.send(2, addr(c.keys[0]), stake(1)))
	}
	var rewards []distribution.DelegationRewards
	c.query(pos.PathRewards+address.Encode("ics", addr(c.keys[3])), &rewards)
	if len(rewards) != 1 || len(rewards[0].Rewards) == 0 || rewards[0].Rewards[0].Amount == 0 {
		t.Fatalf("rewards %+v", rewards)
	}
	before := c.balance(addr(c.keys[3]), "stake")
	c.mustBlock(c.tx(3, &distribution.MsgWithdrawRewards{Delegator: addr(c.keys[3]), Validator: addr(c.keys[1])}))
	if got := c.balance(addr(c.keys[3]), "stake"); got+10 <= before {
		t.Fatalf("withdrawal paid nothing: %d -> %d", before, got)
	}
	if got := supply(); got != total {
		t.Fatalf("supply %d, want %d", got, total)
	}

	// A parameter change passes with the validators' votes.
	change, _ := gogoproto.Marshal(&gov.ParamChangeProposal{Changes: []gov.ParamChange{{Module: "staking", Key: "max_validators", Value: "2"}}})
	c.mustBlock(c.tx(0, &gov.MsgSubmitProposal{Proposer: addr(c.keys[0]), Content: gov.Content{TypeUrl: gov.ParamChangeTypeURL, Value: change},
		InitialDeposit: []coin.Coin{stake(10_000_000)}, Title: "two validators"}))
	c.mustBlock(
		c.tx(0, &gov.MsgVote{Voter: addr(c.keys[0]), ProposalId: 1, Option: gov.OptionYes}),
		c.tx(1, &gov.MsgVote{Voter: addr(c.keys[1]), ProposalId: 1, Option: gov.OptionYes}),
	)
	var updates []abcitypes.ValidatorUpdate
	for i := 0; i < 12; i++ { // blocks are a second apart
		updates = append(updates, c.mustBlock().ValidatorUpdates...)
	}
	var p gov.Proposal
	c.query(pos.PathProposal+"1", &p)
	if p.Status != gov.StatusPassed {
		t.Fatalf("proposal status %v", p.Status)
	}
	var params staking.Params
	c.query(pos.PathStakingParams, &params)
	if params.MaxValidators != 2 {
		t.Fatalf("max validators %d", params.MaxValidators)
	}
	if len(updates) != 1 || updates[0].Power != 0 {
		t.Fatalf("updates after the change %+v", updates)
	}
	if got := supply(); got != total {
		t.Fatalf("supply %d, want %d", got, total)
	}
}
