package bank

// StoreName is the name of the bank store in the multistore.
const StoreName = "bank"

// Key prefixes of the bank store. They are part of the state layout and
// must never change; a test freezes them.
const (
	prefixBalance byte = 0x01 // prefixBalance | len(addr) | addr | denom -> Amount
	prefixSupply  byte = 0x02 // prefixSupply | denom -> Amount
)

// BalanceKey is the store key of addr's balance of denom.
func BalanceKey(addr []byte, denom string) []byte {
	k := make([]byte, 0, 2+len(addr)+len(denom))
	k = append(k, prefixBalance, byte(len(addr)))
	k = append(k, addr...)
	return append(k, denom...)
}

// balancesPrefix is the prefix of all of addr's balances.
func balancesPrefix(addr []byte) []byte {
	k := make([]byte, 0, 2+len(addr))
	k = append(k, prefixBalance, byte(len(addr)))
	return append(k, addr...)
}

// SupplyKey is the store key of the total supply of denom.
func SupplyKey(denom string) []byte {
	return append([]byte{prefixSupply}, denom...)
}
