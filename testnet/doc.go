// Package testnet is the local-network harness: the validator nodes of one
// or more chains run as child processes of one program on loopback ports,
// the way `icsd testnet` runs them and the end-to-end tests drive them.
//
// Init writes one node home per validator sharing one genesis, with ports
// that do not collide and every node a persistent peer of every other; Load
// finds those homes again. The processes themselves are package
// testnet/process's: process.StartNode runs `icsd start` on one home as a
// Process (stopped, killed and waited for like a crashing node), and
// process.Report prints the heights and the validator set while they run.
//
// StartCCVTestnet runs Interchain Security: a provider testnet whose
// validators pass a consumer addition proposal for each consumer, assign
// fresh consumer keys where asked, and then run one node each on every
// launched consumer, written from the consumer genesis the provider
// computed, with one relayer per consumer (`icsd relay link-ccv`, then
// `icsd relay start`). A consumer listed in CCVOptions.KVConsumers runs
// examples/kvconsumer instead of icsd, written with its own commands and
// relayed to with RelayTx transactions. Every step is idempotent, so a
// testnet started again on the same directory resumes. Watch prints what
// happens while it runs.
package testnet
