package provider

import (
	"bytes"
	"fmt"
	"strconv"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/abci-ics/ics/provider/shaping"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/state/typed"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/event"
)

// MaxChainIDLen bounds the chain id of a consumer.
const MaxChainIDLen = 50

// Bounds of a consumer's metadata, in bytes.
const (
	MaxNameLen        = 50
	MaxDescriptionLen = 10000
	MaxMetadataLen    = 1000
)

// Consumer returns the record of the consumer consumerID.
func (*Keeper) Consumer(s state.Store, consumerID string) (Consumer, bool) {
	return typed.Get[Consumer](kv(s), ConsumerKey(consumerID))
}

// Consumers returns every consumer, deleted ones included, by consumer id
// length then consumer id (that is, in creation order).
func (*Keeper) Consumers(s state.Store) []Consumer {
	return typed.All[Consumer](kv(s), []byte{prefixConsumer})
}

// ConsumerByChainID returns the live (not stopped or deleted) consumer
// with chain id chainID.
func (k *Keeper) ConsumerByChainID(s state.Store, chainID string) (Consumer, bool) {
	for _, c := range k.Consumers(s) {
		if c.ChainId == chainID && c.Live() {
			return c, true
		}
	}
	return Consumer{}, false
}

// Live reports whether the consumer is neither stopped nor deleted.
func (c Consumer) Live() bool { return c.Phase != PHASE_STOPPED && c.Phase != PHASE_DELETED }

// Launched reports whether the consumer has a genesis and a client: it is
// launched or running.
func (c Consumer) Launched() bool { return c.Phase == PHASE_LAUNCHED || c.Phase == PHASE_RUNNING }

// nextConsumerID returns the id for a new consumer and moves the counter.
func nextConsumerID(s state.Store) string {
	n, _ := typed.GetU64(kv(s), []byte{keyNextConsumerID})
	kv(s).Set([]byte{keyNextConsumerID}, typed.U64(n+1))
	return strconv.FormatUint(n, 10)
}

func setConsumer(s state.Store, c Consumer) { typed.Set(kv(s), ConsumerKey(c.ConsumerId), &c) }

func checkChainID(id string) error {
	if id == "" || len(id) > MaxChainIDLen {
		return fmt.Errorf("%w: chain id must be 1 to %d bytes", ErrInvalidConsumer, MaxChainIDLen)
	}
	for _, r := range id {
		if r <= ' ' || r > '~' || r == '/' {
			return fmt.Errorf("%w: chain id %q has a character outside printable ASCII or '/'", ErrInvalidConsumer, id)
		}
	}
	return nil
}

func checkAddr(a []byte) error {
	if len(a) != address.Len {
		return fmt.Errorf("%d bytes, want %d", len(a), address.Len)
	}
	return nil
}

func checkConsumerID(id string) error {
	if _, err := strconv.ParseUint(id, 10, 64); err != nil || (len(id) > 1 && id[0] == '0') {
		return fmt.Errorf("%w: consumer id %q is not a decimal counter", ErrConsumerNotFound, id)
	}
	return nil
}

// Validate checks the metadata's sizes.
func (m ConsumerMetadata) Validate() error {
	switch {
	case len(m.Name) > MaxNameLen:
		return fmt.Errorf("%w: name longer than %d bytes", ErrInvalidConsumer, MaxNameLen)
	case len(m.Description) > MaxDescriptionLen:
		return fmt.Errorf("%w: description longer than %d bytes", ErrInvalidConsumer, MaxDescriptionLen)
	case len(m.Metadata) > MaxMetadataLen:
		return fmt.Errorf("%w: metadata longer than %d bytes", ErrInvalidConsumer, MaxMetadataLen)
	}
	return nil
}

// Validate checks initialization parameters statelessly. A zero spawn
// time is allowed: the consumer stays registered.
func (p ConsumerInitializationParameters) Validate() error {
	if p.SpawnTime < 0 {
		return fmt.Errorf("%w: spawn time is negative", ErrInvalidConsumer)
	}
	if p.InitialHeight == 0 {
		return fmt.Errorf("%w: initial height must be positive", ErrInvalidConsumer)
	}
	if err := p.Params.Validate(); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidConsumer, err)
	}
	return nil
}

// Rules returns the parameters as package shaping reads them.
func (p PowerShapingParameters) Rules() shaping.Rules {
	return shaping.Rules{TopN: p.TopN, ValidatorSetCap: p.ValidatorSetCap, ValidatorsPowerCap: p.ValidatorsPowerCap,
		Allowlist: p.Allowlist, Denylist: p.Denylist, Prioritylist: p.Prioritylist,
		MinStake: p.MinStake, AllowInactive: p.AllowInactiveVals}
}

// Validate checks power shaping statelessly (see shaping.Rules.Validate).
func (p PowerShapingParameters) Validate() error {
	if err := p.Rules().Validate(); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidConsumer, err)
	}
	return nil
}

