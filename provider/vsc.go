package provider

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"sort"
	"strconv"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/crypto/ed25519"
	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"

	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/types/address"
)

// Member is one validator of a consumer's validator set: the provider
// validator, the key it validates the consumer with, and its power.
type Member struct {
	ProviderAddr []byte
	ConsumerKey  []byte
	Power        int64
}

func pubKey(bz []byte) (ed25519.PubKey, error) {
	if len(bz) != ed25519.PubKeySize {
		return nil, fmt.Errorf("%w: %d bytes, want %d", ErrInvalidConsumerKey, len(bz), ed25519.PubKeySize)
	}
	return ed25519.PubKey(bz), nil
}

// consumerAddr returns the consensus address of a consumer key.
func consumerAddr(consumerKey []byte) []byte { return ed25519.PubKey(consumerKey).Address() }

// VSCID returns the id the next validator set change will carry.
func (*Keeper) VSCID(s state.Store) uint64 {
	bz := kv(s).Get([]byte{keyVSCID})
	if len(bz) != 8 {
		return 1
	}
	return binary.BigEndian.Uint64(bz)
}

// VSCHeight returns the provider height a vsc id maps to.
func (*Keeper) VSCHeight(s state.Store, vscID uint64) (int64, bool) {
	bz := kv(s).Get(vscHeightKey(vscID))
	if len(bz) != 8 {
		return 0, false
	}
	return int64(binary.BigEndian.Uint64(bz)), true
}

// ValidatorSet returns the validator set last computed for a consumer (the
// one it runs, or will run once the pending changes reach it), by
// provider address.
func (*Keeper) ValidatorSet(s state.Store, chainID string) []Member {
	p := key(prefixValidator, chainPart(chainID))
	it := kv(s).Iterator(p, state.PrefixEnd(p))
	defer it.Close()
	var out []Member
	for ; it.Valid(); it.Next() {
		var v ConsumerValidator
		mustUnmarshal(&v, it.Value(), "consumer validator")
		out = append(out, Member{ProviderAddr: bytes.Clone(it.Key()[len(p):]), ConsumerKey: v.ConsumerKey, Power: v.Power})
	}
	return out
}

// nextSet computes a consumer's next validator set from the provider's
// bonded validators, by provider address.
func (k *Keeper) nextSet(s state.Store, chainID string, bonded []Validator) []Member {
	assigned := map[string][]byte{}
	for _, a := range k.Assignments(s, chainID) {
		assigned[string(a.ProviderAddr)] = a.ConsumerKey
	}
	var set []Member
	for _, v := range bonded {
		if v.Jailed || v.Tombstoned || v.Power <= 0 {
			continue
		}
		key, ok := assigned[string(v.ConsAddr)]
		if !ok {
			key = v.PubKey
		}
		set = append(set, Member{ProviderAddr: v.ConsAddr, ConsumerKey: key, Power: v.Power})
	}
	sort.Slice(set, func(i, j int) bool { return bytes.Compare(set[i].ProviderAddr, set[j].ProviderAddr) < 0 })
	return set
}

// storeSet turns a consumer's stored validator set old into next, writing
// only what changed, and keeps the consumer-address index: keys in the set
// map to their validator, keys that left it keep mapping for one provider
// unbonding period.
func (k *Keeper) storeSet(s state.Store, chainID string, old, next []Member, now time.Time) {
	st := kv(s)
	inUse := map[string]bool{}
	nextBy := map[string]Member{}
	for _, m := range next {
		inUse[string(m.ConsumerKey)] = true
		nextBy[string(m.ProviderAddr)] = m
	}
	oldBy := map[string]Member{}
	prune := now.Add(k.Unbonding.UnbondingPeriod(s)).UnixNano()
	for _, m := range old {
		oldBy[string(m.ProviderAddr)] = m
		if _, ok := nextBy[string(m.ProviderAddr)]; !ok {
			st.Delete(ValidatorKey(chainID, m.ProviderAddr))
		}
		if !inUse[string(m.ConsumerKey)] {
			addr := consumerAddr(m.ConsumerKey)
			st.Set(KeyOwnerKey(chainID, addr), mustMarshal(&KeyOwner{ProviderAddr: m.ProviderAddr, ConsumerKey: m.ConsumerKey, PruneTime: prune}))
			st.Set(keyPruneKey(chainID, prune, addr), []byte{})
		}
	}
	for _, m := range next {
		was, ok := oldBy[string(m.ProviderAddr)]
		if ok && was.Power == m.Power && bytes.Equal(was.ConsumerKey, m.ConsumerKey) {
			continue
		}
		st.Set(ValidatorKey(chainID, m.ProviderAddr), mustMarshal(&ConsumerValidator{ConsumerKey: m.ConsumerKey, Power: m.Power}))
		if ok && bytes.Equal(was.ConsumerKey, m.ConsumerKey) {
			continue // same key, new power: its owner entry stands
		}
		addr := consumerAddr(m.ConsumerKey)
		if owner, ok := k.KeyOwner(s, chainID, addr); ok && owner.PruneTime != 0 {
			st.Delete(keyPruneKey(chainID, owner.PruneTime, addr))
		}
		st.Set(KeyOwnerKey(chainID, addr), mustMarshal(&KeyOwner{ProviderAddr: m.ProviderAddr, ConsumerKey: m.ConsumerKey}))
	}
}

