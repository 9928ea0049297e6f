package interchain

import (
	"fmt"
	"slices"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/abci-ics/ics/state"
	stateproof "github.com/abci-ics/ics/state/proof"
)

// PathStore starts the raw store reads that relayers make:
// /store/NAME/key, with the key as the query's data. With prove the answer
// carries the two-layer ICS-23 proof (state/proof.Ops) of the key against
// the app hash of the block after the view's height.
const PathStore = "/store/"

// QueryStore answers a raw read at path (PathStore+NAME+"/key") of key in
// v, for NAME one of stores (the chain's stores it lets be read). Errors:
// ErrUnknownQuery for another path or store, ErrInvalidQuery for an empty
// key, and those of the proof.
func QueryStore(v *state.View, stores []string, path string, key []byte, prove bool) (*abci.ResponseQuery, error) {
	name, ok := stateproof.ParseStorePath(path)
	if !ok || !slices.Contains(stores, name) {
		return nil, fmt.Errorf("%w: %q (stores: %v)", ErrUnknownQuery, path, stores)
	}
	if len(key) == 0 {
		return nil, fmt.Errorf("%w: %s with an empty key", ErrInvalidQuery, path)
	}
	if !prove {
		return &abci.ResponseQuery{Key: key, Value: v.KV(name).Get(key)}, nil
	}
	value, proofs, err := v.Prove(name, key)
	if err != nil {
		return nil, err
	}
	ops, err := stateproof.Ops(name, key, proofs)
	if err != nil {
		return nil, err
	}
	return &abci.ResponseQuery{Key: key, Value: value, ProofOps: ops}, nil
}