// Validate checks one infraction's punishment.
func (p InfractionParams) Validate(what string) error {
	if err := p.SlashFraction.Validate(); err != nil {
		return fmt.Errorf("%w: %s slash fraction: %v", ErrInvalidConsumer, what, err)
	}
	if p.JailDuration < 0 {
		return fmt.Errorf("%w: %s jail duration is negative", ErrInvalidConsumer, what)
	}
	return nil
}

// Validate checks both infractions' punishments.
func (p InfractionParameters) Validate() error {
	if err := p.DoubleSign.Validate("double-sign"); err != nil {
		return err
	}
	return p.Downtime.Validate("downtime")
}

// DefaultInfractionParameters returns the punishments of the provider's
// parameters: a double signer is slashed, jailed forever and tombstoned; a
// validator down is slashed and jailed.
func DefaultInfractionParameters(p Params) InfractionParameters {
	return InfractionParameters{
		DoubleSign: InfractionParams{SlashFraction: p.DoubleSignSlashFraction, Tombstone: true},
		Downtime:   InfractionParams{SlashFraction: p.DowntimeSlashFraction, JailDuration: p.DowntimeJailDuration},
	}
}

// ValidateBasic checks the message statelessly.
func (m *MsgCreateConsumer) ValidateBasic() error {
	if err := checkAddr(m.Submitter); err != nil {
		return fmt.Errorf("%w: submitter: %v", ErrInvalidConsumer, err)
	}
	if err := checkChainID(m.ChainId); err != nil {
		return err
	}
	if err := m.Metadata.Validate(); err != nil {
		return err
	}
	if m.InitializationParameters != nil {
		if err := m.InitializationParameters.Validate(); err != nil {
			return err
		}
	}
	if m.PowerShapingParameters != nil {
		if err := m.PowerShapingParameters.Validate(); err != nil {
			return err
		}
	}
	if m.InfractionParameters != nil {
		return m.InfractionParameters.Validate()
	}
	return nil
}

// ValidateBasic checks the message statelessly.
func (m *MsgUpdateConsumer) ValidateBasic() error {
	if err := checkAddr(m.Owner); err != nil {
		return fmt.Errorf("%w: owner: %v", ErrInvalidConsumer, err)
	}
	if err := checkConsumerID(m.ConsumerId); err != nil {
		return err
	}
	if len(m.NewOwner) > 0 {
		if err := checkAddr(m.NewOwner); err != nil {
			return fmt.Errorf("%w: new owner: %v", ErrInvalidConsumer, err)
		}
	}
	if m.Metadata != nil {
		if err := m.Metadata.Validate(); err != nil {
			return err
		}
	}
	if m.InitializationParameters != nil {
		if err := m.InitializationParameters.Validate(); err != nil {
			return err
		}
	}
	if m.PowerShapingParameters != nil {
		if err := m.PowerShapingParameters.Validate(); err != nil {
			return err
		}
	}
	if m.InfractionParameters != nil {
		return m.InfractionParameters.Validate()
	}
	return nil
}

// ValidateBasic checks the message statelessly.
func (m *MsgRemoveConsumer) ValidateBasic() error {
	if err := checkAddr(m.Owner); err != nil {
		return fmt.Errorf("%w: owner: %v", ErrInvalidConsumer, err)
	}
	return checkConsumerID(m.ConsumerId)
}

// checkOwnerTopN refuses a top-N consumer not owned by governance.
func (k *Keeper) checkOwnerTopN(c Consumer) error {
	if c.PowerShaping.TopN > 0 && !bytes.Equal(c.Owner, k.Authority) {
		return fmt.Errorf("%w: top_n %d needs governance as the owner", ErrInvalidConsumer, c.PowerShaping.TopN)
	}
	return nil
}

// HandleCreateConsumer creates a consumer owned by signer (SPEC 6): it is
// initialized when the message sets a spawn time, registered otherwise.
// The chain id may not be in use by a live consumer or be the provider's.
// Errors: ErrInvalidConsumer, ErrConsumerExists.
func (k *Keeper) HandleCreateConsumer(s state.Store, height int64, now time.Time, signer []byte, m *MsgCreateConsumer) ([]abci.Event, error) {
	if err := m.ValidateBasic(); err != nil {
		return nil, err
	}
	if !bytes.Equal(signer, m.Submitter) {
		return nil, fmt.Errorf("%w: signer is not the submitter", ErrInvalidConsumer)
	}
	if _, ok := k.ConsumerByChainID(s, m.ChainId); ok || m.ChainId == k.ChainID {
		return nil, fmt.Errorf("%w: %s", ErrConsumerExists, m.ChainId)
	}
	c := Consumer{ChainId: m.ChainId, Owner: m.Submitter, Metadata: m.Metadata, Phase: PHASE_REGISTERED,
		Infraction: DefaultInfractionParameters(k.Params(s))}
	if m.InitializationParameters != nil {
		c.Init = *m.InitializationParameters
	}
	if m.PowerShapingParameters != nil {
		c.PowerShaping = *m.PowerShapingParameters
	}
	if m.InfractionParameters != nil {
		c.Infraction = *m.InfractionParameters
	}
	if err := k.checkOwnerTopN(c); err != nil {
		return nil, err
	}
	if c.Init.SpawnTime > 0 {
		c.Phase = PHASE_INITIALIZED
	}
	c.ConsumerId = nextConsumerID(s)
	setConsumer(s, c)
	k.log().Info("consumer created", "consumer_id", c.ConsumerId, "chain_id", c.ChainId, "phase", c.Phase.String())
	return []abci.Event{event.New("create_consumer", "consumer_id", c.ConsumerId, "chain_id", c.ChainId,
		"owner", address.Encode(k.Prefix, c.Owner), "phase", c.Phase.String())}, nil
}

