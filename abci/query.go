package abci

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	abcitypes "github.com/cometbft/cometbft/abci/types"

	"github.com/abci-ics/ics/grpcquery"
	"github.com/abci-ics/ics/state"
	stateproof "github.com/abci-ics/ics/state/proof"
)

// PathStore is the query path of raw store reads: /store/<store>/key, with
// data = the key. The answer is the stored bytes and, with prove, a
// two-layer ICS-23 proof (proof.Ops) against the app hash of the block
// after the answer's height. Every other path is the chain's (Chain.Query),
// answered with JSON.
const PathStore = "/store/"

// Query answers from an immutable committed version: req.Height, or the
// latest when it is 0. It never takes the block lock.
func (a *App) Query(ctx context.Context, req *abcitypes.RequestQuery) (*abcitypes.ResponseQuery, error) {
	r := a.chain.Load()
	if a.st().LastCommit().Version == 0 || r == nil {
		return a.queryError(ErrNotStarted, 0), nil
	}
	if req.Height < 0 {
		return a.queryError(fmt.Errorf("%w: negative height", ErrInvalidQuery), 0), nil
	}
	v, err := a.view(req.Height)
	if err != nil {
		return a.queryError(fmt.Errorf("%w: height %d: %w", ErrInvalidQuery, req.Height, err), req.Height), nil
	}
	resp, err := a.query(ctx, r.Chain, v, req)
	if err != nil {
		return a.queryError(err, v.Version()), nil
	}
	resp.Height = v.Version()
	return resp, nil
}

func (a *App) queryError(err error, height int64) *abcitypes.ResponseQuery {
	return &abcitypes.ResponseQuery{Code: a.code(err), Codespace: a.codespace, Log: err.Error(), Height: height}
}

// PathStores is the query of the chain's stores (StoresJSON): those its
// state has at its last commit, and the store upgrades its transitions
// made (a consumer turned sovereign has the provider's store and no longer
// the consumer's).
const PathStores = "/app/stores"

// StoresJSON answers PathStores.
type StoresJSON struct {
	Stores   []string      `json:"stores"`
	Upgrades []UpgradeJSON `json:"upgrades"`
}

// UpgradeJSON is one store upgrade: the height that made it, the stores
// added and retired.
type UpgradeJSON struct {
	Height  int64    `json:"height,string"`
	Added   []string `json:"added"`
	Retired []string `json:"retired"`
}

func (a *App) storesJSON() ([]byte, error) {
	out := StoresJSON{Stores: a.st().Names(), Upgrades: []UpgradeJSON{}}
	for _, u := range a.st().Upgrades() {
		out.Upgrades = append(out.Upgrades, UpgradeJSON{Height: u.Version, Added: nonNil(u.Added), Retired: nonNil(u.Removed)})
	}
	return json.Marshal(out)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (a *App) query(ctx context.Context, c Chain, v *state.View, req *abcitypes.RequestQuery) (*abcitypes.ResponseQuery, error) {
	path := req.Path
	if strings.HasPrefix(path, PathStore[1:]) {
		path = "/" + path
	}
	if grpcquery.IsMethodPath(path) {
		bz, err := a.queryGRPC(ctx, c, v, path, req.Data, req.Prove)
		if err != nil {
			return nil, err
		}
		return &abcitypes.ResponseQuery{Value: bz}, nil
	}
	if path == PathStores {
		bz, err := a.storesJSON()
		return &abcitypes.ResponseQuery{Value: bz}, err
	}
	if !strings.HasPrefix(path, PathStore) {
		bz, err := c.Query(v, path, a.lastBlockTime())
		if err != nil {
			return nil, err
		}
		return &abcitypes.ResponseQuery{Value: bz}, nil
	}
	name, ok := stateproof.ParseStorePath(path)
	if !ok || !a.hasStore(name) {
		return nil, fmt.Errorf("%w: %q", ErrUnknownQuery, path)
	}
	if len(req.Data) == 0 {
		return nil, fmt.Errorf("%w: empty key", ErrInvalidQuery)
	}
	if !req.Prove {
		return &abcitypes.ResponseQuery{Key: req.Data, Value: v.KV(name).Get(req.Data)}, nil
	}
	value, proofs, err := v.Prove(name, req.Data)
	if err != nil {
		return nil, err
	}
	ops, err := stateproof.Ops(name, req.Data, proofs)
	if err != nil {
		return nil, err
	}
	return &abcitypes.ResponseQuery{Key: req.Data, Value: value, ProofOps: ops}, nil
}

func (a *App) hasStore(name string) bool { return slices.Contains(a.st().Names(), name) }
