// Package poaprovider is a provider chain that is not icsd: its validators
// are a weighted list kept by an admin (proof of authority, with jailing),
// not chain/staking, and it mounts the interchain layer as a provider to
// lend that list to consumer chains. It is an example of embedding: the
// list implements provider.Staking, the admin's signed JSON transactions
// launch and stop consumers, and relayers submit interchain.RelayTx
// transactions. App is its ABCI++ application.
package poaprovider
