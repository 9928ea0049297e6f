// Package poaprovider is a provider chain that is not icsd: its validators
// are a weighted list kept by an admin (proof of authority, with jailing),
// not chain/staking, and it mounts the interchain layer as a provider to
// lend that list to consumer chains. It is an example of embedding: the
// list implements provider.Staking, the admin's signed JSON transactions
// launch and stop consumers, and relayers submit interchain.RelayTx
// transactions. App is its ABCI++ application.
//
// Admin transactions are JSON (AdminTx over an AdminBody) signed by the
// admin's ed25519 key, with the admin's next nonce (PathNonce) and exactly
// one operation. A refused one reports an error wrapping ErrNotAdminTx,
// ErrBadSignature, ErrBadNonce or ErrOperation and changes nothing, the
// nonce included.
//
// The package's test runs the chain in one process with an icsd consumer
// (app/ibctest.NewAppChain hosts App; package relayer links the two):
// launch at the spawn time, the CCV channel, a power change reaching the
// consumer, jailing for downtime on the consumer and the admin's unjail.
package poaprovider
