// Package ibcquery serves ibc-go's query services (ibc.core.client.v1,
// ibc.core.connection.v1 and ibc.core.channel.v1) from this module's IBC
// state, so that stock relayers can ask an icsd node what they ask a
// Cosmos SDK chain.
//
// The handlers read the committed version a grpcquery.State in the
// context names and answer with ibc-go's types: client and consensus
// states as Any-wrapped 07-tendermint messages, connection and channel
// ends as stored. When the state asks for proofs (abci_query with prove),
// the responses that carry a proof field get the two-layer ICS-23 proof
// (commitmenttypes.MerkleProof) of the ICS-24 path the answer is stored
// under, and proof_height is the height whose header commits to it (the
// version plus one), as ibc-go's QueryTendermintProof reports; without a
// proof, proof_height and height are the version answered (ibc-go's self
// height).
//
// Two answers have no proof: ClientConnections (this module keeps no
// clients/{id}/connections index; the list is computed from the
// connection ends) and the list queries. Client and consensus states are
// stored Any-wrapped, as ibc-go stores them (package client), so a proof
// of clients/{id}/clientState proves exactly the Any in the response.
//
// Of ibc.applications.transfer.v1.Query it serves the two methods the Go
// relayer calls before it shows a balance or sends a transfer, in ibc-go
// v8's shapes (v10 dropped them): DenomTraces answers an empty list and
// DenomTrace NotFound, because icsd keeps vouchers under their full trace
// denomination ("transfer/channel-0/stake"), never under "ibc/HASH".
//
// Errors are gRPC status errors: InvalidArgument for a request missing an
// identifier, NotFound for state that does not exist.
package ibcquery