// diff returns the updates that turn old into next, keyed by consumer key
// and sorted by it: a key that leaves gets power 0, and a key that is both
// left and entered keeps its new power, so no key appears twice.
func diff(old, next []Member) []ccv.ValidatorUpdate {
	powers := map[string]int64{}
	for _, m := range old {
		powers[string(m.ConsumerKey)] = 0
	}
	oldPower := map[string]int64{}
	for _, m := range old {
		oldPower[string(m.ConsumerKey)] = m.Power
	}
	for _, m := range next {
		powers[string(m.ConsumerKey)] = m.Power
	}
	keys := make([]string, 0, len(powers))
	for ck, p := range powers {
		if was, ok := oldPower[ck]; ok && was == p {
			continue
		}
		keys = append(keys, ck)
	}
	sort.Strings(keys)
	out := make([]ccv.ValidatorUpdate, len(keys))
	for i, ck := range keys {
		out[i] = ccv.ValidatorUpdate{PubKey: []byte(ck), Power: powers[ck]}
	}
	return out
}

// queueVSC computes a consumer's next validator set and queues a VSC
// packet with id vscID when the set changed, slash acknowledgements wait,
// or the consumer holds unbonding entries under vscID (they are released
// only when a VSC with id vscID or later matures).
func (k *Keeper) queueVSC(s state.Store, chainID string, vscID uint64, bonded []Validator, now time.Time) bool {
	next := k.nextSet(s, chainID, bonded)
	old := k.ValidatorSet(s, chainID)
	updates := diff(old, next)
	acks := k.takeSlashAcks(s, chainID)
	if len(updates) == 0 && len(acks) == 0 && !k.holdsUnder(s, chainID, vscID) {
		return false
	}
	k.storeSet(s, chainID, old, next, now)
	data := ccv.ValidatorSetChangePacketData{ValidatorUpdates: updates, ValsetUpdateID: vscID, SlashAcks: acks}
	kv(s).Set(PendingVSCKey(chainID, vscID), data.Bytes())
	return true
}

// takeSlashAcks returns and clears the consumer addresses whose slash
// packets were handled since the last VSC, as bech32 consensus addresses.
func (k *Keeper) takeSlashAcks(s state.Store, chainID string) []string {
	p := key(prefixSlashAck, chainPart(chainID))
	st := kv(s)
	it := st.Iterator(p, state.PrefixEnd(p))
	var keys [][]byte
	var acks []string
	for ; it.Valid(); it.Next() {
		keys = append(keys, bytes.Clone(it.Key()))
		acks = append(acks, address.Encode(k.Prefix+"valcons", it.Key()[len(p):]))
	}
	it.Close()
	for _, key := range keys {
		st.Delete(key)
	}
	return acks
}

// PendingVSCs returns the VSC packets queued for a consumer and not yet
// sent, by vsc id.
func (*Keeper) PendingVSCs(s state.Store, chainID string) []ccv.ValidatorSetChangePacketData {
	p := key(prefixPendingVSC, chainPart(chainID))
	it := kv(s).Iterator(p, state.PrefixEnd(p))
	defer it.Close()
	var out []ccv.ValidatorSetChangePacketData
	for ; it.Valid(); it.Next() {
		d, err := ccv.DecodeValidatorSetChange(it.Value())
		if err != nil {
			panic(fmt.Sprintf("provider: stored VSC packet does not decode: %v", err))
		}
		out = append(out, d)
	}
	return out
}

