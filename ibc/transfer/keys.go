package transfer

import (
	"github.com/abci-ics/ics/ibc/commitment"
)

// StoreName is the name of the store the package writes in: the IBC store.
const StoreName = commitment.StoreName

// Keys of the package in the "ibc" store. ICS-24 paths never start with
// "transfer/", so they cannot collide with client, connection, channel or
// packet state. They are part of the state layout and must never change; a
// test freezes them.
const (
	keyParams         = "transfer/params"               // -> Params
	prefixDenomTrace  = "transfer/denomTraces/"         // | voucher denom -> DenomTrace
	prefixTotalEscrow = "transfer/totalEscrowForDenom/" // | denom -> coin.Amount
)

// ParamsKey is the store key of the parameters.
func ParamsKey() []byte { return []byte(keyParams) }

// DenomTraceKey is the store key of the trace of a voucher denomination.
func DenomTraceKey(denom string) []byte { return []byte(prefixDenomTrace + denom) }

// TotalEscrowKey is the store key of the total escrowed amount of denom.
func TotalEscrowKey(denom string) []byte { return []byte(prefixTotalEscrow + denom) }
