package ccv

import "fmt"

// Sizes of the byte fields checked by the decoders and Validate methods.
const (
	// PubKeySize is the size of an ed25519 public key.
	PubKeySize = 32
	// AddressSize is the size of a consensus address.
	AddressSize = 20
)

// ValidatorUpdate is one entry of a validator set change: a consumer
// consensus key and its new power (0 removes the key).
type ValidatorUpdate struct {
	PubKey []byte // ed25519, PubKeySize bytes
	Power  int64
}

// Validate returns an error wrapping ErrInvalidPacketData if the key is not
// PubKeySize bytes or the power is negative.
func (u ValidatorUpdate) Validate() error {
	if len(u.PubKey) != PubKeySize {
		return invalid("validator update: public key has %d bytes, want %d", len(u.PubKey), PubKeySize)
	}
	if u.Power < 0 {
		return invalid("validator update: negative power %d", u.Power)
	}
	return nil
}

func (u ValidatorUpdate) write(w *writer) {
	w.WriteString(`{"pub_key":{"ed25519":`)
	w.base64(u.PubKey)
	w.WriteString(`},"power":`)
	w.quotedInt(u.Power)
	w.WriteByte('}')
}

func readValidatorUpdate(raw []byte) (ValidatorUpdate, error) {
	m, err := readObject(raw, "pub_key", "power")
	if err != nil {
		return ValidatorUpdate{}, err
	}
	pk, err := readObject(m["pub_key"], "ed25519")
	if err != nil {
		return ValidatorUpdate{}, err
	}
	var u ValidatorUpdate
	if u.PubKey, err = readBytes(pk["ed25519"], PubKeySize); err != nil {
		return ValidatorUpdate{}, err
	}
	if u.Power, err = readPower(m["power"]); err != nil {
		return ValidatorUpdate{}, err
	}
	return u, nil
}

// ValidatorSetChangePacketData is the provider -> consumer packet that
// changes the consumer's validator set (a "VSC packet").
type ValidatorSetChangePacketData struct {
	ValidatorUpdates []ValidatorUpdate
	ValsetUpdateID   uint64
	// SlashAcks holds the consumer consensus addresses (bech32) whose
	// downtime slash packets the provider has handled.
	SlashAcks []string
}

// Validate returns an error wrapping ErrInvalidPacketData if the vscId is 0
// or an update is invalid. These are the reference's rules
// (ValidatorSetChangePacketData.Validate): the vscId is strictly positive,
// as the provider counts VSCs from 1; its other rule, a nil update list,
// is a missing validator_updates field here, which the decoder refuses.
// The update checks (key size, power not negative) are ours.
func (p ValidatorSetChangePacketData) Validate() error {
	if p.ValsetUpdateID == 0 {
		return invalid("VSC packet: valset_update_id is 0")
	}
	for i, u := range p.ValidatorUpdates {
		if err := u.Validate(); err != nil {
			return fmt.Errorf("update %d: %w", i, err)
		}
	}
	return nil
}

// Bytes returns the packet's wire encoding. Empty lists are written as [],
// so every packet has the same shape.
func (p ValidatorSetChangePacketData) Bytes() []byte {
	var w writer
	w.WriteString(`{"validator_updates":[`)
	for i, u := range p.ValidatorUpdates {
		if i > 0 {
			w.WriteByte(',')
		}
		u.write(&w)
	}
	w.WriteString(`],"valset_update_id":`)
	w.quotedUint(p.ValsetUpdateID)
	w.WriteString(`,"slash_acks":[`)
	for i, a := range p.SlashAcks {
		if i > 0 {
			w.WriteByte(',')
		}
		w.str(a)
	}
	w.WriteString(`]}`)
	return w.Bytes()
}

