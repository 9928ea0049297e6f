package abci

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	abcitypes "github.com/cometbft/cometbft/abci/types"

	"github.com/abci-ics/ics/chain/auth"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/coin"
)

// Query paths. Typed paths answer with JSON; store paths answer with the raw
// stored bytes and, with prove, a two-layer ICS-23 proof (state.ProofOps)
// against the app hash of the block after the answer's height.
//
//	/store/<store>/key          data = key
//	/auth/account/<address>     AccountJSON
//	/auth/params                auth.Params (proto3 JSON)
//	/bank/balances/<address>    []CoinJSON
//	/bank/supply                []CoinJSON
//	/bank/supply/<denom>        CoinJSON
const (
	PathStore    = "/store/"
	PathAccount  = "/auth/account/"
	PathParams   = "/auth/params"
	PathBalances = "/bank/balances/"
	PathSupply   = "/bank/supply"
)

// AccountJSON is the answer of an account query.
type AccountJSON struct {
	Address string `json:"address"`
	PubKey  []byte `json:"pub_key"`
	Nonce   uint64 `json:"nonce,string"`
	Found   bool   `json:"found"`
}

// CoinJSON is a coin in query answers.
type CoinJSON struct {
	Denom  string `json:"denom"`
	Amount uint64 `json:"amount,string"`
}

func coinsJSON(cs []coin.Coin) []CoinJSON {
	out := make([]CoinJSON, len(cs))
	for i, c := range cs {
		out[i] = CoinJSON{c.Denom, c.Amount}
	}
	return out
}

// Query answers from an immutable committed version: req.Height, or the
// latest when it is 0. It never takes the block lock.
func (a *App) Query(_ context.Context, req *abcitypes.RequestQuery) (*abcitypes.ResponseQuery, error) {
	if a.ms.LastCommit().Version == 0 {
		return queryError(ErrNotStarted, 0), nil
	}
	if req.Height < 0 {
		return queryError(fmt.Errorf("%w: negative height", ErrInvalidQuery), 0), nil
	}
	v, err := a.ms.View(req.Height)
	if err != nil {
		return queryError(fmt.Errorf("%w: height %d: %v", ErrInvalidQuery, req.Height, err), req.Height), nil
	}
	resp, err := a.query(v, req)
	if err != nil {
		return queryError(err, v.Version()), nil
	}
	resp.Height = v.Version()
	return resp, nil
}

func queryError(err error, height int64) *abcitypes.ResponseQuery {
	return &abcitypes.ResponseQuery{Code: Code(err), Codespace: Codespace, Log: err.Error(), Height: height}
}

func (a *App) query(v *state.View, req *abcitypes.RequestQuery) (*abcitypes.ResponseQuery, error) {
	path := req.Path
	prefix := a.auth.Params(v).Bech32Prefix
	switch {
	case strings.HasPrefix(path, PathStore):
		name, ok := strings.CutSuffix(strings.TrimPrefix(path, PathStore), "/key")
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
		ops, err := state.ProofOps(name, req.Data, proofs)
		if err != nil {
			return nil, err
		}
		return &abcitypes.ResponseQuery{Key: req.Data, Value: value, ProofOps: ops}, nil
	case strings.HasPrefix(path, PathAccount):
		addr, err := address.Decode(prefix, strings.TrimPrefix(path, PathAccount))
		if err != nil {
			return nil, err
		}
		acc, found := a.auth.Account(v, addr)
		return jsonAnswer(AccountJSON{Address: address.Encode(prefix, addr), PubKey: acc.PubKey, Nonce: acc.Nonce, Found: found})
	case path == PathParams:
		return jsonAnswer(a.auth.Params(v))
	case strings.HasPrefix(path, PathBalances):
		addr, err := address.Decode(prefix, strings.TrimPrefix(path, PathBalances))
		if err != nil {
			return nil, err
		}
		return jsonAnswer(coinsJSON(a.bank.Balances(v, addr)))
	case path == PathSupply:
		return jsonAnswer(coinsJSON(a.bank.TotalSupply(v)))
	case strings.HasPrefix(path, PathSupply+"/"):
		denom := strings.TrimPrefix(path, PathSupply+"/")
		if err := coin.ValidateDenom(denom); err != nil {
			return nil, err
		}
		return jsonAnswer(CoinJSON{denom, a.bank.Supply(v, denom)})
	}
	if a.staking != nil {
		if resp, ok, err := a.queryModules(v, prefix, path); ok {
			return resp, err
		}
	}
	if resp, ok, err := a.queryCCV(v, prefix, path); ok {
		return resp, err
	}
	if resp, ok, err := a.queryIBC(v, path); ok {
		return resp, err
	}
	return nil, fmt.Errorf("%w: %q", ErrUnknownQuery, path)
}

func (a *App) hasStore(name string) bool {
	for _, s := range a.stores {
		if s == name {
			return true
		}
	}
	return false
}

func jsonAnswer(v any) (*abcitypes.ResponseQuery, error) {
	bz, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return &abcitypes.ResponseQuery{Value: bz}, nil
}

// FeeCollectorAddress is the address that receives transaction fees.
func FeeCollectorAddress() []byte { return address.Module(auth.FeeCollector) }
