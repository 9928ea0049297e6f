package auth

// StoreName is the name of the auth store in the multistore.
const StoreName = "auth"

// FeeCollector is the name of the module account that receives fees.
const FeeCollector = "fee_collector"

// Key prefixes of the auth store. They are part of the state layout and
// must never change; a test freezes them.
const (
	keyParams     byte = 0x00 // -> Params
	prefixAccount byte = 0x01 // prefixAccount | addr -> Account
	keyChainID    byte = 0x02 // -> chain id (raw bytes)
	keyNative     byte = 0x03 // -> native denomination (raw bytes), fixed at genesis
)

// AccountKey is the store key of addr's account.
func AccountKey(addr []byte) []byte {
	return append([]byte{prefixAccount}, addr...)
}