// DecodeValidatorSetChange decodes a VSC packet and validates it (Validate):
// the one check a received VSC packet's data goes through. All three fields
// must be present; see the package documentation for the rules. Every error
// wraps ErrInvalidPacketData. The lists of the result are never nil.
func DecodeValidatorSetChange(bz []byte) (ValidatorSetChangePacketData, error) {
	m, err := readObject(bz, "validator_updates", "valset_update_id", "slash_acks")
	if err != nil {
		return ValidatorSetChangePacketData{}, err
	}
	ups, err := readArray(m["validator_updates"])
	if err != nil {
		return ValidatorSetChangePacketData{}, fmt.Errorf("validator_updates: %w", err)
	}
	p := ValidatorSetChangePacketData{ValidatorUpdates: make([]ValidatorUpdate, 0, len(ups))}
	for i, raw := range ups {
		u, err := readValidatorUpdate(raw)
		if err != nil {
			return ValidatorSetChangePacketData{}, fmt.Errorf("validator_updates[%d]: %w", i, err)
		}
		p.ValidatorUpdates = append(p.ValidatorUpdates, u)
	}
	if p.ValsetUpdateID, err = readUint64(m["valset_update_id"]); err != nil {
		return ValidatorSetChangePacketData{}, fmt.Errorf("valset_update_id: %w", err)
	}
	acks, err := readArray(m["slash_acks"])
	if err != nil {
		return ValidatorSetChangePacketData{}, fmt.Errorf("slash_acks: %w", err)
	}
	p.SlashAcks = make([]string, 0, len(acks))
	for i, raw := range acks {
		a, err := readString(raw)
		if err != nil {
			return ValidatorSetChangePacketData{}, fmt.Errorf("slash_acks[%d]: %w", i, err)
		}
		p.SlashAcks = append(p.SlashAcks, a)
	}
	if err := p.Validate(); err != nil {
		return ValidatorSetChangePacketData{}, err
	}
	return p, nil
}

// Validator is the validator a slash packet reports: its consumer
// consensus address and its power on the consumer.
type Validator struct {
	Address []byte // AddressSize bytes
	Power   int64
}

// SlashPacketData is the consumer -> provider report of an infraction.
type SlashPacketData struct {
	Validator Validator
	// ValsetUpdateID is the id of the VSC in force at the infraction
	// height (0 before the first VSC).
	ValsetUpdateID uint64
	Infraction     Infraction
}

// Validate returns an error wrapping ErrInvalidPacketData if the address is
// not AddressSize bytes, the power is not positive or the infraction is not
// double signing or downtime. These mirror the reference's
// SlashPacketData.Validate: its address rule (sdk.VerifyAddressFormat: not
// empty, at most 255 bytes) is narrowed here to the size of a consensus
// address, the only kind a consumer reports; its power rule refuses 0 and
// ours also a negative power; its infraction rule is the same. The vscId
// may be 0 (an infraction before the first VSC), as in the reference.
func (s SlashPacketData) Validate() error {
	if len(s.Validator.Address) != AddressSize {
		return invalid("slash packet: address has %d bytes, want %d", len(s.Validator.Address), AddressSize)
	}
	if s.Validator.Power <= 0 {
		return invalid("slash packet: validator power %d is not positive", s.Validator.Power)
	}
	if s.Infraction != InfractionDoubleSign && s.Infraction != InfractionDowntime {
		return invalid("slash packet: infraction %s", s.Infraction)
	}
	return nil
}

func (s SlashPacketData) write(w *writer) {
	w.WriteString(`{"validator":{"address":`)
	w.base64(s.Validator.Address)
	w.WriteString(`,"power":`)
	w.quotedInt(s.Validator.Power)
	w.WriteString(`},"valset_update_id":`)
	w.quotedUint(s.ValsetUpdateID)
	w.WriteString(`,"infraction":`)
	w.str(s.Infraction.String())
	w.WriteByte('}')
}

