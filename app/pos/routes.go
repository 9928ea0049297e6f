package pos

import (
	abcitypes "github.com/cometbft/cometbft/abci/types"

	"github.com/abci-ics/ics/abci"
	"github.com/abci-ics/ics/app"
	"github.com/abci-ics/ics/chain/distribution"
	"github.com/abci-ics/ics/chain/gov"
	"github.com/abci-ics/ics/chain/staking"
	"github.com/abci-ics/ics/state"
)

// Route registers the messages of staking, gov and distribution in r.
func (p *PoS) Route(r app.Routes) {
	app.Handle(r, func(s state.Store, b abci.Block, signer []byte, m *staking.MsgCreateValidator) ([]abcitypes.Event, error) {
		return p.withRewards(s, m.Operator, [][]byte{m.Operator}, func() ([]abcitypes.Event, error) {
			return p.Staking.CreateValidator(s, b.Height, b.Time, signer, m)
		})
	})
	app.Handle(r, func(s state.Store, b abci.Block, signer []byte, m *staking.MsgDelegate) ([]abcitypes.Event, error) {
		return p.withRewards(s, m.Delegator, [][]byte{m.Validator}, func() ([]abcitypes.Event, error) {
			return p.Staking.Delegate(s, b.Height, b.Time, signer, m)
		})
	})
	app.Handle(r, func(s state.Store, b abci.Block, signer []byte, m *staking.MsgUndelegate) ([]abcitypes.Event, error) {
		return p.withRewards(s, m.Delegator, [][]byte{m.Validator}, func() ([]abcitypes.Event, error) {
			return p.unbonding(s)(p.Staking.Undelegate(s, b.Height, b.Time, signer, m))
		})
	})
	app.Handle(r, func(s state.Store, b abci.Block, signer []byte, m *staking.MsgRedelegate) ([]abcitypes.Event, error) {
		return p.withRewards(s, m.Delegator, [][]byte{m.Src, m.Dst}, func() ([]abcitypes.Event, error) {
			return p.unbonding(s)(p.Staking.Redelegate(s, b.Height, b.Time, signer, m))
		})
	})
	app.Handle(r, func(s state.Store, b abci.Block, signer []byte, m *staking.MsgUnjail) ([]abcitypes.Event, error) {
		return p.Staking.Unjail(s, b.Height, b.Time, signer, m)
	})
	app.Handle(r, func(s state.Store, b abci.Block, signer []byte, m *staking.MsgEditValidator) ([]abcitypes.Event, error) {
		return p.Staking.EditValidator(s, b.Height, b.Time, signer, m)
	})
	app.Handle(r, func(s state.Store, b abci.Block, signer []byte, m *gov.MsgSubmitProposal) ([]abcitypes.Event, error) {
		return p.Gov.HandleSubmitProposal(s, b.Height, b.Time, signer, m)
	})
	app.Handle(r, func(s state.Store, b abci.Block, signer []byte, m *gov.MsgDeposit) ([]abcitypes.Event, error) {
		return p.Gov.HandleDeposit(s, b.Height, b.Time, signer, m)
	})
	app.Handle(r, func(s state.Store, b abci.Block, signer []byte, m *gov.MsgVote) ([]abcitypes.Event, error) {
		return p.Gov.HandleVote(s, b.Height, b.Time, signer, m)
	})
	app.Handle(r, func(s state.Store, b abci.Block, signer []byte, m *distribution.MsgWithdrawRewards) ([]abcitypes.Event, error) {
		return p.Dist.HandleWithdrawRewards(s, b.Height, b.Time, signer, m)
	})
	app.Handle(r, func(s state.Store, b abci.Block, signer []byte, m *distribution.MsgWithdrawCommission) ([]abcitypes.Event, error) {
		return p.Dist.HandleWithdrawCommission(s, b.Height, b.Time, signer, m)
	})
}

// unbonding returns what finishes a staking call that may start unbonding
// entries: their ids go to OnUnbonding, and the call's events come back.
func (p *PoS) unbonding(s state.Store) func(staking.Result, error) ([]abcitypes.Event, error) {
	return func(r staking.Result, err error) ([]abcitypes.Event, error) {
		if err != nil {
			return nil, err
		}
		if p.OnUnbonding != nil {
			if err := p.OnUnbonding(s, r.Unbondings); err != nil {
				return nil, err
			}
		}
		return r.Events, nil
	}
}

// withRewards runs a staking message that changes the shares of the
// delegations (delegator, validator) for each validator in vals: pending
// rewards are withdrawn before, and the reward accounting restarts after.
func (p *PoS) withRewards(s state.Store, delegator []byte, vals [][]byte, run func() ([]abcitypes.Event, error)) ([]abcitypes.Event, error) {
	for _, v := range vals {
		if _, ok := p.Staking.Delegation(s, delegator, v); ok {
			if err := p.Dist.BeforeDelegationSharesModified(s, delegator, v); err != nil {
				return nil, err
			}
		}
	}
	evs, err := run()
	if err != nil {
		return nil, err
	}
	for _, v := range vals {
		p.Dist.AfterDelegationModified(s, delegator, v)
	}
	return evs, nil
}
