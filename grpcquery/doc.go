// Package grpcquery answers Cosmos-style gRPC queries from committed state.
//
// Stock IBC relayers, wallets and explorers query a Cosmos chain in two
// ways: through CometBFT's abci_query, with a gRPC method path such as
// "/ibc.core.channel.v1.Query/PacketCommitment" as the path and the
// protobuf-encoded request as the data, and through a real gRPC server.
// Both expect the protobuf-encoded response.
//
// A Router holds the query services: generated gRPC service descriptors
// (the RegisterQueryServer functions of ibc-go and the SDK take a Router,
// which has the RegisterService method they call) and the implementations
// of their QueryServer interfaces. Handle calls a method with the request
// bytes and returns the response bytes, so the same handlers serve
// abci_query and the gRPC server (package server).
//
// Handlers read state from the committed version the caller put in the
// context (WithState, StateFrom): the version asked for, never the block
// being built. Errors: Handle returns ErrUnknownMethod for a method no
// service has and ErrMalformedRequest for request bytes that do not
// decode; a handler's own errors are gRPC status errors (NotFound,
// InvalidArgument), as the SDK's handlers return them.
package grpcquery
