package slashing

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"

	"github.com/abci-ics/ics/chain/staking"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/state/typed"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/event"
	"github.com/abci-ics/ics/types/fraction"
	"github.com/abci-ics/ics/types/liveness"
)

// Staking is what slashing needs of the chain's staking: its parameters,
// the validators by consensus address, and the punishments.
// *staking.Keeper implements it.
type Staking interface {
	Params(s state.Store) staking.Params
	ValidatorByConsAddr(s state.Store, consAddr []byte) (staking.Validator, bool)
	Slash(s state.Store, consAddr []byte, infractionHeight, power int64, frac fraction.Fraction, height int64) (uint64, error)
	Jail(s state.Store, consAddr []byte, until time.Time) error
	Tombstone(s state.Store, consAddr []byte) error
}

var _ Staking = (*staking.Keeper)(nil)

// Keeper tracks the liveness windows and applies the punishments through
// Staking. It holds no state of its own. Prefix is the chain's bech32
// prefix, used in events (consensus addresses use Prefix+"valcons").
type Keeper struct {
	Staking Staking
	Prefix  string
}

func kv(s state.Store) state.KVStore { return s.KV(staking.StoreName) }

// SigningInfo returns the liveness window state of a consensus address.
func (Keeper) SigningInfo(s state.Store, consAddr []byte) (staking.SigningInfo, bool) {
	return typed.Get[staking.SigningInfo](kv(s), staking.SigningInfoKey(consAddr))
}

// BeginBlock punishes the chain's own validators (see the package
// documentation): it records every vote of lastCommit (the block's
// DecidedLastCommit) in its validator's window, punishes downtime, and
// punishes every DUPLICATE_VOTE or LIGHT_CLIENT_ATTACK in misbehavior. It
// returns the liveness and slash events, or the error of a punishment,
// which fails the block.
func (k Keeper) BeginBlock(s state.Store, height int64, now time.Time, lastCommit abci.CommitInfo, misbehavior []abci.Misbehavior) ([]abci.Event, error) {
	p := k.Staking.Params(s)
	var events []abci.Event
	for _, vote := range lastCommit.Votes {
		evs, err := k.handleVote(s, p, height, now, vote)
		if err != nil {
			return nil, fmt.Errorf("liveness of %X: %w", vote.Validator.Address, err)
		}
		events = append(events, evs...)
	}
	for _, m := range misbehavior {
		evs, err := k.handleEvidence(s, p, height, now, m)
		if err != nil {
			return nil, fmt.Errorf("evidence against %X: %w", m.Validator.Address, err)
		}
		events = append(events, evs...)
	}
	return events, nil
}

func (k Keeper) handleVote(s state.Store, p staking.Params, height int64, now time.Time, vote abci.VoteInfo) ([]abci.Event, error) {
	cons := vote.Validator.Address
	v, ok := k.Staking.ValidatorByConsAddr(s, cons)
	if !ok || v.Jailed || v.Tombstoned {
		return nil, nil
	}
	st := kv(s)
	info, found := k.SigningInfo(s, cons)
	if !found {
		info.StartHeight = height
	}
	missed := vote.BlockIdFlag == cmtproto.BlockIDFlagAbsent
	w := liveness.Window{Slot: func(i int64) []byte { return staking.MissedKey(cons, i) }, IndexOffset: &info.IndexOffset, MissedBlocks: &info.MissedBlocks}
	w.Record(st, p.SignedBlocksWindow, missed)
	var events []abci.Event
	if missed {
		events = append(events, event.New("liveness", "address", k.consBech(cons),
			"missed_blocks", strconv.FormatInt(info.MissedBlocks, 10), "height", strconv.FormatInt(height, 10)))
	}
	if w.Full(p.SignedBlocksWindow) && v.Status == staking.BOND_STATUS_BONDED &&
		liveness.TooManyMissed(info.MissedBlocks, p.SignedBlocksWindow, p.MinSignedPerWindow) {
		burned, err := k.Staking.Slash(s, cons, max(height-2, 0), vote.Validator.Power, p.SlashFractionDowntime, height)
		if err != nil {
			return nil, err
		}
		if err := k.Staking.Jail(s, cons, now.Add(p.DowntimeJailDuration)); err != nil {
			return nil, err
		}
		typed.DeletePrefix(st, staking.MissedPrefix(cons))
		info = staking.SigningInfo{StartHeight: height}
		events = append(events, event.New("slash", "address", k.consBech(cons),
			"power", strconv.FormatInt(vote.Validator.Power, 10), "reason", "missing_signature",
			"jailed", k.consBech(cons), "burned", bondCoin(p, burned)))
	}
	typed.Set(st, staking.SigningInfoKey(cons), &info)
	return events, nil
}

func (k Keeper) handleEvidence(s state.Store, p staking.Params, height int64, now time.Time, m abci.Misbehavior) ([]abci.Event, error) {
	if m.Type != abci.MisbehaviorType_DUPLICATE_VOTE && m.Type != abci.MisbehaviorType_LIGHT_CLIENT_ATTACK {
		return nil, nil
	}
	cons := m.Validator.Address
	v, ok := k.Staking.ValidatorByConsAddr(s, cons)
	if !ok || v.Tombstoned || m.Height < 0 || m.Height > height || m.Validator.Power < 0 || now.Sub(m.Time) > p.UnbondingPeriod {
		return nil, nil
	}
	burned, err := k.Staking.Slash(s, cons, m.Height, m.Validator.Power, p.SlashFractionDoubleSign, height)
	if err != nil {
		return nil, err
	}
	if err := k.Staking.Jail(s, cons, staking.JailedForever); err != nil {
		return nil, err
	}
	if err := k.Staking.Tombstone(s, cons); err != nil {
		return nil, err
	}
	typed.DeletePrefix(kv(s), staking.MissedPrefix(cons))
	kv(s).Delete(staking.SigningInfoKey(cons))
	return []abci.Event{event.New("slash", "address", k.consBech(cons),
		"power", strconv.FormatInt(m.Validator.Power, 10), "reason", "double_sign",
		"jailed", k.consBech(cons), "burned", bondCoin(p, burned))}, nil
}

// consBech encodes a consensus address under Prefix+"valcons" (hex when
// Prefix is empty).
func (k Keeper) consBech(addr []byte) string {
	if k.Prefix == "" || len(addr) != address.Len {
		return hex.EncodeToString(addr)
	}
	return address.Encode(k.Prefix+"valcons", addr)
}

func bondCoin(p staking.Params, amount uint64) string {
	return strconv.FormatUint(amount, 10) + p.BondDenom
}
