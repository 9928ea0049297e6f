package ccvopts

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/types/coin"
)

// Options configure a CCV testnet.
type Options struct {
	Dir string
	// Bin is the icsd binary the children run.
	Bin        string
	ChainID    string // the provider's
	Validators int
	Consumers  int
	// Kinds gives consumer j (from 1) its kind, Kinds[j-1]: top-N or
	// opt-in. Consumers past the end of the list are top-N 100; entries
	// past Consumers are unused.
	Kinds []ConsumerKind
	// BasePort is the first loopback port: provider node i uses
	// BasePort+10i (P2P) and +1 (RPC); validator i's node on consumer j
	// (from 1) uses BasePort+100j+10i and +1 (with more than 10 validators the stride is
	// 10 x validators instead of 100).
	BasePort      int
	TimeoutCommit time.Duration
	// VotingPeriod is the provider's governance voting period.
	VotingPeriod time.Duration
	// BlocksPerEpoch is how often the provider sends validator set changes.
	BlocksPerEpoch int64
	// ConsumerUnbondingPeriod is each consumer's unbonding period; the
	// provider's client of a consumer trusts for 0.66 of it.
	ConsumerUnbondingPeriod time.Duration
	// SignedBlocksWindow is each consumer's downtime window.
	SignedBlocksWindow int64
	// DowntimeJail is how long the provider jails a validator reported
	// down by a consumer.
	DowntimeJail time.Duration
	// BlocksPerDistribution is each consumer's
	// BlocksPerDistributionTransmission: how often it sends the provider
	// its rewards, and how often the provider distributes them.
	BlocksPerDistribution int64
	// AssignKeys lists the consumers (1-based) on which validators use a
	// fresh consumer key: on a top-N consumer every validator assigns one
	// before launch, on an opt-in consumer each validator opts in with one;
	// the other consumers are validated with the provider keys.
	AssignKeys []int
	// SelfDelegations, when set, is each provider validator's bond; by
	// default validator 0 bonds twice as much as each other one.
	SelfDelegations []uint64
	// KVConsumerBin is the kvconsumer binary (examples/kvconsumer) that
	// runs the consumers listed in KVConsumers (1-based) instead of icsd: a
	// chain with its own transaction format, validated with the provider
	// keys, whose relayer sends RelayTx transactions on the consumer end.
	KVConsumerBin string
	KVConsumers   []int
	// NodeArgs are extra arguments of every `icsd start`.
	NodeArgs []string
	// RelayInterval is the relayers' pause between passes.
	RelayInterval time.Duration
	// Out receives one line per step; nil discards them.
	Out io.Writer
}

// Default returns the options of `icsd testnet start
// --consumers`: three validators, two consumers: consumer-1 top-N 100 with
// keys assigned, consumer-2 opt-in with validators 0 and 1 opted in
// (validator 2 runs nothing for it).
func Default() Options {
	return Options{
		Dir: "build/testnet", ChainID: "testnet-1", Validators: 3, Consumers: 2, Kinds: []ConsumerKind{TopN(100), OptIn(0, 1)}, BasePort: 26600,
		TimeoutCommit: 500 * time.Millisecond, VotingPeriod: 10 * time.Second, BlocksPerEpoch: 5,
		ConsumerUnbondingPeriod: 30 * time.Minute, SignedBlocksWindow: 10, DowntimeJail: time.Minute,
		AssignKeys: []int{1}, RelayInterval: 300 * time.Millisecond, BlocksPerDistribution: 20,
	}
}

// ConsumerChainID returns the chain id of consumer j (from 1).
func ConsumerChainID(j int) string { return fmt.Sprintf("consumer-%d", j) }

// FeeDenom returns the denomination consumer j (from 1) charges its fees
// in, its own coin: ucon<j>. Its rewards reach the provider as
// transfer/<channel>/ucon<j>.
func FeeDenom(j int) string { return fmt.Sprintf("ucon%d", j) }

// ConsumerFee is the fee each transaction pays on consumer j (its
// minimum): large enough that the provider's share of a block's fees
// shows in the rewards of every transmission.
func ConsumerFee(j int) coin.Coin { return coin.Coin{Denom: FeeDenom(j), Amount: 10_000} }

// Kind returns consumer j's kind.
func (o Options) Kind(j int) ConsumerKind {
	if j <= len(o.Kinds) {
		return o.Kinds[j-1]
	}
	return TopN(100)
}

// Stride is the distance between the base ports of two chains: consumer
// j's nodes start at BasePort + j*Stride.
func (o Options) Stride() int { return 10 * max(o.Validators, 10) }

// Validate checks the options before anything is written or started.
func (o Options) Validate() error {
	switch {
	case o.Bin == "":
		return errors.New("no icsd binary to run")
	case o.Validators < 1 || o.Validators > 100:
		return fmt.Errorf("--validators must be 1 to 100, got %d", o.Validators)
	case o.Consumers < 1 || o.Consumers > 9:
		return fmt.Errorf("--consumers must be 1 to 9, got %d", o.Consumers)
	case o.BasePort < 1024 || o.BasePort+o.Stride()*(o.Consumers+1) > 65535:
		return fmt.Errorf("--base-port %d leaves no room for %d chains of %d nodes", o.BasePort, o.Consumers+1, o.Validators)
	case o.BlocksPerEpoch < 1 || o.VotingPeriod <= 0 || o.ConsumerUnbondingPeriod <= 0 || o.SignedBlocksWindow < 1 || o.DowntimeJail <= 0 ||
		o.BlocksPerDistribution < 1:
		return errors.New("epochs, periods, the downtime window and the blocks per distribution must be positive")
	}
	for _, j := range o.AssignKeys {
		if j < 1 || j > o.Consumers {
			return fmt.Errorf("--assign-keys %d: consumers are 1 to %d", j, o.Consumers)
		}
	}
	for j := 1; j <= o.Consumers; j++ {
		if err := o.Kind(j).validate(j, o.Validators); err != nil {
			return fmt.Errorf("--consumer-kinds: %w", err)
		}
	}
	return o.validateKV()
}

// ConsumerParams are the parameters the testnet proposes its consumers
// with.
func (o Options) ConsumerParams() ccv.ConsumerParams {
	p := ccv.DefaultConsumerParams()
	p.UnbondingPeriod = o.ConsumerUnbondingPeriod
	p.SignedBlocksWindow = o.SignedBlocksWindow
	p.RetryDelayPeriod = 30 * time.Second
	p.BlocksPerDistributionTransmission = o.BlocksPerDistribution
	return p
}

// validateKV checks the options of the kvconsumer consumers.
func (o Options) validateKV() error {
	if len(o.KVConsumers) > 0 && o.KVConsumerBin == "" {
		return errors.New("kvconsumer consumers need the kvconsumer binary")
	}
	for _, j := range o.KVConsumers {
		if j < 1 || j > o.Consumers {
			return fmt.Errorf("kvconsumer consumer %d: consumers are 1 to %d", j, o.Consumers)
		}
		if slices.Contains(o.AssignKeys, j) {
			return fmt.Errorf("kvconsumer consumer %d runs with the provider keys: no key assignment", j)
		}
	}
	if o.SelfDelegations != nil && len(o.SelfDelegations) != o.Validators {
		return fmt.Errorf("%d self-delegations for %d validators", len(o.SelfDelegations), o.Validators)
	}
	return nil
}
