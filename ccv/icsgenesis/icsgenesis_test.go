package icsgenesis

import (
	"encoding/json"
	"errors"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/types/fraction"
)

// handWritten is a consumer genesis in the reference's form, written by
// hand as the reference's proto JSON spells it (one proof spec only).
const handWritten = `{
  "params": {
    "enabled": true,
    "blocks_per_distribution_transmission": "500",
    "distribution_transmission_channel": "channel-3",
    "provider_fee_pool_addr_str": "",
    "ccv_timeout_period": "2419200s",
    "transfer_timeout_period": "1800.500s",
    "consumer_redistribution_fraction": "0.85",
    "historical_entries": "10000",
    "unbonding_period": "1209600s",
    "soft_opt_out_threshold": "0",
    "reward_denoms": [],
    "provider_reward_denoms": [],
    "retry_delay_period": "3600s",
    "consumer_id": "12"
  },
  "provider": {
    "client_state": {
      "chain_id": "cosmoshub-4",
      "trust_level": {"numerator": "1", "denominator": "3"},
      "trusting_period": "1197504s",
      "unbonding_period": "1814400s",
      "max_clock_drift": "10s",
      "frozen_height": {"revision_number": "0", "revision_height": "0"},
      "latest_height": {"revision_number": "4", "revision_height": "20123456"},
      "proof_specs": [{
        "leaf_spec": {"hash": "SHA256", "prehash_key": "NO_HASH", "prehash_value": "SHA256", "length": "VAR_PROTO", "prefix": "AA=="},
        "inner_spec": {"child_order": [0, 1], "child_size": 33, "min_prefix_length": 4, "max_prefix_length": 12, "empty_child": null, "hash": "SHA256"},
        "max_depth": 0, "min_depth": 0, "prehash_key_before_comparison": false
      }],
      "upgrade_path": ["upgrade", "upgradedIBCState"],
      "allow_update_after_expiry": false,
      "allow_update_after_misbehaviour": false
    },
    "consensus_state": {
      "timestamp": "2024-05-06T07:08:09.123456789Z",
      "root": {"hash": "3q2+7w=="},
      "next_validators_hash": "0102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F20"
    },
    "initial_val_set": [
      {"pub_key": {"ed25519": "SMxP2pXAuxQC7FmBn4dh4Kt5eYdQFWC/wN7oWobZKds="}, "power": "30"},
      {"pub_key": {"ed25519": "J/nGy0vCXhgVbr8S71B4ZgHi4fsMqtDxDlERZ+gG238="}, "power": "20"}
    ]
  },
  "new_chain": true,
  "preCCV": false,
  "connection_id": ""
}`

func TestRoundTrip(t *testing.T) {
	variants := map[string]func(g *ccv.ConsumerGenesis){
		"defaults": func(*ccv.ConsumerGenesis) {},
		"every convertible parameter changed": func(g *ccv.ConsumerGenesis) {
			p := &g.Params
			p.UnbondingPeriod = 1500*time.Millisecond + 1
			p.CcvTimeoutPeriod = 90 * time.Minute
			p.TransferTimeoutPeriod = 1234567 * time.Microsecond
			p.RetryDelayPeriod = time.Nanosecond
			p.ConsumerRedistributionFraction = fraction.New(1, 8)
			p.BlocksPerDistributionTransmission = 7
			p.HistoricalEntries = 0
			p.DistributionTransmissionChannel = "channel-12"
			g.ConsumerId = ""
		},
		"fraction 1": func(g *ccv.ConsumerGenesis) { g.Params.ConsumerRedistributionFraction = fraction.New(1, 1) },
		"fraction 0": func(g *ccv.ConsumerGenesis) { g.Params.ConsumerRedistributionFraction = fraction.New(0, 1) },
		"fraction 2^-18 * 5^-3": func(g *ccv.ConsumerGenesis) {
			g.Params.ConsumerRedistributionFraction = fraction.New(1, 1<<18*125)
		},
	}
	for name, change := range variants {
		t.Run(name, func(t *testing.T) {
			g := fixture(t)
			change(g)
			bz, err := ToICS(g)
			if err != nil {
				t.Fatal(err)
			}
			back, f, err := Read(bz)
			if err != nil || f != FormatICS {
				t.Fatalf("Read: %v, format %q", err, f)
			}
			if !reflect.DeepEqual(back, g) {
				t.Fatalf("round trip gave\n%+v\nwant\n%+v", back, g)
			}
			// Ours reads back as ours, too.
			own, err := Write(g, FormatICSD)
			if err != nil {
				t.Fatal(err)
			}
			if back, f, err := Read(own); err != nil || f != FormatICSD || !reflect.DeepEqual(back, g) {
				t.Fatalf("icsd form: %v, format %q, %+v", err, f, back)
			}
			// And the reference's form is stable: ics -> ours -> ics.
			again, err := ToICS(back)
			if err != nil || string(again) != string(bz) {
				t.Fatalf("ics -> ours -> ics changed: %v\n%s\n%s", err, bz, again)
			}
		})
	}
}

