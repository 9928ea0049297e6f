package consumer

import (
	"bytes"
	"errors"
	"math"
	"sort"
	"strconv"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cmttypes "github.com/cometbft/cometbft/types"
	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"

	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/ibc/channel"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/state/typed"
	"github.com/abci-ics/ics/types/event"
)

// EndBlock ends a block on the consumer:
//
//  1. it applies the accumulated validator updates to the cross-chain
//     validator set and returns them, sorted by public key (removals of
//     keys not in the set are dropped, so CometBFT never sees them);
//  2. it queues a VSCMatured packet for every VSC whose maturity time is
//     not after now, in vscId order, and prunes the height -> vscId
//     records no downtime report can need any more;
//  3. if the CCV channel is established and the consumer has not
//     stopped, it sends from the head of the queue (see doc.go);
//  4. it splits the block's fees and, every
//     BlocksPerDistributionTransmission blocks, sends the provider's
//     share to the provider (rewards.go).
//
// A consumer that was never initialized does nothing. Errors: none so far;
// a send that fails is logged and retried the next block.
func (k Keeper) EndBlock(s state.Store, height int64, now time.Time) ([]abci.ValidatorUpdate, []abci.Event, error) {
	p, ok := k.Params(s)
	if !ok {
		return nil, nil, nil
	}
	updates := k.applyChanges(s)
	var events []abci.Event
	if !k.Stopped(s) {
		events = k.queueMatured(s, height, now)
		events = append(events, k.sendPackets(s, height, now, p)...)
	} else if kv(s).Has([]byte{keyClosePending}) {
		if ch, ok := k.ProviderChannel(s); ok {
			events = append(events, k.closeChannel(s, now, ch)...)
		}
	}
	events = append(events, k.rewards(s, height, now, p)...)
	return updates, events, nil
}

func sortUpdates(us []ccv.ValidatorUpdate) {
	sort.Slice(us, func(i, j int) bool { return bytes.Compare(us[i].PubKey, us[j].PubKey) < 0 })
}

// applyChanges moves the pending updates into the validator set and
// returns the CometBFT updates. If the result would be an empty set or
// exceed CometBFT's total power limit, which CometBFT would refuse by
// halting, it applies nothing and keeps the updates pending.
func (k Keeper) applyChanges(s state.Store) []abci.ValidatorUpdate {
	pending := k.PendingChanges(s)
	if len(pending) == 0 {
		return nil
	}
	type change struct {
		u      ccv.ValidatorUpdate
		addr   []byte
		old    int64
		exists bool
	}
	var count, total int64
	for _, v := range k.ValidatorSet(s) {
		count++
		total += v.Power
	}
	var changes []change
	for _, u := range pending {
		c := change{u: u, addr: ConsAddress(u.PubKey)}
		if v, ok := k.Validator(s, c.addr); ok {
			c.old, c.exists = v.Power, true
		}
		if (!c.exists && u.Power == 0) || (c.exists && c.old == u.Power) {
			continue
		}
		switch {
		case !c.exists:
			count++
		case u.Power == 0:
			count--
		}
		total += u.Power - c.old
		changes = append(changes, c)
	}
	if count == 0 || total > cmttypes.MaxTotalVotingPower {
		k.log().Error("validator updates would leave an invalid set; kept pending", "validators", count, "total_power", total)
		return nil
	}
	typed.DeletePrefix(kv(s), []byte{prefixPendingChanges})
	out := make([]ccv.ValidatorUpdate, 0, len(changes))
	for _, c := range changes {
		if c.u.Power == 0 {
			k.removeValidator(s, c.addr)
		} else {
			setValidator(s, CrossChainValidator{Address: c.addr, PubKey: c.u.PubKey, Power: c.u.Power})
		}
		out = append(out, c.u)
	}
	return ccv.ABCIValidatorUpdates(out)
}

// removeValidator deletes a validator with its downtime window and flag.
func (k Keeper) removeValidator(s state.Store, addr []byte) {
	st := kv(s)
	st.Delete(ValidatorKey(addr))
	st.Delete(SigningInfoKey(addr))
	st.Delete(OutstandingKey(addr))
	typed.DeletePrefix(kv(s), typed.Key(prefixMissed, addr))
}

// queueMatured queues the VSCMatured packets of the VSCs matured at now, in
// vscId order, and prunes the height -> vscId records below the highest
// one queued. It stops at a full queue; the rest waits for the next block.
func (k Keeper) queueMatured(s state.Store, height int64, now time.Time) []abci.Event {
	type due struct {
		key []byte
		id  uint64
	}
	var ds []due
	p := []byte{prefixMaturity}
	end := state.PrefixEnd(p)
	if ns := now.UnixNano(); ns < math.MaxInt64 {
		end = MaturityKey(ns+1, 0)
	}
	it := kv(s).Iterator(p, end)
	for ; it.Valid(); it.Next() {
		mk := it.Key()
		if len(mk) != 17 {
			panic("consumer: invariant broken: maturity key of the wrong length")
		}
		ds = append(ds, due{key: bytes.Clone(mk), id: typed.DecodeU64(mk, mk[9:])})
	}
	it.Close()
	sort.Slice(ds, func(i, j int) bool { return ds[i].id < ds[j].id })

	var events []abci.Event
	var highest uint64
	queued := false
	for _, d := range ds {
		if !k.enqueue(s, PendingPacket{Kind: PACKET_KIND_VSC_MATURED, ValsetUpdateId: d.id}) {
			break
		}
		kv(s).Delete(d.key)
		highest, queued = d.id, true
		events = append(events, event.New(EventTypeVSCMatured,
			AttributeModule, AttributeValueModule,
			AttributeConsumerHeight, strconv.FormatInt(height, 10),
			AttributeValSetUpdateID, strconv.FormatUint(d.id, 10),
			AttributeTimestamp, now.UTC().Format(time.RFC3339Nano)))
	}
	if queued {
		k.pruneHeightVSCIDs(s, highest)
	}
	return events
}

