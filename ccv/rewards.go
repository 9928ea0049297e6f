package ccv

import (
	"encoding/json"

	"github.com/abci-ics/ics/types/coin"
	"github.com/abci-ics/ics/types/fraction"
)

// RewardsMemoText is the memo field of a reward transfer's memo.
const RewardsMemoText = "ICS rewards"

// RewardMemo is the memo of a consumer's reward transfer to the provider
// (SPEC 8): {"provider":{"consumerId":..,"chainId":..,"memo":"ICS rewards"}}.
// The consumer writes it; the provider credits the rewards to the consumer
// it names only when that is the consumer of the receiving channel.
type RewardMemo struct {
	Provider struct {
		ConsumerID string `json:"consumerId"`
		ChainID    string `json:"chainId"`
		Memo       string `json:"memo"`
	} `json:"provider"`
}

// NewRewardMemo returns the memo of consumer consumerID's (chain chainID)
// reward transfers.
func NewRewardMemo(consumerID, chainID string) string {
	var m RewardMemo
	m.Provider.ConsumerID, m.Provider.ChainID, m.Provider.Memo = consumerID, chainID, RewardsMemoText
	bz, err := json.Marshal(m)
	if err != nil {
		panic("ccv: marshal a reward memo: " + err.Error()) // strings always marshal
	}
	return string(bz)
}

// SplitFees splits fees by keep, the consumer redistribution fraction:
// the consumer keeps floor(amount*keep) of each denomination and the
// provider gets the rest, so nothing is lost to rounding. Zero parts are
// left out; the order of fees is kept. keep must be valid.
func SplitFees(fees []coin.Coin, keep fraction.Fraction) (kept, provider []coin.Coin) {
	for _, c := range fees {
		k := keep.MulFloor(c.Amount)
		if k > 0 {
			kept = append(kept, coin.Coin{Denom: c.Denom, Amount: k})
		}
		if p := c.Amount - k; p > 0 {
			provider = append(provider, coin.Coin{Denom: c.Denom, Amount: p})
		}
	}
	return kept, provider
}
