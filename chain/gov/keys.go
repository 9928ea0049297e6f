package gov

import (
	"encoding/binary"
	"time"

	"github.com/abci-ics/ics/state/typed"
	"github.com/abci-ics/ics/types/address"
)

// StoreName is the name of the gov store in the multistore.
const StoreName = "gov"

// ModuleName is the name of the module account that escrows deposits.
const ModuleName = "gov"

// escrow is the address of the module account.
var escrow = address.Module(ModuleName)

// ModuleAddress returns the address of the account that escrows deposits.
func ModuleAddress() []byte { return append([]byte(nil), escrow...) }

// Key prefixes of the gov store. They are part of the state layout and must
// never change; a test freezes them.
const (
	prefixProposal byte = 0x00 // prefixProposal | id -> Proposal
	prefixActive   byte = 0x01 // prefixActive | voting end | id -> id
	prefixInactive byte = 0x02 // prefixInactive | deposit end | id -> id
	keyNextID      byte = 0x03 // -> ProposalID
	prefixDeposit  byte = 0x10 // prefixDeposit | id | len(addr) | addr -> Deposit
	prefixVote     byte = 0x20 // prefixVote | id | len(addr) | addr -> Vote
	keyParams      byte = 0x30 // -> Params
)

// ProposalKey is the store key of proposal id.
func ProposalKey(id uint64) []byte {
	return typed.Key(prefixProposal, typed.U64(id))
}

// ActiveQueueKey is the key of proposal id in the queue of voting
// periods, ordered by the period's end.
func ActiveQueueKey(end time.Time, id uint64) []byte {
	return queueKey(prefixActive, end, id)
}

// InactiveQueueKey is the key of proposal id in the queue of deposit
// periods, ordered by the period's end.
func InactiveQueueKey(end time.Time, id uint64) []byte {
	return queueKey(prefixInactive, end, id)
}

func queueKey(prefix byte, end time.Time, id uint64) []byte {
	return typed.Key(prefix, typed.TimeKey(end.UnixNano()), typed.U64(id))
}

// queueEnd is the first key after every queue entry that ends at or
// before t.
func queueEnd(prefix byte, t time.Time) []byte {
	return queueKey(prefix, t, ^uint64(0))
}

// DepositKey is the store key of depositor's deposit on proposal id.
func DepositKey(id uint64, depositor []byte) []byte {
	return addrKey(prefixDeposit, id, depositor)
}

// VoteKey is the store key of voter's vote on proposal id.
func VoteKey(id uint64, voter []byte) []byte {
	return addrKey(prefixVote, id, voter)
}

func addrKey(prefix byte, id uint64, addr []byte) []byte {
	k := make([]byte, 0, 10+len(addr))
	k = append(k, prefix)
	k = binary.BigEndian.AppendUint64(k, id)
	k = append(k, byte(len(addr)))
	return append(k, addr...)
}

// proposalPrefix is the prefix of all deposit or vote keys of proposal id.
func proposalPrefix(prefix byte, id uint64) []byte {
	return typed.Key(prefix, typed.U64(id))
}