// TestICSFields checks the field names of the written form against the
// reference's proto (ConsumerGenesisState, ProviderInfo, ConsumerParams).
func TestICSFields(t *testing.T) {
	bz, err := ToICS(fixture(t))
	if err != nil {
		t.Fatal(err)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(bz, &top); err != nil {
		t.Fatal(err)
	}
	check := func(what string, m map[string]json.RawMessage, want ...string) {
		t.Helper()
		var got []string
		for k := range m {
			got = append(got, k)
		}
		sort.Strings(got)
		sort.Strings(want)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s fields %v, want %v", what, got, want)
		}
	}
	check("top", top, "params", "provider", "new_chain", "preCCV", "connection_id")
	var params, prov map[string]json.RawMessage
	_ = json.Unmarshal(top["params"], &params)
	_ = json.Unmarshal(top["provider"], &prov)
	check("params", params, "enabled", "blocks_per_distribution_transmission", "distribution_transmission_channel",
		"provider_fee_pool_addr_str", "ccv_timeout_period", "transfer_timeout_period", "consumer_redistribution_fraction",
		"historical_entries", "unbonding_period", "soft_opt_out_threshold", "reward_denoms", "provider_reward_denoms",
		"retry_delay_period", "consumer_id")
	check("provider", prov, "client_state", "consensus_state", "initial_val_set")
	for name, want := range map[string]string{"enabled": "true", "consumer_redistribution_fraction": `"0.75"`,
		"unbonding_period": `"1728000s"`, "historical_entries": `"10000"`, "reward_denoms": "[]", "consumer_id": `"7"`} {
		if got := string(params[name]); got != want {
			t.Errorf("params.%s = %s, want %s", name, got, want)
		}
	}
	if string(top["new_chain"]) != "true" || string(top["preCCV"]) != "false" || string(top["connection_id"]) != `""` {
		t.Errorf("new_chain %s preCCV %s connection_id %s", top["new_chain"], top["preCCV"], top["connection_id"])
	}
	var cs map[string]json.RawMessage
	_ = json.Unmarshal(prov["client_state"], &cs)
	if string(cs["chain_id"]) != `"provider-1"` || string(cs["trusting_period"]) != `"1197504s"` {
		t.Errorf("client_state %s", prov["client_state"])
	}
	if !strings.Contains(string(prov["initial_val_set"]), `"power": "30"`) || !strings.Contains(string(prov["initial_val_set"]), `"ed25519": "AgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="`) {
		t.Errorf("initial_val_set %s", prov["initial_val_set"])
	}
}

func TestReadHandWritten(t *testing.T) {
	g, f, err := Read([]byte(handWritten))
	if err != nil || f != FormatICS {
		t.Fatalf("Read: %v, format %q", err, f)
	}
	want := ccv.DefaultConsumerParams()
	want.BlocksPerDistributionTransmission = 500
	want.DistributionTransmissionChannel = "channel-3"
	want.TransferTimeoutPeriod = 1800*time.Second + 500*time.Millisecond
	want.ConsumerRedistributionFraction = fraction.New(17, 20)
	want.UnbondingPeriod = 14 * 24 * time.Hour
	if !reflect.DeepEqual(g.Params, want) {
		t.Errorf("params %+v, want %+v", g.Params, want)
	}
	if g.ConsumerId != "12" || g.Changeover != nil || len(g.InitialValidators) != 2 || g.InitialValidators[1].Power != 20 {
		t.Errorf("consumer id %q, changeover %v, validators %+v", g.ConsumerId, g.Changeover, g.InitialValidators)
	}
	cs, cons, err := g.Decode()
	if err != nil {
		t.Fatal(err)
	}
	if cs.ChainId != "cosmoshub-4" || cs.LatestHeight.RevisionHeight != 20123456 || cs.TrustingPeriod != 1197504*time.Second ||
		len(cs.ProofSpecs) != 1 || cs.ProofSpecs[0].InnerSpec.ChildSize != 33 || len(cs.UpgradePath) != 2 {
		t.Errorf("client state %+v", cs)
	}
	if !cons.Timestamp.Equal(time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.UTC)) || cons.NextValidatorsHash[31] != 0x20 ||
		string(cons.Root.GetHash()) != "\xde\xad\xbe\xef" {
		t.Errorf("consensus state %+v", cons)
	}
	// Proto JSON's lowerCamelCase names read the same.
	camelCased := handWritten
	for _, n := range []string{"new_chain", "connection_id", "client_state", "consensus_state", "initial_val_set",
		"blocks_per_distribution_transmission", "consumer_redistribution_fraction", "reward_denoms", "consumer_id"} {
		camelCased = strings.Replace(camelCased, `"`+n+`"`, `"`+camel(n)+`"`, 1)
	}
	// So does the reference's LegacyDec spelling of 18 decimals.
	camelCased = strings.Replace(camelCased, `"0.85"`, `"0.850000000000000000"`, 1)
	if g2, _, err := Read([]byte(camelCased)); err != nil || !reflect.DeepEqual(g2, g) {
		t.Errorf("camelCase: %v", err)
	}
}

