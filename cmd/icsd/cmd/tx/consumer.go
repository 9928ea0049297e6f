package tx

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/cosmos/gogoproto/jsonpb"
	gogoproto "github.com/cosmos/gogoproto/proto"
	"github.com/spf13/cobra"

	"github.com/abci-ics/ics/chain/auth"
	"github.com/abci-ics/ics/client"
	"github.com/abci-ics/ics/cmd/icsd/cmd/cli"
	"github.com/abci-ics/ics/interchain"
	"github.com/abci-ics/ics/nodehome"
	"github.com/abci-ics/ics/provider"
	"github.com/abci-ics/ics/provider/registry"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/fraction"
)

// settingsFileHelp describes the FILE of create-consumer and the update
// commands.
const settingsFileHelp = `FILE is a JSON object of this shape; every field may be left out (chain_id is
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

const updateHelp = `Only what is given changes. A flag sets one field: the command first reads the
consumer (query /provider/consumer/CONSUMER_ID) and sends the field's whole section
(metadata, initialization parameters, power shaping parameters or infraction
parameters) with its other fields as they are. In FILE likewise, the fields present
change. Initialization parameters change only before launch: a spawn time initializes
a registered consumer, --spawn-time none registers it again. A list flag replaces the
list (--allowlist "" empties it). top_n above 0 needs governance as the owner: hand the
consumer over with --new-owner gov, then change it by proposal with
'icsd tx gov submit-consumer-update'.`

func providerConsumerTxCmds() []*cobra.Command {
	create := &cobra.Command{
		Use:   "create-consumer KEY [FILE]",
		Short: "Create a consumer chain owned by KEY's account and print its consumer id",
		Long: `create-consumer creates a consumer chain on the provider, owned by KEY's account: the
owner may update and remove it. Once the transaction is in a block the command prints
the consumer id the provider gave it. With a spawn time the consumer is initialized and
launches then, if a validator has opted in by that time; without one it stays registered
until update-consumer sets one. A consumer created by an account is opt-in (top_n 0); a
top-N consumer is proposed with 'icsd tx gov submit-consumer-addition'. Infraction
parameters not given are the provider's; the rest defaults as the flags say.

