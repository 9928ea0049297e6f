package provider

import (
	"fmt"
	"math/big"
	"strconv"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/provider/registry"
	"github.com/abci-ics/ics/provider/vsc"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/state/typed"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/event"
)

// SlashMeter returns the slash meter.
func (*Keeper) SlashMeter(s state.Store) SlashMeter {
	m, _ := typed.Get[SlashMeter](kv(s), []byte{keySlashMeter})
	return m
}

// totalPower returns the power of the provider's bonded set.
func (k *Keeper) totalPower(s state.Store) int64 {
	var total int64
	for _, v := range k.Staking.BondedValidators(s) {
		total += v.Power
	}
	return total
}

// replenish refills the meter by its allowance every replenish period
// (capped at the allowance), or at once when force is set.
func (k *Keeper) replenish(s state.Store, p Params, now time.Time, force bool) {
	m := k.SlashMeter(s)
	if !force && now.Before(unixNano(m.LastReplenish).Add(p.SlashMeterReplenishPeriod)) {
		return
	}
	total := big.NewInt(k.totalPower(s))
	allowance := new(big.Int).Mul(total, new(big.Int).SetUint64(p.SlashMeterReplenishFraction.Numerator))
	allowance.Quo(allowance, new(big.Int).SetUint64(p.SlashMeterReplenishFraction.Denominator))
	m.Allowance = max(allowance.Int64(), 1)
	if force {
		m.Meter = m.Allowance
	} else {
		m.Meter = min(m.Meter+m.Allowance, m.Allowance)
	}
	m.LastReplenish = now.UnixNano()
	typed.Set(kv(s), []byte{keySlashMeter}, &m)
}

// handleSlash handles a slash packet of a running consumer and returns the
// result byte of its acknowledgement, or an error for an invalid packet.
// Nothing is written when the packet is bounced.
func (k *Keeper) handleSlash(s state.Store, p Params, c registry.Consumer, d ccv.SlashPacketData, height int64, now time.Time) (byte, []abci.Event, error) {
	infractionHeight := c.InitHeight
	if d.ValsetUpdateID != 0 {
		h, ok := k.VSC().VSCHeight(s, d.ValsetUpdateID)
		if !ok {
			return 0, nil, fmt.Errorf("%w: unknown valset update id %d", ErrInvalidPacket, d.ValsetUpdateID)
		}
		infractionHeight = min(h, height)
	}
	if d.Infraction == ccv.InfractionDoubleSign {
		// Double signing is punished through evidence, never by packet.
		return ccv.ResultHandled, nil, nil
	}
	owner, ok := k.VSC().KeyOwner(s, c.ConsumerId, d.Validator.Address)
	if !ok {
		return ccv.ResultHandled, nil, nil
	}
	v, ok := k.Staking.ValidatorByConsAddr(s, owner.ProviderAddr)
	// A validator outside the provider's active set answers for downtime
	// only where it may validate: on a consumer that admits inactive
	// validators and has it in its set.
	inactiveMember := c.PowerShaping.AllowInactiveVals && kv(s).Has(vsc.ValidatorKey(c.ConsumerId, v.ConsAddr))
	if !ok || v.Tombstoned || (!v.Bonded && !inactiveMember) {
		return ccv.ResultHandled, nil, nil
	}
	cons := address.Encode(k.Prefix+"valcons", v.ConsAddr)
	if v.Jailed {
		k.VSC().AckSlash(s, c.ConsumerId, d.Validator.Address)
		return ccv.ResultHandled, nil, nil
	}
	m := k.SlashMeter(s)
	if m.Meter < 0 {
		return ccv.ResultBounced, []abci.Event{event.New("consumer_slash_request", "consumer_id", c.ConsumerId, "chain_id", c.ChainId,
			"validator_address", cons, "valset_update_id", strconv.FormatUint(d.ValsetUpdateID, 10),
			"infraction_type", d.Infraction.String(), "result", "bounced")}, nil
	}
	if err := k.punish(s, v, c.Infraction.Downtime, infractionHeight, height, now); err != nil {
		return 0, nil, fmt.Errorf("%s: %w", cons, err)
	}
	m.Meter -= v.Power
	typed.Set(kv(s), []byte{keySlashMeter}, &m)
	k.VSC().AckSlash(s, c.ConsumerId, d.Validator.Address)
	k.log().Info("validator jailed for downtime on a consumer", "consumer_id", c.ConsumerId, "validator", cons, "infraction_height", infractionHeight)
	return ccv.ResultHandled, []abci.Event{event.New("execute_consumer_chain_slash", "consumer_id", c.ConsumerId, "chain_id", c.ChainId,
		"validator_address", cons, "valset_update_id", strconv.FormatUint(d.ValsetUpdateID, 10),
		"infraction_type", d.Infraction.String(), "infraction_height", strconv.FormatInt(infractionHeight, 10))}, nil
}

