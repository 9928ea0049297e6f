// Package sovereign plans a consumer's transition to a standalone chain
// (SPEC 9) and computes the validator-set handover it makes. The plan is
// set by the consumer's own governance (MsgScheduleSovereignTransition) or
// by the chain when the provider stopped it; the chain makes the
// transition at the plan's height, first in that block (an
// abci.Transition): its own staking then chooses its validators, with
// every validator of the last CCV set bonded to itself, so that no height
// has an empty, duplicated or unsigned set.
//
// The plan lives in the consumer's store, under its own prefix; the
// transition retires that store, plan included.
package sovereign

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strconv"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/state/typed"
	"github.com/abci-ics/ics/types/event"
)

// StoreName is the store the plan lives in: the consumer's.
const StoreName = "consumer"

// keyTransition is the plan's key in the consumer store. It is frozen: a
// test checks it, and package consumer's that no prefix is used twice.
const keyTransition byte = 0x3a

// Prefixes returns every prefix of the package.
func Prefixes() []byte { return []byte{keyTransition} }

// Key returns the key of the plan.
func Key() []byte { return []byte{keyTransition} }

// Reasons of a plan.
const (
	ReasonGovernance = "governance"
	ReasonStopped    = "the provider stopped the consumer"
)

// Errors of planning.
var (
	ErrInvalidTransition = errors.New("invalid sovereign transition")
	ErrAlreadyPlanned    = errors.New("a sovereign transition is planned already")
	ErrNotAuthority      = errors.New("only governance plans a sovereign transition")
)

// EventScheduled is the event of a plan: height, self_bond, reason.
const EventScheduled = "sovereign_transition_scheduled"

func kv(s state.Store) state.KVStore { return s.KV(StoreName) }

// Planned returns the planned transition; false when none is.
func Planned(s state.Store) (SovereignTransition, bool) {
	return typed.Get[SovereignTransition](kv(s), Key())
}

// Due returns the transition planned for height; false when none is.
func Due(s state.Store, height int64) (SovereignTransition, bool) {
	t, ok := Planned(s)
	return t, ok && t.Height == height
}

// Validate checks a plan made in the block at height: the transition is
// in a later block and bonds something.
func (t SovereignTransition) Validate(height int64) error {
	switch {
	case t.Height <= height:
		return fmt.Errorf("%w: height %d is not after the current height %d", ErrInvalidTransition, t.Height, height)
	case t.SelfBond == 0:
		return fmt.Errorf("%w: no self-bond: the validators would have no power", ErrInvalidTransition)
	case t.Reason == "":
		return fmt.Errorf("%w: no reason", ErrInvalidTransition)
	}
	return nil
}

// Schedule records t, planned in the block at height, unless it is
// invalid or a transition is planned already; it returns the plan's
// event. On error it writes nothing.
func Schedule(s state.Store, height int64, t SovereignTransition) ([]abci.Event, error) {
	if err := t.Validate(height); err != nil {
		return nil, err
	}
	if p, ok := Planned(s); ok {
		return nil, fmt.Errorf("%w: at height %d (%s)", ErrAlreadyPlanned, p.Height, p.Reason)
	}
	typed.Set(kv(s), Key(), &t)
	return []abci.Event{event.New(EventScheduled, "height", strconv.FormatInt(t.Height, 10),
		"self_bond", strconv.FormatUint(t.SelfBond, 10), "reason", t.Reason)}, nil
}

// ValidateBasic checks what needs no state.
func (m *MsgScheduleSovereignTransition) ValidateBasic() error {
	switch {
	case len(m.Authority) == 0:
		return fmt.Errorf("%w: no authority", ErrInvalidTransition)
	case m.Height <= 0:
		return fmt.Errorf("%w: height %d", ErrInvalidTransition, m.Height)
	case m.SelfBond == 0:
		return fmt.Errorf("%w: no self-bond: the validators would have no power", ErrInvalidTransition)
	}
	return nil
}

// HandleSchedule plans the transition m asks for, in the block at
// height; signer must be m.Authority and authority, the chain's
// governance.
func HandleSchedule(s state.Store, height int64, signer, authority []byte, m *MsgScheduleSovereignTransition) ([]abci.Event, error) {
	if err := m.ValidateBasic(); err != nil {
		return nil, err
	}
	if !bytes.Equal(signer, m.Authority) || !bytes.Equal(signer, authority) {
		return nil, ErrNotAuthority
	}
	return Schedule(s, height, SovereignTransition{Height: m.Height, SelfBond: m.SelfBond, Reason: ReasonGovernance})
}

// Handover returns the validator updates of the transition's block: the
// consumer's CometBFT set is ccv (the last CCV set); from two blocks on it
// is own (what its own staking chose). Every member of own gets its power
// and every member of ccv not in own gets power 0, sorted by key. It
// fails when own is empty or has a key twice or a power not positive, so
// that no height is left with an empty or duplicated set.
func Handover(ccv, own []abci.ValidatorUpdate) ([]abci.ValidatorUpdate, error) {
	if len(own) == 0 {
		return nil, fmt.Errorf("%w: own staking chose no validator", ErrInvalidTransition)
	}
	key := func(u abci.ValidatorUpdate) string { bz, _ := u.PubKey.Marshal(); return string(bz) }
	in := map[string]bool{}
	out := make([]abci.ValidatorUpdate, 0, len(own)+len(ccv))
	for _, u := range own {
		if in[key(u)] {
			return nil, fmt.Errorf("%w: own staking chose a key twice", ErrInvalidTransition)
		}
		if u.Power <= 0 {
			return nil, fmt.Errorf("%w: own staking chose a validator of power %d", ErrInvalidTransition, u.Power)
		}
		in[key(u)] = true
		out = append(out, u)
	}
	for _, u := range ccv {
		if !in[key(u)] {
			in[key(u)] = true
			out = append(out, abci.ValidatorUpdate{PubKey: u.PubKey, Power: 0})
		}
	}
	slices.SortFunc(out, func(a, b abci.ValidatorUpdate) int { return bytes.Compare([]byte(key(a)), []byte(key(b))) })
	return out, nil
}
