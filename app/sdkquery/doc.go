// Package sdkquery serves the Cosmos SDK query methods that relayers and
// wallets ask of any chain, from icsd's accounts and staking:
//
//	/cosmos.auth.v1beta1.Query/Account       a BaseAccount (as an Any)
//	/cosmos.auth.v1beta1.Query/AccountInfo   the same BaseAccount
//	/cosmos.bank.v1beta1.Query/Balance       one denomination's balance
//	/cosmos.bank.v1beta1.Query/AllBalances   every balance, by denomination
//	/cosmos.bank.v1beta1.Query/TotalSupply   the supply of every denomination
//	/cosmos.bank.v1beta1.Query/SupplyOf      one denomination's supply
//	/cosmos.staking.v1beta1.Query/Params     on chains with staking
//	/cosmos.params.v1beta1.Query/Params      only the unbonding periods:
//	                                         staking/UnbondingTime and
//	                                         ccvconsumer/UnbondingPeriod
//
// The mapping of icsd's auth to the SDK's BaseAccount: icsd accounts have
// no account number (native transactions are signed over the chain id and
// the account's nonce; SDK transactions are signed with account number 0),
// so account_number is always 0; sequence is the nonce the account's next
// transaction must carry; pub_key is the account's key as its type says
// (cosmos.crypto.ed25519.PubKey for native accounts,
// cosmos.crypto.secp256k1.PubKey for accounts of the SDK envelope),
// absent until its first transaction. Amounts are icsd's uint64 as SDK
// integers. The staking parameters the SDK has and icsd does not
// (historical_entries, min_commission_rate) are zero.
//
// The params query answers the two legacy parameter-subspace keys the Go
// relayer reads the unbonding period from (it tries ccvconsumer first),
// with the value as the SDK's amino JSON writes a duration: a quoted
// decimal number of nanoseconds. Every other subspace or key is NotFound.
package sdkquery
