// Package app holds what both icsd chains, the provider and the consumer,
// are built from besides the interchain layer: the genesis file, the
// accounts (auth's signed transactions, nonces and fees, and bank's
// balances), the typed message routes, the auth and bank queries, and the
// table of ABCI codes. The two chains are assembled in app/providerapp and
// app/consumerapp, each an abci.Factory.
package app