func readSlashPacketData(raw []byte) (SlashPacketData, error) {
	m, err := readObject(raw, "validator", "valset_update_id", "infraction")
	if err != nil {
		return SlashPacketData{}, err
	}
	v, err := readObject(m["validator"], "address", "power")
	if err != nil {
		return SlashPacketData{}, fmt.Errorf("validator: %w", err)
	}
	var s SlashPacketData
	if s.Validator.Address, err = readBytes(v["address"], AddressSize); err != nil {
		return SlashPacketData{}, fmt.Errorf("validator address: %w", err)
	}
	if s.Validator.Power, err = readPower(v["power"]); err != nil {
		return SlashPacketData{}, fmt.Errorf("validator power: %w", err)
	}
	if s.ValsetUpdateID, err = readUint64(m["valset_update_id"]); err != nil {
		return SlashPacketData{}, fmt.Errorf("valset_update_id: %w", err)
	}
	name, err := readString(m["infraction"])
	if err != nil {
		return SlashPacketData{}, fmt.Errorf("infraction: %w", err)
	}
	var ok bool
	if s.Infraction, ok = parseInfraction(name); !ok {
		return SlashPacketData{}, invalid("unknown infraction %q", name)
	}
	return s, nil
}

// VSCMaturedPacketData is the consumer -> provider notice that the VSC
// with the given id has matured (its unbonding period on the consumer has
// passed).
type VSCMaturedPacketData struct {
	ValsetUpdateID uint64
}

// Validate returns an error wrapping ErrInvalidPacketData if the vscId is
// 0, as the reference's VSCMaturedPacketData.Validate: no VSC has id 0 (the
// genesis set is not a VSC and never matures by packet).
func (v VSCMaturedPacketData) Validate() error {
	if v.ValsetUpdateID == 0 {
		return invalid("VSCMatured packet: valset_update_id is 0")
	}
	return nil
}

func (v VSCMaturedPacketData) write(w *writer) {
	w.WriteString(`{"valset_update_id":`)
	w.quotedUint(v.ValsetUpdateID)
	w.WriteByte('}')
}

func readVSCMaturedPacketData(raw []byte) (VSCMaturedPacketData, error) {
	m, err := readObject(raw, "valset_update_id")
	if err != nil {
		return VSCMaturedPacketData{}, err
	}
	id, err := readUint64(m["valset_update_id"])
	if err != nil {
		return VSCMaturedPacketData{}, fmt.Errorf("valset_update_id: %w", err)
	}
	return VSCMaturedPacketData{ValsetUpdateID: id}, nil
}

// ConsumerPacketData is every consumer -> provider packet. Type says which
// one of Slash and VSCMatured is set.
type ConsumerPacketData struct {
	Type       ConsumerPacketDataType
	Slash      *SlashPacketData
	VSCMatured *VSCMaturedPacketData
}

// NewSlashPacket returns the consumer packet carrying s.
func NewSlashPacket(s SlashPacketData) ConsumerPacketData {
	return ConsumerPacketData{Type: ConsumerPacketTypeSlash, Slash: &s}
}

// NewVSCMaturedPacket returns the consumer packet carrying v.
func NewVSCMaturedPacket(v VSCMaturedPacketData) ConsumerPacketData {
	return ConsumerPacketData{Type: ConsumerPacketTypeVSCM, VSCMatured: &v}
}

// Validate returns an error wrapping ErrInvalidPacketData unless exactly the
// payload named by Type is set and valid.
func (p ConsumerPacketData) Validate() error {
	switch {
	case p.Type == ConsumerPacketTypeSlash && p.Slash != nil && p.VSCMatured == nil:
		return p.Slash.Validate()
	case p.Type == ConsumerPacketTypeVSCM && p.VSCMatured != nil && p.Slash == nil:
		return p.VSCMatured.Validate()
	}
	return invalid("consumer packet of type %s with slashPacketData set %t and vscMaturedPacketData set %t",
		p.Type, p.Slash != nil, p.VSCMatured != nil)
}

