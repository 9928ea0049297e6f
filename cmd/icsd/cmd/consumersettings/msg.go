package consumersettings

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/cosmos/gogoproto/jsonpb"
	gogoproto "github.com/cosmos/gogoproto/proto"
	"github.com/spf13/pflag"

	"github.com/abci-ics/ics/interchain"
	"github.com/abci-ics/ics/provider"
	"github.com/abci-ics/ics/provider/registry"
	"github.com/abci-ics/ics/types/address"
)

// FileHelp describes the FILE of create-consumer and the update
// commands, for their help.
const FileHelp = `FILE is a JSON object of this shape; every field may be left out (chain_id is
required by create-consumer, new_owner is for updates only):

  {
    "chain_id": "consumer-1",
    "new_owner": "ics1...",
    "metadata": {"name": "Consumer one", "description": "What it runs", "metadata": "https://..."},
    "initialization_parameters": {
      "spawn_time": "2026-01-02T15:04:05Z",
      "initial_height": 1,
      "params": {
        "unbonding_period": "480h", "ccv_timeout_period": "672h", "transfer_timeout_period": "1h",
        "consumer_redistribution_fraction": "0.75", "blocks_per_distribution_transmission": 1000,
        "historical_entries": 10000, "retry_delay_period": "1h", "signed_blocks_window": 100,
        "min_signed_per_window": "0.5"
      }
    },
    "power_shaping_parameters": {
      "top_n": 0, "validators_power_cap": 30, "validator_set_cap": 10,
      "allowlist": ["icsvalcons1..."], "denylist": [], "prioritylist": [],
      "min_stake": 1000000, "allow_inactive_vals": false
    },
    "infraction_parameters": {
      "double_sign": {"slash_fraction": "0.05", "jail_duration": "0s", "tombstone": true},
      "downtime": {"slash_fraction": "0.0001", "jail_duration": "10m", "tombstone": false}
    }
  }

Durations are Go durations ("90s", "480h", "1728000s") or nanoseconds; fractions "0.05", "1/20" or
{"numerator": "1", "denominator": "20"}; spawn_time is RFC 3339, a duration from now
("10m"), Unix nanoseconds, or "none"; integers are numbers or strings of digits; the
lists hold bech32 valcons addresses or 40 hex digits. Those are proto3 JSON's forms too:
the sections of 'icsd query provider consumer CONSUMER_ID -o json' can be copied in.
FILE and the settings flags do not mix.`

// UpdateHelp tells how an update changes a consumer, for the help of the
// update commands.
const UpdateHelp = `Only what is given changes. A flag sets one field: the command first reads the
consumer (query /provider/consumer/CONSUMER_ID) and sends the field's whole section
(metadata, initialization parameters, power shaping parameters or infraction
parameters) with its other fields as they are. In FILE likewise, the fields present
change. Initialization parameters change only before launch: a spawn time initializes
a registered consumer, --spawn-time none registers it again. A list flag replaces the
list (--allowlist "" empties it). top_n above 0 needs governance as the owner: hand the
consumer over with --new-owner gov, then change it by proposal with
'icsd tx gov submit-consumer-update'.`

// CheckConsumerID applies the provider's rule for a consumer id (a
// decimal counter), the one MsgRemoveConsumer.ValidateBasic applies.
func CheckConsumerID(id string) error {
	return (&registry.MsgRemoveConsumer{Owner: make([]byte, address.Len), ConsumerId: id}).ValidateBasic()
}

// readFile reads the settings file name.
func readFile(name string) ([]byte, error) {
	bz, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("settings file: %w", err)
	}
	return bz, nil
}

// checkCreate checks a MsgCreateConsumer as the provider will, and
// refuses top_n above 0, which the provider allows only to governance.
func checkCreate(m *registry.MsgCreateConsumer) error {
	if m.ChainId == "" {
		return errors.New("the consumer's chain id is missing: give --chain-id, or chain_id in FILE")
	}
	if err := m.ValidateBasic(); err != nil {
		return err
	}
	if m.PowerShapingParameters.TopN > 0 {
		return fmt.Errorf("top_n %d: a consumer created by an account is opt-in (top_n 0); propose a top-N consumer with 'icsd tx gov submit-consumer-addition'", m.PowerShapingParameters.TopN)
	}
	return nil
}

