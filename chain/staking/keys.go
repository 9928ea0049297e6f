package staking

import (
	"time"

	"github.com/abci-ics/ics/chain/staking/unbonding"
	"github.com/abci-ics/ics/state/typed"
)

// StoreName is the name of the staking store in the multistore.
const StoreName = "staking"

// Names of the module accounts that hold staked tokens (see address.Module).
const (
	BondedPoolName    = "bonded_tokens_pool"
	NotBondedPoolName = "not_bonded_tokens_pool"
)

// Key prefixes of the staking store. They are part of the state layout and
// must never change; a test freezes them. Addresses in keys are always
// address.Len bytes, so no length prefix is needed. The unbonding queue's
// keys are package unbonding's, listed here to show the whole store.
const (
	keyParams          byte = 0x01                        // -> Params
	keyNextUnbondingID      = unbonding.KeyNextID         // 0x02 -> unbonding.Sequence
	prefixLastPower    byte = 0x11                        // | operator -> LastPower
	prefixValidator    byte = 0x21                        // | operator -> Validator
	prefixByConsAddr   byte = 0x22                        // | consAddr -> operator
	prefixByPower      byte = 0x23                        // | ^power (8, big endian) | operator -> marker
	prefixDelegation   byte = 0x31                        // | delegator | validator -> Delegation
	prefixDelegationTo byte = 0x32                        // | validator | delegator -> marker
	prefixUndelByPair       = unbonding.PrefixUndelByPair // 0x33 | delegator | validator | id -> marker (undelegations)
	prefixEntryBySrc        = unbonding.PrefixEntryBySrc  // 0x35 | validator | id -> marker (undelegations and redelegations)
	prefixRedelByDst        = unbonding.PrefixRedelByDst  // 0x36 | delegator | dst | src | id -> marker (redelegations)
	prefixUnbonding         = unbonding.PrefixEntry       // 0x38 | id -> unbonding.UnbondingEntry
	prefixQueue             = unbonding.PrefixQueue       // 0x41 | completion time (8) | id -> marker
	prefixSigningInfo  byte = 0x51                        // | consAddr -> SigningInfo
	prefixMissed       byte = 0x52                        // | consAddr | index (8) -> marker
)

// marker is the value of index keys, which carry all their data in the key.
// It is not empty so that index keys can be proven.
var marker = []byte{1}

// ValidatorKey is the store key of the validator operated by operator.
func ValidatorKey(operator []byte) []byte { return typed.Key(prefixValidator, operator) }

// ConsAddrKey is the store key of the consensus address index.
func ConsAddrKey(consAddr []byte) []byte { return typed.Key(prefixByConsAddr, consAddr) }

// PowerKey is the store key of a validator in the power index: descending
// power, then ascending operator.
func PowerKey(power int64, operator []byte) []byte {
	return typed.Key(prefixByPower, typed.U64(^uint64(power)), operator)
}

// LastPowerKey is the store key of a validator's last returned power.
func LastPowerKey(operator []byte) []byte { return typed.Key(prefixLastPower, operator) }

// DelegationKey is the store key of a delegation.
func DelegationKey(delegator, validator []byte) []byte {
	return typed.Key(prefixDelegation, delegator, validator)
}

// DelegationToKey is the reverse index key of a delegation.
func DelegationToKey(validator, delegator []byte) []byte {
	return typed.Key(prefixDelegationTo, validator, delegator)
}

// QueueKey is the key of an unbonding entry in the time-ordered queue (see
// unbonding.QueueKey).
func QueueKey(completionNs int64, id uint64) []byte { return unbonding.QueueKey(completionNs, id) }

// SigningInfoKey is the store key of a validator's liveness state.
func SigningInfoKey(consAddr []byte) []byte { return typed.Key(prefixSigningInfo, consAddr) }

// MissedPrefix is the prefix of every missed-block marker of a validator's
// window.
func MissedPrefix(consAddr []byte) []byte { return typed.Key(prefixMissed, consAddr) }

// MissedKey marks a missed block at index of a validator's window.
func MissedKey(consAddr []byte, index int64) []byte {
	return typed.Key(prefixMissed, consAddr, typed.U64(uint64(index)))
}

// nanos converts a block time to stored Unix nanoseconds.
func nanos(t time.Time) int64 { return t.UnixNano() }
