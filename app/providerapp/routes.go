package providerapp

import (
	abcitypes "github.com/cometbft/cometbft/abci/types"

	"github.com/abci-ics/ics/abci"
	"github.com/abci-ics/ics/app"
	"github.com/abci-ics/ics/chain/bank"
	"github.com/abci-ics/ics/chain/distribution"
	"github.com/abci-ics/ics/chain/gov"
	"github.com/abci-ics/ics/chain/staking"
	"github.com/abci-ics/ics/state"
)

// route registers the messages of the chain's own modules.
func (c *Chain) route() {
	r := c.routes
	app.Handle(r, func(s state.Store, _ abci.Block, signer []byte, m *bank.MsgSend) ([]abcitypes.Event, error) {
		return c.Bank.HandleSend(s, signer, m)
	})
	app.Handle(r, func(s state.Store, b abci.Block, signer []byte, m *staking.MsgCreateValidator) ([]abcitypes.Event, error) {
		return c.withRewards(s, m.Operator, [][]byte{m.Operator}, func() ([]abcitypes.Event, error) {
			return c.Staking.CreateValidator(s, b.Height, b.Time, signer, m)
		})
	})
	app.Handle(r, func(s state.Store, b abci.Block, signer []byte, m *staking.MsgDelegate) ([]abcitypes.Event, error) {
		return c.withRewards(s, m.Delegator, [][]byte{m.Validator}, func() ([]abcitypes.Event, error) {
			return c.Staking.Delegate(s, b.Height, b.Time, signer, m)
		})
	})
	app.Handle(r, func(s state.Store, b abci.Block, signer []byte, m *staking.MsgUndelegate) ([]abcitypes.Event, error) {
		return c.withRewards(s, m.Delegator, [][]byte{m.Validator}, func() ([]abcitypes.Event, error) {
			r, err := c.Staking.Undelegate(s, b.Height, b.Time, signer, m)
			if err != nil {
				return nil, err
			}
			if err := c.unbondingsInitiated(s, r.Unbondings); err != nil {
				return nil, err
			}
			return r.Events, nil
		})
	})
	app.Handle(r, func(s state.Store, b abci.Block, signer []byte, m *staking.MsgRedelegate) ([]abcitypes.Event, error) {
		return c.withRewards(s, m.Delegator, [][]byte{m.Src, m.Dst}, func() ([]abcitypes.Event, error) {
			r, err := c.Staking.Redelegate(s, b.Height, b.Time, signer, m)
			if err != nil {
				return nil, err
			}
			if err := c.unbondingsInitiated(s, r.Unbondings); err != nil {
				return nil, err
			}
			return r.Events, nil
		})
	})
	app.Handle(r, func(s state.Store, b abci.Block, signer []byte, m *staking.MsgUnjail) ([]abcitypes.Event, error) {
		return c.Staking.Unjail(s, b.Height, b.Time, signer, m)
	})
	app.Handle(r, func(s state.Store, b abci.Block, signer []byte, m *staking.MsgEditValidator) ([]abcitypes.Event, error) {
		return c.Staking.EditValidator(s, b.Height, b.Time, signer, m)
	})
	app.Handle(r, func(s state.Store, b abci.Block, signer []byte, m *gov.MsgSubmitProposal) ([]abcitypes.Event, error) {
		return c.Gov.HandleSubmitProposal(s, b.Height, b.Time, signer, m)
	})
	app.Handle(r, func(s state.Store, b abci.Block, signer []byte, m *gov.MsgDeposit) ([]abcitypes.Event, error) {
		return c.Gov.HandleDeposit(s, b.Height, b.Time, signer, m)
	})
	app.Handle(r, func(s state.Store, b abci.Block, signer []byte, m *gov.MsgVote) ([]abcitypes.Event, error) {
		return c.Gov.HandleVote(s, b.Height, b.Time, signer, m)
	})
	app.Handle(r, func(s state.Store, b abci.Block, signer []byte, m *distribution.MsgWithdrawRewards) ([]abcitypes.Event, error) {
		return c.Dist.HandleWithdrawRewards(s, b.Height, b.Time, signer, m)
	})
	app.Handle(r, func(s state.Store, b abci.Block, signer []byte, m *distribution.MsgWithdrawCommission) ([]abcitypes.Event, error) {
		return c.Dist.HandleWithdrawCommission(s, b.Height, b.Time, signer, m)
	})
}

// withRewards runs a staking message that changes the shares of the
// delegations (delegator, validator) for each validator in vals: pending
// rewards are withdrawn before, and the reward accounting restarts after.
func (c *Chain) withRewards(s state.Store, delegator []byte, vals [][]byte, run func() ([]abcitypes.Event, error)) ([]abcitypes.Event, error) {
	for _, v := range vals {
		if _, ok := c.Staking.Delegation(s, delegator, v); ok {
			if err := c.Dist.BeforeDelegationSharesModified(s, delegator, v); err != nil {
				return nil, err
			}
		}
	}
	evs, err := run()
	if err != nil {
		return nil, err
	}
	for _, v := range vals {
		c.Dist.AfterDelegationModified(s, delegator, v)
	}
	return evs, nil
}
