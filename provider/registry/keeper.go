package registry

import (
	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/abci-ics/ics/provider/vsc"
	"github.com/abci-ics/ics/state"
)

// Validator is a provider validator as the registry sees it.
type Validator = vsc.Validator

// Staking is what the registry needs of the chain's proof of stake: the
// validator an account operates, and the validators that could validate a
// consumer (provider.Staking's methods of the same names).
type Staking interface {
	ValidatorByOperator(s state.Store, operator []byte) (Validator, bool)
	Candidates(s state.Store) []Validator
}

// Keys assigns a validator's consumer key on a consumer (vsc.Keeper does).
type Keys interface {
	Assign(s state.Store, consumerID string, v Validator, consumerKey []byte) ([]abci.Event, error)
}

// Keeper handles the registry's messages and chooses consumers' sets. It
// holds no state of its own.
//
// ChainID is the provider's chain id (no consumer may take it); Prefix its
// bech32 prefix; Authority the account of its governance, which alone may
// own a top-N consumer; Defaults returns the infraction parameters of a
// consumer created without its own.
type Keeper struct {
	Staking  Staking
	Keys     Keys
	Defaults func(s state.Store) InfractionParameters

	ChainID   string
	Prefix    string
	Authority []byte
}

func kv(s state.Store) state.KVStore { return s.KV(StoreName) }
