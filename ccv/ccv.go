package ccv

import "strconv"

// Port and version constants of the CCV channel.
const (
	// ProviderPortID is the port the provider chain binds for CCV channels.
	ProviderPortID = "provider"
	// ConsumerPortID is the port a consumer chain binds for its CCV channel.
	ConsumerPortID = "consumer"
	// Version is the CCV channel version.
	Version = "1"
)

// Result bytes of a successful acknowledgement of a slash packet. The
// acknowledgement is the ICS-04 result acknowledgement {"result":"<base64>"}
// of the one byte. VSC and VSC-matured packets are acknowledged with
// ResultReceived.
const (
	// ResultReceived means the packet was received (VSC and VSC-matured
	// packets, and slash packets whose handling is left to later).
	ResultReceived byte = 1
	// ResultHandled means the slash packet was handled (the validator was
	// jailed, or there was nothing to do).
	ResultHandled byte = 2
	// ResultBounced means the slash meter did not allow the slash packet;
	// the consumer must send it again later.
	ResultBounced byte = 3
)

// Infraction is the kind of misbehaviour a slash packet reports. Its JSON
// form is its name.
type Infraction int32

// The infractions, with their proto numbers (cosmos.staking.v1beta1.Infraction).
const (
	InfractionUnspecified Infraction = 0
	InfractionDoubleSign  Infraction = 1
	InfractionDowntime    Infraction = 2
)

var infractionNames = map[Infraction]string{
	InfractionUnspecified: "INFRACTION_TYPE_UNSPECIFIED",
	InfractionDoubleSign:  "INFRACTION_TYPE_DOUBLE_SIGN",
	InfractionDowntime:    "INFRACTION_TYPE_DOWNTIME",
}

// String returns the proto name of i, or its number for an unknown value.
func (i Infraction) String() string {
	if s, ok := infractionNames[i]; ok {
		return s
	}
	return strconv.FormatInt(int64(i), 10)
}

// stakingInfractionNames are the names of the same infractions in the
// staking enum (cosmos.staking.v1beta1.Infraction), the spelling of the
// reference's current proto-JSON encoding of a slash packet. They are read,
// never written: Bytes always spells the ccv enum, the form consumers send.
var stakingInfractionNames = map[string]Infraction{
	"INFRACTION_DOUBLE_SIGN": InfractionDoubleSign,
	"INFRACTION_DOWNTIME":    InfractionDowntime,
}

// parseInfraction reads an infraction name of either enum: the ccv enum
// (INFRACTION_TYPE_*, UNSPECIFIED included; Validate refuses it) or the
// staking enum's two infractions. Names are matched exactly (upper case);
// numbers, other spellings and INFRACTION_UNSPECIFIED are unknown.
func parseInfraction(s string) (Infraction, bool) {
	for i, name := range infractionNames {
		if name == s {
			return i, true
		}
	}
	i, ok := stakingInfractionNames[s]
	return i, ok
}

// ConsumerPacketDataType says which payload a ConsumerPacketData carries.
// Its JSON form is its name.
type ConsumerPacketDataType int32

// The consumer packet types, with their proto numbers.
const (
	ConsumerPacketTypeUnspecified ConsumerPacketDataType = 0
	ConsumerPacketTypeSlash       ConsumerPacketDataType = 1
	ConsumerPacketTypeVSCM        ConsumerPacketDataType = 2
)

var consumerPacketTypeNames = map[ConsumerPacketDataType]string{
	ConsumerPacketTypeUnspecified: "CONSUMER_PACKET_TYPE_UNSPECIFIED",
	ConsumerPacketTypeSlash:       "CONSUMER_PACKET_TYPE_SLASH",
	ConsumerPacketTypeVSCM:        "CONSUMER_PACKET_TYPE_VSCM",
}

// String returns the proto name of t, or its number for an unknown value.
func (t ConsumerPacketDataType) String() string {
	if s, ok := consumerPacketTypeNames[t]; ok {
		return s
	}
	return strconv.FormatInt(int64(t), 10)
}

func parseConsumerPacketType(s string) (ConsumerPacketDataType, bool) {
	for t, name := range consumerPacketTypeNames {
		if name == s {
			return t, true
		}
	}
	return 0, false
}
