package pos_test

import (
	"testing"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/crypto/ed25519"
	dbm "github.com/cosmos/cosmos-db"

	"github.com/abci-ics/ics/abci"
	"github.com/abci-ics/ics/app"
	"github.com/abci-ics/ics/app/pos"
	"github.com/abci-ics/ics/chain/auth"
	"github.com/abci-ics/ics/chain/bank"
	"github.com/abci-ics/ics/chain/staking"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/coin"
	"github.com/abci-ics/ics/types/fraction"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// fixture is proof of stake over a memdb state with two funded accounts,
// the first a genesis validator of power 100.
type fixture struct {
	t    *testing.T
	p    *pos.PoS
	s    state.Store
	keys []ed25519.PrivKey
	cons []ed25519.PrivKey
}

func newFixture(t *testing.T, dormant bool) (*fixture, []abcitypes.ValidatorUpdate) {
	ms, err := state.Open(dbm.NewMemDB(), []string{auth.StoreName, bank.StoreName, "staking", "distribution", "gov"}, state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, s: ms.Working()}
	g := app.DefaultGenesis()
	for i := 0; i < 2; i++ {
		k := ed25519.GenPrivKeyFromSecret([]byte{byte(i), 'a'})
		f.keys = append(f.keys, k)
		f.cons = append(f.cons, ed25519.GenPrivKeyFromSecret([]byte{byte(i), 'c'}))
		a := address.Encode("ics", f.addr(i))
		g.Auth.Accounts = append(g.Auth.Accounts, auth.GenesisAccount{Address: a, PubKey: k.PubKey().Bytes()})
		g.Bank.Balances = append(g.Bank.Balances, bank.GenesisBalance{Address: a, Coins: []coin.Coin{{Denom: "stake", Amount: 1_000_000_000}}})
	}
	g.Staking.Validators = []staking.GenesisValidator{{Operator: address.Encode("ics", f.addr(0)), PubKey: f.cons[0].PubKey().Bytes(), Moniker: "v0",
		CommissionRate: fraction.New(1, 10), CommissionMaxRate: fraction.New(1, 5), SelfDelegation: 100_000_000, MinSelfDelegation: 1}}
	acc := app.NewAccounts("chain-1", "ics")
	if err := acc.InitGenesis(f.s, g); err != nil {
		t.Fatal(err)
	}
	f.p = pos.New(acc)
	f.p.Dormant = dormant
	updates, err := f.p.InitGenesis(f.s, g, 1, t0)
	if err != nil {
		t.Fatal(err)
	}
	return f, updates
}

func (f *fixture) addr(i int) []byte { return address.FromPubKey(f.keys[i].PubKey().Bytes()) }

// createValidator runs account 1's MsgCreateValidator through the routes
// and the block's EndBlock, and returns EndBlock's updates.
func (f *fixture) createValidator() []abcitypes.ValidatorUpdate {
	r := app.Routes{}
	f.p.Route(r)
	m := &staking.MsgCreateValidator{Operator: f.addr(1), PubKey: f.cons[1].PubKey().Bytes(), Moniker: "v1",
		CommissionRate: fraction.New(1, 10), CommissionMaxRate: fraction.New(1, 5), SelfDelegation: 50_000_000, MinSelfDelegation: 1}
	bz, err := m.Marshal()
	if err != nil {
		f.t.Fatal(err)
	}
	b := abci.Block{Height: 2, Time: t0.Add(time.Second)}
	if _, err := r[auth.TypeURL(m)](f.s, b, f.addr(1), bz); err != nil {
		f.t.Fatal(err)
	}
	updates, _, _, err := f.p.EndBlock(f.s, b)
	if err != nil {
		f.t.Fatal(err)
	}
	return updates
}

// doubleSign runs a BeginBlock with a double vote of validator 0.
func (f *fixture) doubleSign() {
	b := abci.Block{Height: 3, Time: t0.Add(2 * time.Second), Misbehavior: []abcitypes.Misbehavior{{
		Type: abcitypes.MisbehaviorType_DUPLICATE_VOTE, Height: 2, Time: t0.Add(time.Second),
		Validator: abcitypes.Validator{Address: f.cons[0].PubKey().Address(), Power: 100},
	}}}
	if _, err := f.p.BeginBlock(f.s, b); err != nil {
		f.t.Fatal(err)
	}
}

// TestDormant: dormant proof of stake keeps staking's bonded set (a new
// validator is bonded) but returns no validator updates and runs no
// slashing; active, the same steps update CometBFT and tombstone a double
// signer.
func TestDormant(t *testing.T) {
	for _, dormant := range []bool{true, false} {
		f, genesis := newFixture(t, dormant)
		if len(genesis) != 1 {
			t.Fatalf("dormant %t: genesis updates %v", dormant, genesis)
		}
		updates := f.createValidator()
		if got := len(f.p.Staking.BondedValidators(f.s)); got != 2 {
			t.Fatalf("dormant %t: %d bonded validators, want 2", dormant, got)
		}
		if dormant != (len(updates) == 0) {
			t.Fatalf("dormant %t: updates %v", dormant, updates)
		}
		f.doubleSign()
		v, _ := f.p.Staking.Validator(f.s, f.addr(0))
		if v.Tombstoned == dormant {
			t.Fatalf("dormant %t: validator 0 tombstoned %t", dormant, v.Tombstoned)
		}
	}
}

// TestParamSpace: a parameter space sets one field of a module's
// parameters from its proto3 JSON, validated by the module, and refuses
// unknown fields.
func TestParamSpace(t *testing.T) {
	f, _ := newFixture(t, true)
	set := pos.ParamSpace(f.p.Staking.Params, f.p.Staking.SetParams)
	if err := set(f.s, "max_validators", "7"); err != nil {
		t.Fatal(err)
	}
	if p := f.p.Staking.Params(f.s); p.MaxValidators != 7 || p.PowerReduction != 1_000_000 {
		t.Fatalf("params after the change: %+v", p)
	}
	for _, c := range [][2]string{{"no_such_key", "1"}, {"max_validators", "seven"}, {"max_validators", "0"}} {
		if err := set(f.s, c[0], c[1]); err == nil {
			t.Fatalf("%s = %s was set", c[0], c[1])
		}
	}
}
