package consumersettings

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cosmos/gogoproto/jsonpb"
	gogoproto "github.com/cosmos/gogoproto/proto"
	"github.com/spf13/pflag"

	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/chain/gov"
	"github.com/abci-ics/ics/interchain"
	"github.com/abci-ics/ics/provider"
	"github.com/abci-ics/ics/provider/registry"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/fraction"
)

var (
	owner = bytes.Repeat([]byte{7}, address.Len)
	valA  = bytes.Repeat([]byte{0xa}, address.Len)
	valB  = bytes.Repeat([]byte{0xb}, address.Len)
	valC  = bytes.Repeat([]byte{0xc}, address.Len)
)

// eq compares messages; a nil list equals an empty one.
func eq(a, b gogoproto.Message) bool { return gogoproto.Equal(a, b) }

func valcons(a []byte) string { return address.Encode("icsvalcons", a) }

// command returns the settings flags of the command called name
// (create-consumer, update-consumer or submit-consumer-update), as
// AddFlags adds them, with flags parsed.
func command(t *testing.T, name string, flags ...string) *pflag.FlagSet {
	t.Helper()
	f := pflag.NewFlagSet(name, pflag.ContinueOnError)
	AddFlags(f, name == "create-consumer")
	if err := f.Parse(flags); err != nil {
		t.Fatalf("%s %v: %v", name, flags, err)
	}
	return f
}

func noParams() (provider.Params, error) { return provider.Params{}, errors.New("no node") }

func writeFile(t *testing.T, content string) string {
	t.Helper()
	name := filepath.Join(t.TempDir(), "consumer.json")
	if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return name
}

func TestCreateConsumerFromFlags(t *testing.T) {
	before := time.Now()
	cmd := command(t, "create-consumer", "--chain-id", "consumer-1", "--name", "one", "--spawn-time", "10m",
		"--validator-set-cap", "5", "--validators-power-cap", "30", "--allowlist", valcons(valA)+","+valcons(valB),
		"--allowlist", strings.ToUpper(valcons(valC)), "--denylist", "0D0D0D0D0D0D0D0D0D0D0D0D0D0D0D0D0D0D0D0D", "--min-stake", "1000",
		"--allow-inactive-vals", "--unbonding-period", "240h")
	m, err := CreateMsg(cmd, owner, nil, noParams)
	if err != nil {
		t.Fatal(err)
	}
	if m.ChainId != "consumer-1" || m.Metadata.Name != "one" || !bytes.Equal(m.Submitter, owner) {
		t.Fatalf("message %+v", m)
	}
	init := m.InitializationParameters
	if init.SpawnTime < before.Add(10*time.Minute).UnixNano() || init.InitialHeight != 1 || init.Params.UnbondingPeriod != 240*time.Hour ||
		init.Params.HistoricalEntries != ccv.DefaultConsumerParams().HistoricalEntries {
		t.Fatalf("initialization parameters %+v", init)
	}
	ps := m.PowerShapingParameters
	if ps.TopN != 0 || ps.ValidatorSetCap != 5 || ps.ValidatorsPowerCap != 30 || ps.MinStake != 1000 || !ps.AllowInactiveVals ||
		len(ps.Allowlist) != 3 || !bytes.Equal(ps.Allowlist[2], valC) || len(ps.Denylist) != 1 || ps.Denylist[0][0] != 0x0d {
		t.Fatalf("power shaping %+v", ps)
	}
	if m.InfractionParameters != nil {
		t.Fatalf("infraction parameters %+v, want nil (the provider's)", m.InfractionParameters)
	}

	// Without a spawn time the consumer is registered only.
	m, err = CreateMsg(command(t, "create-consumer", "--chain-id", "consumer-2"), owner, nil, noParams)
	if err != nil || m.InitializationParameters.SpawnTime != 0 || m.InitializationParameters.Params != ccv.DefaultConsumerParams() {
		t.Fatalf("registered only: %+v %v", m, err)
	}

	// One infraction flag: the others are the provider's.
	params := provider.DefaultParams()
	params.DowntimeSlashFraction = fraction.New(1, 1000)
	params.DowntimeJailDuration = time.Hour
	cmd = command(t, "create-consumer", "--chain-id", "consumer-3", "--double-sign-slash-fraction", "1/20")
	m, err = CreateMsg(cmd, owner, nil, func() (provider.Params, error) { return params, nil })
	if err != nil {
		t.Fatal(err)
	}
	want := registry.InfractionParameters{
		DoubleSign: registry.InfractionParams{SlashFraction: fraction.New(1, 20), Tombstone: true},
		Downtime:   registry.InfractionParams{SlashFraction: fraction.New(1, 1000), JailDuration: time.Hour},
	}
	if m.InfractionParameters == nil || *m.InfractionParameters != want {
		t.Fatalf("infraction parameters %+v, want %+v", m.InfractionParameters, want)
	}
}

