// Package consumerapp assembles icsd's consumer chain: the accounts (auth,
// bank) and the interchain layer in its consumer role, whose validator set
// is whatever the provider sends. A consumer that may become sovereign
// (SPEC 9; Factory.OwnStaking) also carries its own proof of stake from
// genesis (app/pos: staking, distribution, governance), dormant: its
// stakers delegate, vote and earn the consumer's share of the fees, but
// its staking never changes CometBFT's validator set and its slashing does
// not run. Factory is the abci.Factory that cmd/icsd and the tests run it
// with.
package consumerapp
