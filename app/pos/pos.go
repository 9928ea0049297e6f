package pos

import (
	"fmt"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"

	"github.com/abci-ics/ics/abci"
	"github.com/abci-ics/ics/app"
	"github.com/abci-ics/ics/chain/distribution"
	"github.com/abci-ics/ics/chain/gov"
	"github.com/abci-ics/ics/chain/slashing"
	"github.com/abci-ics/ics/chain/staking"
	"github.com/abci-ics/ics/state"
)

// Stores are the stores proof of stake writes (slashing keeps its records
// in staking's).
var Stores = []string{staking.StoreName, distribution.StoreName, gov.StoreName}

// PoS is a chain's proof of stake: its keepers, wired to the chain's
// accounts and to each other.
type PoS struct {
	Staking  *staking.Keeper
	Slashing slashing.Keeper
	Dist     distribution.Keeper
	Gov      *gov.Keeper

	// Dormant proof of stake does not choose the chain's validators:
	// BeginBlock runs no slashing and EndBlock returns no validator
	// updates, while staking still keeps its bonded set (by power, with
	// statuses and unbonding) for governance and distribution.
	Dormant bool
	// OnUnbonding, when set, is given in order the ids of the unbonding
	// entries an undelegation or a redelegation started, on the message's
	// store; its error fails the message.
	OnUnbonding func(s state.Store, ids []uint64) error

	acc *app.Accounts
}

// New wires proof of stake to the chain's accounts acc and registers the
// governance parameter spaces auth, staking, gov and distribution.
func New(acc *app.Accounts) *PoS {
	prefix := acc.Prefix
	p := &PoS{acc: acc}
	p.Staking = &staking.Keeper{Bank: acc.Bank, Prefix: prefix}
	p.Slashing = slashing.Keeper{Staking: p.Staking, Prefix: prefix}
	p.Dist = distribution.Keeper{Bank: acc.Bank, Staking: distStaking{p.Staking}, Prefix: prefix}
	p.Gov = &gov.Keeper{Bank: acc.Bank, Staking: govStaking{p.Staking}, Prefix: prefix}
	p.Gov.RegisterParamSpace("auth", ParamSpace(acc.Auth.Params, acc.Auth.SetParams))
	p.Gov.RegisterParamSpace("staking", ParamSpace(p.Staking.Params, p.Staking.SetParams))
	p.Gov.RegisterParamSpace("gov", p.Gov.SetParamJSON)
	p.Gov.RegisterParamSpace("distribution", p.Dist.SetParamJSON)
	return p
}

// InitGenesis writes the staking genesis, then the distribution genesis
// with a reward start record for every genesis delegation, then the gov
// genesis. It returns staking's initial validator set. Errors wrap
// abci.ErrInvalidGenesis.
func (p *PoS) InitGenesis(s state.Store, g *app.Genesis, height int64, now time.Time) ([]abcitypes.ValidatorUpdate, error) {
	updates, err := p.Staking.InitGenesis(s, &g.Staking, height, now)
	if err != nil {
		return nil, fmt.Errorf("%w: staking: %w", abci.ErrInvalidGenesis, err)
	}
	if err := p.Dist.InitGenesis(s, &g.Distribution); err != nil {
		return nil, fmt.Errorf("%w: distribution: %w", abci.ErrInvalidGenesis, err)
	}
	for _, v := range p.Staking.Validators(s) {
		for _, d := range p.Staking.DelegationsTo(s, v.Operator) {
			p.Dist.AfterDelegationModified(s, d.Delegator, d.Validator)
		}
	}
	if err := p.Gov.InitGenesis(s, &g.Gov); err != nil {
		return nil, fmt.Errorf("%w: gov: %w", abci.ErrInvalidGenesis, err)
	}
	return updates, nil
}

// BeginBlock runs distribution (the fee collector's balance and the
// inflation, to the bonded validators and their delegators), then, unless
// dormant, slashing (downtime and double signs of the block's commit and
// evidence).
func (p *PoS) BeginBlock(s state.Store, b abci.Block) ([]abcitypes.Event, error) {
	evs, err := p.Dist.BeginBlock(s, b.Height, b.Time)
	if err != nil {
		return nil, err
	}
	if p.Dormant {
		return evs, nil
	}
	more, err := p.Slashing.BeginBlock(s, b.Height, b.Time, b.LastCommit, b.Misbehavior)
	if err != nil {
		return nil, err
	}
	return append(evs, more...), nil
}

// EndBlock runs governance (deposits and votes that end at the block),
// then staking (mature unbondings complete, the bonded set is chosen). It
// returns staking's validator updates (none when dormant), the events, and
// the ids of the unbonding entries of the validators that left the bonded
// set: EndBlock does not call OnUnbonding, the caller hands them on (the
// provider holds them under the vsc id of the block).
func (p *PoS) EndBlock(s state.Store, b abci.Block) ([]abcitypes.ValidatorUpdate, []abcitypes.Event, []uint64, error) {
	events, err := p.Gov.EndBlock(s, b.Height, b.Time)
	if err != nil {
		return nil, nil, nil, err
	}
	updates, r, err := p.Staking.EndBlock(s, b.Height, b.Time)
	if err != nil {
		return nil, nil, nil, err
	}
	if p.Dormant {
		updates = nil
	}
	return updates, append(events, r.Events...), r.Unbondings, nil
}