func TestCreateConsumerFromFile(t *testing.T) {
	file := writeFile(t, `{
	  "chain_id": "consumer-1",
	  "metadata": {"name": "one", "description": "the first"},
	  "initialization_parameters": {"spawn_time": "2030-01-02T15:04:05Z", "initial_height": "5",
	    "params": {"unbonding_period": "240h", "ccv_timeout_period": "2419200000000000", "min_signed_per_window": {"numerator": "1", "denominator": "3"},
	      "consumer_redistribution_fraction": "0.5", "signed_blocks_window": "200"}},
	  "power_shaping_parameters": {"validator_set_cap": 4, "prioritylist": ["`+valcons(valB)+`"], "min_stake": "12"},
	  "infraction_parameters": {"downtime": {"slash_fraction": "0", "jail_duration": "0s"}}
	}`)
	m, err := CreateMsg(command(t, "create-consumer"), owner, []string{file}, func() (provider.Params, error) { return provider.DefaultParams(), nil })
	if err != nil {
		t.Fatal(err)
	}
	spawn, _ := time.Parse(time.RFC3339, "2030-01-02T15:04:05Z")
	p := m.InitializationParameters.Params
	if m.ChainId != "consumer-1" || m.Metadata.Description != "the first" || m.InitializationParameters.SpawnTime != spawn.UnixNano() ||
		m.InitializationParameters.InitialHeight != 5 || p.UnbondingPeriod != 240*time.Hour || p.CcvTimeoutPeriod != 28*24*time.Hour ||
		p.MinSignedPerWindow != fraction.New(1, 3) || p.ConsumerRedistributionFraction != fraction.New(5, 10) || p.SignedBlocksWindow != 200 ||
		p.RetryDelayPeriod != ccv.DefaultConsumerParams().RetryDelayPeriod {
		t.Fatalf("message %+v", m)
	}
	if ps := m.PowerShapingParameters; ps.ValidatorSetCap != 4 || len(ps.Prioritylist) != 1 || !bytes.Equal(ps.Prioritylist[0], valB) || ps.MinStake != 12 {
		t.Fatalf("power shaping %+v", ps)
	}
	def := provider.DefaultInfractionParameters(provider.DefaultParams())
	if inf := m.InfractionParameters; inf == nil || inf.DoubleSign != def.DoubleSign || inf.Downtime.SlashFraction != fraction.New(0, 1) || inf.Downtime.JailDuration != 0 {
		t.Fatalf("infraction parameters %+v", inf)
	}
}