// TestToICSRefuses breaks, one at a time, what the reference's form
// cannot carry.
func TestToICSRefuses(t *testing.T) {
	for name, tc := range map[string]struct {
		change func(g *ccv.ConsumerGenesis)
		want   error
		text   string
	}{
		"changeover": {func(g *ccv.ConsumerGenesis) { g.Changeover = &ccv.Changeover{ChainId: "solo-1", Height: 100} }, ErrNotConvertible, "changeover"},
		"redistribution address": {func(g *ccv.ConsumerGenesis) {
			g.Params.ConsumerRedistributionAddress = "cosmos1qypqxpq9qcrsszg2pvxq6rs0zqg3yyc5lzv7xu"
		}, ErrNotConvertible, "consumer_redistribution_address"},
		"signed blocks window":            {func(g *ccv.ConsumerGenesis) { g.Params.SignedBlocksWindow = 200 }, ErrNotConvertible, "signed_blocks_window"},
		"min signed per window":           {func(g *ccv.ConsumerGenesis) { g.Params.MinSignedPerWindow = fraction.New(2, 3) }, ErrNotConvertible, "min_signed_per_window"},
		"min signed per window unreduced": {func(g *ccv.ConsumerGenesis) { g.Params.MinSignedPerWindow = fraction.New(5, 10) }, ErrNotConvertible, "min_signed_per_window"},
		"fraction not reduced":            {func(g *ccv.ConsumerGenesis) { g.Params.ConsumerRedistributionFraction = fraction.New(75, 100) }, ErrNotConvertible, "lowest terms"},
		"fraction without decimal":        {func(g *ccv.ConsumerGenesis) { g.Params.ConsumerRedistributionFraction = fraction.New(1, 3) }, ErrNotConvertible, "exact decimal"},
		"fraction of 19 decimals": {func(g *ccv.ConsumerGenesis) {
			g.Params.ConsumerRedistributionFraction = fraction.New(1, 1<<19)
		}, ErrNotConvertible, "exact decimal"},
		"client state with an unknown field": {func(g *ccv.ConsumerGenesis) {
			g.ProviderClientState = append(g.ProviderClientState, 0xf8, 0x07, 0x01) // field 127, varint 1
		}, ErrNotConvertible, "byte for byte"},
		"invalid genesis": {func(g *ccv.ConsumerGenesis) { g.InitialValidators = nil }, ccv.ErrInvalidGenesis, "initial validators"},
	} {
		t.Run(name, func(t *testing.T) {
			g := fixture(t)
			tc.change(g)
			bz, err := ToICS(g)
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.text) || bz != nil {
				t.Fatalf("got %v (%d bytes), want %v mentioning %q", err, len(bz), tc.want, tc.text)
			}
		})
	}
}

