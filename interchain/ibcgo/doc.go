// Package ibcgo lets an icsd chain accept the IBC messages of ibc-go v10
// and of the Interchain Security provider, as stock relayers (rly, Hermes)
// submit them, next to icsd's own /icsd.ibc.* messages.
//
// Each ibc-go message is turned into the icsd message that does the same
// thing, and run by the interchain layer's handler of that message: the
// same checks, the same state changes, the same events. Translation is a
// pure function (Decode) in four steps:
//
//  1. Decode the ibc-go message (ErrInvalidMsg when it does not decode).
//  2. Decode its signer (the "signer", "sender" or "submitter" bech32
//     string) with the chain's prefix (ErrInvalidSigner).
//  3. Check what ibc-go checks before touching state (its ValidateBasic):
//     identifiers, non-empty proofs, a valid packet or channel, a version
//     ibc-go would accept (ErrInvalidMsg); and refuse what icsd does not
//     implement: a client other than 07-tendermint, a connection delay
//     period, a transfer encoding other than JSON (ErrUnsupported).
//  4. Build the icsd message from the ibc-go one.
//
// Then the handler requires the decoded signer to be the transaction's
// signer (ErrSignerMismatch), as a Cosmos SDK chain requires a message's
// GetSigners to have signed, and runs the icsd message. The events are the
// icsd handler's, after a "message" event with the attributes "action"
// (the ibc-go type URL), "module" (ibc_client, ibc_connection,
// ibc_channel, transfer or provider) and "sender" (the bech32 signer), as
// the SDK emits for every message.
//
// The mapping, ibc-go message to icsd message:
//
//	ibc.core.client.v1.MsgCreateClient        icsd.ibc.client.v1.MsgCreateClient
//	ibc.core.client.v1.MsgUpdateClient        icsd.ibc.client.v1.MsgUpdateClient (a Header)
//	                                          icsd.ibc.client.v1.MsgSubmitMisbehaviour (a Misbehaviour)
//	ibc.core.client.v1.MsgSubmitMisbehaviour  icsd.ibc.client.v1.MsgSubmitMisbehaviour
//	ibc.core.connection.v1.MsgConnectionOpen{Init,Try,Ack,Confirm}
//	                                          icsd.ibc.channel.v1.MsgConnectionOpen{Init,Try,Ack,Confirm}
//	ibc.core.channel.v1.MsgChannelOpen{Init,Try,Ack,Confirm}, MsgChannelClose{Init,Confirm}
//	                                          icsd.ibc.channel.v1 messages of the same names
//	ibc.core.channel.v1.MsgRecvPacket, MsgAcknowledgement, MsgTimeout
//	                                          icsd.ibc.channel.v1 messages of the same names
//	ibc.applications.transfer.v1.MsgTransfer  icsd.ibc.transfer.v1.MsgTransfer
//	interchain_security.ccv.provider.v1.MsgSubmitConsumerMisbehaviour,
//	interchain_security.ccv.provider.v1.MsgSubmitConsumerDoubleVoting
//	                                          icsd.provider.v1 messages of the same names
//
// Values icsd's messages carry as bytes (a client state, a header, a
// counterparty, a version, a channel, a packet) are the gogoproto encoding
// of the same ibc-go types, so they are re-encoded as they came. Proofs
// pass through unchanged: icsd's proofs are, like ibc-go's, the encoding
// of a MerkleProof of ICS-23 commitment proofs (package commitment). A
// proof height becomes the revision number and height of icsd's
// messages. Fields ibc-go v10 itself ignores (the deprecated client state,
// client and consensus proofs of connection handshakes) are ignored here
// too. MsgTimeoutOnClose is not accepted: icsd has no such message.
//
// The provider's two evidence messages are decoded by hand (package
// provider has no generated code for the reference's proto): a submitter
// string, the ibc-go Misbehaviour, or the CometBFT DuplicateVoteEvidence
// and the ibc-go Header, and the consumer id, with the reference's field
// numbers. Each field may appear once.
package ibcgo
