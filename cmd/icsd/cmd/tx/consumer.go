package tx

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/cosmos/gogoproto/jsonpb"
	gogoproto "github.com/cosmos/gogoproto/proto"
	"github.com/spf13/cobra"

	"github.com/abci-ics/ics/chain/auth"
	"github.com/abci-ics/ics/client"
	"github.com/abci-ics/ics/cmd/icsd/cmd/cli"
	"github.com/abci-ics/ics/cmd/icsd/cmd/consumersettings"
	"github.com/abci-ics/ics/interchain"
	"github.com/abci-ics/ics/nodehome"
	"github.com/abci-ics/ics/provider"
	"github.com/abci-ics/ics/provider/registry"
	"github.com/abci-ics/ics/types/fraction"
)

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

` + consumersettings.FileHelp,
		Example: `  icsd tx provider create-consumer alice --chain-id consumer-1 --spawn-time 10m --validator-set-cap 10
  icsd tx provider create-consumer alice consumer.json`,
		Args: cli.KeyArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			key, rest, err := cli.SigningKey(cmd, args, 1, 2)
			if err != nil {
				return err
			}
			m, err := consumersettings.CreateMsg(cmd.Flags(), key.Address(), rest, func() (provider.Params, error) { return providerParams(cmd) })
			if err != nil {
				return err
			}
			return broadcastCreate(cmd, key, m)
		},
	}
	cli.AddTxFlags(create)
	consumersettings.AddFlags(create.Flags(), true)

	update := txCommandRange("update-consumer KEY CONSUMER_ID [FILE]", "Change consumer CONSUMER_ID (owned by KEY's account): the settings given, the others as they are", 2, 3,
		func(cmd *cobra.Command, key client.Key, args []string) (gogoproto.Message, error) {
			return consumersettings.UpdateMsg(cmd.Flags(), key.Address(), args[0], args[1:], func(id string) (consumersettings.Settings, error) { return currentSettings(cmd, id) })
		})
	update.Long = "update-consumer changes consumer CONSUMER_ID for its owner, KEY's account.\n\n" + consumersettings.UpdateHelp + "\n\n" + consumersettings.FileHelp
	update.Example = `  icsd tx provider update-consumer alice 0 --validator-set-cap 20
  icsd tx provider update-consumer alice 0 --spawn-time 2026-01-02T15:04:05Z
  icsd tx provider update-consumer alice 0 --new-owner gov`
	consumersettings.AddFlags(update.Flags(), false)

	remove := txCommand("remove-consumer KEY CONSUMER_ID", "Remove consumer CONSUMER_ID (owned by KEY's account): deleted at once before launch, stopped now after", 2,
		func(_ *cobra.Command, key client.Key, args []string) (gogoproto.Message, error) {
			m := &registry.MsgRemoveConsumer{Owner: key.Address(), ConsumerId: args[0]}
			return m, m.ValidateBasic()
		})
	optIn := txCommandRange("opt-in KEY CONSUMER_ID [CONSUMER_PUBKEY]", "Validate consumer CONSUMER_ID with the validator operated by KEY from the next epoch, with CONSUMER_PUBKEY if given (64 hex digits, or a priv_validator_key.json)", 2, 3,
		func(_ *cobra.Command, key client.Key, args []string) (gogoproto.Message, error) {
			if err := consumersettings.CheckConsumerID(args[0]); err != nil {
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
	optOut := txCommand("opt-out KEY CONSUMER_ID", "Stop validating consumer CONSUMER_ID with the validator operated by KEY from the next epoch (refused in the top N of a top-N consumer)", 2,
		func(_ *cobra.Command, key client.Key, args []string) (gogoproto.Message, error) {
			return &registry.MsgOptOut{Operator: key.Address(), ConsumerId: args[0]}, consumersettings.CheckConsumerID(args[0])
		})
	commission := txCommand("set-consumer-commission-rate KEY CONSUMER_ID RATE", "Set the commission (0.05 or 1/20) the validator operated by KEY takes on consumer CONSUMER_ID's rewards", 3,
		func(_ *cobra.Command, key client.Key, args []string) (gogoproto.Message, error) {
			if err := consumersettings.CheckConsumerID(args[0]); err != nil {
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

// providerParams reads the provider's parameters from --node.
func providerParams(cmd *cobra.Command) (provider.Params, error) {
	var p provider.Params
	return p, queryProto(cmd, interchain.PathProviderParams, &p)
}

// queryProto reads the proto3 JSON answer of the query path from --node
// into m.
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
	return (&jsonpb.Unmarshaler{AllowUnknownFields: true}).Unmarshal(strings.NewReader(string(raw)), m)
}

// currentSettings reads the settings of consumer id from --node.
func currentSettings(cmd *cobra.Command, id string) (consumersettings.Settings, error) {
	c, ctx, cancel, err := cli.ClientFor(cmd)
	if err != nil {
		return consumersettings.Settings{}, err
	}
	defer cancel()
	var d interchain.ConsumerDetailJSON
	if err := c.QueryJSON(ctx, interchain.PathConsumer+id, &d); err != nil {
		return consumersettings.Settings{}, fmt.Errorf("reading the consumer's settings: %w", err)
	}
	return consumersettings.FromDetail(d)
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