// ownedConsumer returns the live consumer id owned by signer.
func (k *Keeper) ownedConsumer(s state.Store, id string, signer []byte) (Consumer, error) {
	c, ok := k.Consumer(s, id)
	if !ok || !c.Live() {
		return Consumer{}, fmt.Errorf("%w: %q", ErrConsumerNotFound, id)
	}
	if !bytes.Equal(c.Owner, signer) {
		return Consumer{}, fmt.Errorf("%w: consumer %s", ErrNotOwner, id)
	}
	return c, nil
}

// HandleUpdateConsumer changes a consumer for its owner: owner, metadata,
// initialization parameters (only before launch; a spawn time makes it
// initialized, none registered), power shaping and infraction parameters
// (from the next epoch and the next infraction). Errors: ErrNotOwner,
// ErrConsumerNotFound, ErrInvalidConsumer.
func (k *Keeper) HandleUpdateConsumer(s state.Store, height int64, now time.Time, signer []byte, m *MsgUpdateConsumer) ([]abci.Event, error) {
	if err := m.ValidateBasic(); err != nil {
		return nil, err
	}
	if !bytes.Equal(signer, m.Owner) {
		return nil, fmt.Errorf("%w: signer is not the message's owner", ErrNotOwner)
	}
	c, err := k.ownedConsumer(s, m.ConsumerId, signer)
	if err != nil {
		return nil, err
	}
	if len(m.NewOwner) > 0 {
		c.Owner = m.NewOwner
	}
	if m.Metadata != nil {
		c.Metadata = *m.Metadata
	}
	if m.InitializationParameters != nil {
		if c.Phase != PHASE_REGISTERED && c.Phase != PHASE_INITIALIZED {
			return nil, fmt.Errorf("%w: initialization parameters of a %s consumer cannot change", ErrInvalidConsumer, c.Phase)
		}
		c.Init = *m.InitializationParameters
		c.Phase = PHASE_REGISTERED
		if c.Init.SpawnTime > 0 {
			c.Phase = PHASE_INITIALIZED
		}
	}
	if m.PowerShapingParameters != nil {
		c.PowerShaping = *m.PowerShapingParameters
	}
	if m.InfractionParameters != nil {
		c.Infraction = *m.InfractionParameters
	}
	if err := k.checkOwnerTopN(c); err != nil {
		return nil, err
	}
	setConsumer(s, c)
	return []abci.Event{event.New("update_consumer", "consumer_id", c.ConsumerId, "chain_id", c.ChainId,
		"owner", address.Encode(k.Prefix, c.Owner), "phase", c.Phase.String())}, nil
}

// HandleRemoveConsumer removes a consumer for its owner: one not launched
// is deleted at once, a launched one stops now (its state goes at the end
// of the block). Errors: ErrNotOwner, ErrConsumerNotFound.
func (k *Keeper) HandleRemoveConsumer(s state.Store, height int64, now time.Time, signer []byte, m *MsgRemoveConsumer) ([]abci.Event, error) {
	if err := m.ValidateBasic(); err != nil {
		return nil, err
	}
	if !bytes.Equal(signer, m.Owner) {
		return nil, fmt.Errorf("%w: signer is not the message's owner", ErrNotOwner)
	}
	c, err := k.ownedConsumer(s, m.ConsumerId, signer)
	if err != nil {
		return nil, err
	}
	if !c.Launched() {
		c.StopReason = "removed before launch"
		k.deleteConsumer(s, c)
		return []abci.Event{event.New("consumer_stopped", "consumer_id", c.ConsumerId, "chain_id", c.ChainId, "reason", c.StopReason)}, nil
	}
	k.stop(s, c.ConsumerId, "removed by its owner")
	return []abci.Event{event.New("remove_consumer", "consumer_id", c.ConsumerId, "chain_id", c.ChainId)}, nil
}
