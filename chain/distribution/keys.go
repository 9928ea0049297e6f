package distribution

import "github.com/abci-ics/ics/types/address"

// StoreName is the name of the distribution store in the multistore.
const StoreName = "distribution"

// ModuleName is the name of the module account that holds every reward,
// commission and the community pool until they are paid out.
const ModuleName = "distribution"

// FeeCollectorName is the name of the module account that collects fees.
const FeeCollectorName = "fee_collector"

var (
	moduleAddr   = address.Module(ModuleName)
	feeCollector = address.Module(FeeCollectorName)
)

// ModuleAddress returns the address of the distribution module account.
func ModuleAddress() []byte { return append([]byte(nil), moduleAddr...) }

// Key prefixes of the distribution store. They are part of the state
// layout and must never change; a test freezes them.
const (
	prefixCommunityPool    byte = 0x00 // | denom -> Amount
	prefixDelegatorStart   byte = 0x04 // | len(del) | del | len(val) | val -> DelegatorStart
	prefixValidatorRewards byte = 0x06 // | len(val) | val | denom -> ValidatorRewards
	prefixCommission       byte = 0x07 // | len(val) | val | denom -> Amount
	keyParams              byte = 0x09 // -> Params
)

// CommunityPoolKey is the store key of the community pool's denom.
func CommunityPoolKey(denom string) []byte {
	return append([]byte{prefixCommunityPool}, denom...)
}

// DelegatorStartKey is the store key of the start record of delegator's
// delegation to validator.
func DelegatorStartKey(delegator, validator []byte) []byte {
	k := delegatorPrefix(delegator)
	k = append(k, byte(len(validator)))
	return append(k, validator...)
}

func delegatorPrefix(delegator []byte) []byte {
	k := make([]byte, 0, 3+len(delegator)+address.Len)
	k = append(k, prefixDelegatorStart, byte(len(delegator)))
	return append(k, delegator...)
}

// ValidatorRewardsKey is the store key of validator's accumulator of denom.
func ValidatorRewardsKey(validator []byte, denom string) []byte {
	return append(validatorPrefix(prefixValidatorRewards, validator), denom...)
}

// CommissionKey is the store key of validator's commission in denom.
func CommissionKey(validator []byte, denom string) []byte {
	return append(validatorPrefix(prefixCommission, validator), denom...)
}

func validatorPrefix(prefix byte, validator []byte) []byte {
	k := make([]byte, 0, 2+len(validator)+16)
	k = append(k, prefix, byte(len(validator)))
	return append(k, validator...)
}
