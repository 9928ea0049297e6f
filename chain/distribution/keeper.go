package distribution

import (
	"fmt"
	"maps"
	"math/big"
	"math/bits"
	"slices"

	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/state/typed"
	"github.com/abci-ics/ics/types/coin"
	"github.com/abci-ics/ics/types/fraction"
)

// Bank is what distribution needs of the bank. bank.Keeper satisfies it.
type Bank interface {
	// Balances returns all of addr's non-zero balances, sorted by
	// denomination.
	Balances(s state.Store, addr []byte) []coin.Coin
	// Send moves coins from one address to another. On error the caller
	// discards the store it passed.
	Send(s state.Store, from, to []byte, coins []coin.Coin) error
	// Mint creates coins in addr's balance and adds them to the supply.
	Mint(s state.Store, addr []byte, coins []coin.Coin) error
}

// Validator is a bonded validator as the distribution sees it.
type Validator struct {
	// Operator is the validator's address: commission is paid to it and it
	// names the validator in delegations.
	Operator []byte
	// Tokens is the validator's bonded stake: its share of every block's
	// rewards is proportional to it.
	Tokens uint64
	// DelegatorShares is the sum of the shares of all its delegations.
	DelegatorShares uint64
	// Commission is the fraction of its rewards the validator keeps.
	Commission fraction.Fraction
}

// Staking is the view of the stake that rewards follow.
//
// The staking module must call BeforeDelegationSharesModified before it
// changes the shares of an existing delegation (delegate more, undelegate,
// redelegate away), AfterDelegationModified after it created a delegation
// or changed or removed its shares, and AfterValidatorRemoved after it
// deleted a validator, which it does only once no delegation to it is
// left. Slashing changes tokens, not shares, and needs no call.
type Staking interface {
	// BondedValidators returns every bonded validator once, sorted by
	// operator address. The sum of their tokens must fit in a uint64.
	BondedValidators(s state.Store) []Validator
	// Delegation returns the shares delegator holds of validator and
	// whether the delegation exists.
	Delegation(s state.Store, delegator, validator []byte) (shares uint64, found bool)
}

// Keeper distributes fees and inflation over the distribution store. It
// holds no state of its own. Prefix is the chain's bech32 prefix, used in
// events.
type Keeper struct {
	Bank    Bank
	Staking Staking
	Prefix  string
}

// Scale is the fixed-point scale of reward_per_share: 10^18.
var Scale = new(big.Int).Exp(big.NewInt(10), big.NewInt(18), nil)

func kv(s state.Store) state.KVStore { return s.KV(StoreName) }

// Params returns the stored parameters. They are written at genesis; a
// missing record is a broken invariant.
func (Keeper) Params(s state.Store) Params {
	p, ok := typed.Get[Params](kv(s), []byte{keyParams})
	if !ok {
		panic("distribution: broken invariant: parameters missing from state")
	}
	return p
}

// SetParams validates and stores p. It returns ErrInvalidParams.
func (Keeper) SetParams(s state.Store, p Params) error {
	if err := p.Validate(); err != nil {
		return err
	}
	typed.Set(kv(s), []byte{keyParams}, &p)
	return nil
}

// amounts: community pool and commission balances, one key per denom.

func getAmount(st state.KVStore, key []byte) uint64 {
	a, _ := typed.Get[Amount](st, key)
	return a.Amount
}

func setAmount(st state.KVStore, key []byte, v uint64) {
	if v == 0 {
		st.Delete(key)
		return
	}
	typed.Set(st, key, &Amount{Amount: v})
}

func addAmount(st state.KVStore, key []byte, v uint64) error {
	if v == 0 {
		return nil
	}
	sum, carry := bits.Add64(getAmount(st, key), v, 0)
	if carry != 0 {
		return fmt.Errorf("%w: under key %x", ErrOverflow, key)
	}
	setAmount(st, key, sum)
	return nil
}

func coins(st state.KVStore, prefix []byte) []coin.Coin {
	var out []coin.Coin
	typed.Each(st, prefix, func(rest []byte, a Amount) {
		out = append(out, coin.Coin{Denom: string(rest), Amount: a.Amount})
	})
	return out
}

