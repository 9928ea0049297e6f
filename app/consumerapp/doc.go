// Package consumerapp assembles icsd's consumer chain: the accounts (auth,
// bank) and the interchain layer in its consumer role, whose validator set
// is whatever the provider sends. It has no staking, distribution or
// governance of its own. Factory is the abci.Factory that cmd/icsd and the
// tests run it with.
package consumerapp
