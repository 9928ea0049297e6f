package interchain

import (
	"fmt"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"

	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/consumer"
	"github.com/abci-ics/ics/ibc/channel"
	"github.com/abci-ics/ics/ibc/transfer"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/types/coin"
)

// ConsumerConfig is what a consumer chain gives the layer.
type ConsumerConfig struct {
	// ChainID is the chain's id, as in its CometBFT genesis.
	ChainID string
	// Prefix is the chain's bech32 account prefix (events name consensus
	// addresses under Prefix+"valcons").
	Prefix string
	// Bank enables ICS-20 transfers; nil leaves them out.
	Bank Bank
	// Balances and FeeCollector (the account the chain's fees are paid
	// to), with Bank, enable the rewards: the fee split and the
	// transmission of the provider's share (SPEC 8). Balances lists an
	// account's balances sorted by denomination.
	Balances     func(s state.Store, addr []byte) []coin.Coin
	FeeCollector []byte
	// Logger may be nil.
	Logger Logger
}

// Consumer is the layer of a consumer chain: IBC and the consumer side of
// CCV. Its validator set is whatever the provider sends.
type Consumer struct {
	*IBC
	Keeper *consumer.Keeper
}

// ConsumerStores are the stores a consumer's layer reads and writes.
var ConsumerStores = []string{channel.StoreName, consumer.StoreName}

// NewConsumer builds a consumer's layer and binds the CCV consumer port.
func NewConsumer(cfg ConsumerConfig) *Consumer {
	l := newIBC(cfg.ChainID, cfg.Prefix, cfg.Bank)
	k := &consumer.Keeper{Clients: clients{l.Clients}, Channels: channels{l.Channels, l.Packets, l.Connections}, Prefix: cfg.Prefix}
	if cfg.Logger != nil {
		k.Logger = cfg.Logger
	}
	if l.Transfer != nil && cfg.Balances != nil && len(cfg.FeeCollector) > 0 {
		k.Rewards = consumerRewards{l: l, bank: cfg.Bank, balances: cfg.Balances}
		k.FeeCollector = cfg.FeeCollector
		k.ChainID = cfg.ChainID
	}
	l.Channels.BindPort(ccv.ConsumerPortID, k)
	return &Consumer{IBC: l, Keeper: k}
}

// Stores returns the names of the stores the layer uses; the chain mounts
// them in its multistore.
func (c *Consumer) Stores() []string { return ConsumerStores }

// InitGenesis starts the consumer from the consumer genesis the provider
// computed (g) and, when the chain has ICS-20, the transfer genesis tg (nil
// for the defaults), at the chain's first height and time. It returns the
// initial validator set for CometBFT. Errors wrap ErrInvalidGenesis.
func (c *Consumer) InitGenesis(s state.Store, g *ccv.ConsumerGenesis, tg *transfer.GenesisState, height int64, now time.Time) ([]abci.ValidatorUpdate, error) {
	if err := initTransfer(c.IBC, s, tg); err != nil {
		return nil, err
	}
	updates, err := c.Keeper.InitGenesis(s, g, height, now)
	if err != nil {
		return nil, fmt.Errorf("%w: consumer: %w", ErrInvalidGenesis, err)
	}
	return updates, nil
}

// BeginBlock runs before the block's transactions: downtime detection
// over the previous block's commit.
func (c *Consumer) BeginBlock(s state.Store, b Block) ([]abci.Event, error) {
	return c.Keeper.BeginBlock(s, b.Height, b.Time, b.LastCommit)
}

// EndBlock runs last in the block: it applies the validator-set changes
// received, queues and sends the consumer's packets, and returns the
// block's validator updates for CometBFT with its events.
func (c *Consumer) EndBlock(s state.Store, b Block) ([]abci.ValidatorUpdate, []abci.Event, error) {
	return c.Keeper.EndBlock(s, b.Height, b.Time)
}

// initTransfer writes the transfer genesis, when the chain has ICS-20.
func initTransfer(l *IBC, s state.Store, tg *transfer.GenesisState) error {
	if l.Transfer == nil {
		if tg != nil && len(tg.DenomTraces)+len(tg.TotalEscrow) > 0 {
			return fmt.Errorf("%w: transfer state given to a chain without ICS-20", ErrInvalidGenesis)
		}
		return nil
	}
	if tg == nil {
		tg = transfer.DefaultGenesis()
	}
	if err := l.Transfer.InitGenesis(s, tg); err != nil {
		return fmt.Errorf("%w: transfer: %w", ErrInvalidGenesis, err)
	}
	return nil
}

// consumerRewards shows the consumer the bank, ICS-20 and the channels
// for its rewards.
type consumerRewards struct {
	l        *IBC
	bank     Bank
	balances func(s state.Store, addr []byte) []coin.Coin
}

func (r consumerRewards) Balances(s state.Store, addr []byte) []coin.Coin { return r.balances(s, addr) }

func (r consumerRewards) Send(s state.Store, from, to []byte, coins []coin.Coin) error {
	return r.bank.Send(s, from, to, coins)
}

func (r consumerRewards) Transfer(s state.Store, height int64, now time.Time, channelID string, sender []byte, token coin.Coin, receiver, memo string, timeoutTimestamp uint64) ([]abci.Event, error) {
	_, events, err := r.l.Transfer.Transfer(s, height, now, &transfer.MsgTransfer{
		Sender: sender, SourcePort: transfer.PortID, SourceChannel: channelID, Token: token,
		Receiver: receiver, TimeoutTimestamp: timeoutTimestamp, Memo: memo,
	})
	return events, err
}

func (r consumerRewards) Channel(s state.Store, portID, channelID string) (channeltypes.Channel, bool) {
	return r.l.Channels.Channel(s, portID, channelID)
}

func (r consumerRewards) Channels(s state.Store) []channeltypes.IdentifiedChannel {
	return r.l.Channels.Channels(s)
}
