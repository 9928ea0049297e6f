package staking

import (
	"fmt"
	"math/bits"
	"strconv"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"

	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/types/fraction"
)

// SigningInfo returns the liveness window state of a consensus address.
func (Keeper) SigningInfo(s state.Store, consAddr []byte) (SigningInfo, bool) {
	bz := kv(s).Get(SigningInfoKey(consAddr))
	if bz == nil {
		return SigningInfo{}, false
	}
	var info SigningInfo
	mustUnmarshal(&info, bz, "signing info")
	return info, true
}

// BeginBlock punishes the chain's own validators. For every vote of
// lastCommit (the block's DecidedLastCommit) it records in the validator's
// sliding window whether the validator signed; a bonded validator that has
// filled a window and missed more than SignedBlocksWindow *
// (1 - MinSignedPerWindow) of it is slashed SlashFractionDowntime at
// height-2, jailed for DowntimeJailDuration and starts a new window. Jailed
// and tombstoned validators are not tracked, so a validator is jailed once
// per episode. Every DUPLICATE_VOTE or LIGHT_CLIENT_ATTACK in misbehavior
// against a known, not yet tombstoned validator and not older than
// UnbondingPeriod is slashed SlashFractionDoubleSign at its height; the
// validator is jailed forever and tombstoned.
func (k Keeper) BeginBlock(s state.Store, height int64, now time.Time, lastCommit abci.CommitInfo, misbehavior []abci.Misbehavior) ([]abci.Event, error) {
	p := k.Params(s)
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

// tooManyMissed reports whether missed > window * (1 - minSigned), exactly.
func tooManyMissed(missed, window int64, minSigned fraction.Fraction) bool {
	ahi, alo := bits.Mul64(uint64(missed), minSigned.Denominator)
	bhi, blo := bits.Mul64(uint64(window), minSigned.Denominator-minSigned.Numerator)
	return ahi > bhi || ahi == bhi && alo > blo
}

func (k Keeper) handleVote(s state.Store, p Params, height int64, now time.Time, vote abci.VoteInfo) ([]abci.Event, error) {
	cons := vote.Validator.Address
	v, ok := k.ValidatorByConsAddr(s, cons)
	if !ok || v.Jailed || v.Tombstoned {
		return nil, nil
	}
	st := kv(s)
	info, found := k.SigningInfo(s, cons)
	if !found {
		info.StartHeight = height
	}
	idx := info.IndexOffset % p.SignedBlocksWindow
	info.IndexOffset++
	missed := vote.BlockIdFlag == cmtproto.BlockIDFlagAbsent
	was := st.Has(MissedKey(cons, idx))
	switch {
	case missed && !was:
		st.Set(MissedKey(cons, idx), marker)
		info.MissedBlocks++
	case !missed && was:
		st.Delete(MissedKey(cons, idx))
		info.MissedBlocks--
	}
	var events []abci.Event
	if missed {
		events = append(events, event("liveness", "address", k.consBech(cons),
			"missed_blocks", strconv.FormatInt(info.MissedBlocks, 10), "height", strconv.FormatInt(height, 10)))
	}
	if info.IndexOffset >= p.SignedBlocksWindow && v.Status == BOND_STATUS_BONDED &&
		tooManyMissed(info.MissedBlocks, p.SignedBlocksWindow, p.MinSignedPerWindow) {
		burned, err := k.Slash(s, cons, max(height-2, 0), vote.Validator.Power, p.SlashFractionDowntime, height)
		if err != nil {
			return nil, err
		}
		if err := k.Jail(s, cons, now.Add(p.DowntimeJailDuration)); err != nil {
			return nil, err
		}
		deletePrefix(s, key(prefixMissed, cons))
		info = SigningInfo{StartHeight: height}
		events = append(events, event("slash", "address", k.consBech(cons),
			"power", strconv.FormatInt(vote.Validator.Power, 10), "reason", "missing_signature",
			"jailed", k.consBech(cons), "burned", k.coin(p, burned)))
	}
	st.Set(SigningInfoKey(cons), mustMarshal(&info))
	return events, nil
}

func (k Keeper) handleEvidence(s state.Store, p Params, height int64, now time.Time, m abci.Misbehavior) ([]abci.Event, error) {
	if m.Type != abci.MisbehaviorType_DUPLICATE_VOTE && m.Type != abci.MisbehaviorType_LIGHT_CLIENT_ATTACK {
		return nil, nil
	}
	cons := m.Validator.Address
	v, ok := k.ValidatorByConsAddr(s, cons)
	if !ok || v.Tombstoned || m.Height < 0 || m.Height > height || m.Validator.Power < 0 || now.Sub(m.Time) > p.UnbondingPeriod {
		return nil, nil
	}
	burned, err := k.Slash(s, cons, m.Height, m.Validator.Power, p.SlashFractionDoubleSign, height)
	if err != nil {
		return nil, err
	}
	if err := k.Jail(s, cons, JailedForever); err != nil {
		return nil, err
	}
	if err := k.Tombstone(s, cons); err != nil {
		return nil, err
	}
	deletePrefix(s, key(prefixMissed, cons))
	kv(s).Delete(SigningInfoKey(cons))
	return []abci.Event{event("slash", "address", k.consBech(cons),
		"power", strconv.FormatInt(m.Validator.Power, 10), "reason", "double_sign",
		"jailed", k.consBech(cons), "burned", k.coin(p, burned))}, nil
}
