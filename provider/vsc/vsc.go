package vsc

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strconv"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"

	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/state/typed"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/event"
)

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

// Init sets the first vsc id, 1, at genesis.
func (*Keeper) Init(s state.Store) { kv(s).Set([]byte{keyVSCID}, typed.U64(1)) }

// NextEpoch ends the epoch of vscID at provider height height: slash
// packets citing vscID refer to the stake of the block after this one,
// the first the VSC's set was sent from; the next VSC gets vscID+1.
func (*Keeper) NextEpoch(s state.Store, vscID uint64, height int64) {
	kv(s).Set(vscHeightKey(vscID), typed.U64(uint64(height+1)))
	vscID++
	kv(s).Set([]byte{keyVSCID}, typed.U64(vscID))
}

// Queue computes a consumer's next validator set and queues a VSC
// packet with id vscID when the set changed, slash acknowledgements wait,
// or the consumer holds unbonding entries under vscID (they are released
// only when a VSC with id vscID or later matures).
func (k *Keeper) Queue(s state.Store, consumerID string, vscID uint64, bonded []Validator, now time.Time) bool {
	next := k.NextSet(s, consumerID, bonded)
	old := k.ValidatorSet(s, consumerID)
	updates := diff(old, next)
	acks := k.takeSlashAcks(s, consumerID)
	if len(updates) == 0 && len(acks) == 0 && !k.holdsUnder(s, consumerID, vscID) {
		return false
	}
	k.StoreSet(s, consumerID, old, next, now)
	data := ccv.ValidatorSetChangePacketData{ValidatorUpdates: updates, ValsetUpdateID: vscID, SlashAcks: acks}
	kv(s).Set(PendingVSCKey(consumerID, vscID), data.Bytes())
	return true
}

// AckSlash records that a slash packet of a consumer about consumerAddr
// was handled: the consumer's next VSC acknowledges it (slash_acks).
func (*Keeper) AckSlash(s state.Store, consumerID string, consumerAddr []byte) {
	kv(s).Set(slashAckKey(consumerID, consumerAddr), []byte{})
}

// takeSlashAcks returns and clears the consumer addresses whose slash
// packets were handled since the last VSC, as bech32 consensus addresses.
func (k *Keeper) takeSlashAcks(s state.Store, consumerID string) []string {
	p := typed.Key(prefixSlashAck, IDPart(consumerID))
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
func (*Keeper) PendingVSCs(s state.Store, consumerID string) []ccv.ValidatorSetChangePacketData {
	p := typed.Key(prefixPendingVSC, IDPart(consumerID))
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

// SendPending sends a running consumer's queued VSC packets on its CCV
// channel in id order, each timing out timeoutPeriod after now, and
// records when each was sent. A packet the channel refuses stays
// queued, with those after it, for the next block.
func (k *Keeper) SendPending(s state.Store, consumerID, channelID string, height int64, now time.Time, timeoutPeriod time.Duration) []abci.Event {
	pre := typed.Key(prefixPendingVSC, IDPart(consumerID))
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
	timeout := uint64(now.Add(timeoutPeriod).UnixNano())
	lastSent := uint64(0)
	for _, q := range queue {
		_, sent, err := k.Channels.SendPacket(s, height, now, ccv.ProviderPortID, channelID, clienttypes.ZeroHeight(), timeout, q.data)
		if err != nil {
			// The packet stays queued (an expired client of the consumer,
			// say): the VSC timeout stops a consumer that stays unreachable.
			k.log().Error("send VSC", "consumer_id", consumerID, "vsc_id", q.id, "err", err)
			break
		}
		st.Delete(q.key)
		st.Set(sentVSCKey(consumerID, q.id), typed.U64(uint64(now.UnixNano())))
		lastSent = q.id
		events = append(events, sent...)
		events = append(events, event.New("ccv_packet", "module", "provider", "consumer_id", consumerID,
			"valset_update_id", strconv.FormatUint(q.id, 10)))
	}
	if lastSent != 0 {
		_, matured := k.Progress(s, consumerID)
		setProgress(s, consumerID, lastSent, matured)
	}
	return events
}

// Progress returns the id of the last VSC sent to a consumer and of the
// last one it matured; 0 for none.
func (*Keeper) Progress(s state.Store, consumerID string) (sent, matured uint64) {
	bz := kv(s).Get(typed.Key(prefixProgress, IDPart(consumerID)))
	if len(bz) != 16 {
		return 0, 0
	}
	return binary.BigEndian.Uint64(bz), binary.BigEndian.Uint64(bz[8:])
}

func setProgress(s state.Store, consumerID string, sent, matured uint64) {
	kv(s).Set(typed.Key(prefixProgress, IDPart(consumerID)), append(typed.U64(sent), typed.U64(matured)...))
}

// OldestUnmatured returns when the oldest VSC sent to a consumer and not
// yet matured was sent.
func (*Keeper) OldestUnmatured(s state.Store, consumerID string) (time.Time, bool) {
	p := typed.Key(prefixSentVSC, IDPart(consumerID))
	it := kv(s).Iterator(p, state.PrefixEnd(p))
	defer it.Close()
	if !it.Valid() {
		return time.Time{}, false
	}
	return unixNano(int64(binary.BigEndian.Uint64(it.Value()))), true
}

// Matured handles a consumer's VSCMatured packet for vscID: it releases
// the consumer's holds up to vscID and forgets the send times of the VSCs
// it matured. It returns the vsc_matured event.
func (k *Keeper) Matured(s state.Store, consumerID string, vscID uint64) abci.Event {
	n := k.ReleaseHolds(s, consumerID, vscID)
	p := typed.Key(prefixSentVSC, IDPart(consumerID))
	st := kv(s)
	end := state.PrefixEnd(p) // vscID+1 would wrap for the largest id
	if vscID < ^uint64(0) {
		end = append(append([]byte(nil), p...), typed.U64(vscID+1)...)
	}
	it := st.Iterator(p, end)
	var keys [][]byte
	for ; it.Valid(); it.Next() {
		keys = append(keys, append([]byte(nil), it.Key()...))
	}
	it.Close()
	for _, sk := range keys {
		st.Delete(sk)
	}
	if sent, matured := k.Progress(s, consumerID); vscID > matured {
		setProgress(s, consumerID, sent, vscID)
	}
	k.log().Debug("VSC matured", "consumer_id", consumerID, "vsc_id", vscID, "holds_released", n)
	return event.New("vsc_matured", "consumer_id", consumerID, "valset_update_id", strconv.FormatUint(vscID, 10))
}
