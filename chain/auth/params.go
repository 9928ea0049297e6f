package auth

import (
	"fmt"

	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/coin"
)

// Hard bounds that no parameter can raise: they keep a single transaction
// small enough for any block.
const (
	MaxTxBytesLimit = 1 << 20
	MaxMsgsLimit    = 256
)

// DefaultParams returns the parameters of a new chain.
func DefaultParams() Params {
	return Params{
		Bech32Prefix: "ics",
		MinFee:       coin.Coin{Denom: "stake", Amount: 1},
		MaxTxBytes:   256 << 10,
		MaxMsgs:      32,
		MaxMemoBytes: 256,
	}
}

// Validate checks the parameters.
func (p Params) Validate() error {
	if err := address.ValidatePrefix(p.Bech32Prefix); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidParams, err)
	}
	if err := coin.ValidateDenom(p.MinFee.Denom); err != nil {
		return fmt.Errorf("%w: min fee: %v", ErrInvalidParams, err)
	}
	if p.MaxTxBytes < 128 || p.MaxTxBytes > MaxTxBytesLimit {
		return fmt.Errorf("%w: max_tx_bytes %d not in [128, %d]", ErrInvalidParams, p.MaxTxBytes, MaxTxBytesLimit)
	}
	if p.MaxMsgs < 1 || p.MaxMsgs > MaxMsgsLimit {
		return fmt.Errorf("%w: max_msgs %d not in [1, %d]", ErrInvalidParams, p.MaxMsgs, MaxMsgsLimit)
	}
	if uint64(p.MaxMemoBytes) > p.MaxTxBytes {
		return fmt.Errorf("%w: max_memo_bytes %d above max_tx_bytes", ErrInvalidParams, p.MaxMemoBytes)
	}
	return nil
}
