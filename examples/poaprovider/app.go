package poaprovider

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/crypto/ed25519"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/crypto"
	dbm "github.com/cosmos/cosmos-db"
	"github.com/cosmos/gogoproto/jsonpb"

	"github.com/abci-ics/ics/interchain"
	"github.com/abci-ics/ics/provider"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/types/address"
)

// Genesis is a poaprovider chain's app_state.
type Genesis struct {
	// Admin is the ed25519 public key whose signed transactions change the
	// list and launch and stop consumers.
	Admin      []byte      `json:"admin"`
	Validators []Validator `json:"validators"`
	// UnbondingPeriod is the provider's unbonding period, which bounds the
	// consumers' clients of it.
	UnbondingPeriod time.Duration `json:"unbonding_period"`
	// Provider is the provider's genesis in proto3 JSON; empty for the
	// defaults.
	Provider json.RawMessage `json:"provider,omitempty"`
}

var (
	chainIDKey = []byte("m/chain_id")
	adminKey   = []byte("m/admin")
	nonceKey   = []byte("m/nonce")
	periodKey  = []byte("m/unbonding_period")
)

// App is the poaprovider ABCI++ application.
type App struct {
	abci.BaseApplication

	mu      sync.Mutex
	ms      *state.MultiStore
	layer   *interchain.Provider
	genesis []byte    // app hash after InitChain, until the first commit
	pending time.Time // the time of the block being finalized
	last    time.Time // the time of the last committed block
}

// Query paths of the chain's own state, answered in JSON.
const (
	// PathValidators returns the whole list ([]Validator).
	PathValidators = "/poa/validators"
	// PathNonce returns the admin's next nonce (a number).
	PathNonce = "/poa/nonce"
)

var _ abci.Application = (*App)(nil)

// NewApp opens the chain's state over db.
func NewApp(db dbm.DB) (*App, error) {
	ms, err := state.Open(db, (*App)(nil).stores(), state.Options{})
	if err != nil {
		return nil, err
	}
	a := &App{ms: ms}
	if ms.LastCommit().Version > 0 {
		v, err := ms.View(0)
		if err != nil {
			return nil, err
		}
		kv := v.KV(poaStore)
		a.mount(string(kv.Get(chainIDKey)), time.Duration(int64(u64(kv.Get(periodKey)))))
	}
	return a, nil
}

// stores are the chain's stores, which relayers may read with proofs.
func (*App) stores() []string { return append([]string{poaStore}, interchain.ProviderStores...) }

func (a *App) mount(chainID string, period time.Duration) {
	a.layer = interchain.NewProvider(interchain.ProviderConfig{ChainID: chainID, Prefix: "poa",
		Staking: POA{}, Unbonding: noUnbonding{period}, Authority: AdminAccount})
}

// AdminAccount is the account the admin's operations act as on the
// provider layer: it owns the consumers they create.
var AdminAccount = address.Module("poa-admin")

// Layer is the mounted interchain layer (tests read the provider's state
// through it).
func (a *App) Layer() *interchain.Provider { return a.layer }

// Close releases the state database.
func (a *App) Close() error { return a.ms.Close() }

// Info reports the last committed height.
func (a *App) Info(context.Context, *abci.RequestInfo) (*abci.ResponseInfo, error) {
	c := a.ms.LastCommit()
	return &abci.ResponseInfo{Data: "poaprovider", LastBlockHeight: c.Version, LastBlockAppHash: c.Hash}, nil
}

// InitChain writes the list, the admin and the provider's genesis, and
// returns the list as the first validator set.
func (a *App) InitChain(_ context.Context, req *abci.RequestInitChain) (*abci.ResponseInitChain, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	var g Genesis
	if err := json.Unmarshal(req.AppStateBytes, &g); err != nil {
		return nil, fmt.Errorf("app_state: %w", err)
	}
	if len(g.Admin) != ed25519.PubKeySize {
		return nil, fmt.Errorf("app_state: admin: want a %d-byte ed25519 key, got %d bytes", ed25519.PubKeySize, len(g.Admin))
	}
	if g.UnbondingPeriod <= 0 {
		return nil, fmt.Errorf("app_state: unbonding_period %s: want a positive duration", g.UnbondingPeriod)
	}
	pg := provider.DefaultGenesis()
	if len(g.Provider) > 0 {
		if err := (&jsonpb.Unmarshaler{}).Unmarshal(bytes.NewReader(g.Provider), pg); err != nil {
			return nil, fmt.Errorf("app_state provider: %w", err)
		}
	}
	a.mount(req.ChainId, g.UnbondingPeriod)
	s := a.ms.Working()
	kv := s.KV(poaStore)
	kv.Set(chainIDKey, []byte(req.ChainId))
	kv.Set(adminKey, g.Admin)
	kv.Set(periodKey, be64(uint64(g.UnbondingPeriod)))
	active := 0
	for _, v := range g.Validators {
		if len(v.PubKey) != ed25519.PubKeySize || v.Power <= 0 || v.Power > MaxPower {
			return nil, fmt.Errorf("app_state: validator %q needs a 32-byte key and a power in [1, %d]", v.Name, MaxPower)
		}
		if _, dup := (POA{}).get(s, v.ConsAddr()); dup {
			return nil, fmt.Errorf("app_state: validator %q: key listed twice", v.Name)
		}
		if v.active() {
			active++
		}
		POA{}.set(s, v)
	}
	if active == 0 {
		return nil, errors.New("app_state: no validator that is neither jailed nor tombstoned")
	}
	if err := a.layer.InitGenesis(s, pg, nil, req.Time); err != nil {
		return nil, err
	}
	a.genesis = a.ms.WorkingHash()
	return &abci.ResponseInitChain{Validators: abciUpdates(POA{}.updates(s)), AppHash: a.genesis}, nil
}