// pruneHeightVSCIDs deletes the height -> vscId records of ids below
// matured. The record of matured itself stays: it is at a height not above
// the current one (a VSC matures at least one block after it was
// received), so every height a downtime can still be reported for still
// maps to the right id.
func (k Keeper) pruneHeightVSCIDs(s state.Store, matured uint64) {
	var keys [][]byte
	p := []byte{prefixHeightVSCID}
	it := kv(s).Iterator(p, state.PrefixEnd(p))
	for ; it.Valid(); it.Next() {
		if typed.DecodeU64(it.Key(), it.Value()) >= matured {
			break
		}
		keys = append(keys, bytes.Clone(it.Key()))
	}
	it.Close()
	for _, key := range keys {
		kv(s).Delete(key)
	}
}

// head returns the packet at the head of the queue.
func (k Keeper) head(s state.Store) (PendingPacket, bool) {
	p := []byte{prefixPendingPacket}
	it := kv(s).Iterator(p, state.PrefixEnd(p))
	defer it.Close()
	if !it.Valid() {
		return PendingPacket{}, false
	}
	return typed.Decode[PendingPacket](it.Key(), it.Value()), true
}

func setPendingPacket(s state.Store, pp PendingPacket) {
	typed.Set(kv(s), PendingPacketKey(pp.Index), &pp)
}

// enqueue appends pp to the queue and reports whether it fit.
func (k Keeper) enqueue(s state.Store, pp PendingPacket) bool {
	next, _ := typed.GetU64(kv(s), []byte{keyNextPacketIndex})
	if h, ok := k.head(s); ok && next-h.Index >= MaxPendingPackets {
		k.log().Error("packet queue full; packet not queued", "kind", pp.Kind.String(), "vsc_id", pp.ValsetUpdateId)
		return false
	}
	pp.Index = next
	setPendingPacket(s, pp)
	kv(s).Set([]byte{keyNextPacketIndex}, typed.U64(next+1))
	return true
}

// sendPackets sends from the head of the queue on the CCV channel:
// VSCMatured packets are sent and removed; a slash packet is sent and
// stays at the head, in flight, and nothing more is sent until its
// acknowledgement; a bounced slash packet is sent again once its retry
// time has come. A failed send is logged and retried the next block. It
// returns the send_packet events of the packets sent.
func (k Keeper) sendPackets(s state.Store, height int64, now time.Time, p ccv.ConsumerParams) []abci.Event {
	ch, ok := k.ProviderChannel(s)
	if !ok {
		return nil
	}
	timeout := uint64(maturityNs(now, p.CcvTimeoutPeriod))
	var events []abci.Event
	for {
		pp, ok := k.head(s)
		if !ok {
			return events
		}
		if pp.Kind == PACKET_KIND_SLASH {
			if pp.State == PACKET_STATE_SENT || pp.State == PACKET_STATE_BOUNCED && now.UnixNano() < pp.RetryAtNs {
				return events
			}
		}
		seq, sent, err := k.Channels.SendPacket(s, height, now, ccv.ConsumerPortID, ch, clienttypes.ZeroHeight(), timeout, wireBytes(pp))
		if err != nil {
			k.log().Error("cannot send CCV packet; retrying next block", "kind", pp.Kind.String(), "vsc_id", pp.ValsetUpdateId, "err", err)
			return events
		}
		events = append(events, sent...)
		if pp.Kind != PACKET_KIND_SLASH {
			kv(s).Delete(PendingPacketKey(pp.Index))
			continue
		}
		pp.State, pp.Sequence, pp.RetryAtNs = PACKET_STATE_SENT, seq, 0
		setPendingPacket(s, pp)
		return events
	}
}

// wireBytes is the packet data of a queued packet.
func wireBytes(pp PendingPacket) []byte {
	if pp.Kind == PACKET_KIND_SLASH {
		return ccv.NewSlashPacket(ccv.SlashPacketData{
			Validator:      ccv.Validator{Address: pp.ValidatorAddress, Power: pp.ValidatorPower},
			ValsetUpdateID: pp.ValsetUpdateId,
			Infraction:     pp.Infraction,
		}).Bytes()
	}
	return ccv.NewVSCMaturedPacket(ccv.VSCMaturedPacketData{ValsetUpdateID: pp.ValsetUpdateId}).Bytes()
}

// closeChannel closes the CCV channel and returns the channel layer's
// events. If that fails (other than because it is closed already), the
// close is retried at the end of each block.
func (k Keeper) closeChannel(s state.Store, now time.Time, ch string) []abci.Event {
	events, err := k.Channels.ChanCloseInit(s, now, ccv.ConsumerPortID, ch)
	if err != nil && !errors.Is(err, channel.ErrChannelClosed) {
		k.log().Error("cannot close the CCV channel; retrying next block", "channel_id", ch, "err", err)
		kv(s).Set([]byte{keyClosePending}, marker)
		return nil
	}
	kv(s).Delete([]byte{keyClosePending})
	return events
}