// punishEquivocation punishes the validator with provider address addr
// for double signing on consumer c, with c's double-sign parameters: it
// slashes their fraction of everything the validator has at stake
// (pending unbondings included: the consumer's infraction height cannot
// be mapped), jails it until now plus their jail duration (forever when
// they tombstone) and tombstones it if they say so, once per consumer
// height of the infraction. It returns ErrAlreadyTombstoned for a
// validator tombstoned before, ErrEvidenceHandled for one punished for
// that height before, and ErrValidatorNotFound for an unknown one.
func (k *Keeper) punishEquivocation(s state.Store, c registry.Consumer, addr []byte, consumerHeight, height int64, now time.Time, typ string) ([]abci.Event, error) {
	v, ok := k.Staking.ValidatorByConsAddr(s, addr)
	if !ok {
		return nil, fmt.Errorf("%w: %X", ErrValidatorNotFound, addr)
	}
	if v.Tombstoned {
		return nil, fmt.Errorf("%w: %s", ErrAlreadyTombstoned, address.Encode(k.Prefix+"valcons", addr))
	}
	done := PunishedKey(c.ConsumerId, addr, consumerHeight)
	if kv(s).Has(done) {
		return nil, fmt.Errorf("%w: %s at height %d of consumer %s", ErrEvidenceHandled, address.Encode(k.Prefix+"valcons", addr), consumerHeight, c.ConsumerId)
	}
	ip := c.Infraction.DoubleSign
	if err := k.punish(s, v, ip, 0, height, now); err != nil {
		return nil, err
	}
	kv(s).Set(done, []byte{})
	return []abci.Event{event.New(typ, "consumer_id", c.ConsumerId, "chain_id", c.ChainId,
		"validator_address", address.Encode(k.Prefix+"valcons", addr))}, nil
}

// punish slashes, jails and tombstones v as ip says, for an infraction at
// infractionHeight: jailed until now+JailDuration, or forever when ip
// tombstones; not jailed with a zero duration.
func (k *Keeper) punish(s state.Store, v Validator, ip registry.InfractionParams, infractionHeight, height int64, now time.Time) error {
	if ip.SlashFraction.Numerator > 0 {
		if _, err := k.Staking.Slash(s, v.ConsAddr, infractionHeight, v.Power, ip.SlashFraction, height); err != nil {
			return fmt.Errorf("slash: %w", err)
		}
	}
	until := maxTime
	if !ip.Tombstone {
		until = now.Add(ip.JailDuration)
	}
	if ip.Tombstone || ip.JailDuration > 0 {
		if err := k.Staking.Jail(s, v.ConsAddr, until); err != nil {
			return fmt.Errorf("jail: %w", err)
		}
	}
	if ip.Tombstone {
		if err := k.Staking.Tombstone(s, v.ConsAddr); err != nil {
			return fmt.Errorf("tombstone: %w", err)
		}
	}
	return nil
}

// maxTime is "forever" for jailing.
var maxTime = time.Unix(0, 1<<63-1).UTC()

// evidenceOwner maps the consumer address of a misbehaving validator to
// its provider address.
func (k *Keeper) evidenceOwner(s state.Store, consumerID string, consumerAddr []byte) ([]byte, error) {
	owner, ok := k.VSC().KeyOwner(s, consumerID, consumerAddr)
	if !ok {
		return nil, fmt.Errorf("%w: %X is not a validator of consumer %s", ErrValidatorNotFound, consumerAddr, consumerID)
	}
	return owner.ProviderAddr, nil
}
