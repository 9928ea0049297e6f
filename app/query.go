package app

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/abci-ics/ics/abci"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/coin"
)

// Query paths of the accounts; all answer JSON. The raw store path
// (abci.PathStore) is the pipeline's.
//
//	/auth/account/<address>     AccountJSON
//	/auth/params                auth.Params (proto3 JSON)
//	/bank/balances/<address>    []CoinJSON
//	/bank/supply                []CoinJSON
//	/bank/supply/<denom>        CoinJSON
const (
	PathStore    = abci.PathStore
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

// CoinsJSON lists coins as query answers show them.
func CoinsJSON(cs []coin.Coin) []CoinJSON {
	out := make([]CoinJSON, len(cs))
	for i, c := range cs {
		out[i] = CoinJSON{c.Denom, c.Amount}
	}
	return out
}

// Query answers the auth and bank paths. It returns an error wrapping
// abci.ErrUnknownQuery for any other path.
func (a *Accounts) Query(s state.Store, path string) ([]byte, error) {
	prefix := a.Prefix
	switch {
	case strings.HasPrefix(path, PathAccount):
		addr, err := address.Decode(prefix, strings.TrimPrefix(path, PathAccount))
		if err != nil {
			return nil, err
		}
		acc, found := a.Auth.Account(s, addr)
		return JSON(AccountJSON{Address: address.Encode(prefix, addr), PubKey: acc.PubKey, Nonce: acc.Nonce, Found: found})
	case path == PathParams:
		return JSON(a.Auth.Params(s))
	case strings.HasPrefix(path, PathBalances):
		addr, err := address.Decode(prefix, strings.TrimPrefix(path, PathBalances))
		if err != nil {
			return nil, err
		}
		return JSON(CoinsJSON(a.Bank.Balances(s, addr)))
	case path == PathSupply:
		return JSON(CoinsJSON(a.Bank.TotalSupply(s)))
	case strings.HasPrefix(path, PathSupply+"/"):
		denom := strings.TrimPrefix(path, PathSupply+"/")
		if err := coin.ValidateDenom(denom); err != nil {
			return nil, err
		}
		return JSON(CoinJSON{denom, a.Bank.Supply(s, denom)})
	}
	return nil, fmt.Errorf("%w: %q", abci.ErrUnknownQuery, path)
}

// JSON is the JSON answer of a query.
func JSON(v any) ([]byte, error) { return json.Marshal(v) }
