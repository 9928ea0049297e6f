// Package testnet is the local-network harness: the validator nodes of one
// or more chains run as child processes of one program on loopback ports,
// the way `icsd testnet` runs them and the end-to-end tests drive them.
//
// The homes of a plain validator network (`icsd testnet init`) are
// package testnet/valnet's. The processes themselves are package
// testnet/process's: process.StartNode runs `icsd start` on one home as a
// Process (stopped, killed and waited for like a crashing node), and
// process.Report prints the heights and the validator set while they run.
//
// StartCCVTestnet runs Interchain Security, as package testnet/ccvopts
// describes it: a provider testnet with consumers of two kinds
// (ccvopts.ConsumerKind, ccvopts.Options.Kinds). A top-N consumer is
// created by a consumer addition proposal the validators pass; an opt-in
// consumer by MsgCreateConsumer from the testnet's owner account (an
// ordinary account, not a validator), and the validators its kind lists
// opt in before the launch. Validators assign fresh consumer keys where
// asked, and then each validator in a consumer's genesis runs one node on
// it, written from the consumer genesis the provider computed (package
// testnet/consumernet writes and runs the consumer nodes): a consumer has
// nodes (ConsumerChain.Nodes) for the validators that validate it only.
// One relayer per consumer runs `icsd relay link-ccv`, then `icsd relay
// start`. CCVTestnet.OptIn has a validator opt in to a running consumer
// and starts its node there. A consumer listed in
// ccvopts.Options.KVConsumers runs examples/kvconsumer instead of icsd,
// written with its own commands and relayed to with RelayTx transactions.
// Every step is idempotent, so a testnet started again on the same
// directory resumes. Watch prints what happens while it runs. Every icsd
// consumer can turn sovereign (package testnet/sovnet), and a standalone
// chain started beside a running testnet can change over to a consumer
// (package testnet/changeovernet).
package testnet
