// Package changeovernet runs the changeover of a standalone chain beside a
// running CCV testnet (SPEC 9; docs/sovereignty.md): `icsd testnet
// changeover`.
//
// Given the directory of a testnet started by `icsd testnet start
// --consumers N`, it writes a standalone chain (its own genesis, staking
// and governance) under DIR/standalone, run by the provider validators:
// node i holds provider validator i's operator key and consensus key, so
// that the same node signs as one of the chain's own validators before the
// changeover and as a CCV validator after it. It links the chain to the
// provider with a transfer channel, as a chain that uses IBC already is
// (unless Options.NewConnection), then creates the consumer on the
// provider with the chain's id, --changeover and that link's connection (a
// consumer addition proposal every provider validator votes yes on, top N
// 100),
// imports the consumer genesis into every node while they run (icsd
// genesis import-consumer), follows the changeover at height H and the
// first block the provider's set signs (H+2), and starts a relayer:
//
//	DIR/standalone/node<i>           provider validator i's node on the chain
//	DIR/standalone/relayer/          the relayer's keyring (key "relayer")
//	DIR/standalone/consumer-genesis.json  the provider's consumer genesis
//	DIR/standalone/transfer.json     the transfer link before the changeover (icsd relay link)
//	DIR/standalone/link.json         the CCV link, saved by icsd relay link-ccv
//	DIR/standalone/relayer.log       the relayer's output
//
// Each step is a method of Changeover, so that a test can act between
// them (stop a node before H, start it again after); Run makes them all.
package changeovernet