// CreateMsg builds the MsgCreateConsumer of the settings given (the flags
// of AddFlags(f, true) in f, or the file in fileArg) from submitter. It is
// checked on the defaults first; when infraction parameters are given,
// params gives the provider's parameters for the punishments not given,
// and it is checked again.
func CreateMsg(f *pflag.FlagSet, submitter []byte, fileArg []string, params func() (provider.Params, error)) (*registry.MsgCreateConsumer, error) {
	apply, err := settingsSource(f, fileArg, false)
	if err != nil {
		return nil, err
	}
	s := defaultSettings()
	if err := apply(&s); err != nil {
		return nil, err
	}
	m := s.createMsg(submitter)
	if err := checkCreate(m); err != nil || m.InfractionParameters == nil {
		return m, err
	}
	p, err := params()
	if err != nil {
		return nil, err
	}
	s = defaultSettings()
	s.Infraction = provider.DefaultInfractionParameters(p)
	if err := apply(&s); err != nil {
		return nil, err
	}
	m = s.createMsg(submitter)
	return m, checkCreate(m)
}

// UpdateMsg builds the MsgUpdateConsumer of the settings given (the flags
// of AddFlags(f, false) in f, or the file in fileArg) for consumer
// consumerID, from owner. It is checked on the defaults first; when a
// section is given, current gives the consumer's settings, the given
// fields are set over them, and it is checked again.
func UpdateMsg(f *pflag.FlagSet, owner []byte, consumerID string, fileArg []string, current func(id string) (Settings, error)) (*registry.MsgUpdateConsumer, error) {
	if err := CheckConsumerID(consumerID); err != nil {
		return nil, err
	}
	apply, err := settingsSource(f, fileArg, true)
	if err != nil {
		return nil, err
	}
	s := defaultSettings()
	if err := apply(&s); err != nil {
		return nil, err
	}
	if s.given == 0 && len(s.NewOwner) == 0 {
		return nil, errors.New("nothing to update: give a settings flag, --new-owner or FILE")
	}
	m := s.updateMsg(owner, consumerID)
	if err := m.ValidateBasic(); err != nil || s.given == 0 {
		return m, err
	}
	if s, err = current(consumerID); err != nil {
		return nil, err
	}
	if err := apply(&s); err != nil {
		return nil, err
	}
	m = s.updateMsg(owner, consumerID)
	return m, m.ValidateBasic()
}

// unmarshalProto reads the proto3 JSON raw into m.
func unmarshalProto(raw json.RawMessage, m gogoproto.Message) error {
	return (&jsonpb.Unmarshaler{AllowUnknownFields: true}).Unmarshal(strings.NewReader(string(raw)), m)
}

// FromDetail is the settings of a consumer as the consumer query
// (interchain.PathConsumer) shows it. Initialization parameters never set (initial height 0) are
// the defaults.
func FromDetail(d interchain.ConsumerDetailJSON) (Settings, error) {
	s := defaultSettings()
	s.ChainID = d.ChainID
	if err := unmarshalProto(d.Metadata, &s.Metadata); err != nil {
		return s, fmt.Errorf("the consumer's metadata: %w", err)
	}
	var init registry.ConsumerInitializationParameters
	if err := unmarshalProto(d.Initialization, &init); err != nil {
		return s, fmt.Errorf("the consumer's initialization parameters: %w", err)
	}
	if init.InitialHeight != 0 {
		s.Init = init
	}
	if err := unmarshalProto(d.Infraction, &s.Infraction); err != nil {
		return s, fmt.Errorf("the consumer's infraction parameters: %w", err)
	}
	ps := d.PowerShaping
	s.PowerShaping = registry.PowerShapingParameters{TopN: ps.TopN, ValidatorsPowerCap: ps.ValidatorsPowerCap, ValidatorSetCap: ps.ValidatorSetCap,
		MinStake: ps.MinStake, AllowInactiveVals: ps.AllowInactiveVals}
	for _, l := range []struct {
		from []string
		to   *[][]byte
	}{{ps.Allowlist, &s.PowerShaping.Allowlist}, {ps.Denylist, &s.PowerShaping.Denylist}, {ps.Prioritylist, &s.PowerShaping.Prioritylist}} {
		list, err := parseValconsList(l.from)
		if err != nil {
			return s, fmt.Errorf("the consumer's power shaping parameters: %w", err)
		}
		*l.to = list
	}
	return s, nil
}
