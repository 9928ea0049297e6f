// Package ccv holds the packet data of Interchain Security (IBC standard
// ICS-028, "cross-chain validation") and its JSON wire format.
//
// # Packets
//
// A provider chain and each of its consumer chains share one ordered IBC
// channel between the ports ProviderPortID and ConsumerPortID, with channel
// version Version. The consumer opens it with HandshakeMetadata (the
// provider's fee pool address for rewards and the version) as its version
// string. Three packets flow over it:
//
//   - ValidatorSetChangePacketData (provider -> consumer, "VSC packet"):
//     the validator updates of one epoch, keyed by consumer consensus key
//     with power 0 for removal, the valset update id (vscId) that numbers
//     the epoch, and the slash acks (consumer addresses whose downtime
//     reports the provider handled, so the consumer may report them again).
//   - SlashPacketData (consumer -> provider): a validator, by consumer
//     consensus address and power, that was down (or double signed) at an
//     infraction height the consumer names by the vscId then in force.
//   - VSCMaturedPacketData (consumer -> provider): the VSC with this id has
//     passed the consumer's unbonding period.
//
// The two consumer -> provider packets travel wrapped in ConsumerPacketData,
// whose Type says which of its two payloads is set. Acknowledgements are
// ICS-04 result acknowledgements; a slash packet's result is one byte,
// ResultReceived, ResultHandled or ResultBounced, and the other packets are
// acknowledged with ResultReceived.
//
// # Wire format
//
// Packet data is the proto JSON of the interchain_security.ccv.v1 messages
// as the reference implementation writes it (original field names, default
// values written out):
//
//	{"validator_updates":[{"pub_key":{"ed25519":"<base64>"},"power":"30"}],"valset_update_id":"73","slash_acks":["..."]}
//	{"type":"CONSUMER_PACKET_TYPE_SLASH","slashPacketData":{"validator":{"address":"<base64>","power":"4328"},"valset_update_id":"894732","infraction":"INFRACTION_TYPE_DOUBLE_SIGN"}}
//	{"type":"CONSUMER_PACKET_TYPE_VSCM","vscMaturedPacketData":{"valset_update_id":"84923"}}
//	{"provider_fee_pool_addr":"cosmos1...","version":"1"}
//
// Field names are snake_case except the two oneof fields slashPacketData and
// vscMaturedPacketData; 64-bit integers are decimal strings; enums are their
// names; bytes are padded standard base64; an ed25519 public key is
// {"ed25519":"<base64>"}.
//
// A slash packet has two encodings, and both are read: the one above, whose
// infraction is spelled with the ccv enum (INFRACTION_TYPE_DOUBLE_SIGN,
// INFRACTION_TYPE_DOWNTIME; the reference's ConsumerPacketDataV1, which
// its consumers send and ours sends), and the reference's current proto
// JSON, which spells it with the staking enum (INFRACTION_DOUBLE_SIGN = 1,
// INFRACTION_DOWNTIME = 2). The two spellings of an infraction decode to
// the same Infraction, so a packet has one outcome whichever way it came;
// the encoders write the ccv spelling only.
//
// The Bytes methods write compact JSON with the fields in proto order and
// every field present: an empty validator_updates or slash_acks list is
// written as [], a zero id as "0". Decoding and encoding the reference's
// own vectors gives them back byte for byte.
//
// # Decoding
//
// DecodeValidatorSetChange, DecodeConsumerPacket and DecodeHandshakeMetadata
// accept exactly what the encoders can write, up to whitespace, member
// order and string escapes. They reject, with an error wrapping
// ErrInvalidPacketData:
//
//   - anything but one JSON object, and trailing data after it;
//   - unknown, duplicate or differently cased field names, and missing
//     fields (only the oneof payload that the type does not name is absent);
//   - a value of the wrong JSON type, including null and integers written
//     as numbers;
//   - an integer string that is not the canonical decimal form of a uint64
//     (ids) or a non-negative int64 (powers);
//   - base64 that is not canonical, a public key that is not PubKeySize
//     bytes and an address that is not AddressSize bytes;
//   - an unknown enum name (names are matched exactly: no lower case, no
//     numbers), a consumer packet of type UNSPECIFIED, a slash packet whose
//     infraction is UNSPECIFIED, and a type that does not match the one
//     payload present;
//   - what the Validate methods refuse, the reference's validity rules
//     among them: a VSC packet or a VSCMatured packet with valset_update_id
//     0, and a slash packet with validator power 0.
//
// The decoders call Validate once, so a packet that decodes is valid;
// receiving chains decode and need no other check of the data's shape.
// Decoded lists are never nil. The protocol meaning of a well-formed packet
// (an id that does not increase, an unknown validator) is for the provider
// and consumer to judge, not this package.
//
// ValidatorUpdate converts to and from CometBFT's abci ValidatorUpdate, so
// a consumer can hand the accumulated updates to FinalizeBlock.
package ccv