// CommunityPool returns the community pool, sorted by denomination.
func (Keeper) CommunityPool(s state.Store) []coin.Coin {
	return coins(kv(s), []byte{prefixCommunityPool})
}

// Commission returns validator's accumulated commission, sorted by
// denomination.
func (Keeper) Commission(s state.Store, validator []byte) []coin.Coin {
	return coins(kv(s), validatorPrefix(prefixCommission, validator))
}

// OutstandingRewards returns what validator's delegators have been
// allocated and not yet withdrawn, rounding dust included.
func (Keeper) OutstandingRewards(s state.Store, validator []byte) []coin.Coin {
	var out []coin.Coin
	typed.Each(kv(s), validatorPrefix(prefixValidatorRewards, validator), func(rest []byte, vr ValidatorRewards) {
		if vr.Outstanding > 0 {
			out = append(out, coin.Coin{Denom: string(rest), Amount: vr.Outstanding})
		}
	})
	return out
}

// SpendCommunityPool pays coins from the community pool to recipient, for
// example from a governance proposal. It returns ErrInsufficientPool when
// the pool lacks any of them.
func (k Keeper) SpendCommunityPool(s state.Store, recipient []byte, cs []coin.Coin) error {
	if err := coin.ValidateCoins(cs); err != nil {
		return err
	}
	st := kv(s)
	for _, c := range cs {
		have := getAmount(st, CommunityPoolKey(c.Denom))
		if have < c.Amount {
			return fmt.Errorf("%w: have %d%s, need %s", ErrInsufficientPool, have, c.Denom, c)
		}
		setAmount(st, CommunityPoolKey(c.Denom), have-c.Amount)
	}
	return k.Bank.Send(s, moduleAddr, recipient, cs)
}

// big integers are stored as decimal strings.

func parseBig(s string, what string) *big.Int {
	if s == "" {
		return new(big.Int)
	}
	b, ok := new(big.Int).SetString(s, 10)
	if !ok || b.Sign() < 0 {
		panic(fmt.Sprintf("distribution: corrupt %s %q", what, s))
	}
	return b
}

// validatorRewards returns validator's accumulators, sorted by denom.
func validatorRewards(st state.KVStore, validator []byte) (denoms []string, vrs []ValidatorRewards) {
	typed.Each(st, validatorPrefix(prefixValidatorRewards, validator), func(rest []byte, vr ValidatorRewards) {
		denoms = append(denoms, string(rest))
		vrs = append(vrs, vr)
	})
	return denoms, vrs
}

// CheckInvariant returns ErrBrokenInvariant unless the module account
// holds, in every denomination, exactly the community pool plus every
// validator's commission and outstanding rewards.
func (k Keeper) CheckInvariant(s state.Store) error {
	want := map[string]*big.Int{}
	add := func(denom string, v uint64) {
		if want[denom] == nil {
			want[denom] = new(big.Int)
		}
		want[denom].Add(want[denom], new(big.Int).SetUint64(v))
	}
	st := kv(s)
	for _, c := range k.CommunityPool(s) {
		add(c.Denom, c.Amount)
	}
	typed.Each(st, []byte{prefixCommission}, func(rest []byte, a Amount) {
		add(string(rest[1+int(rest[0]):]), a.Amount)
	})
	typed.Each(st, []byte{prefixValidatorRewards}, func(rest []byte, vr ValidatorRewards) {
		add(string(rest[1+int(rest[0]):]), vr.Outstanding)
	})
	have := map[string]bool{}
	for _, c := range k.Bank.Balances(s, moduleAddr) {
		have[c.Denom] = true
		if w := want[c.Denom]; w == nil || !w.IsUint64() || w.Uint64() != c.Amount {
			return fmt.Errorf("%w: module account holds %s, owes %v%s", ErrBrokenInvariant, c, w, c.Denom)
		}
	}
	for _, d := range slices.Sorted(maps.Keys(want)) {
		if !have[d] && want[d].Sign() != 0 {
			return fmt.Errorf("%w: module account holds no %s, owes %v", ErrBrokenInvariant, d, want[d])
		}
	}
	return nil
}
