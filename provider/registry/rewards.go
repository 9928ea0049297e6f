package registry

import (
	"fmt"

	"github.com/abci-ics/ics/types/coin"
)

// MaxRewardDenomChanges bounds the denominations one MsgChangeRewardDenoms
// adds and removes, together.
const MaxRewardDenomChanges = 100

// ValidateBasic checks the owner, the consumer id and the denominations:
// valid bank denominations, at least one, at most MaxRewardDenomChanges,
// none twice. Errors wrap ErrInvalidConsumer.
func (m *MsgChangeRewardDenoms) ValidateBasic() error {
	if err := checkAddr(m.Owner); err != nil {
		return fmt.Errorf("%w: owner: %v", ErrInvalidConsumer, err)
	}
	if err := CheckConsumerID(m.ConsumerId); err != nil {
		return err
	}
	n := len(m.Add) + len(m.Remove)
	if n == 0 || n > MaxRewardDenomChanges {
		return fmt.Errorf("%w: %d reward denominations to change, want 1 to %d", ErrInvalidConsumer, n, MaxRewardDenomChanges)
	}
	seen := map[string]bool{}
	for _, d := range append(append([]string(nil), m.Add...), m.Remove...) {
		if err := coin.ValidateDenom(d); err != nil {
			return fmt.Errorf("%w: reward denomination: %v", ErrInvalidConsumer, err)
		}
		if seen[d] {
			return fmt.Errorf("%w: reward denomination %s appears twice", ErrInvalidConsumer, d)
		}
		seen[d] = true
	}
	return nil
}
