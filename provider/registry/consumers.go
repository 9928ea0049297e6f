package registry

import (
	"bytes"
	"fmt"
	"strconv"
	"time"

	host "github.com/cosmos/ibc-go/v10/modules/core/24-host"

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

// Get returns the record of the consumer consumerID.
func Get(s state.Store, consumerID string) (Consumer, bool) {
	return typed.Get[Consumer](kv(s), ConsumerKey(consumerID))
}

// All returns every consumer, deleted ones included, by consumer id length
// then consumer id (that is, in creation order).
func All(s state.Store) []Consumer {
	return typed.All[Consumer](kv(s), []byte{prefixConsumer})
}

// ByChainID returns the live (not stopped or deleted) consumer with chain
// id chainID.
func ByChainID(s state.Store, chainID string) (Consumer, bool) {
	for _, c := range All(s) {
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

// nextID returns the id for a new consumer and moves the counter.
func nextID(s state.Store) string {
	n, _ := typed.GetU64(kv(s), []byte{keyNextConsumerID})
	kv(s).Set([]byte{keyNextConsumerID}, typed.U64(n+1))
	return strconv.FormatUint(n, 10)
}

// Set stores the record c.
func Set(s state.Store, c Consumer) { typed.Set(kv(s), ConsumerKey(c.ConsumerId), &c) }

// CheckChainID checks a consumer chain id: 1 to MaxChainIDLen printable
// ASCII bytes, no '/'.
func CheckChainID(id string) error {
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

// CheckConsumerID checks that id is a consumer id: a decimal counter.
func CheckConsumerID(id string) error {
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
	if p.Changeover && p.InitialHeight < 2 {
		return fmt.Errorf("%w: a changeover's initial height is a height of the running chain, above 1", ErrInvalidConsumer)
	}
	if p.ConnectionId != "" {
		if !p.Changeover {
			return fmt.Errorf("%w: connection_id %q names a connection to reuse, which only a changeover has", ErrInvalidConsumer, p.ConnectionId)
		}
		if err := host.ConnectionIdentifierValidator(p.ConnectionId); err != nil {
			return fmt.Errorf("%w: connection_id: %v", ErrInvalidConsumer, err)
		}
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

// ValidateBasic checks the message statelessly.
func (m *MsgCreateConsumer) ValidateBasic() error {
	if err := checkAddr(m.Submitter); err != nil {
		return fmt.Errorf("%w: submitter: %v", ErrInvalidConsumer, err)
	}
	if err := CheckChainID(m.ChainId); err != nil {
		return err
	}
	if err := m.Metadata.Validate(); err != nil {
		return err
	}
	return validateParameters(m.InitializationParameters, m.PowerShapingParameters, m.InfractionParameters)
}

// ValidateBasic checks the message statelessly.
func (m *MsgUpdateConsumer) ValidateBasic() error {
	if err := checkAddr(m.Owner); err != nil {
		return fmt.Errorf("%w: owner: %v", ErrInvalidConsumer, err)
	}
	if err := CheckConsumerID(m.ConsumerId); err != nil {
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
	return validateParameters(m.InitializationParameters, m.PowerShapingParameters, m.InfractionParameters)
}

// validateParameters checks the parameters a create or update message
// carries; nil ones are not given.
func validateParameters(init *ConsumerInitializationParameters, ps *PowerShapingParameters, ip *InfractionParameters) error {
	if init != nil {
		if err := init.Validate(); err != nil {
			return err
		}
	}
	if ps != nil {
		if err := ps.Validate(); err != nil {
			return err
		}
	}
	if ip != nil {
		return ip.Validate()
	}
	return nil
}

// ValidateBasic checks the message statelessly.
func (m *MsgRemoveConsumer) ValidateBasic() error {
	if err := checkAddr(m.Owner); err != nil {
		return fmt.Errorf("%w: owner: %v", ErrInvalidConsumer, err)
	}
	return CheckConsumerID(m.ConsumerId)
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
	if _, ok := ByChainID(s, m.ChainId); ok || m.ChainId == k.ChainID {
		return nil, fmt.Errorf("%w: %s", ErrConsumerExists, m.ChainId)
	}
	c := Consumer{ChainId: m.ChainId, Owner: m.Submitter, Metadata: m.Metadata, Phase: PHASE_REGISTERED}
	if k.Defaults != nil {
		c.Infraction = k.Defaults(s)
	}
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
	c.ConsumerId = nextID(s)
	Set(s, c)
	return []abci.Event{event.New("create_consumer", "consumer_id", c.ConsumerId, "chain_id", c.ChainId,
		"owner", address.Encode(k.Prefix, c.Owner), "phase", c.Phase.String())}, nil
}

// Owned returns the live consumer id if signer owns it: ErrConsumerNotFound
// for one unknown, stopped or deleted, ErrNotOwner for another owner.
func Owned(s state.Store, id string, signer []byte) (Consumer, error) {
	c, ok := Get(s, id)
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
	c, err := Owned(s, m.ConsumerId, signer)
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
	Set(s, c)
	return []abci.Event{event.New("update_consumer", "consumer_id", c.ConsumerId, "chain_id", c.ChainId,
		"owner", address.Encode(k.Prefix, c.Owner), "phase", c.Phase.String())}, nil
}
