package vsc

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/state/typed"
)

// Holder is the name under which a consumer holds unbonding entries.
func Holder(consumerID string) string { return "ccv/" + consumerID }

// AfterUnbondingInitiated puts a new unbonding entry on hold for every
// consumer of launched (the launched and running consumers) whose
// validator set contains the entry's validator, until that consumer
// matures the current vsc id.
func (k *Keeper) AfterUnbondingInitiated(s state.Store, id uint64, launched []string) error {
	consAddr, ok := k.Unbonding.EntryValidator(s, id)
	if !ok {
		return nil
	}
	vscID := k.VSCID(s)
	for _, consumerID := range launched {
		if !kv(s).Has(ValidatorKey(consumerID, consAddr)) {
			continue
		}
		if err := k.Unbonding.PutOnHold(s, id, Holder(consumerID)); err != nil {
			return fmt.Errorf("hold unbonding %d for %s: %w", id, consumerID, err)
		}
		kv(s).Set(HoldKey(consumerID, vscID, id), []byte{})
	}
	return nil
}

// ReleaseHolds releases a consumer's holds put while the vsc id was at
// most upTo (all of them for the largest uint64), and returns how many.
func (k *Keeper) ReleaseHolds(s state.Store, consumerID string, upTo uint64) int {
	p := typed.Key(prefixHold, IDPart(consumerID))
	st := kv(s)
	end := state.PrefixEnd(p)
	if upTo < ^uint64(0) {
		end = append(bytes.Clone(p), typed.U64(upTo+1)...)
	}
	it := st.Iterator(p, end)
	var keys [][]byte
	for ; it.Valid(); it.Next() {
		keys = append(keys, bytes.Clone(it.Key()))
	}
	it.Close()
	for _, hk := range keys {
		id := binary.BigEndian.Uint64(hk[len(hk)-8:])
		if err := k.Unbonding.ReleaseHold(s, id, Holder(consumerID)); err != nil {
			// The entry was cancelled (its validator bonded again).
			k.log().Debug("release hold", "consumer_id", consumerID, "unbonding_id", id, "err", err)
		}
		st.Delete(hk)
	}
	return len(keys)
}

// holdsUnder reports whether a consumer holds an entry put on hold while
// the vsc id was vscID.
func (*Keeper) holdsUnder(s state.Store, consumerID string, vscID uint64) bool {
	p := typed.Key(prefixHold, IDPart(consumerID), typed.U64(vscID))
	it := kv(s).Iterator(p, state.PrefixEnd(p))
	defer it.Close()
	return it.Valid()
}

// HeldEntry is one consumer's hold on an unbonding entry, put when the
// entry was created, while the vsc id was VSCID.
type HeldEntry struct {
	ConsumerID  string
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
		out = append(out, HeldEntry{ConsumerID: string(k[2 : 2+n]), VSCID: binary.BigEndian.Uint64(k[2+n:]),
			UnbondingID: binary.BigEndian.Uint64(k[len(k)-8:])})
	}
	return out
}
