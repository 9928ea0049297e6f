// Package linkfile saves a relayer link and opens it again: a File holds,
// for each side of a link, the node's RPC address, the keyring home and
// key that pay that side's fees, the chain id and the client, connection,
// port and channel identifiers. `icsd relay link` and `icsd relay
// link-ccv` write it with Save, `icsd relay start` reads it with Read and
// connects to both nodes over CometBFT RPC with Open; File.Link builds the
// same link over chains reached some other way (the in-process chains of
// app/ibctest in tests). The file is JSON; relay_tx is left out when
// false, so a link saved before the mark existed reads and saves as
// before. A CCV link also names its ICS-20 channel (transfer_channel:
// the channel ids on each side, port transfer, on the CCV channel's
// clients and connection), which File.TransferLink builds; a link file
// written before it existed has none and reads as before.
//
// A chain with its own transaction format that accepts interchain.RelayTx
// (examples/kvconsumer) is reached with a RelayTxSubmitter: the end of the
// link is marked RelayTx (`icsd relay link --a-relay-tx`/`--b-relay-tx`,
// `link-ccv --consumer-relay-tx`, "relay_tx": true in the file) and gets
// unsigned relay transactions instead of icsd's signed ones; its key then
// only gives the relayer's address.
//
// This is the production wiring of package relayer, which itself sees
// chains only through its Node and Submitter interfaces and needs neither
// keyrings nor a chain's transaction format.
package linkfile