// TestFromICSRefuses breaks the hand-written genesis one rule at a time.
func TestFromICSRefuses(t *testing.T) {
	for _, tc := range []struct {
		name, old, new string
		want           error
	}{
		{"disabled", `"enabled": true`, `"enabled": false`, ErrNotConvertible},
		{"enabled missing", `"enabled": true,`, ``, ErrNotConvertible},
		{"not a new chain", `"new_chain": true`, `"new_chain": false`, ccv.ErrInvalidGenesis},
		{"preCCV", `"preCCV": false`, `"preCCV": true`, ErrNotConvertible},
		{"connection id", `"connection_id": ""`, `"connection_id": "connection-0"`, ErrNotConvertible},
		{"reward denoms", `"reward_denoms": []`, `"reward_denoms": ["untrn"]`, ErrNotConvertible},
		{"provider reward denoms", `"provider_reward_denoms": []`, `"provider_reward_denoms": ["uatom"]`, ErrNotConvertible},
		{"unknown top field", `"preCCV": false`, `"preCCV": false, "pre_ccv": false`, ccv.ErrInvalidGenesis},
		{"unknown params field", `"enabled": true`, `"enabled": true, "signed_blocks_window": "100"`, ccv.ErrInvalidGenesis},
		{"unknown provider field", `"initial_val_set"`, `"initial_validators"`, ccv.ErrInvalidGenesis},
		{"field in both spellings", `"new_chain": true`, `"new_chain": true, "newChain": true`, ccv.ErrInvalidGenesis},
		{"field case", `"new_chain"`, `"New_chain"`, ccv.ErrInvalidGenesis},
		{"fraction as ratio", `"0.85"`, `"17/20"`, ccv.ErrInvalidGenesis},
		{"fraction above 1", `"0.85"`, `"1.5"`, ccv.ErrInvalidGenesis},
		{"fraction of 19 decimals", `"0.85"`, `"0.8500000000000000001"`, ccv.ErrInvalidGenesis},
		{"fraction missing", `"consumer_redistribution_fraction": "0.85",`, ``, ccv.ErrInvalidGenesis},
		{"duration in Go form", `"ccv_timeout_period": "2419200s"`, `"ccv_timeout_period": "672h"`, ccv.ErrInvalidGenesis},
		{"negative duration", `"2419200s"`, `"-2419200s"`, ccv.ErrInvalidGenesis},
		{"duration of 10 fraction digits", `"1800.500s"`, `"1800.5000000001s"`, ccv.ErrInvalidGenesis},
		{"duration overflow", `"2419200s"`, `"9223372037s"`, ccv.ErrInvalidGenesis},
		{"zero unbonding period", `"1209600s"`, `"0s"`, ccv.ErrInvalidGenesis},
		{"integer not a number", `"500"`, `"5x"`, ccv.ErrInvalidGenesis},
		{"bad channel", `"channel-3"`, `"channel 3"`, ccv.ErrInvalidGenesis},
		{"client state missing", `"client_state"`, `"client_state_x"`, ccv.ErrInvalidGenesis},
		{"client state null", `"client_state": {`, `"client_state": null, "x": {`, ccv.ErrInvalidGenesis},
		{"client state unknown field", `"chain_id": "cosmoshub-4"`, `"chain_id": "cosmoshub-4", "chain": 1`, ccv.ErrInvalidGenesis},
		{"consensus state bad time", `2024-05-06T07:08:09.123456789Z`, `yesterday`, ccv.ErrInvalidGenesis},
		{"secp256k1 key", `{"ed25519": "SMxP`, `{"secp256k1": "SMxP`, ccv.ErrInvalidGenesis},
		{"short key", `SMxP2pXAuxQC7FmBn4dh4Kt5eYdQFWC/wN7oWobZKds=`, `SMxP`, ccv.ErrInvalidGenesis},
		{"zero power", `"power": "30"`, `"power": "0"`, ccv.ErrInvalidGenesis},
		{"duplicate key", `J/nGy0vCXhgVbr8S71B4ZgHi4fsMqtDxDlERZ+gG238=`, `SMxP2pXAuxQC7FmBn4dh4Kt5eYdQFWC/wN7oWobZKds=`, ccv.ErrInvalidGenesis},
		{"no validators", `"initial_val_set": [`, `"initial_val_set": [], "x": [`, ccv.ErrInvalidGenesis},
		{"trailing data", `"connection_id": ""
}`, `"connection_id": ""
} {}`, ccv.ErrInvalidGenesis},
		{"mixed forms", `"new_chain": true`, `"new_chain": true, "changeover": null`, ccv.ErrInvalidGenesis},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bz := strings.Replace(handWritten, tc.old, tc.new, 1)
			if bz == handWritten {
				t.Fatalf("replacing %q changed nothing", tc.old)
			}
			g, _, err := Read([]byte(bz))
			if !errors.Is(err, tc.want) || g != nil {
				t.Fatalf("got %v, %+v; want %v", err, g, tc.want)
			}
		})
	}
}

