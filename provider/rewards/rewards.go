// Package rewards keeps the consumers' reward pools on the provider
// (SPEC 8): the consumer-rewards pool account that consumers send their
// rewards to over ICS-20, the per-consumer accounting of what it holds,
// each consumer's allowlist of reward denominations, and the periodic
// split of a consumer's pool among the validators of its set. Its records
// live in the provider's store, under their own prefixes.
package rewards

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"math/bits"
	"strconv"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/provider/registry"
	"github.com/abci-ics/ics/provider/vsc"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/state/typed"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/coin"
	"github.com/abci-ics/ics/types/event"
	"github.com/abci-ics/ics/types/fraction"
)

// PoolName is the name of the module account that holds the
// consumers' rewards (SPEC 8) until they are distributed: consumers send
// them to its address, which the provider names in the CCV handshake.
const PoolName = "consumer_rewards_pool"

// PoolAddress returns the address of the consumer-rewards pool.
func PoolAddress() []byte { return address.Module(PoolName) }

// Payer is what the provider needs to pay the consumers' rewards out of
// the pool account: chain/distribution through the chain's staking.
//
// FundCommunityPool moves coins from the account from to the community
// pool. PayValidator moves coins from the account from to the validator
// with consensus address consAddr: its commission (commission, or the
// validator's own staking commission when commission is nil) and the rest
// to its delegators, who withdraw it as any other reward. Both write
// nothing the caller keeps on error: the caller runs them on a cache.
type Payer interface {
	FundCommunityPool(s state.Store, from []byte, coins []coin.Coin) error
	PayValidator(s state.Store, from, consAddr []byte, coins []coin.Coin, commission *fraction.Fraction) error
}

// Logger is what the keeper logs failures through.
type Logger interface {
	Error(msg string, keyvals ...any)
}

// Keeper keeps the reward pools. It holds no state of its own. Payer pays
// out of the pool account (nil leaves the coins there and refused coins
// unaccounted); Authority is the chain's governance, which may change any
// consumer's reward denominations; Logger may be nil.
type Keeper struct {
	Payer     Payer
	Authority []byte
	Logger    Logger
}

func (k *Keeper) logError(msg string, keyvals ...any) {
	if k.Logger != nil {
		k.Logger.Error(msg, keyvals...)
	}
}

func kv(s state.Store) state.KVStore { return s.KV(StoreName) }

// Denoms returns the denominations allowlisted as a consumer's
// rewards, sorted.
func (*Keeper) Denoms(s state.Store, consumerID string) []string {
	var out []string
	for _, k := range typed.Keys(kv(s), typed.Key(prefixDenom, vsc.IDPart(consumerID))) {
		out = append(out, string(k))
	}
	return out
}

// IsDenom reports whether denom is allowlisted for a consumer.
func (*Keeper) IsDenom(s state.Store, consumerID, denom string) bool {
	return kv(s).Has(DenomKey(consumerID, denom))
}

// Pool returns what the pool account holds for a consumer, by
// denomination.
func (*Keeper) Pool(s state.Store, consumerID string) []coin.Coin {
	var out []coin.Coin
	typed.Each(kv(s), typed.Key(prefixPool, vsc.IDPart(consumerID)), func(denom []byte, a coin.Amount) {
		out = append(out, coin.Coin{Denom: string(denom), Amount: a.Amount})
	})
	return out
}

// LastDistribution returns the provider height of a consumer's last
// reward distribution, 0 before the first.
func (*Keeper) LastDistribution(s state.Store, consumerID string) int64 {
	h, _ := typed.GetU64(kv(s), LastDistributionKey(consumerID))
	return int64(h)
}

func setPoolAmount(s state.Store, consumerID, denom string, v uint64) {
	key := PoolKey(consumerID, denom)
	if v == 0 {
		kv(s).Delete(key)
		return
	}
	typed.Set(kv(s), key, &coin.Amount{Amount: v})
}

func poolAmount(s state.Store, consumerID, denom string) uint64 {
	a, _ := typed.Get[coin.Amount](kv(s), PoolKey(consumerID, denom))
	return a.Amount
}

// HandleChangeRewardDenoms adds, then removes, denominations of a live
// consumer's reward allowlist; signer must be m.Owner and the consumer's
// owner or governance. Errors (package registry's): ErrInvalidConsumer,
// ErrNotOwner, ErrConsumerNotFound.
func (k *Keeper) HandleChangeRewardDenoms(s state.Store, height int64, now time.Time, signer []byte, m *registry.MsgChangeRewardDenoms) ([]abci.Event, error) {
	if err := m.ValidateBasic(); err != nil {
		return nil, err
	}
	if !bytes.Equal(signer, m.Owner) {
		return nil, fmt.Errorf("%w: signer is not the message's owner", registry.ErrNotOwner)
	}
	c, err := registry.Live(s, m.ConsumerId)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(signer, c.Owner) && !(len(k.Authority) > 0 && bytes.Equal(signer, k.Authority)) {
		return nil, fmt.Errorf("%w: consumer %s", registry.ErrNotOwner, c.ConsumerId)
	}
	for _, d := range m.Add {
		kv(s).Set(DenomKey(c.ConsumerId, d), []byte{})
	}
	for _, d := range m.Remove {
		kv(s).Delete(DenomKey(c.ConsumerId, d))
	}
	return []abci.Event{event.New("change_reward_denoms", "consumer_id", c.ConsumerId, "chain_id", c.ChainId,
		"added", joinDenoms(m.Add), "removed", joinDenoms(m.Remove))}, nil
}

