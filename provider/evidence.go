package provider

import (
	"bytes"
	"fmt"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	ibctm "github.com/cosmos/ibc-go/v10/modules/light-clients/07-tendermint"

	"github.com/abci-ics/ics/provider/equivocation"
	"github.com/abci-ics/ics/provider/registry"
	"github.com/abci-ics/ics/state"
)

// MaxEvidenceBytes bounds each encoded field of an evidence message.
const MaxEvidenceBytes = 512 << 10

// runningConsumer returns a consumer that has a client (launched or
// running) for evidence about it.
func (k *Keeper) evidenceConsumer(s state.Store, consumerID string) (registry.Consumer, error) {
	c, ok := k.Consumer(s, consumerID)
	if !ok || !c.Launched() {
		return registry.Consumer{}, fmt.Errorf("%w: %q is not a launched consumer", ErrConsumerNotFound, consumerID)
	}
	return c, nil
}

// checkHeader verifies a header of consumer c with the provider's client of
// it, and that it belongs to the consumer's current incarnation and is not
// older than an unbonding period.
func (k *Keeper) checkHeader(s state.Store, c registry.Consumer, now time.Time, h *ibctm.Header) error {
	if h == nil || h.SignedHeader == nil || h.SignedHeader.Header == nil {
		return fmt.Errorf("%w: missing header", ErrInvalidEvidence)
	}
	if uint64(h.SignedHeader.Header.Height) < c.Init.InitialHeight {
		return fmt.Errorf("%w: height %d before the initial height %d", ErrStaleEvidence, h.SignedHeader.Header.Height, c.Init.InitialHeight)
	}
	if h.SignedHeader.Header.Time.Add(k.Unbonding.UnbondingPeriod(s)).Before(now) {
		return fmt.Errorf("%w: header of %s is older than the unbonding period", ErrStaleEvidence, h.SignedHeader.Header.Time)
	}
	if err := k.Clients.VerifyHeader(s, c.ClientId, now, h); err != nil {
		return fmt.Errorf("%w: header: %v", ErrInvalidEvidence, err)
	}
	return nil
}

func decodeEvidence(what string, bz []byte, m interface{ Unmarshal([]byte) error }) error {
	if len(bz) == 0 || len(bz) > MaxEvidenceBytes {
		return fmt.Errorf("%w: %s of %d bytes, want 1 to %d", ErrInvalidEvidence, what, len(bz), MaxEvidenceBytes)
	}
	if err := m.Unmarshal(bz); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrInvalidEvidence, what, err)
	}
	return nil
}

// HandleSubmitConsumerDoubleVoting verifies a double vote on a consumer
// (SPEC 4): the infraction header against the provider's client of the
// consumer, then both votes over the consumer's chain id; and punishes the
// validator with the consumer's double-sign parameters (by default: slash
// DoubleSignSlashFraction, jail forever, tombstone, which makes it exactly
// once). Errors: ErrConsumerNotFound, ErrInvalidEvidence (stale or
// unverifiable), ErrValidatorNotFound (the key is not, or no longer,
// mapped to a provider validator), ErrAlreadyTombstoned or
// ErrEvidenceHandled (resubmission).
func (k *Keeper) HandleSubmitConsumerDoubleVoting(s state.Store, height int64, now time.Time, signer []byte, m *MsgSubmitConsumerDoubleVoting) ([]abci.Event, error) {
	if !bytes.Equal(signer, m.Submitter) {
		return nil, fmt.Errorf("%w: submitter is not the signer", ErrUnauthorized)
	}
	c, err := k.evidenceConsumer(s, m.ConsumerId)
	if err != nil {
		return nil, err
	}
	var ev cmtproto.DuplicateVoteEvidence
	if err := decodeEvidence("duplicate vote evidence", m.DuplicateVoteEvidence, &ev); err != nil {
		return nil, err
	}
	var h ibctm.Header
	if err := decodeEvidence("infraction block header", m.InfractionBlockHeader, &h); err != nil {
		return nil, err
	}
	if err := k.checkHeader(s, c, now, &h); err != nil {
		return nil, err
	}
	addr, _, err := equivocation.DoubleVote(&ev, &h, c.ChainId)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidEvidence, err)
	}
	providerAddr, err := k.evidenceOwner(s, c.ConsumerId, addr)
	if err != nil {
		return nil, err
	}
	k.log().Info("double voting on a consumer", "consumer_id", c.ConsumerId, "chain_id", c.ChainId, "height", h.SignedHeader.Header.Height)
	return k.punishEquivocation(s, c, providerAddr, h.SignedHeader.Header.Height, height, now, "submit_consumer_double_voting")
}

// HandleSubmitConsumerMisbehaviour verifies a light client attack on a
// consumer (two conflicting headers, each verified against the provider's
// client of the consumer) and punishes every validator that signed both,
// exactly once. Validators already tombstoned are skipped; when every one
// is, it returns ErrAlreadyTombstoned.
func (k *Keeper) HandleSubmitConsumerMisbehaviour(s state.Store, height int64, now time.Time, signer []byte, m *MsgSubmitConsumerMisbehaviour) ([]abci.Event, error) {
	if !bytes.Equal(signer, m.Submitter) {
		return nil, fmt.Errorf("%w: submitter is not the signer", ErrUnauthorized)
	}
	c, err := k.evidenceConsumer(s, m.ConsumerId)
	if err != nil {
		return nil, err
	}
	var mb ibctm.Misbehaviour
	if err := decodeEvidence("misbehaviour", m.Misbehaviour, &mb); err != nil {
		return nil, err
	}
	if mb.Header1 == nil || mb.Header2 == nil {
		return nil, fmt.Errorf("%w: misbehaviour needs two headers", ErrInvalidEvidence)
	}
	for _, h := range []*ibctm.Header{mb.Header1, mb.Header2} {
		if err := k.checkHeader(s, c, now, h); err != nil {
			return nil, err
		}
	}
	addrs, err := equivocation.LightClientAttack(&mb, c.ChainId)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidEvidence, err)
	}
	attack := mb.Header1.SignedHeader.Header.Height
	var events []abci.Event
	for _, a := range addrs {
		providerAddr, err := k.evidenceOwner(s, c.ConsumerId, a)
		if err != nil {
			continue
		}
		if v, ok := k.Staking.ValidatorByConsAddr(s, providerAddr); !ok || v.Tombstoned || kv(s).Has(PunishedKey(c.ConsumerId, providerAddr, attack)) {
			continue
		}
		evs, err := k.punishEquivocation(s, c, providerAddr, attack, height, now, "submit_consumer_misbehaviour")
		if err != nil {
			return nil, err
		}
		events = append(events, evs...)
	}
	if len(events) == 0 {
		return nil, fmt.Errorf("%w: no validator of the attack is left to punish", ErrEvidenceHandled)
	}
	return events, nil
}
