package unbonding

import (
	"time"

	"github.com/abci-ics/ics/state/typed"
)

// Key prefixes of the queue, in the store it is given (the staking store).
// They are part of the state layout and must never change; tests here and
// in package staking freeze them. Addresses in keys are always address.Len
// bytes, so no length prefix is needed.
const (
	KeyNextID         byte = 0x02 // -> Sequence
	PrefixUndelByPair byte = 0x33 // | delegator | validator | id -> marker (undelegations)
	PrefixEntryBySrc  byte = 0x35 // | validator | id -> marker (undelegations and redelegations)
	PrefixRedelByDst  byte = 0x36 // | delegator | dst | src | id -> marker (redelegations)
	PrefixEntry       byte = 0x38 // | id -> UnbondingEntry
	PrefixQueue       byte = 0x41 // | completion time (8) | id -> marker
)

// marker is the value of index keys, which carry all their data in the key.
// It is not empty so that index keys can be proven.
var marker = []byte{1}

// EntryKey is the store key of an unbonding entry.
func EntryKey(id uint64) []byte { return typed.Key(PrefixEntry, typed.U64(id)) }

// QueueKey is the key of an unbonding entry in the time-ordered queue.
func QueueKey(completionNs int64, id uint64) []byte {
	return typed.Key(PrefixQueue, typed.TimeKey(completionNs), typed.U64(id))
}

// indexKeys returns the secondary index keys of e (not the queue).
func indexKeys(e UnbondingEntry) [][]byte {
	id := typed.U64(e.Id)
	switch e.Kind {
	case UNBONDING_KIND_UNDELEGATION:
		return [][]byte{typed.Key(PrefixUndelByPair, e.Delegator, e.Validator, id), typed.Key(PrefixEntryBySrc, e.Validator, id)}
	case UNBONDING_KIND_REDELEGATION:
		return [][]byte{typed.Key(PrefixRedelByDst, e.Delegator, e.DstValidator, e.Validator, id), typed.Key(PrefixEntryBySrc, e.Validator, id)}
	}
	return nil
}

// CompletionTime returns the time at which the entry matures.
func (e UnbondingEntry) CompletionTime() time.Time { return time.Unix(0, e.CompletionTimeNs).UTC() }