// Bytes returns the packet's wire encoding: the type, then whichever
// payloads are set (Validate says whether that is exactly one).
func (p ConsumerPacketData) Bytes() []byte {
	var w writer
	w.WriteString(`{"type":`)
	w.str(p.Type.String())
	if p.Slash != nil {
		w.WriteString(`,"slashPacketData":`)
		p.Slash.write(&w)
	}
	if p.VSCMatured != nil {
		w.WriteString(`,"vscMaturedPacketData":`)
		p.VSCMatured.write(&w)
	}
	w.WriteByte('}')
	return w.Bytes()
}

// DecodeConsumerPacket decodes a consumer packet, a slash packet or a
// VSC-matured packet as its type says, and validates it (Validate, once):
// the one check a received consumer packet's data goes through. A slash
// packet's infraction may be spelled with the ccv enum
// (INFRACTION_TYPE_DOUBLE_SIGN, INFRACTION_TYPE_DOWNTIME: what consumers
// send) or the staking enum (INFRACTION_DOUBLE_SIGN, INFRACTION_DOWNTIME:
// the reference's current proto-JSON); both decode to the same packet, so
// Bytes re-encodes either in the ccv spelling. Every error wraps
// ErrInvalidPacketData.
func DecodeConsumerPacket(bz []byte) (ConsumerPacketData, error) {
	m, err := readMembers(bz, []string{"type", "slashPacketData", "vscMaturedPacketData"})
	if err != nil {
		return ConsumerPacketData{}, err
	}
	rawType, ok := m["type"]
	if !ok {
		return ConsumerPacketData{}, invalid("missing field %q", "type")
	}
	name, err := readString(rawType)
	if err != nil {
		return ConsumerPacketData{}, fmt.Errorf("type: %w", err)
	}
	var p ConsumerPacketData
	if p.Type, ok = parseConsumerPacketType(name); !ok {
		return ConsumerPacketData{}, invalid("unknown consumer packet type %q", name)
	}
	if raw, ok := m["slashPacketData"]; ok {
		s, err := readSlashPacketData(raw)
		if err != nil {
			return ConsumerPacketData{}, fmt.Errorf("slashPacketData: %w", err)
		}
		p.Slash = &s
	}
	if raw, ok := m["vscMaturedPacketData"]; ok {
		v, err := readVSCMaturedPacketData(raw)
		if err != nil {
			return ConsumerPacketData{}, fmt.Errorf("vscMaturedPacketData: %w", err)
		}
		p.VSCMatured = &v
	}
	if err := p.Validate(); err != nil {
		return ConsumerPacketData{}, err
	}
	return p, nil
}

// HandshakeMetadata is the consumer's channel-open version string: the
// provider's fee pool address for reward transfers and the CCV version.
type HandshakeMetadata struct {
	ProviderFeePoolAddr string
	Version             string
}

// Bytes returns the metadata's wire encoding.
func (h HandshakeMetadata) Bytes() []byte {
	var w writer
	w.WriteString(`{"provider_fee_pool_addr":`)
	w.str(h.ProviderFeePoolAddr)
	w.WriteString(`,"version":`)
	w.str(h.Version)
	w.WriteByte('}')
	return w.Bytes()
}

// DecodeHandshakeMetadata decodes handshake metadata; both fields must be
// present. Every error wraps ErrInvalidPacketData. It does not check the
// version.
func DecodeHandshakeMetadata(bz []byte) (HandshakeMetadata, error) {
	m, err := readObject(bz, "provider_fee_pool_addr", "version")
	if err != nil {
		return HandshakeMetadata{}, err
	}
	var h HandshakeMetadata
	if h.ProviderFeePoolAddr, err = readString(m["provider_fee_pool_addr"]); err != nil {
		return HandshakeMetadata{}, fmt.Errorf("provider_fee_pool_addr: %w", err)
	}
	if h.Version, err = readString(m["version"]); err != nil {
		return HandshakeMetadata{}, fmt.Errorf("version: %w", err)
	}
	return h, nil
}