` + settingsFileHelp,
		Example: `  icsd tx provider create-consumer alice --chain-id consumer-1 --spawn-time 10m --validator-set-cap 10
  icsd tx provider create-consumer alice consumer.json`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			key, err := client.LoadKey(cli.Home(cmd), args[0])
			if err != nil {
				return err
			}
			m, err := createConsumerMsg(cmd, key.Address(), args[1:], func() (provider.Params, error) { return providerParams(cmd) })
			if err != nil {
				return err
			}
			return broadcastCreate(cmd, key, m)
		},
	}
	cli.AddTxFlags(create)
	addSettingsFlags(create, true)

	update := txCommand("update-consumer KEY CONSUMER_ID [FILE]", "Change consumer CONSUMER_ID (owned by KEY's account): the settings given, the others as they are", 3,
		func(cmd *cobra.Command, key client.Key, args []string) (gogoproto.Message, error) {
			return updateConsumerMsg(cmd, key.Address(), args[0], args[1:], func(id string) (consumerSettings, error) { return currentSettings(cmd, id) })
		})
	update.Args = cobra.RangeArgs(2, 3)
	update.Long = "update-consumer changes consumer CONSUMER_ID for its owner, KEY's account.\n\n" + updateHelp + "\n\n" + settingsFileHelp
	update.Example = `  icsd tx provider update-consumer alice 0 --validator-set-cap 20
  icsd tx provider update-consumer alice 0 --spawn-time 2026-01-02T15:04:05Z
  icsd tx provider update-consumer alice 0 --new-owner gov`
	addSettingsFlags(update, false)

	remove := txCommand("remove-consumer KEY CONSUMER_ID", "Remove consumer CONSUMER_ID (owned by KEY's account): deleted at once before launch, stopped now after", 2,
		func(_ *cobra.Command, key client.Key, args []string) (gogoproto.Message, error) {
			m := &registry.MsgRemoveConsumer{Owner: key.Address(), ConsumerId: args[0]}
			return m, m.ValidateBasic()
		})
	optIn := txCommand("opt-in KEY CONSUMER_ID [CONSUMER_PUBKEY]", "Validate consumer CONSUMER_ID with the validator operated by KEY from the next epoch, with CONSUMER_PUBKEY if given (64 hex digits, or a priv_validator_key.json)", 3,
		func(_ *cobra.Command, key client.Key, args []string) (gogoproto.Message, error) {
			if err := checkConsumerID(args[0]); err != nil {
				return nil, err
			}
			m := &registry.MsgOptIn{Operator: key.Address(), ConsumerId: args[0]}
			if len(args) > 1 {
				pk, err := nodehome.ParseConsensusKey(args[1])
				if err != nil {
					return nil, fmt.Errorf("consumer key: %w", err)
				}
				m.ConsumerKey = pk
			}
			return m, nil
		})
	optIn.Args = cobra.RangeArgs(2, 3)
	optOut := txCommand("opt-out KEY CONSUMER_ID", "Stop validating consumer CONSUMER_ID with the validator operated by KEY from the next epoch (refused in the top N of a top-N consumer)", 2,
		func(_ *cobra.Command, key client.Key, args []string) (gogoproto.Message, error) {
			return &registry.MsgOptOut{Operator: key.Address(), ConsumerId: args[0]}, checkConsumerID(args[0])
		})
	commission := txCommand("set-consumer-commission-rate KEY CONSUMER_ID RATE", "Set the commission (0.05 or 1/20) the validator operated by KEY takes on consumer CONSUMER_ID's rewards", 3,
		func(_ *cobra.Command, key client.Key, args []string) (gogoproto.Message, error) {
			if err := checkConsumerID(args[0]); err != nil {
				return nil, err
			}
			rate, err := fraction.Parse(args[1])
			if err != nil {
				return nil, fmt.Errorf("rate: %w", err)
			}
			return &registry.MsgSetConsumerCommissionRate{Operator: key.Address(), ConsumerId: args[0], Rate: rate}, nil
		})
	return []*cobra.Command{create, update, remove, optIn, optOut, commission}
}

// checkConsumerID applies the provider's rule for a consumer id (a
// decimal counter), the one MsgRemoveConsumer.ValidateBasic applies.
func checkConsumerID(id string) error {
	return (&registry.MsgRemoveConsumer{Owner: make([]byte, address.Len), ConsumerId: id}).ValidateBasic()
}

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

// createConsumerMsg builds the MsgCreateConsumer of the settings given
// (flags, or the file in fileArg). It is checked on the defaults first;
// when infraction parameters are given, params gives the provider's
// parameters for the punishments not given, and it is checked again.
func createConsumerMsg(cmd *cobra.Command, submitter []byte, fileArg []string, params func() (provider.Params, error)) (*registry.MsgCreateConsumer, error) {
	apply, err := settingsSource(cmd, fileArg, false)
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

// updateConsumerMsg builds the MsgUpdateConsumer of the settings given,
// from owner. It is checked on the defaults first; when a section is
// given, current gives the consumer's settings, the given fields are set
// over them, and it is checked again.
func updateConsumerMsg(cmd *cobra.Command, owner []byte, consumerID string, fileArg []string, current func(id string) (consumerSettings, error)) (*registry.MsgUpdateConsumer, error) {
	if err := checkConsumerID(consumerID); err != nil {
		return nil, err
	}
	apply, err := settingsSource(cmd, fileArg, true)
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

// providerParams reads the provider's parameters from --node.
func providerParams(cmd *cobra.Command) (provider.Params, error) {
	var p provider.Params
	return p, queryProto(cmd, interchain.PathProviderParams, &p)
}

func queryProto(cmd *cobra.Command, path string, m gogoproto.Message) error {
	c, ctx, cancel, err := cli.ClientFor(cmd)
	if err != nil {
		return err
	}
	defer cancel()
	var raw json.RawMessage
	if err := c.QueryJSON(ctx, path, &raw); err != nil {
		return err
	}
	return unmarshalProto(raw, m)
}

func unmarshalProto(raw json.RawMessage, m gogoproto.Message) error {
	return (&jsonpb.Unmarshaler{AllowUnknownFields: true}).Unmarshal(strings.NewReader(string(raw)), m)
}

// currentSettings reads the settings of consumer id from --node.
func currentSettings(cmd *cobra.Command, id string) (consumerSettings, error) {
	c, ctx, cancel, err := cli.ClientFor(cmd)
	if err != nil {
		return consumerSettings{}, err
	}
	defer cancel()
	var d interchain.ConsumerDetailJSON
	if err := c.QueryJSON(ctx, interchain.PathConsumer+id, &d); err != nil {
		return consumerSettings{}, fmt.Errorf("reading the consumer's settings: %w", err)
	}
	return settingsOfDetail(d)
}

// settingsOfDetail is the settings of a consumer as the consumer query
// shows it. Initialization parameters never set (initial height 0) are
// the defaults.
func settingsOfDetail(d interchain.ConsumerDetailJSON) (consumerSettings, error) {
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

// createResult is what create-consumer prints: the transaction and the
// id of the new consumer.
type createResult struct {
	client.TxResult
	ConsumerID string `json:"consumer_id,omitempty"`
}

// broadcastCreate sends m, and once it is in a block reads the consumer
// id from its create_consumer event and prints it.
func broadcastCreate(cmd *cobra.Command, key client.Key, m *registry.MsgCreateConsumer) error {
	msg, err := auth.NewAny(m)
	if err != nil {
		return err
	}
	c, ctx, cancel, err := cli.ClientFor(cmd)
	if err != nil {
		return err
	}
	defer cancel()
	fee, _ := cmd.Flags().GetString("fee")
	res, err := c.SignAndBroadcast(ctx, key, &fee, msg)
	if err != nil {
		return err
	}
	out := createResult{TxResult: res}
	var idErr error
	if res.Code == 0 {
		out.ConsumerID, idErr = createdConsumerID(ctx, c, res)
	}
	if err := cli.PrintOut(cmd, out, func(w io.Writer) {
		if res.Code != 0 {
			fmt.Fprintf(w, "failed with code %d: %s (tx %s)\n", res.Code, res.Log, res.Hash)
			return
		}
		fmt.Fprintf(w, "committed at height %d: %s\n", res.Height, res.Hash)
		if out.ConsumerID != "" {
			fmt.Fprintf(w, "consumer id: %s\n", out.ConsumerID)
		}
	}); err != nil {
		return err
	}
	if res.Code != 0 {
		cmd.SilenceErrors = true
		return fmt.Errorf("transaction failed with code %d", res.Code)
	}
	if idErr != nil {
		return fmt.Errorf("the consumer is created, but its id is unknown (see icsd query provider consumers): %w", idErr)
	}
	return nil
}

// createdConsumerID reads the consumer_id attribute of the create_consumer
// event of the transaction res, from the results of its block.
func createdConsumerID(ctx context.Context, c *client.Client, res client.TxResult) (string, error) {
	height := res.Height
	block, err := c.RPC().Block(ctx, &height)
	if err != nil {
		return "", fmt.Errorf("block %d: %w", height, err)
	}
	index := -1
	for i, tx := range block.Block.Txs {
		if strings.EqualFold(fmt.Sprintf("%X", tx.Hash()), res.Hash) {
			index = i
		}
	}
	results, err := c.RPC().BlockResults(ctx, &height)
	if err != nil {
		return "", fmt.Errorf("results of block %d: %w", height, err)
	}
	if index < 0 || index >= len(results.TxsResults) {
		return "", fmt.Errorf("transaction %s not found in block %d", res.Hash, height)
	}
	for _, ev := range results.TxsResults[index].Events {
		if ev.Type != "create_consumer" {
			continue
		}
		for _, a := range ev.Attributes {
			if a.Key == "consumer_id" {
				return a.Value, nil
			}
		}
	}
	return "", errors.New("the transaction has no create_consumer event")
}
