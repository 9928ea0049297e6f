package slashing

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	dbm "github.com/cosmos/cosmos-db"

	"github.com/abci-ics/ics/chain/bank"
	"github.com/abci-ics/ics/chain/staking"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/coin"
	"github.com/abci-ics/ics/types/fraction"
)

var genesisTime = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// testParams are small parameters that tests can drive through quickly.
func testParams() staking.Params {
	p := staking.DefaultParams()
	p.UnbondingPeriod = 100 * time.Second
	p.MaxValidators = 3
	p.PowerReduction = 10
	p.SignedBlocksWindow = 10
	p.DowntimeJailDuration = 60 * time.Second
	return p
}

// fixture is a chain with a bank, staking and slashing over a memdb
// multistore, and a model of CometBFT's validator set.
type fixture struct {
	t      *testing.T
	ms     *state.MultiStore
	s      state.Store
	bank   bank.Keeper
	st     *staking.Keeper
	k      Keeper
	height int64
	now    time.Time
	supply uint64 // initial supply of the bond denomination
	burned uint64 // burns reported by slash events
	set    map[string]int64
}

func acct(i int) []byte   { return address.Module(fmt.Sprintf("account-%d", i)) }
func pubKey(i int) []byte { h := sha256.Sum256([]byte(fmt.Sprintf("key-%d", i))); return h[:] }

// newFixture funds n accounts with balance each and writes the staking
// parameters.
func newFixture(t *testing.T, p staking.Params, n int, balance uint64) *fixture {
	t.Helper()
	ms, err := state.Open(dbm.NewMemDB(), []string{bank.StoreName, staking.StoreName}, state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ms.Close() })
	f := &fixture{t: t, ms: ms, s: ms.Working(), bank: bank.Keeper{Prefix: "ics"}, height: 1, now: genesisTime, set: map[string]int64{}}
	f.st = &staking.Keeper{Bank: f.bank, Prefix: "ics"}
	f.k = Keeper{Staking: f.st, Prefix: "ics"}
	for i := 0; i < n; i++ {
		if err := f.bank.Mint(f.s, acct(i), []coin.Coin{{Denom: p.BondDenom, Amount: balance}}); err != nil {
			t.Fatal(err)
		}
	}
	f.supply = uint64(n) * balance
	if err := f.st.SetParams(f.s, p); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) params() staking.Params { return f.st.Params(f.s) }

func (f *fixture) createValidator(i int, self uint64) []byte {
	f.t.Helper()
	m := &staking.MsgCreateValidator{Operator: acct(i), PubKey: pubKey(i), Moniker: fmt.Sprintf("val-%d", i),
		CommissionRate: fraction.New(1, 10), CommissionMaxRate: fraction.New(1, 5), SelfDelegation: self}
	if _, err := f.st.CreateValidator(f.s, f.height, f.now, acct(i), m); err != nil {
		f.t.Fatalf("create validator %d: %v", i, err)
	}
	return acct(i)
}

// endBlock runs staking's EndBlock, applies its updates to the model set,
// checks that the supply only shrank by the reported burns, and moves to
// the next block after dt.
func (f *fixture) endBlock(dt time.Duration) []abci.ValidatorUpdate {
	f.t.Helper()
	ups, _, err := f.st.EndBlock(f.s, f.height, f.now)
	if err != nil {
		f.t.Fatalf("end block %d: %v", f.height, err)
	}
	for _, u := range ups {
		if u.Power == 0 {
			delete(f.set, string(u.PubKey.GetEd25519()))
		} else {
			f.set[string(u.PubKey.GetEd25519())] = u.Power
		}
	}
	f.check()
	f.height++
	f.now = f.now.Add(dt)
	return ups
}

func (f *fixture) check() {
	f.t.Helper()
	if supply := f.bank.Supply(f.s, f.params().BondDenom); supply+f.burned != f.supply {
		f.t.Fatalf("supply %d + burned %d != initial %d", supply, f.burned, f.supply)
	}
}

// checkSet asserts that the model set is the top MaxValidators of the
// validators that are neither jailed nor tombstoned.
func (f *fixture) checkSet() {
	f.t.Helper()
	p := f.params()
	var vs []staking.Validator
	for _, v := range f.st.Validators(f.s) {
		if !v.Jailed && !v.Tombstoned && v.ConsensusPower(p.PowerReduction) > 0 {
			vs = append(vs, v)
		}
	}
	sort.SliceStable(vs, func(i, j int) bool {
		pi, pj := vs[i].ConsensusPower(p.PowerReduction), vs[j].ConsensusPower(p.PowerReduction)
		return pi > pj || pi == pj && bytes.Compare(vs[i].Operator, vs[j].Operator) < 0
	})
	want := map[string]int64{}
	for i, v := range vs {
		if i < int(p.MaxValidators) {
			want[string(v.PubKey)] = v.ConsensusPower(p.PowerReduction)
		}
	}
	if fmt.Sprint(want) != fmt.Sprint(f.set) {
		f.t.Fatalf("set %v, want %v", f.set, want)
	}
}

// vote builds a commit vote of validator i.
func vote(i int, power int64, signed bool) abci.VoteInfo {
	flag := cmtproto.BlockIDFlagAbsent
	if signed {
		flag = cmtproto.BlockIDFlagCommit
	}
	return abci.VoteInfo{Validator: abci.Validator{Address: staking.ConsAddress(pubKey(i)), Power: power}, BlockIdFlag: flag}
}

// beginBlock runs BeginBlock and accounts for the tokens its slashes burn.
func (f *fixture) beginBlock(votes []abci.VoteInfo, mis ...abci.Misbehavior) []abci.Event {
	f.t.Helper()
	evs, err := f.k.BeginBlock(f.s, f.height, f.now, abci.CommitInfo{Votes: votes}, mis)
	if err != nil {
		f.t.Fatalf("begin block %d: %v", f.height, err)
	}
	for _, ev := range evs {
		for _, a := range ev.Attributes {
			if ev.Type == "slash" && a.Key == "burned" {
				n, err := strconv.ParseUint(strings.TrimSuffix(a.Value, f.params().BondDenom), 10, 64)
				if err != nil {
					f.t.Fatal(err)
				}
				f.burned += n
			}
		}
	}
	return evs
}

func countType(evs []abci.Event, typ string) int {
	n := 0
	for _, ev := range evs {
		if ev.Type == typ {
			n++
		}
	}
	return n
}