func joinDenoms(ds []string) string {
	bz, _ := json.Marshal(ds)
	return string(bz)
}

// Credit accounts for coins that arrived in the pool account by an
// ICS-20 transfer over a channel of consumerID's connection ("" when the
// channel is not on a consumer's connection) with the transfer's memo.
// They are credited to the consumer's pool when the memo names that
// consumer (its id and chain id), the consumer is launched and the
// denomination is allowlisted for it; otherwise, or when the pool's
// amount would overflow, they go to the community pool. The coins are
// already in the pool account: only the accounting moves, and nothing is
// minted. It returns the event that says which; it never fails: when the
// community pool cannot take them they stay in the pool account,
// unaccounted, and the event says so.
func (k *Keeper) Credit(s state.Store, height int64, consumerID, memo string, c coin.Coin) []abci.Event {
	reason := k.rewardRefusal(s, consumerID, memo, c)
	if reason == "" {
		setPoolAmount(s, consumerID, c.Denom, poolAmount(s, consumerID, c.Denom)+c.Amount)
		return []abci.Event{event.New("consumer_rewards_credited", "consumer_id", consumerID, "amount", c.String())}
	}
	if k.Payer == nil {
		return []abci.Event{event.New("consumer_rewards_refused", "consumer_id", consumerID, "amount", c.String(), "reason", reason)}
	}
	cache := state.NewCache(s)
	if err := k.Payer.FundCommunityPool(cache, PoolAddress(), []coin.Coin{c}); err != nil {
		k.logError("consumer rewards not moved to the community pool", "amount", c.String(), "err", err)
		return []abci.Event{event.New("consumer_rewards_refused", "consumer_id", consumerID, "amount", c.String(),
			"reason", reason+"; community pool: "+err.Error())}
	}
	cache.Write()
	return []abci.Event{event.New("consumer_rewards_to_community_pool", "consumer_id", consumerID, "amount", c.String(), "reason", reason)}
}

// rewardRefusal says why coins cannot be credited to consumerID's pool,
// "" when they can.
func (k *Keeper) rewardRefusal(s state.Store, consumerID, memo string, c coin.Coin) string {
	if consumerID == "" {
		return "the channel is not on a consumer's connection"
	}
	cons, ok := registry.Get(s, consumerID)
	if !ok || !cons.Launched() {
		return "consumer " + consumerID + " is not running"
	}
	var m ccv.RewardMemo
	if err := json.Unmarshal([]byte(memo), &m); err != nil {
		return "memo is not a reward memo"
	}
	if m.Provider.ConsumerID != consumerID || m.Provider.ChainID != cons.ChainId {
		return fmt.Sprintf("memo names consumer %q chain %q, the channel is consumer %s's", m.Provider.ConsumerID, m.Provider.ChainID, consumerID)
	}
	if !k.IsDenom(s, consumerID, c.Denom) {
		return "denomination " + c.Denom + " is not allowlisted"
	}
	if _, carry := bits.Add64(poolAmount(s, consumerID, c.Denom), c.Amount, 0); carry != 0 {
		return "the consumer's pool would overflow"
	}
	return ""
}

// Share is what one validator of a consumer's set is given.
type Share struct {
	ProviderAddr []byte
	Coins        []coin.Coin
}

// Split splits pool among the members of a consumer's set in
// proportion to their power: in each denomination a member with power p
// of total power P gets floor(amount*p/P). It returns the shares of the
// members that get anything, in the set's order, and what stays in the
// pool. Members without positive power get nothing; without any power
// everything stays.
func Split(pool []coin.Coin, set []vsc.Member) ([]Share, []coin.Coin) {
	total := new(big.Int)
	for _, m := range set {
		if m.Power > 0 {
			total.Add(total, big.NewInt(m.Power))
		}
	}
	rest := append([]coin.Coin(nil), pool...)
	if total.Sign() == 0 {
		return nil, rest
	}
	var shares []Share
	for _, m := range set {
		if m.Power <= 0 {
			continue
		}
		var cs []coin.Coin
		for i, c := range pool {
			x := new(big.Int).SetUint64(c.Amount)
			x.Mul(x, big.NewInt(m.Power)).Quo(x, total)
			if v := x.Uint64(); v > 0 { // at most c.Amount
				cs = append(cs, coin.Coin{Denom: c.Denom, Amount: v})
				rest[i].Amount -= v
			}
		}
		if len(cs) > 0 {
			shares = append(shares, Share{ProviderAddr: m.ProviderAddr, Coins: cs})
		}
	}
	out := rest[:0]
	for _, c := range rest {
		if c.Amount > 0 {
			out = append(out, c)
		}
	}
	return shares, out
}