// CheckTx accepts relay transactions that decode and admin transactions
// signed by the admin of the last committed state; the admin's nonce is
// checked in FinalizeBlock.
func (a *App) CheckTx(_ context.Context, req *abci.RequestCheckTx) (*abci.ResponseCheckTx, error) {
	if _, ok, err := interchain.DecodeRelayTx(req.Tx); ok {
		if err != nil {
			return &abci.ResponseCheckTx{Code: 1, Log: err.Error()}, nil
		}
		return &abci.ResponseCheckTx{}, nil
	}
	err := errors.New("admin transaction before the first block")
	if a.ms.LastCommit().Version > 0 {
		var v *state.View
		if v, err = a.ms.View(0); err == nil {
			_, err = verifyAdminTx(v, req.Tx)
		}
	}
	if err != nil {
		return &abci.ResponseCheckTx{Code: 1, Log: err.Error()}, nil
	}
	return &abci.ResponseCheckTx{}, nil
}

// FinalizeBlock runs the transactions, then the list's updates, then the
// provider on the new set.
func (a *App) FinalizeBlock(_ context.Context, req *abci.RequestFinalizeBlock) (*abci.ResponseFinalizeBlock, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.layer == nil {
		return nil, errors.New("finalize block before InitChain")
	}
	prev := a.ms.LastCommit().Hash
	if a.genesis != nil {
		prev = a.genesis
	}
	b := interchain.Block{Height: req.Height, Time: req.Time, LastCommit: req.DecidedLastCommit, AppHash: prev, NextValidatorsHash: req.NextValidatorsHash}
	block := state.NewCache(a.ms.Working())
	resp := &abci.ResponseFinalizeBlock{}
	for _, raw := range req.Txs {
		resp.TxResults = append(resp.TxResults, a.deliver(block, b, raw))
	}
	resp.ValidatorUpdates = abciUpdates(POA{}.updates(block))
	evs, err := a.layer.EndBlock(block, b)
	if err != nil {
		return nil, err
	}
	resp.Events = evs
	block.Write()
	resp.AppHash = a.ms.WorkingHash()
	a.pending = req.Time
	return resp, nil
}

// deliver runs one transaction on a cache of the block, kept on success.
func (a *App) deliver(block *state.Cache, b interchain.Block, raw []byte) *abci.ExecTxResult {
	c := state.NewCache(block)
	var evs []abci.Event
	relay, ok, err := interchain.DecodeRelayTx(raw)
	switch {
	case ok && err == nil:
		evs, err = a.layer.HandleRelayTx(c, b, relay)
	case !ok:
		evs, err = a.handleAdmin(c, b, raw)
	}
	if err != nil {
		return &abci.ExecTxResult{Code: 1, Log: err.Error()}
	}
	c.Write()
	return &abci.ExecTxResult{Events: evs}
}

// Commit saves the block's state.
func (a *App) Commit(context.Context, *abci.RequestCommit) (*abci.ResponseCommit, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, err := a.ms.Commit(); err != nil {
		return nil, err
	}
	a.genesis = nil
	a.last = a.pending
	return &abci.ResponseCommit{}, nil
}

// Query answers PathValidators, PathNonce, raw store reads with proofs
// (/store/NAME/key) and the layer's paths.
func (a *App) Query(_ context.Context, req *abci.RequestQuery) (*abci.ResponseQuery, error) {
	v, err := a.ms.View(req.Height)
	if err != nil {
		return &abci.ResponseQuery{Code: 1, Log: err.Error()}, nil
	}
	resp, err := a.query(v, req)
	if err != nil {
		return &abci.ResponseQuery{Code: 1, Log: err.Error(), Height: v.Version()}, nil
	}
	resp.Height = v.Version()
	return resp, nil
}

func (a *App) query(v *state.View, req *abci.RequestQuery) (*abci.ResponseQuery, error) {
	switch {
	case req.Path == PathValidators:
		bz, err := json.Marshal(POA{}.Validators(v))
		return &abci.ResponseQuery{Value: bz}, err
	case req.Path == PathNonce:
		bz, err := json.Marshal(u64(v.KV(poaStore).Get(nonceKey)))
		return &abci.ResponseQuery{Value: bz}, err
	case strings.HasPrefix(req.Path, interchain.PathStore):
		return interchain.QueryStore(v, a.stores(), req.Path, req.Data, req.Prove)
	}
	a.mu.Lock()
	layer, now := a.layer, a.last
	a.mu.Unlock()
	if layer == nil {
		return nil, errors.New("query before InitChain")
	}
	bz, err := layer.Query(v, req.Path, now)
	return &abci.ResponseQuery{Value: bz}, err
}

func abciUpdates(us []validatorUpdate) []abci.ValidatorUpdate {
	out := make([]abci.ValidatorUpdate, len(us))
	for i, u := range us {
		out[i] = abci.ValidatorUpdate{PubKey: cmtproto.PublicKey{Sum: &cmtproto.PublicKey_Ed25519{Ed25519: u.pubKey}}, Power: u.power}
	}
	return out
}
