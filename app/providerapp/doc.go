// Package providerapp assembles icsd's provider chain: the accounts (auth,
// bank), proof of stake (app/pos: staking, slashing, distribution,
// governance), and the interchain layer in its provider role, which
// launches consumer chains by governance and lends them the chain's
// validators. Factory is the abci.Factory that cmd/icsd and the tests run
// it with.
package providerapp