// Due reports whether height is a distribution block of consumer c: it
// is launched, and height is a positive multiple of its own
// BlocksPerDistributionTransmission after its launch height.
func Due(c registry.Consumer, height int64) bool {
	every := c.Init.Params.BlocksPerDistributionTransmission
	return c.Launched() && every > 0 && height > c.LaunchHeight && (height-c.LaunchHeight)%every == 0
}

// Distribute pays out consumer c's pool at one of its distribution blocks
// (Due): the pool is split among the members of the consumer's current
// set (see Split), each paid with its consumer commission when it set
// one. When a payment fails the consumer keeps its whole pool, and the
// error is logged.
func (k *Keeper) Distribute(s state.Store, height int64, c registry.Consumer, set []vsc.Member) []abci.Event {
	if k.Payer == nil {
		return nil
	}
	cache := state.NewCache(s)
	evs, err := k.distribute(cache, height, c, set)
	if err != nil {
		k.logError("consumer rewards not distributed", "consumer_id", c.ConsumerId, "err", err)
		return nil
	}
	cache.Write()
	return evs
}

// distribute pays out one consumer's pool to the members of its set.
func (k *Keeper) distribute(s state.Store, height int64, c registry.Consumer, set []vsc.Member) ([]abci.Event, error) {
	kv(s).Set(LastDistributionKey(c.ConsumerId), typed.U64(uint64(height)))
	pool := k.Pool(s, c.ConsumerId)
	if len(pool) == 0 {
		return nil, nil
	}
	shares, rest := Split(pool, set)
	for _, sh := range shares {
		var comm *fraction.Fraction
		if f, ok := registry.Commission(s, c.ConsumerId, sh.ProviderAddr); ok {
			comm = &f
		}
		if err := k.Payer.PayValidator(s, PoolAddress(), sh.ProviderAddr, sh.Coins, comm); err != nil {
			return nil, fmt.Errorf("pay %X: %w", sh.ProviderAddr, err)
		}
	}
	left := map[string]uint64{}
	for _, r := range rest {
		left[r.Denom] = r.Amount
	}
	var paid []coin.Coin
	for _, p := range pool {
		setPoolAmount(s, c.ConsumerId, p.Denom, left[p.Denom])
		if d := p.Amount - left[p.Denom]; d > 0 {
			paid = append(paid, coin.Coin{Denom: p.Denom, Amount: d})
		}
	}
	if len(paid) == 0 {
		return nil, nil
	}
	coin.SortCoins(paid)
	return []abci.Event{event.New("consumer_rewards_distributed", "consumer_id", c.ConsumerId, "chain_id", c.ChainId,
		"amount", coin.FormatCoins(paid), "validators", strconv.Itoa(len(shares)))}, nil
}

// Drain moves what is left of a consumer's pool to the community
// pool when its state is deleted. Without a Payer, or when that fails,
// the records stay, so the coins stay accounted for.
func (k *Keeper) Drain(s state.Store, consumerID string) {
	pool := k.Pool(s, consumerID)
	if len(pool) == 0 || k.Payer == nil {
		return
	}
	cache := state.NewCache(s)
	if err := k.Payer.FundCommunityPool(cache, PoolAddress(), pool); err != nil {
		k.logError("consumer rewards pool not emptied", "consumer_id", consumerID, "err", err)
		return
	}
	typed.DeletePrefix(kv(cache), typed.Key(prefixPool, vsc.IDPart(consumerID)))
	cache.Write()
}

// StoreName is the store the pools' records live in: the provider's.
const StoreName = "provider"

// Key prefixes of the pools' records in the provider store. They are
// frozen: a test checks them, and package provider's that no prefix is
// used twice.
const (
	prefixDenom            byte = 0x17 // | consumer | denom -> empty
	prefixPool             byte = 0x18 // | consumer | denom -> coin.Amount
	prefixLastDistribution byte = 0x19 // | consumer -> height, 8 bytes
)

// Prefixes returns every prefix of the package.
func Prefixes() []byte { return []byte{prefixDenom, prefixPool, prefixLastDistribution} }

// ConsumerPrefixes returns the prefixes deleted with a consumer's state.
// Its pool is not among them: Drain empties it first.
func ConsumerPrefixes() []byte { return []byte{prefixDenom, prefixLastDistribution} }

// DenomKey returns the key marking denom allowlisted as a consumer's
// rewards.
func DenomKey(consumerID, denom string) []byte {
	return typed.Key(prefixDenom, vsc.IDPart(consumerID), []byte(denom))
}

// PoolKey returns the key of a consumer's reward pool in denom.
func PoolKey(consumerID, denom string) []byte {
	return typed.Key(prefixPool, vsc.IDPart(consumerID), []byte(denom))
}

// LastDistributionKey returns the key of the height of a consumer's last
// reward distribution.
func LastDistributionKey(consumerID string) []byte {
	return typed.Key(prefixLastDistribution, vsc.IDPart(consumerID))
}
