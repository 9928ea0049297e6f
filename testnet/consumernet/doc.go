// Package consumernet is the node side of the consumer chains of a CCV
// testnet: the homes of each provider validator's node on a consumer, the
// consensus keys those nodes sign with, and the node processes.
//
// A Chain is one consumer's directory (DIR/consumer-<j>) and its nodes
// (DIR/consumer-<j>/node<i>, one per provider validator that validates
// it), sharing a Network with the testnet's other consumers: the provider
// homes the validators' keys come from and the binaries the nodes run.
// WriteHomes writes an icsd consumer's homes from the consumer genesis the
// provider computed, with the chain's own staking, distribution and gov
// (bonded in its fee coin) so that it can turn sovereign; WriteKVHomes writes a kvconsumer consumer's homes with
// that binary's own commands; LoadNodes finds homes written before. Start
// runs a node, and Join writes, starts and catches up the node of a
// validator that joins a running consumer.
//
// Package testnet orchestrates the rest: the provider, the proposals and
// opt-ins that create and launch the consumers, the relayers and the
// progress output.
package consumernet
