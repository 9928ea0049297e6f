package ccv

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	"pgregory.net/rapid"
)

// The wire vectors of SPEC.md section 11 (the reference's own).
const (
	vscVector   = `{"validator_updates":[{"pub_key":{"ed25519":"SMxP2pXAuxQC7FmBn4dh4Kt5eYdQFWC/wN7oWobZKds="},"power":"30"},{"pub_key":{"ed25519":"J/nGy0vCXhgVbr8S71B4ZgHi4fsMqtDxDlERZ+gG238="},"power":"20"}],"valset_update_id":"73","slash_acks":["slash","acks","example"]}`
	slashVector = `{"type":"CONSUMER_PACKET_TYPE_SLASH","slashPacketData":{"validator":{"address":"BP9q4oXCgubvoujOKyxIxd+3IwM=","power":"4328"},"valset_update_id":"894732","infraction":"INFRACTION_TYPE_DOUBLE_SIGN"}}`
	vscmVector  = `{"type":"CONSUMER_PACKET_TYPE_VSCM","vscMaturedPacketData":{"valset_update_id":"84923"}}`
)

func b64(t testing.TB, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestVectorsRoundTrip(t *testing.T) {
	vsc, err := DecodeValidatorSetChange([]byte(vscVector))
	if err != nil {
		t.Fatal(err)
	}
	wantVSC := ValidatorSetChangePacketData{
		ValidatorUpdates: []ValidatorUpdate{
			{PubKey: b64(t, "SMxP2pXAuxQC7FmBn4dh4Kt5eYdQFWC/wN7oWobZKds="), Power: 30},
			{PubKey: b64(t, "J/nGy0vCXhgVbr8S71B4ZgHi4fsMqtDxDlERZ+gG238="), Power: 20},
		},
		ValsetUpdateID: 73,
		SlashAcks:      []string{"slash", "acks", "example"},
	}
	if !reflect.DeepEqual(vsc, wantVSC) {
		t.Errorf("VSC decoded to %+v, want %+v", vsc, wantVSC)
	}
	if got := string(vsc.Bytes()); got != vscVector {
		t.Errorf("VSC re-encoded to\n%s\nwant\n%s", got, vscVector)
	}

	slash, err := DecodeConsumerPacket([]byte(slashVector))
	if err != nil {
		t.Fatal(err)
	}
	wantSlash := NewSlashPacket(SlashPacketData{
		Validator:      Validator{Address: b64(t, "BP9q4oXCgubvoujOKyxIxd+3IwM="), Power: 4328},
		ValsetUpdateID: 894732,
		Infraction:     InfractionDoubleSign,
	})
	if !reflect.DeepEqual(slash, wantSlash) {
		t.Errorf("slash decoded to %+v, want %+v", slash, wantSlash)
	}
	if got := string(slash.Bytes()); got != slashVector {
		t.Errorf("slash re-encoded to\n%s\nwant\n%s", got, slashVector)
	}

	vscm, err := DecodeConsumerPacket([]byte(vscmVector))
	if err != nil {
		t.Fatal(err)
	}
	wantVSCM := NewVSCMaturedPacket(VSCMaturedPacketData{ValsetUpdateID: 84923})
	if !reflect.DeepEqual(vscm, wantVSCM) {
		t.Errorf("VSCM decoded to %+v, want %+v", vscm, wantVSCM)
	}
	if got := string(vscm.Bytes()); got != vscmVector {
		t.Errorf("VSCM re-encoded to\n%s\nwant\n%s", got, vscmVector)
	}
}

// stakingSlashVector is slashVector in the reference's current proto JSON,
// the infraction spelled with the staking enum.
const stakingSlashVector = `{"type":"CONSUMER_PACKET_TYPE_SLASH","slashPacketData":{"validator":{"address":"BP9q4oXCgubvoujOKyxIxd+3IwM=","power":"4328"},"valset_update_id":"894732","infraction":"INFRACTION_DOUBLE_SIGN"}}`

// TestSlashInfractionSpellings checks that both encodings of a slash
// packet (SPEC 11) decode to one packet per infraction, and that the
// encoder writes the ccv spelling, the form consumers send.
func TestSlashInfractionSpellings(t *testing.T) {
	for _, tc := range []struct {
		name string
		want Infraction
	}{
		{"INFRACTION_TYPE_DOUBLE_SIGN", InfractionDoubleSign},
		{"INFRACTION_DOUBLE_SIGN", InfractionDoubleSign},
		{"INFRACTION_TYPE_DOWNTIME", InfractionDowntime},
		{"INFRACTION_DOWNTIME", InfractionDowntime},
	} {
		bz := strings.Replace(slashVector, "INFRACTION_TYPE_DOUBLE_SIGN", tc.name, 1)
		p, err := DecodeConsumerPacket([]byte(bz))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		want := NewSlashPacket(SlashPacketData{
			Validator:      Validator{Address: b64(t, "BP9q4oXCgubvoujOKyxIxd+3IwM="), Power: 4328},
			ValsetUpdateID: 894732,
			Infraction:     tc.want,
		})
		if !reflect.DeepEqual(p, want) {
			t.Errorf("%s: decoded to %+v, want %+v", tc.name, p, want)
		}
		ccvForm := strings.Replace(slashVector, "INFRACTION_TYPE_DOUBLE_SIGN", tc.want.String(), 1)
		if got := string(p.Bytes()); got != ccvForm {
			t.Errorf("%s: re-encoded to %s, want %s", tc.name, got, ccvForm)
		}
	}
	a, err1 := DecodeConsumerPacket([]byte(stakingSlashVector))
	b, err2 := DecodeConsumerPacket([]byte(slashVector))
	if err1 != nil || err2 != nil || !reflect.DeepEqual(a, b) || !bytes.Equal(a.Bytes(), []byte(slashVector)) {
		t.Errorf("staking form decoded to %+v (%v), ccv form to %+v (%v)", a, err1, b, err2)
	}
}

// TestValidityRules checks each of the reference's Validate rules (SPEC 11)
// on the decoded form and in Validate itself.
func TestValidityRules(t *testing.T) {
	addr := make([]byte, AddressSize)
	for _, tc := range []struct {
		name string
		err  error
	}{
		{"vsc id 0", ValidatorSetChangePacketData{}.Validate()},
		{"vscm id 0", VSCMaturedPacketData{}.Validate()},
		{"vscm packet id 0", NewVSCMaturedPacket(VSCMaturedPacketData{}).Validate()},
		{"slash power 0", SlashPacketData{Validator: Validator{Address: addr}, Infraction: InfractionDowntime}.Validate()},
		{"slash power negative", SlashPacketData{Validator: Validator{Address: addr, Power: -1}, Infraction: InfractionDowntime}.Validate()},
		{"slash address empty", SlashPacketData{Validator: Validator{Power: 1}, Infraction: InfractionDowntime}.Validate()},
		{"slash address 32 bytes", SlashPacketData{Validator: Validator{Address: make([]byte, 32), Power: 1}, Infraction: InfractionDowntime}.Validate()},
		{"slash infraction unspecified", SlashPacketData{Validator: Validator{Address: addr, Power: 1}}.Validate()},
	} {
		if !errors.Is(tc.err, ErrInvalidPacketData) {
			t.Errorf("%s: got %v, want ErrInvalidPacketData", tc.name, tc.err)
		}
	}
	for name, err := range map[string]error{
		"vsc id 1":                  ValidatorSetChangePacketData{ValsetUpdateID: 1}.Validate(),
		"vscm id 1":                 VSCMaturedPacketData{ValsetUpdateID: 1}.Validate(),
		"slash vscId 0 and power 1": SlashPacketData{Validator: Validator{Address: addr, Power: 1}, Infraction: InfractionDoubleSign}.Validate(),
	} {
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestEmptyListsAndWhitespace(t *testing.T) {
	const empty = `{"validator_updates":[],"valset_update_id":"0","slash_acks":[]}`
	if got := string(ValidatorSetChangePacketData{}.Bytes()); got != empty {
		t.Errorf("zero VSC encoded to %s, want %s", got, empty)
	}
	// An id of 0 is invalid (SPEC 11): the zero packet encodes but does
	// not decode.
	if _, err := DecodeValidatorSetChange([]byte(empty)); !errors.Is(err, ErrInvalidPacketData) {
		t.Errorf("decoding %s: got %v, want ErrInvalidPacketData", empty, err)
	}
	const one = `{"validator_updates":[],"valset_update_id":"1","slash_acks":[]}`
	p, err := DecodeValidatorSetChange([]byte(" {\n\"validator_updates\" : [ ] ,\"valset_update_id\":\"1\", \"slash_acks\":[]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if p.ValidatorUpdates == nil || len(p.ValidatorUpdates) != 0 || p.SlashAcks == nil || len(p.SlashAcks) != 0 {
		t.Errorf("empty lists decoded to %#v", p)
	}
	if got := string(p.Bytes()); got != one {
		t.Errorf("re-encoded to %s, want %s", got, one)
	}
}

func TestHandshakeMetadata(t *testing.T) {
	h := HandshakeMetadata{ProviderFeePoolAddr: "cosmos1fee", Version: Version}
	const want = `{"provider_fee_pool_addr":"cosmos1fee","version":"1"}`
	if got := string(h.Bytes()); got != want {
		t.Errorf("encoded to %s, want %s", got, want)
	}
	got, err := DecodeHandshakeMetadata([]byte(want))
	if err != nil || got != h {
		t.Errorf("decoded to %+v, %v; want %+v", got, err, h)
	}
	for _, bad := range []string{`{"version":"1"}`, `{"provider_fee_pool_addr":"a","version":1}`, `{"provider_fee_pool_addr":"a","version":"1","x":""}`} {
		if _, err := DecodeHandshakeMetadata([]byte(bad)); !errors.Is(err, ErrInvalidPacketData) {
			t.Errorf("%s: got %v, want ErrInvalidPacketData", bad, err)
		}
	}
}

// breaks changes one rule of a valid vector at a time.
var breaks = []struct {
	name, vector, old, new string
}{
	{"vsc not an object", vscVector, vscVector, `[]`},
	{"vsc null", vscVector, vscVector, `null`},
	{"vsc truncated", vscVector, `"slash_acks":["slash","acks","example"]}`, `"slash_acks":["slash"`},
	{"vsc trailing data", vscVector, `"example"]}`, `"example"]}{}`},
	{"vsc unknown field", vscVector, `"valset_update_id"`, `"extra":1,"valset_update_id"`},
	{"vsc duplicate field", vscVector, `"valset_update_id":"73"`, `"valset_update_id":"73","valset_update_id":"74"`},
	{"vsc field case", vscVector, `"valset_update_id"`, `"Valset_Update_Id"`},
	{"vsc missing id", vscVector, `"valset_update_id":"73",`, ``},
	{"vsc missing slash_acks", vscVector, `,"slash_acks":["slash","acks","example"]`, ``},
	{"vsc missing updates", vscVector, `{"validator_updates":[{"pub_key":{"ed25519":"SMxP2pXAuxQC7FmBn4dh4Kt5eYdQFWC/wN7oWobZKds="},"power":"30"},{"pub_key":{"ed25519":"J/nGy0vCXhgVbr8S71B4ZgHi4fsMqtDxDlERZ+gG238="},"power":"20"}],`, `{`},
	{"vsc id as number", vscVector, `"73"`, `73`},
	{"vsc id not a number", vscVector, `"73"`, `"7x"`},
	{"vsc id leading zero", vscVector, `"73"`, `"073"`},
	{"vsc id negative", vscVector, `"73"`, `"-73"`},
	{"vsc id overflow", vscVector, `"73"`, `"18446744073709551616"`},
	{"vsc id zero", vscVector, `"73"`, `"0"`},
	{"vsc id null", vscVector, `"73"`, `null`},
	{"vsc updates object", vscVector, `"validator_updates":[`, `"validator_updates":{"a":`},
	{"vsc updates null", vscVector, `"validator_updates":[{"pub_key":{"ed25519":"SMxP2pXAuxQC7FmBn4dh4Kt5eYdQFWC/wN7oWobZKds="},"power":"30"},{"pub_key":{"ed25519":"J/nGy0vCXhgVbr8S71B4ZgHi4fsMqtDxDlERZ+gG238="},"power":"20"}]`, `"validator_updates":null`},
	{"vsc slash_acks null", vscVector, `["slash","acks","example"]`, `null`},
	{"vsc slash_acks number", vscVector, `"acks"`, `7`},
	{"vsc pubkey 31 bytes", vscVector, `SMxP2pXAuxQC7FmBn4dh4Kt5eYdQFWC/wN7oWobZKds=`, base64.StdEncoding.EncodeToString(make([]byte, 31))},
	{"vsc pubkey 33 bytes", vscVector, `SMxP2pXAuxQC7FmBn4dh4Kt5eYdQFWC/wN7oWobZKds=`, base64.StdEncoding.EncodeToString(make([]byte, 33))},
	{"vsc pubkey not base64", vscVector, `SMxP2pXAuxQC7FmBn4dh4Kt5eYdQFWC/wN7oWobZKds=`, `SMxP2pXAuxQC7FmBn4dh4Kt5eYdQFWC/wN7oWobZKd!=`},
	{"vsc pubkey unpadded", vscVector, `SMxP2pXAuxQC7FmBn4dh4Kt5eYdQFWC/wN7oWobZKds=`, `SMxP2pXAuxQC7FmBn4dh4Kt5eYdQFWC/wN7oWobZKds`},
	{"vsc pubkey with newline", vscVector, `SMxP2pXAuxQC7FmBn4dh4Kt5eYdQFWC/wN7oWobZKds=`, `SMxP2pXAuxQC7FmBn4dh4Kt5eYdQ\nFWC/wN7oWobZKds=`},
	{"vsc pubkey secp256k1", vscVector, `{"ed25519":"SMxP`, `{"secp256k1":"SMxP`},
	{"vsc pubkey two keys", vscVector, `{"ed25519":"SMxP2pXAuxQC7FmBn4dh4Kt5eYdQFWC/wN7oWobZKds="}`, `{"ed25519":"SMxP2pXAuxQC7FmBn4dh4Kt5eYdQFWC/wN7oWobZKds=","secp256k1":""}`},
	{"vsc pubkey bare string", vscVector, `{"ed25519":"SMxP2pXAuxQC7FmBn4dh4Kt5eYdQFWC/wN7oWobZKds="}`, `"SMxP2pXAuxQC7FmBn4dh4Kt5eYdQFWC/wN7oWobZKds="`},
	{"vsc power negative", vscVector, `"power":"30"`, `"power":"-30"`},
	{"vsc power number", vscVector, `"power":"30"`, `"power":30`},
	{"vsc power plus sign", vscVector, `"power":"30"`, `"power":"+30"`},
	{"vsc power empty", vscVector, `"power":"30"`, `"power":""`},
	{"vsc power missing", vscVector, `,"power":"30"`, ``},
	{"vsc update unknown field", vscVector, `"power":"30"`, `"power":"30","address":""`},

	{"slash unknown type", slashVector, `CONSUMER_PACKET_TYPE_SLASH`, `CONSUMER_PACKET_TYPE_SLASHING`},
	{"slash type as number", slashVector, `"CONSUMER_PACKET_TYPE_SLASH"`, `1`},
	{"slash type unspecified", slashVector, `CONSUMER_PACKET_TYPE_SLASH`, `CONSUMER_PACKET_TYPE_UNSPECIFIED`},
	{"slash type VSCM", slashVector, `CONSUMER_PACKET_TYPE_SLASH`, `CONSUMER_PACKET_TYPE_VSCM`},
	{"slash type missing", slashVector, `"type":"CONSUMER_PACKET_TYPE_SLASH",`, ``},
	{"slash snake_case oneof", slashVector, `"slashPacketData"`, `"slash_packet_data"`},
	{"slash with vscm payload too", slashVector, `"}}`, `"},"vscMaturedPacketData":{"valset_update_id":"1"}}`},
	{"slash payload null", slashVector, `"slashPacketData":{"validator":{"address":"BP9q4oXCgubvoujOKyxIxd+3IwM=","power":"4328"},"valset_update_id":"894732","infraction":"INFRACTION_TYPE_DOUBLE_SIGN"}`, `"slashPacketData":null`},
	{"slash payload missing", slashVector, `,"slashPacketData":{"validator":{"address":"BP9q4oXCgubvoujOKyxIxd+3IwM=","power":"4328"},"valset_update_id":"894732","infraction":"INFRACTION_TYPE_DOUBLE_SIGN"}`, ``},
	{"slash unknown field", slashVector, `"infraction"`, `"extra":"","infraction"`},
	{"slash validator unknown field", slashVector, `"power":"4328"`, `"power":"4328","pub_key":""`},
	{"slash address 19 bytes", slashVector, `BP9q4oXCgubvoujOKyxIxd+3IwM=`, base64.StdEncoding.EncodeToString(make([]byte, 19))},
	{"slash address 21 bytes", slashVector, `BP9q4oXCgubvoujOKyxIxd+3IwM=`, base64.StdEncoding.EncodeToString(make([]byte, 21))},
	{"slash address hex", slashVector, `BP9q4oXCgubvoujOKyxIxd+3IwM=`, `04FF6AE285C282E6EFA2E8CE2B2C48C5DFB72303`},
	{"slash power negative", slashVector, `"4328"`, `"-4328"`},
	{"slash power overflow", slashVector, `"4328"`, `"9223372036854775808"`},
	{"slash power zero", slashVector, `"4328"`, `"0"`},
	{"slash id as number", slashVector, `"894732"`, `894732`},
	{"slash id float", slashVector, `"894732"`, `"894732.0"`},
	{"slash infraction unknown", slashVector, `INFRACTION_TYPE_DOUBLE_SIGN`, `INFRACTION_TYPE_TRIPLE_SIGN`},
	{"slash infraction unspecified", slashVector, `INFRACTION_TYPE_DOUBLE_SIGN`, `INFRACTION_TYPE_UNSPECIFIED`},
	{"slash infraction number", slashVector, `"INFRACTION_TYPE_DOUBLE_SIGN"`, `1`},
	{"slash infraction lower case", slashVector, `INFRACTION_TYPE_DOUBLE_SIGN`, `infraction_type_double_sign`},
	{"slash staking infraction lower case", slashVector, `INFRACTION_TYPE_DOUBLE_SIGN`, `infraction_double_sign`},
	{"slash staking infraction unspecified", slashVector, `INFRACTION_TYPE_DOUBLE_SIGN`, `INFRACTION_UNSPECIFIED`},
	{"slash staking infraction number", slashVector, `"INFRACTION_TYPE_DOUBLE_SIGN"`, `2`},
	{"slash staking infraction mixed", slashVector, `INFRACTION_TYPE_DOUBLE_SIGN`, `INFRACTION_TYPE_DOUBLE_SIGN_`},
	{"slash staking infraction spaced", slashVector, `INFRACTION_TYPE_DOUBLE_SIGN`, ` INFRACTION_DOUBLE_SIGN`},
	{"slash infraction missing", slashVector, `,"infraction":"INFRACTION_TYPE_DOUBLE_SIGN"`, ``},

	{"vscm type SLASH", vscmVector, `CONSUMER_PACKET_TYPE_VSCM`, `CONSUMER_PACKET_TYPE_SLASH`},
	{"vscm payload empty object", vscmVector, `{"valset_update_id":"84923"}`, `{}`},
	{"vscm id number", vscmVector, `"84923"`, `84923`},
	{"vscm id zero", vscmVector, `"84923"`, `"0"`},
	{"vscm unknown field", vscmVector, `"84923"`, `"84923","extra":"1"`},
	{"vscm unknown top field", vscmVector, `"type"`, `"sequence":"1","type"`},
	{"vscm duplicate payload", vscmVector, `}}`, `},"vscMaturedPacketData":{"valset_update_id":"84923"}}`},
}

func TestBrokenVectorsRejected(t *testing.T) {
	for _, tc := range breaks {
		t.Run(tc.name, func(t *testing.T) {
			bz := strings.Replace(tc.vector, tc.old, tc.new, 1)
			if bz == tc.vector {
				t.Fatalf("replacement of %q did not change the vector", tc.old)
			}
			var err error
			if tc.vector == vscVector {
				_, err = DecodeValidatorSetChange([]byte(bz))
			} else {
				_, err = DecodeConsumerPacket([]byte(bz))
			}
			if !errors.Is(err, ErrInvalidPacketData) {
				t.Errorf("decoding %s: got %v, want ErrInvalidPacketData", bz, err)
			}
		})
	}
}

func TestConsumerPacketValidate(t *testing.T) {
	slash := &SlashPacketData{Validator: Validator{Address: make([]byte, AddressSize), Power: 1}, Infraction: InfractionDowntime}
	vscm := &VSCMaturedPacketData{ValsetUpdateID: 3}
	for _, p := range []ConsumerPacketData{
		{},
		{Type: ConsumerPacketTypeSlash},
		{Type: ConsumerPacketTypeSlash, VSCMatured: vscm},
		{Type: ConsumerPacketTypeSlash, Slash: slash, VSCMatured: vscm},
		{Type: ConsumerPacketTypeVSCM, Slash: slash},
		{Type: 7, Slash: slash},
		{Type: ConsumerPacketTypeSlash, Slash: &SlashPacketData{Validator: Validator{Address: make([]byte, 20)}}},
		{Type: ConsumerPacketTypeSlash, Slash: &SlashPacketData{Validator: Validator{Address: make([]byte, 20)}, Infraction: InfractionDowntime}},
		{Type: ConsumerPacketTypeVSCM, VSCMatured: &VSCMaturedPacketData{}},
	} {
		if err := p.Validate(); !errors.Is(err, ErrInvalidPacketData) {
			t.Errorf("Validate(%+v) = %v, want ErrInvalidPacketData", p, err)
		}
		// An invalid packet still encodes to JSON the decoder rejects.
		bz := p.Bytes()
		if !json.Valid(bz) {
			t.Errorf("Bytes(%+v) = %s, not JSON", p, bz)
		}
		if _, err := DecodeConsumerPacket(bz); !errors.Is(err, ErrInvalidPacketData) {
			t.Errorf("decoding %s: got %v, want ErrInvalidPacketData", bz, err)
		}
	}
}

func genUpdate() *rapid.Generator[ValidatorUpdate] {
	return rapid.Custom(func(t *rapid.T) ValidatorUpdate {
		return ValidatorUpdate{
			PubKey: rapid.SliceOfN(rapid.Byte(), PubKeySize, PubKeySize).Draw(t, "pubkey"),
			Power:  rapid.Int64Min(0).Draw(t, "power"),
		}
	})
}

func genVSC() *rapid.Generator[ValidatorSetChangePacketData] {
	return rapid.Custom(func(t *rapid.T) ValidatorSetChangePacketData {
		return ValidatorSetChangePacketData{
			ValidatorUpdates: rapid.SliceOfN(genUpdate(), 0, 5).Draw(t, "updates"),
			ValsetUpdateID:   rapid.Uint64Min(1).Draw(t, "id"),
			SlashAcks:        rapid.SliceOfN(rapid.String(), 0, 4).Draw(t, "acks"),
		}
	})
}

func genConsumerPacket() *rapid.Generator[ConsumerPacketData] {
	return rapid.Custom(func(t *rapid.T) ConsumerPacketData {
		if rapid.Bool().Draw(t, "slash") {
			return NewSlashPacket(SlashPacketData{
				Validator: Validator{
					Address: rapid.SliceOfN(rapid.Byte(), AddressSize, AddressSize).Draw(t, "address"),
					Power:   rapid.Int64Min(1).Draw(t, "power"),
				},
				ValsetUpdateID: rapid.Uint64().Draw(t, "id"),
				Infraction:     rapid.SampledFrom([]Infraction{InfractionDoubleSign, InfractionDowntime}).Draw(t, "infraction"),
			})
		}
		return NewVSCMaturedPacket(VSCMaturedPacketData{ValsetUpdateID: rapid.Uint64Min(1).Draw(t, "id")})
	})
}

// sameJSON reports whether a and b are equal once parsed by encoding/json,
// a reference reading of the wire format.
func sameJSON(a, b []byte) bool {
	var x, y any
	return json.Unmarshal(a, &x) == nil && json.Unmarshal(b, &y) == nil && reflect.DeepEqual(x, y)
}

func TestRoundTripGenerated(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := genVSC().Draw(t, "vsc")
		if p.ValidatorUpdates == nil {
			p.ValidatorUpdates = []ValidatorUpdate{}
		}
		if p.SlashAcks == nil {
			p.SlashAcks = []string{}
		}
		// Decoding yields valid UTF-8 only.
		for i, a := range p.SlashAcks {
			p.SlashAcks[i] = strings.ToValidUTF8(a, "\uFFFD")
		}
		bz := p.Bytes()
		got, err := DecodeValidatorSetChange(bz)
		if err != nil {
			t.Fatalf("decoding %s: %v", bz, err)
		}
		if !reflect.DeepEqual(got, p) {
			t.Fatalf("round trip of %+v gave %+v", p, got)
		}
		if !bytes.Equal(got.Bytes(), bz) {
			t.Fatalf("re-encoding differs")
		}
		// Compare with a generic reading of the same JSON.
		std, _ := json.Marshal(map[string]any{
			"validator_updates": stdUpdates(p.ValidatorUpdates),
			"valset_update_id":  strconv.FormatUint(p.ValsetUpdateID, 10),
			"slash_acks":        p.SlashAcks,
		})
		if !sameJSON(bz, std) {
			t.Fatalf("encoding %s differs from %s", bz, std)
		}
	})
	rapid.Check(t, func(t *rapid.T) {
		p := genConsumerPacket().Draw(t, "packet")
		bz := p.Bytes()
		got, err := DecodeConsumerPacket(bz)
		if err != nil {
			t.Fatalf("decoding %s: %v", bz, err)
		}
		if !reflect.DeepEqual(got, p) {
			t.Fatalf("round trip of %+v gave %+v", p, got)
		}
		if !bytes.Equal(got.Bytes(), bz) {
			t.Fatalf("re-encoding differs")
		}
	})
}

func stdUpdates(us []ValidatorUpdate) []any {
	out := []any{}
	for _, u := range us {
		out = append(out, map[string]any{
			"pub_key": map[string]any{"ed25519": u.PubKey},
			"power":   strconv.FormatInt(u.Power, 10),
		})
	}
	return out
}

func TestABCIConversion(t *testing.T) {
	p, err := DecodeValidatorSetChange([]byte(vscVector))
	if err != nil {
		t.Fatal(err)
	}
	abci := ABCIValidatorUpdates(p.ValidatorUpdates)
	for i, v := range abci {
		if !bytes.Equal(v.PubKey.GetEd25519(), p.ValidatorUpdates[i].PubKey) || v.Power != p.ValidatorUpdates[i].Power {
			t.Errorf("update %d converted to %v", i, v)
		}
	}
	back, err := ValidatorUpdatesFromABCI(abci)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, p.ValidatorUpdates) {
		t.Errorf("round trip gave %+v, want %+v", back, p.ValidatorUpdates)
	}
	// The conversions copy the key bytes.
	abci[0].PubKey.GetEd25519()[0] ^= 0xff
	if back[0].PubKey[0] == abci[0].PubKey.GetEd25519()[0] {
		t.Error("ValidatorUpdateFromABCI shares key bytes")
	}

	for name, v := range map[string]abcitypes.ValidatorUpdate{
		"secp256k1":      abcitypes.UpdateValidator(make([]byte, 33), 1, "secp256k1"),
		"short ed25519":  abcitypes.UpdateValidator(make([]byte, 31), 1, "ed25519"),
		"negative power": abcitypes.UpdateValidator(make([]byte, 32), -1, "ed25519"),
		"no key":         {Power: 1},
	} {
		if _, err := ValidatorUpdateFromABCI(v); !errors.Is(err, ErrInvalidPacketData) {
			t.Errorf("%s: got %v, want ErrInvalidPacketData", name, err)
		}
	}
}

func TestConstants(t *testing.T) {
	if ProviderPortID != "provider" || ConsumerPortID != "consumer" || Version != "1" {
		t.Error("port or version constant changed")
	}
	if ResultReceived != 1 || ResultHandled != 2 || ResultBounced != 3 {
		t.Error("ack result bytes changed")
	}
	if InfractionDowntime.String() != "INFRACTION_TYPE_DOWNTIME" || Infraction(9).String() != "9" {
		t.Error("infraction names changed")
	}
	if ConsumerPacketTypeVSCM.String() != "CONSUMER_PACKET_TYPE_VSCM" || ConsumerPacketDataType(9).String() != "9" {
		t.Error("consumer packet type names changed")
	}
}

func addSeeds(f *testing.F, vector string) {
	f.Add([]byte(vscVector))
	f.Add([]byte(slashVector))
	f.Add([]byte(stakingSlashVector))
	f.Add([]byte(vscmVector))
	for _, tc := range breaks {
		if tc.vector == vector {
			f.Add([]byte(strings.Replace(tc.vector, tc.old, tc.new, 1)))
		}
	}
}

func FuzzDecodeValidatorSetChange(f *testing.F) {
	addSeeds(f, vscVector)
	f.Fuzz(func(t *testing.T, bz []byte) {
		p, err := DecodeValidatorSetChange(bz)
		if err != nil {
			if !errors.Is(err, ErrInvalidPacketData) {
				t.Fatalf("error %v does not wrap ErrInvalidPacketData", err)
			}
			return
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("decoded packet is invalid: %v", err)
		}
		out := p.Bytes()
		q, err := DecodeValidatorSetChange(out)
		if err != nil {
			t.Fatalf("re-encoding %s does not decode: %v", out, err)
		}
		if !reflect.DeepEqual(p, q) {
			t.Fatalf("re-decoded %+v, want %+v", q, p)
		}
		if !bytes.Equal(q.Bytes(), out) {
			t.Fatalf("encoding is not stable")
		}
	})
}

func FuzzDecodeConsumerPacket(f *testing.F) {
	addSeeds(f, slashVector)
	addSeeds(f, vscmVector)
	f.Fuzz(func(t *testing.T, bz []byte) {
		p, err := DecodeConsumerPacket(bz)
		if err != nil {
			if !errors.Is(err, ErrInvalidPacketData) {
				t.Fatalf("error %v does not wrap ErrInvalidPacketData", err)
			}
			return
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("decoded packet is invalid: %v", err)
		}
		out := p.Bytes()
		q, err := DecodeConsumerPacket(out)
		if err != nil {
			t.Fatalf("re-encoding %s does not decode: %v", out, err)
		}
		if !reflect.DeepEqual(p, q) {
			t.Fatalf("re-decoded %+v, want %+v", q, p)
		}
		if !bytes.Equal(q.Bytes(), out) {
			t.Fatalf("encoding is not stable")
		}
	})
}
