package ccv

import (
	"fmt"

	abcitypes "github.com/cometbft/cometbft/abci/types"
)

// ABCI returns u as a CometBFT validator update with an ed25519 key. The
// key bytes are copied.
func (u ValidatorUpdate) ABCI() abcitypes.ValidatorUpdate {
	return abcitypes.UpdateValidator(append([]byte(nil), u.PubKey...), u.Power, "ed25519")
}

// ValidatorUpdateFromABCI converts a CometBFT validator update. It returns
// an error wrapping ErrInvalidPacketData if the key is not an ed25519 key
// of PubKeySize bytes or the power is negative. The key bytes are copied.
func ValidatorUpdateFromABCI(v abcitypes.ValidatorUpdate) (ValidatorUpdate, error) {
	pk := v.PubKey.GetEd25519()
	if pk == nil {
		return ValidatorUpdate{}, invalid("validator update: public key is not ed25519")
	}
	u := ValidatorUpdate{PubKey: append([]byte(nil), pk...), Power: v.Power}
	if err := u.Validate(); err != nil {
		return ValidatorUpdate{}, err
	}
	return u, nil
}

// ABCIValidatorUpdates converts a list of updates with ABCI, keeping order.
func ABCIValidatorUpdates(us []ValidatorUpdate) []abcitypes.ValidatorUpdate {
	out := make([]abcitypes.ValidatorUpdate, len(us))
	for i, u := range us {
		out[i] = u.ABCI()
	}
	return out
}

// ValidatorUpdatesFromABCI converts a list of CometBFT updates with
// ValidatorUpdateFromABCI, keeping order, and returns the first error.
func ValidatorUpdatesFromABCI(vs []abcitypes.ValidatorUpdate) ([]ValidatorUpdate, error) {
	out := make([]ValidatorUpdate, len(vs))
	for i, v := range vs {
		u, err := ValidatorUpdateFromABCI(v)
		if err != nil {
			return nil, fmt.Errorf("update %d: %w", i, err)
		}
		out[i] = u
	}
	return out, nil
}
