package distribution

import (
	"bytes"
	"fmt"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/coin"
)

func checkAddr(what string, a []byte) error {
	if len(a) != address.Len {
		return fmt.Errorf("%w: %s must be %d bytes, got %d", ErrInvalidAddress, what, address.Len, len(a))
	}
	return nil
}

// ValidateBasic checks the addresses.
func (m *MsgWithdrawRewards) ValidateBasic() error {
	if err := checkAddr("delegator", m.Delegator); err != nil {
		return err
	}
	return checkAddr("validator", m.Validator)
}

// ValidateBasic checks the address.
func (m *MsgWithdrawCommission) ValidateBasic() error {
	return checkAddr("validator", m.Validator)
}

// HandleWithdrawRewards executes MsgWithdrawRewards for signer: it pays the
// delegation's pending rewards to the delegator (nothing when there are
// none, for example on a second withdrawal in the same block). Errors:
// ErrInvalidAddress, ErrUnauthorized, ErrNoDelegation.
func (k Keeper) HandleWithdrawRewards(s state.Store, height int64, now time.Time, signer []byte, m *MsgWithdrawRewards) ([]abci.Event, error) {
	if err := m.ValidateBasic(); err != nil {
		return nil, err
	}
	if !bytes.Equal(signer, m.Delegator) {
		return nil, fmt.Errorf("%w: delegator is not the signer", ErrUnauthorized)
	}
	if _, ok := start(kv(s), m.Delegator, m.Validator); !ok {
		if _, found := k.Staking.Delegation(s, m.Delegator, m.Validator); !found {
			return nil, fmt.Errorf("%w: %s to %s", ErrNoDelegation,
				address.Encode(k.Prefix, m.Delegator), address.Encode(k.Prefix, m.Validator))
		}
	}
	cs, err := k.withdraw(s, m.Delegator, m.Validator)
	if err != nil {
		return nil, err
	}
	return []abci.Event{{Type: "withdraw_rewards", Attributes: []abci.EventAttribute{
		{Key: "delegator", Value: address.Encode(k.Prefix, m.Delegator), Index: true},
		{Key: "validator", Value: address.Encode(k.Prefix, m.Validator), Index: true},
		{Key: "amount", Value: coin.FormatCoins(cs)},
	}}}, nil
}

// HandleWithdrawCommission executes MsgWithdrawCommission for signer, who
// must be the validator: it pays the accumulated commission (nothing when
// there is none). Errors: ErrInvalidAddress, ErrUnauthorized.
func (k Keeper) HandleWithdrawCommission(s state.Store, height int64, now time.Time, signer []byte, m *MsgWithdrawCommission) ([]abci.Event, error) {
	if err := m.ValidateBasic(); err != nil {
		return nil, err
	}
	if !bytes.Equal(signer, m.Validator) {
		return nil, fmt.Errorf("%w: validator is not the signer", ErrUnauthorized)
	}
	cs, err := k.withdrawCommission(s, m.Validator)
	if err != nil {
		return nil, err
	}
	return []abci.Event{{Type: "withdraw_commission", Attributes: []abci.EventAttribute{
		{Key: "validator", Value: address.Encode(k.Prefix, m.Validator), Index: true},
		{Key: "amount", Value: coin.FormatCoins(cs)},
	}}}, nil
}
