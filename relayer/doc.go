// Package relayer moves IBC datagrams between two chains: it creates and
// updates light clients from signed headers, opens connections and
// channels, and relays packets, acknowledgements and timeouts with ICS-23
// proofs. It trusts no one: every datagram is verified by the receiving
// chain's light client, so a relayer can only delay, never forge.
//
// A Chain is reached only through a Node (the latest height and time,
// signed headers, validator sets, ABCI queries with proofs, the events of
// a packet, a block's evidence) and a Submitter that signs and broadcasts
// its transactions. Package relayer/rpcnode has the Node over CometBFT RPC
// (abci_query, commit, validators, tx_search, block_search, block_results,
// block) that `icsd relay` and the testnet use; the in-process chains of app/ibctest
// implement Node too, so their tests relay with this package.
//
// A relay pass is split in two halves that tests can drive separately:
// PendingFrom reads from both chains what a direction needs (packets to
// receive, to time out, acknowledgements to bring back), and RecvMsgs,
// AckMsgs, Prove and UpdateMsg build the datagrams, with the client update
// they need first. Link.Intercept, nil in production, lets a test drop,
// delay or reorder the packets a pass delivers. A pass ends with
// ConfirmClose: an end whose counterparty is CLOSED is closed too
// (MsgChannelCloseConfirm), after what could still be relayed was; a
// closed end receives nothing and takes no acknowledgement, and its
// unreceived packets wait for their timeout (the chains have no timeout
// on close).
//
// The relayer keeps no state of its own. Pending work is read from the
// chains: packet commitments still stored on the sender, which of them the
// receiver has not yet received, and the packets themselves from the
// sender's indexed send_packet events, in transactions or in the
// block-level events of FinalizeBlock. A relayer killed at any moment picks
// up exactly where the chains are.
//
// Clients are kept alive by Run: besides a fixed refresh interval, a
// client whose latest consensus state is older than a third of its
// trusting period is updated at once, which matters for the short-lived
// clients of Interchain Security (the provider's client of a consumer
// trusts for 0.66 x the consumer's unbonding period). NewLinkOnClients
// opens a connection and a channel on clients that exist already, as the
// CCV channel needs; Link.OpenChannel opens another channel on a link's
// connection, and FinishChannel completes a channel handshake from
// whatever step the chains show done, so a handshake a relayer left
// halfway, or that an application started itself, is finished. A second
// channel on the same clients is relayed by a Task (Link.Task) of the
// first link's Run, which keeps the shared clients alive.
//
// A link is saved and opened again by package relayer/linkfile (both
// nodes, the keyrings and keys that pay each side's fees, the identifiers
// on each side, and the RelayTxSubmitter of a chain with its own
// transaction format): `icsd relay link` saves it and `icsd relay start`
// opens it. The CCV specifics (finding the clients a consumer launch
// created, watching a consumer for double votes and reporting them to the
// provider) live in relayer/ccvrelay.
//
// Run reports every pass as a Progress: the packets it relayed, the client
// updates it sent to each chain (Chain.ClientUpdates counts them as their
// transactions succeed), the packets left pending and how far each client
// lags behind the chain it tracks. Errors that refuse the relayer's work
// wrap ErrTxFailed or ErrQueryFailed; package relayer/metrics turns the
// reports of `icsd relay start --metrics` into Prometheus metrics.
package relayer
