package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	dbm "github.com/cosmos/cosmos-db"
	"github.com/cosmos/gogoproto/jsonpb"

	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/interchain"
	"github.com/abci-ics/ics/state"
)

var chainIDKey = []byte("m/chain_id")

// App is a key-value chain secured by a provider: its validator set is
// whatever the provider sends through the interchain layer it mounts.
type App struct {
	abci.BaseApplication

	mu    sync.Mutex // the consensus connection and the layer
	ms    *state.MultiStore
	layer *interchain.Consumer
	prev  []byte    // the last block's app hash (InitChain's until the first commit)
	last  time.Time // the last block's time, for the layer's queries
}

var _ abci.Application = (*App)(nil)

// NewApp opens the chain's state over db.
func NewApp(db dbm.DB) (*App, error) {
	ms, err := state.Open(db, append([]string{kvStore}, interchain.ConsumerStores...), state.Options{KeepRecent: 1000})
	if err != nil {
		return nil, err
	}
	a := &App{ms: ms, prev: ms.LastCommit().Hash}
	if ms.LastCommit().Version > 0 {
		v, err := ms.View(0)
		if err != nil {
			return nil, err
		}
		a.mount(string(v.KV(kvStore).Get(chainIDKey)))
	}
	return a, nil
}

// mount builds the interchain layer once the chain id is known.
func (a *App) mount(chainID string) {
	a.layer = interchain.NewConsumer(interchain.ConsumerConfig{ChainID: chainID, Prefix: "kv"})
}

// Info reports the last committed height, so CometBFT replays the rest.
func (a *App) Info(context.Context, *abci.RequestInfo) (*abci.ResponseInfo, error) {
	c := a.ms.LastCommit()
	return &abci.ResponseInfo{Data: "kvconsumer", LastBlockHeight: c.Version, LastBlockAppHash: c.Hash}, nil
}

// InitChain starts the consumer from its app_state: the consumer genesis
// the provider computed at launch, in proto3 JSON, and nothing else.
func (a *App) InitChain(_ context.Context, req *abci.RequestInitChain) (*abci.ResponseInitChain, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if h := a.ms.LastCommit().Version; h > 0 {
		return nil, fmt.Errorf("InitChain on a chain at height %d", h)
	}
	var cg ccv.ConsumerGenesis
	if err := (&jsonpb.Unmarshaler{}).Unmarshal(bytes.NewReader(req.AppStateBytes), &cg); err != nil {
		return nil, fmt.Errorf("app_state, the consumer genesis: %w", err)
	}
	a.mount(req.ChainId)
	s := a.ms.Working()
	s.KV(kvStore).Set(chainIDKey, []byte(req.ChainId))
	vals, err := a.layer.InitGenesis(s, &cg, nil, max(req.InitialHeight, 1), req.Time)
	if err != nil {
		return nil, err
	}
	a.prev = a.ms.WorkingHash()
	return &abci.ResponseInitChain{Validators: vals, AppHash: a.prev}, nil
}

// CheckTx accepts what decodes: a relay transaction or a key-value write.
func (a *App) CheckTx(_ context.Context, req *abci.RequestCheckTx) (*abci.ResponseCheckTx, error) {
	if _, _, err := decodeTx(req.Tx); err != nil {
		return &abci.ResponseCheckTx{Code: 1, Log: err.Error()}, nil
	}
	return &abci.ResponseCheckTx{}, nil
}

// FinalizeBlock runs the layer's begin block, the transactions, and the
// layer's end block, whose validator updates are the block's.
func (a *App) FinalizeBlock(_ context.Context, req *abci.RequestFinalizeBlock) (*abci.ResponseFinalizeBlock, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.layer == nil {
		return nil, errors.New("finalize block before InitChain")
	}
	b := interchain.Block{Height: req.Height, Time: req.Time, LastCommit: req.DecidedLastCommit, AppHash: a.prev, NextValidatorsHash: req.NextValidatorsHash}
	block := state.NewCache(a.ms.Working())
	evs, err := a.layer.BeginBlock(block, b)
	if err != nil {
		return nil, err
	}
	resp := &abci.ResponseFinalizeBlock{Events: evs}
	for _, raw := range req.Txs {
		resp.TxResults = append(resp.TxResults, a.deliver(block, b, raw))
	}
	updates, evs, err := a.layer.EndBlock(block, b)
	if err != nil {
		return nil, err
	}
	resp.ValidatorUpdates, resp.Events = updates, append(resp.Events, evs...)
	block.Write()
	resp.AppHash, a.last = a.ms.WorkingHash(), req.Time
	return resp, nil
}

// deliver runs one transaction on the block cache: a failed relay
// transaction changes nothing.
func (a *App) deliver(block *state.Cache, b interchain.Block, raw []byte) *abci.ExecTxResult {
	relay, kv, err := decodeTx(raw)
	if err != nil {
		return &abci.ExecTxResult{Code: 1, Log: err.Error()}
	} else if kv != nil {
		return setKV(block, kv)
	}
	evs, err := a.layer.HandleRelayTx(block, b, *relay)
	if err != nil {
		return &abci.ExecTxResult{Code: 2, Log: err.Error()}
	}
	return &abci.ExecTxResult{Events: evs}
}

// Commit saves the block's state.
func (a *App) Commit(context.Context, *abci.RequestCommit) (*abci.ResponseCommit, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	info, err := a.ms.Commit()
	if err != nil && !errors.Is(err, state.ErrPrune) { // a failed pruning leaves a valid commit
		return nil, err
	}
	a.prev = info.Hash
	return &abci.ResponseCommit{}, nil
}

// Query answers /kv/KEY, the raw reads with proofs of the layer's stores
// that relayers make (/store/NAME/key), and the layer's paths, at the
// height asked (0: the latest).
func (a *App) Query(_ context.Context, req *abci.RequestQuery) (*abci.ResponseQuery, error) {
	a.mu.Lock()
	layer, now := a.layer, a.last
	a.mu.Unlock()
	v, err := a.ms.View(req.Height)
	resp := &abci.ResponseQuery{}
	switch key, isKV := strings.CutPrefix(req.Path, "/kv/"); {
	case err != nil:
	case isKV:
		resp = queryKV(v, key)
	case layer == nil:
		err = errors.New("chain not started")
	case strings.HasPrefix(req.Path, interchain.PathStore):
		resp, err = interchain.QueryStore(v, interchain.ConsumerStores, req.Path, req.Data, req.Prove)
	default:
		resp.Value, err = layer.Query(v, req.Path, now)
	}
	if err != nil {
		return &abci.ResponseQuery{Code: 1, Log: err.Error()}, nil
	}
	resp.Height = v.Version()
	return resp, nil
}