func TestDetect(t *testing.T) {
	for in, want := range map[string]Format{
		`{}`:                                   FormatICSD,
		`{"params":{}}`:                        FormatICSD,
		`{"initial_validators":[]}`:            FormatICSD,
		`{"provider":{}}`:                      FormatICS,
		`{"newChain":true}`:                    FormatICS,
		`{"preCCV":false,"params":{}}`:         FormatICS,
		`{"provider":{},"consumer_id":"1"}`:    "",
		`{"changeover":null,"new_chain":true}`: "",
		`[]`:                                   "",
		`null`:                                 "",
		`{`:                                    "",
	} {
		got, err := Detect([]byte(in))
		if got != want || (want == "") != errors.Is(err, ccv.ErrInvalidGenesis) {
			t.Errorf("Detect(%s) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestDurations(t *testing.T) {
	for d, s := range map[time.Duration]string{
		0: "0s", time.Second: "1s", 1500 * time.Millisecond: "1.500s", time.Nanosecond: "0.000000001s",
		time.Microsecond: "0.000001s", 1814400 * time.Second: "1814400s", 1<<63 - 1: "9223372036.854775807s",
	} {
		if got := formatDuration(d); got != s {
			t.Errorf("formatDuration(%d) = %s, want %s", d, got, s)
		}
		if got, err := parseDuration(s); err != nil || got != d {
			t.Errorf("parseDuration(%s) = %d, %v", s, got, err)
		}
	}
	if d, err := parseDuration("1.5s"); err != nil || d != 1500*time.Millisecond {
		t.Errorf("1.5s: %v %v", d, err)
	}
	for _, bad := range []string{"", "s", "1", "1m", "-1s", "+1s", "1.s", ".5s", "1.0000000001s", "9223372036.854775808s", "1e3s", " 1s"} {
		if _, err := parseDuration(bad); err == nil {
			t.Errorf("parseDuration(%q) succeeded", bad)
		}
	}
}

func TestDecimal(t *testing.T) {
	for f, want := range map[fraction.Fraction]string{
		fraction.New(3, 4): "0.75", fraction.New(1, 2): "0.5", fraction.New(1, 1): "1", fraction.New(0, 1): "0",
		fraction.New(1, 8): "0.125", fraction.New(17, 20): "0.85", fraction.New(1, 1<<18): "0.000003814697265625",
	} {
		if got, err := decimal(f); err != nil || got != want {
			t.Errorf("decimal(%s) = %q, %v; want %s", f, got, err, want)
		}
	}
	for _, f := range []fraction.Fraction{fraction.New(2, 4), fraction.New(0, 2), fraction.New(1, 3), fraction.New(1, 1<<60)} {
		if _, err := decimal(f); err == nil {
			t.Errorf("decimal(%s) succeeded", f)
		}
	}
}

func TestParseFormat(t *testing.T) {
	for _, s := range []string{"icsd", "ics"} {
		if f, err := ParseFormat(s); err != nil || string(f) != s {
			t.Errorf("%s: %q %v", s, f, err)
		}
	}
	if _, err := ParseFormat("ICS"); err == nil {
		t.Error("ICS accepted")
	}
}

// FuzzRead feeds arbitrary input to Read: it never panics, and what it
// accepts is valid and converts back to the form it came in.
func FuzzRead(f *testing.F) {
	f.Add([]byte(handWritten))
	f.Add([]byte(`{}`))
	g := fixture(f)
	if bz, err := Write(g, FormatICSD); err == nil {
		f.Add(bz)
	}
	f.Fuzz(func(t *testing.T, bz []byte) {
		g, form, err := Read(bz)
		if err != nil {
			if !errors.Is(err, ccv.ErrInvalidGenesis) && !errors.Is(err, ErrNotConvertible) {
				t.Fatalf("error %v wraps neither sentinel", err)
			}
			return
		}
		if err := g.Validate(); err != nil {
			t.Fatalf("accepted an invalid genesis: %v", err)
		}
		if _, _, err := g.Decode(); err != nil {
			t.Fatal(err)
		}
		if form == FormatICS {
			out, err := ToICS(g)
			if err != nil {
				t.Fatalf("read as ics but does not write back: %v", err)
			}
			back, err := FromICS(out)
			if err != nil || !reflect.DeepEqual(back, g) {
				t.Fatalf("ics round trip: %v", err)
			}
		}
	})
}