// sendPending sends a running consumer's queued VSC packets in id order
// and records when each was sent. A packet the channel refuses stays
// queued, with those after it, for the next block.
func (k *Keeper) sendPending(s state.Store, p Params, c Consumer, height int64, now time.Time) []abci.Event {
	pre := key(prefixPendingVSC, chainPart(c.ChainId))
	st := kv(s)
	it := st.Iterator(pre, state.PrefixEnd(pre))
	type pending struct {
		key  []byte
		id   uint64
		data []byte
	}
	var queue []pending
	for ; it.Valid(); it.Next() {
		queue = append(queue, pending{bytes.Clone(it.Key()), binary.BigEndian.Uint64(it.Key()[len(pre):]), bytes.Clone(it.Value())})
	}
	it.Close()
	var events []abci.Event
	timeout := uint64(now.Add(p.CcvTimeoutPeriod).UnixNano())
	for _, q := range queue {
		_, sent, err := k.Channels.SendPacket(s, height, now, ccv.ProviderPortID, c.ChannelId, clienttypes.ZeroHeight(), timeout, q.data)
		if err != nil {
			// The packet stays queued (an expired client of the consumer,
			// say): the VSC timeout stops a consumer that stays unreachable.
			k.log().Error("send VSC", "chain_id", c.ChainId, "vsc_id", q.id, "err", err)
			break
		}
		st.Delete(q.key)
		st.Set(sentVSCKey(c.ChainId, q.id), u64(uint64(now.UnixNano())))
		events = append(events, sent...)
		events = append(events, event("ccv_packet", "module", "provider", "chain_id", c.ChainId,
			"valset_update_id", strconv.FormatUint(q.id, 10)))
	}
	return events
}

// oldestUnmatured returns when the oldest VSC sent to a consumer and not
// yet matured was sent.
func (*Keeper) oldestUnmatured(s state.Store, chainID string) (time.Time, bool) {
	p := key(prefixSentVSC, chainPart(chainID))
	it := kv(s).Iterator(p, state.PrefixEnd(p))
	defer it.Close()
	if !it.Valid() {
		return time.Time{}, false
	}
	return unixNano(int64(binary.BigEndian.Uint64(it.Value()))), true
}

// holder is the name under which a consumer holds unbonding entries.
func holder(chainID string) string { return "ccv/" + chainID }

// AfterUnbondingInitiated puts a new unbonding entry on hold for every
// launched consumer whose validator set contains the entry's validator,
// until that consumer matures the current vsc id. The chain calls it with
// each id its staking returns, before EndBlock moves the vsc id on.
func (k *Keeper) AfterUnbondingInitiated(s state.Store, id uint64) error {
	consAddr, ok := k.Unbonding.EntryValidator(s, id)
	if !ok {
		return nil
	}
	vscID := k.VSCID(s)
	for _, c := range k.Consumers(s) {
		if c.Phase != PHASE_LAUNCHED && c.Phase != PHASE_RUNNING {
			continue
		}
		if !kv(s).Has(ValidatorKey(c.ChainId, consAddr)) {
			continue
		}
		if err := k.Unbonding.PutOnHold(s, id, holder(c.ChainId)); err != nil {
			return fmt.Errorf("hold unbonding %d for %s: %w", id, c.ChainId, err)
		}
		kv(s).Set(HoldKey(c.ChainId, vscID, id), []byte{})
	}
	return nil
}

// releaseHolds releases a consumer's holds put while the vsc id was at
// most upTo.
func (k *Keeper) releaseHolds(s state.Store, chainID string, upTo uint64) int {
	p := key(prefixHold, chainPart(chainID))
	st := kv(s)
	end := state.PrefixEnd(p)
	if upTo < ^uint64(0) {
		end = append(bytes.Clone(p), u64(upTo+1)...)
	}
	it := st.Iterator(p, end)
	var keys [][]byte
	for ; it.Valid(); it.Next() {
		keys = append(keys, bytes.Clone(it.Key()))
	}
	it.Close()
	for _, hk := range keys {
		id := binary.BigEndian.Uint64(hk[len(hk)-8:])
		if err := k.Unbonding.ReleaseHold(s, id, holder(chainID)); err != nil {
			// The entry was cancelled (its validator bonded again).
			k.log().Debug("release hold", "chain_id", chainID, "unbonding_id", id, "err", err)
		}
		st.Delete(hk)
	}
	return len(keys)
}

// holdsUnder reports whether a consumer holds an entry put on hold while
// the vsc id was vscID.
func (*Keeper) holdsUnder(s state.Store, chainID string, vscID uint64) bool {
	p := key(prefixHold, chainPart(chainID), u64(vscID))
	it := kv(s).Iterator(p, state.PrefixEnd(p))
	defer it.Close()
	return it.Valid()
}

// HeldEntry is one consumer's hold on an unbonding entry, put when the
// entry was created, while the vsc id was VSCID.
type HeldEntry struct {
	ChainID     string
	VSCID       uint64
	UnbondingID uint64
}

// Holds returns every hold, by consumer, vsc id and unbonding id.
func (*Keeper) Holds(s state.Store) []HeldEntry {
	p := []byte{prefixHold}
	it := kv(s).Iterator(p, state.PrefixEnd(p))
	defer it.Close()
	var out []HeldEntry
	for ; it.Valid(); it.Next() {
		k := it.Key()
		n := int(k[1])
		out = append(out, HeldEntry{ChainID: string(k[2 : 2+n]), VSCID: binary.BigEndian.Uint64(k[2+n:]),
			UnbondingID: binary.BigEndian.Uint64(k[len(k)-8:])})
	}
	return out
}
