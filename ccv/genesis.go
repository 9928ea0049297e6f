package ccv

import (
	"errors"
	"fmt"
	"time"

	host "github.com/cosmos/ibc-go/v10/modules/core/24-host"
	ibctm "github.com/cosmos/ibc-go/v10/modules/light-clients/07-tendermint"

	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/fraction"
)

// ErrInvalidGenesis is wrapped by every error of ConsumerGenesis.Validate.
var ErrInvalidGenesis = errors.New("invalid consumer genesis")

// MaxInitialValidators bounds the first validator set of a consumer.
const MaxInitialValidators = 1000

// DefaultConsumerParams returns the consumer parameters of SPEC 12.
func DefaultConsumerParams() ConsumerParams {
	return ConsumerParams{
		UnbondingPeriod:                   20 * 24 * time.Hour,
		CcvTimeoutPeriod:                  4 * 7 * 24 * time.Hour,
		TransferTimeoutPeriod:             time.Hour,
		ConsumerRedistributionFraction:    fraction.New(3, 4),
		BlocksPerDistributionTransmission: 1000,
		HistoricalEntries:                 10000,
		RetryDelayPeriod:                  time.Hour,
		SignedBlocksWindow:                100,
		MinSignedPerWindow:                fraction.New(1, 2),
	}
}

// Validate checks that every period and count is positive, the fractions
// are valid, distribution_transmission_channel is empty or a channel
// identifier, and consumer_redistribution_address is empty or a bech32
// address (of any prefix: the consumer checks its own).
func (p ConsumerParams) Validate() error {
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"unbonding_period", p.UnbondingPeriod}, {"ccv_timeout_period", p.CcvTimeoutPeriod},
		{"transfer_timeout_period", p.TransferTimeoutPeriod}, {"retry_delay_period", p.RetryDelayPeriod}} {
		if d.v <= 0 {
			return fmt.Errorf("%s must be positive, got %s", d.name, d.v)
		}
	}
	if p.BlocksPerDistributionTransmission <= 0 || p.HistoricalEntries < 0 || p.SignedBlocksWindow <= 0 {
		return fmt.Errorf("blocks_per_distribution_transmission %d and signed_blocks_window %d must be positive, historical_entries %d not negative",
			p.BlocksPerDistributionTransmission, p.SignedBlocksWindow, p.HistoricalEntries)
	}
	if err := p.ConsumerRedistributionFraction.Validate(); err != nil {
		return fmt.Errorf("consumer_redistribution_fraction: %w", err)
	}
	if err := p.MinSignedPerWindow.Validate(); err != nil {
		return fmt.Errorf("min_signed_per_window: %w", err)
	}
	if ch := p.DistributionTransmissionChannel; ch != "" {
		if err := host.ChannelIdentifierValidator(ch); err != nil {
			return fmt.Errorf("distribution_transmission_channel: %w", err)
		}
	}
	if a := p.ConsumerRedistributionAddress; a != "" {
		if _, err := address.Decode("", a); err != nil {
			return fmt.Errorf("consumer_redistribution_address: %w", err)
		}
	}
	return nil
}

// Decode returns the provider's client and consensus states.
func (g *ConsumerGenesis) Decode() (*ibctm.ClientState, *ibctm.ConsensusState, error) {
	var cs ibctm.ClientState
	if err := cs.Unmarshal(g.ProviderClientState); err != nil {
		return nil, nil, fmt.Errorf("%w: provider client state: %v", ErrInvalidGenesis, err)
	}
	var cons ibctm.ConsensusState
	if err := cons.Unmarshal(g.ProviderConsensusState); err != nil {
		return nil, nil, fmt.Errorf("%w: provider consensus state: %v", ErrInvalidGenesis, err)
	}
	return &cs, &cons, nil
}

// Validate checks the parameters, that the provider states decode, that
// the initial validator set is not empty, has at most
// MaxInitialValidators distinct ed25519 keys, and positive powers, and
// that a changeover names a chain id, a height and, if any, a valid
// connection identifier.
func (g *ConsumerGenesis) Validate() error {
	if c := g.Changeover; c != nil && (c.ChainId == "" || c.Height == 0) {
		return fmt.Errorf("%w: changeover needs a chain id and a height, got %q at %d", ErrInvalidGenesis, c.ChainId, c.Height)
	}
	if c := g.Changeover; c != nil && c.ConnectionId != "" {
		if err := host.ConnectionIdentifierValidator(c.ConnectionId); err != nil {
			return fmt.Errorf("%w: changeover connection_id: %v", ErrInvalidGenesis, err)
		}
	}
	if err := g.Params.Validate(); err != nil {
		return fmt.Errorf("%w: params: %v", ErrInvalidGenesis, err)
	}
	if _, _, err := g.Decode(); err != nil {
		return err
	}
	if n := len(g.InitialValidators); n == 0 || n > MaxInitialValidators {
		return fmt.Errorf("%w: %d initial validators, want 1 to %d", ErrInvalidGenesis, n, MaxInitialValidators)
	}
	seen := map[string]bool{}
	for i, v := range g.InitialValidators {
		if len(v.PubKey) != PubKeySize || v.Power <= 0 {
			return fmt.Errorf("%w: initial validator %d: key of %d bytes, power %d", ErrInvalidGenesis, i, len(v.PubKey), v.Power)
		}
		if seen[string(v.PubKey)] {
			return fmt.Errorf("%w: initial validator %d: duplicate key", ErrInvalidGenesis, i)
		}
		seen[string(v.PubKey)] = true
	}
	return nil
}
