// Package ccvopts describes a CCV testnet before anything runs: its
// Options (validators, consumers, ports, periods, binaries), the kind of
// each consumer (ConsumerKind: top-N, or opt-in with the validators that
// opt in before the launch) and the --consumer-kinds syntax
// (ParseConsumerKinds), the consumers' chain ids (ConsumerChainID) and the
// consumer parameters the testnet creates them with. Options.Validate
// checks them the way `icsd testnet start --consumers` reports bad flags.
//
// Package testnet starts a testnet from these options.
package ccvopts