// protoJSON marshals m as the provider's queries answer.
func protoJSON(t *testing.T, m gogoproto.Message) json.RawMessage {
	t.Helper()
	var buf bytes.Buffer
	if err := (&jsonpb.Marshaler{OrigName: true, EmitDefaults: true}).Marshal(&buf, m); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// detail is the consumer query's answer for a consumer with every section
// set.
func detail(t *testing.T) (interchain.ConsumerDetailJSON, Settings) {
	s := Settings{
		ChainID:  "consumer-1",
		Metadata: registry.ConsumerMetadata{Name: "one", Description: "the first", Metadata: "{}"},
		Init:     registry.ConsumerInitializationParameters{SpawnTime: 1_900_000_000_000_000_000, InitialHeight: 3, Params: ccv.DefaultConsumerParams()},
		PowerShaping: registry.PowerShapingParameters{ValidatorsPowerCap: 40, ValidatorSetCap: 7, Allowlist: [][]byte{valA, valB},
			Denylist: [][]byte{valC}, Prioritylist: [][]byte{}, MinStake: 99, AllowInactiveVals: true},
		Infraction: registry.InfractionParameters{
			DoubleSign: registry.InfractionParams{SlashFraction: fraction.New(1, 10), Tombstone: true},
			Downtime:   registry.InfractionParams{SlashFraction: fraction.New(1, 100), JailDuration: time.Minute},
		},
	}
	s.Init.Params.HistoricalEntries = 77
	d := interchain.ConsumerDetailJSON{
		ConsumerJSON:   interchain.ConsumerJSON{ConsumerID: "0", ChainID: s.ChainID, Phase: "initialized"},
		Metadata:       protoJSON(t, &s.Metadata),
		Initialization: protoJSON(t, &s.Init),
		Infraction:     protoJSON(t, &s.Infraction),
		PowerShaping: interchain.PowerShapingJSON{ValidatorsPowerCap: 40, ValidatorSetCap: 7, Allowlist: []string{valcons(valA), valcons(valB)},
			Denylist: []string{valcons(valC)}, Prioritylist: []string{}, MinStake: 99, AllowInactiveVals: true},
	}
	// The answer goes through JSON as it does from the node.
	bz, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	var out interchain.ConsumerDetailJSON
	if err := json.Unmarshal(bz, &out); err != nil {
		t.Fatal(err)
	}
	return out, s
}

func TestFromDetail(t *testing.T) {
	d, want := detail(t)
	got, err := FromDetail(d)
	if err != nil {
		t.Fatal(err)
	}
	if !eq(&got.Metadata, &want.Metadata) || !eq(&got.Init, &want.Init) || !eq(&got.PowerShaping, &want.PowerShaping) || !eq(&got.Infraction, &want.Infraction) {
		t.Fatalf("settings %+v, want %+v", got, want)
	}
	// The query's sections are a valid settings file.
	file, err := json.Marshal(map[string]any{"metadata": d.Metadata, "initialization_parameters": d.Initialization,
		"infraction_parameters": d.Infraction, "power_shaping_parameters": d.PowerShaping})
	if err != nil {
		t.Fatal(err)
	}
	s := Settings{}
	if err := s.applyJSON(file, true, time.Now()); err != nil {
		t.Fatal(err)
	}
	if !eq(&s.Metadata, &want.Metadata) || !eq(&s.Init, &want.Init) || !eq(&s.PowerShaping, &want.PowerShaping) || !eq(&s.Infraction, &want.Infraction) ||
		s.given != secMetadata|secInit|secShaping|secInfraction {
		t.Fatalf("settings from the query's sections %+v, want %+v", s, want)
	}
}

func TestUpdateConsumerKeepsOtherFields(t *testing.T) {
	d, cur := detail(t)
	current := func(id string) (Settings, error) {
		if id != "4" {
			return Settings{}, errors.New("unknown consumer")
		}
		return FromDetail(d)
	}
	m, err := UpdateMsg(command(t, "update-consumer", "--validator-set-cap", "9", "--downtime-jail-duration", "1h"), owner, "4", nil, current)
	if err != nil {
		t.Fatal(err)
	}
	wantShaping := cur.PowerShaping
	wantShaping.ValidatorSetCap = 9
	wantInf := cur.Infraction
	wantInf.Downtime.JailDuration = time.Hour
	if m.Metadata != nil || m.InitializationParameters != nil || len(m.NewOwner) != 0 || !eq(m.PowerShapingParameters, &wantShaping) ||
		!eq(m.InfractionParameters, &wantInf) || !bytes.Equal(m.Owner, owner) || m.ConsumerId != "4" {
		t.Fatalf("update %+v", m)
	}

	// A file changes the fields it holds.
	file := writeFile(t, `{"metadata": {"name": "renamed"}, "initialization_parameters": {"spawn_time": "none"}, "new_owner": "gov"}`)
	m, err = UpdateMsg(command(t, "update-consumer"), owner, "4", []string{file}, current)
	if err != nil {
		t.Fatal(err)
	}
	wantInit := cur.Init
	wantInit.SpawnTime = 0
	if m.Metadata == nil || m.Metadata.Name != "renamed" || m.Metadata.Description != cur.Metadata.Description ||
		!eq(m.InitializationParameters, &wantInit) || m.PowerShapingParameters != nil || m.InfractionParameters != nil ||
		!bytes.Equal(m.NewOwner, gov.ModuleAddress()) {
		t.Fatalf("update from a file %+v", m)
	}

	// A new owner alone needs no read of the consumer.
	m, err = UpdateMsg(command(t, "update-consumer", "--new-owner", address.Encode("ics", valA)), owner, "4", nil,
		func(string) (Settings, error) { t.Fatal("read the consumer"); return Settings{}, nil })
	if err != nil || !bytes.Equal(m.NewOwner, valA) || m.PowerShapingParameters != nil {
		t.Fatalf("new owner: %+v %v", m, err)
	}

	// A list that overlaps the current denylist is refused after the read.
	_, err = UpdateMsg(command(t, "update-consumer", "--allowlist", valcons(valC)), owner, "4", nil, current)
	if err == nil || !strings.Contains(err.Error(), "Denylist") {
		t.Fatalf("allowlist overlapping the denylist: %v", err)
	}
}

// TestSettingsErrors breaks one flag or file field at a time; every error
// comes before the node is asked.
func TestSettingsErrors(t *testing.T) {
	never := func(string) (Settings, error) { return Settings{}, errors.New("asked the node") }
	file := writeFile(t, `{"chain_id": "consumer-1"}`)
	for _, tc := range []struct {
		name  string
		flags []string
		file  string
		want  string
	}{
		{"create-consumer", nil, "", "chain id is missing"},
		{"create-consumer", []string{"--chain-id", "a/b"}, "", "chain id"},
		{"create-consumer", []string{"--chain-id", "c-1", "--top-n", "30"}, "", "TopN must be 0 or between 50 and 100"},
		{"create-consumer", []string{"--chain-id", "c-1", "--top-n", "101"}, "", "TopN must be 0 or between 50 and 100"},
		{"create-consumer", []string{"--chain-id", "c-1", "--top-n", "50"}, "", "submit-consumer-addition"},
		{"create-consumer", []string{"--chain-id", "c-1", "--validators-power-cap", "101"}, "", "ValidatorsPowerCap must be at most 100"},
		{"create-consumer", []string{"--chain-id", "c-1", "--allowlist", "icsvalcons1xyz"}, "", "--allowlist"},
		{"create-consumer", []string{"--chain-id", "c-1", "--denylist", "abcd"}, "", "neither a bech32 valcons address"},
		{"create-consumer", []string{"--chain-id", "c-1", "--prioritylist", valcons(valA) + "," + valcons(valA)}, "", "appears twice"},
		{"create-consumer", []string{"--chain-id", "c-1", "--allowlist", valcons(valA), "--denylist", valcons(valA)}, "", "also Denylist"},
		{"create-consumer", []string{"--chain-id", "c-1", "--spawn-time", "soon"}, "", "--spawn-time"},
		{"create-consumer", []string{"--chain-id", "c-1", "--unbonding-period", "0s"}, "", "unbonding_period must be positive"},
		{"create-consumer", []string{"--chain-id", "c-1", "--redistribution-fraction", "3/2"}, "", "--redistribution-fraction"},
		{"create-consumer", []string{"--chain-id", "c-1", "--initial-height", "0"}, "", "initial height must be positive"},
		{"create-consumer", []string{"--chain-id", "c-1", "--downtime-slash-fraction", "1.5"}, "", "--downtime-slash-fraction"},
		{"create-consumer", []string{"--chain-id", "c-1", "--double-sign-jail-duration", "-1h"}, "", "is negative"},
		{"create-consumer", []string{"--name", strings.Repeat("n", 51)}, file, "--name with FILE"},
		{"create-consumer", nil, `{"chain_id": "c-1", "power_shaping_parameters": {"top_m": 1}}`, `power_shaping_parameters: unknown field "top_m"`},
		{"create-consumer", nil, `{"chain_id": "c-1", "initialization_parameters": {"params": {"unbonding_period": "forever"}}}`, "initialization_parameters.params.unbonding_period"},
		{"create-consumer", nil, `{"chain_id": "c-1", "infraction_parameters": {"downtime": {"slash_fraction": "2"}}}`, "infraction_parameters.downtime.slash_fraction"},
		{"create-consumer", nil, `{"chain_id": "c-1", "power_shaping_parameters": {"validators_power_cap": -1}}`, "validators_power_cap"},
		{"create-consumer", nil, `{"chain_id": "c-1", "new_owner": "gov"}`, `unknown field "new_owner"`},
		{"create-consumer", nil, `[]`, "want a JSON object"},
		{"update-consumer", nil, "", "nothing to update"},
		{"update-consumer", []string{"--new-owner", "nobody"}, "", "--new-owner"},
		{"update-consumer", []string{"--top-n", "49"}, "", "TopN must be 0 or between 50 and 100"},
		{"update-consumer", []string{"--spawn-time", "yesterday"}, "", "--spawn-time"},
		{"update-consumer", nil, `{"chain_id": "c-2"}`, `unknown field "chain_id"`},
		{"submit-consumer-update", []string{"--validators-power-cap", "200"}, "", "ValidatorsPowerCap"},
	} {
		cmd := command(t, tc.name, tc.flags...)
		var fileArg []string
		if tc.file != "" {
			fileArg = []string{tc.file}
			if strings.HasPrefix(tc.file, "{") || strings.HasPrefix(tc.file, "[") {
				fileArg = []string{writeFile(t, tc.file)}
			}
		}
		var err error
		if tc.name == "create-consumer" {
			_, err = CreateMsg(cmd, owner, fileArg, noParams)
		} else {
			_, err = UpdateMsg(cmd, owner, "0", fileArg, never)
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "asked the node") || strings.Contains(err.Error(), "no node") {
			t.Errorf("%s %v %s: %v, want %q", tc.name, tc.flags, tc.file, err, tc.want)
		}
	}
}

// TestCreateChangeoverConsumer: --changeover, or changeover in the file's
// initialization parameters, makes the consumer the changeover of a
// running chain at the initial height.
func TestCreateChangeoverConsumer(t *testing.T) {
	m, err := CreateMsg(command(t, "create-consumer", "--chain-id", "standalone-1", "--spawn-time", "1m", "--initial-height", "500", "--changeover"),
		owner, nil, noParams)
	if err != nil || !m.InitializationParameters.Changeover || m.InitializationParameters.InitialHeight != 500 {
		t.Fatalf("flags: %+v %v", m, err)
	}
	file := writeFile(t, `{"chain_id": "standalone-1", "initialization_parameters": {"initial_height": "500", "changeover": true}}`)
	m, err = CreateMsg(command(t, "create-consumer"), owner, []string{file}, noParams)
	if err != nil || !m.InitializationParameters.Changeover {
		t.Fatalf("file: %+v %v", m, err)
	}
	if _, err := CreateMsg(command(t, "create-consumer", "--chain-id", "standalone-1", "--changeover"), owner, nil, noParams); err == nil {
		t.Fatal("a changeover at height 1 was accepted")
	}
	m, err = CreateMsg(command(t, "create-consumer", "--chain-id", "standalone-1", "--initial-height", "500", "--changeover", "--connection", "connection-4"),
		owner, nil, noParams)
	if err != nil || m.InitializationParameters.ConnectionId != "connection-4" {
		t.Fatalf("--connection: %+v %v", m, err)
	}
	file = writeFile(t, `{"chain_id": "standalone-1", "initialization_parameters": {"initial_height": "500", "changeover": true, "connection_id": "connection-4"}}`)
	if m, err = CreateMsg(command(t, "create-consumer"), owner, []string{file}, noParams); err != nil || m.InitializationParameters.ConnectionId != "connection-4" {
		t.Fatalf("connection_id in the file: %+v %v", m, err)
	}
	for _, args := range [][]string{
		{"--initial-height", "500", "--connection", "connection-4"},                 // not a changeover
		{"--initial-height", "500", "--changeover", "--connection", "connection/4"}, // not an identifier
	} {
		if _, err := CreateMsg(command(t, "create-consumer", append([]string{"--chain-id", "standalone-1"}, args...)...), owner, nil, noParams); err == nil {
			t.Fatalf("%v accepted", args)
		}
	}
}
