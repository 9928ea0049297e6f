package provider

import (
	"bytes"
	"fmt"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/abci-ics/ics/provider/registry"
	"github.com/abci-ics/ics/provider/vsc"
	"github.com/abci-ics/ics/state"
)

// VSC returns the keeper of the consumers' validator sets, key
// assignments, VSC queues and maturity holds (package provider/vsc), over
// this keeper's staking, unbonding and channels. Its queries (ValidatorSet,
// PendingVSCs, Holds, Assignments, KeyOwner, ...) read the provider store.
func (k *Keeper) VSC() *vsc.Keeper {
	return &vsc.Keeper{Staking: k.Staking, Unbonding: k.Unbonding, Channels: k.Channels, Logger: k.Logger, Prefix: k.Prefix}
}

// HandleAssignConsumerKey assigns m.ConsumerKey to the validator operated
// by signer on consumer m.ConsumerId, effective at the next epoch. Errors:
// ErrUnauthorized (signer is not m.Operator), ErrValidatorNotFound,
// ErrConsumerNotFound (unknown, stopped or deleted), ErrInvalidConsumerKey (not an
// ed25519 key), ErrKeyInUse (another validator's provider key, or a key
// another validator uses or used on that consumer less than an unbonding
// period ago).
func (k *Keeper) HandleAssignConsumerKey(s state.Store, height int64, now time.Time, signer []byte, m *MsgAssignConsumerKey) ([]abci.Event, error) {
	if !bytes.Equal(signer, m.Operator) {
		return nil, ErrUnauthorized
	}
	v, ok := k.Staking.ValidatorByOperator(s, m.Operator)
	if !ok {
		return nil, fmt.Errorf("%w: operator %X", ErrValidatorNotFound, m.Operator)
	}
	c, err := registry.Live(s, m.ConsumerId)
	if err != nil {
		return nil, err
	}
	return k.VSC().Assign(s, c.ConsumerId, v, m.ConsumerKey)
}

// IsKeyReserved reports whether pubKey is assigned as a consumer key on any
// consumer, or maps to a validator on one (a key in use, or one that left
// a consumer's set less than an unbonding period ago, whose slashes must
// still find that validator): chain/staking refuses such a key for a new
// validator. A pubKey that is not an ed25519 key is not reserved.
func (k *Keeper) IsKeyReserved(s state.Store, pubKey []byte) bool {
	var all []string
	for _, c := range k.Consumers(s) {
		if c.Phase != registry.PHASE_DELETED {
			all = append(all, c.ConsumerId)
		}
	}
	return k.VSC().IsKeyReserved(s, pubKey, all)
}

// AfterUnbondingInitiated puts a new unbonding entry on hold for every
// launched consumer whose validator set contains the entry's validator,
// until that consumer matures the current vsc id. The chain calls it with
// each id its staking returns, before EndBlock moves the vsc id on.
func (k *Keeper) AfterUnbondingInitiated(s state.Store, id uint64) error {
	var launched []string
	for _, c := range k.Consumers(s) {
		if c.Launched() {
			launched = append(launched, c.ConsumerId)
		}
	}
	return k.VSC().AfterUnbondingInitiated(s, id, launched)
}
