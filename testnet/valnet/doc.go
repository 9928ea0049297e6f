// Package valnet writes and finds the homes of a plain validator network on
// loopback: the homes of `icsd testnet init`.
//
// Init writes one node home per validator under one directory
// (DIR/node<i>), sharing one genesis, with ports that do not collide and
// every node a persistent peer of every other; each home's keyring holds
// its validator's operator key, named "validator". Load finds those homes
// again, and NodeHome names node i's home.
//
// Package testnet/process runs the nodes; package testnet writes a
// provider network with Init and builds Interchain Security testnets on
// it, and package testnet/consumernet names each consumer's node homes
// with NodeHome.
package valnet
