// Package process runs the child processes of a local testnet: validator
// nodes and relayers started from one program on loopback ports. Start
// runs a binary in its own process group (so that Ctrl-C reaches the
// parent only, which stops its children in order) with its output
// appended to a log file; StartNode runs `icsd start` on a node home and
// records the node's RPC address. A Process is stopped (SIGTERM, then
// SIGKILL after a timeout), killed at once as a crashing node would be, and
// waited for. Report prints each node's height and the CometBFT validator
// set while they run, as `icsd testnet start` does.
//
// Packages testnet/valnet and testnet/consumernet write the node homes,
// and package testnet starts Interchain Security testnets with these
// processes; the end-to-end tests drive them the same way.
package process
