package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	dbm "github.com/cosmos/cosmos-db"
	"github.com/cosmos/gogoproto/jsonpb"

	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/interchain"
	"github.com/abci-ics/ics/state"
	stateproof "github.com/abci-ics/ics/state/proof"
)

// kvStore holds the chain's own data: "d/"+key -> value, and its chain id.
const kvStore = "kv"

var chainIDKey = []byte("m/chain_id")

// Genesis is the app_state of a kvconsumer chain: the consumer genesis the
// provider computed at launch, in proto3 JSON, and nothing else.
type Genesis struct {
	Consumer json.RawMessage `json:"consumer"`
}

// App is a key-value chain secured by a provider: its validator set is
// whatever the provider sends through the interchain layer it mounts.
type App struct {
	abci.BaseApplication

	mu      sync.Mutex // the consensus connection and the layer
	ms      *state.MultiStore
	layer   *interchain.Consumer
	chainID string
	genesis []byte // app hash after InitChain, until the first commit
	last    time.Time
}

var _ abci.Application = (*App)(nil)

// NewApp opens the chain's state over db.
func NewApp(db dbm.DB) (*App, error) {
	ms, err := state.Open(db, append([]string{kvStore}, interchain.ConsumerStores...), state.Options{KeepRecent: 1000})
	if err != nil {
		return nil, err
	}
	a := &App{ms: ms}
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
	a.chainID = chainID
	a.layer = interchain.NewConsumer(interchain.ConsumerConfig{ChainID: chainID, Prefix: "kv"})
}

// Close releases the state database.
func (a *App) Close() error { return a.ms.Close() }

// Info reports the last committed height, so CometBFT replays the rest.
func (a *App) Info(context.Context, *abci.RequestInfo) (*abci.ResponseInfo, error) {
	c := a.ms.LastCommit()
	return &abci.ResponseInfo{Data: "kvconsumer", LastBlockHeight: c.Version, LastBlockAppHash: c.Hash}, nil
}

// InitChain starts the consumer from the provider's consumer genesis.
func (a *App) InitChain(_ context.Context, req *abci.RequestInitChain) (*abci.ResponseInitChain, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if h := a.ms.LastCommit().Version; h > 0 {
		return nil, fmt.Errorf("InitChain on a chain at height %d", h)
	}
	var g Genesis
	if err := json.Unmarshal(req.AppStateBytes, &g); err != nil || len(g.Consumer) == 0 {
		return nil, fmt.Errorf("app_state: want {\"consumer\": CONSUMER GENESIS}: %v", err)
	}
	var cg ccv.ConsumerGenesis
	if err := (&jsonpb.Unmarshaler{}).Unmarshal(bytes.NewReader(g.Consumer), &cg); err != nil {
		return nil, fmt.Errorf("consumer genesis: %w", err)
	}
	a.mount(req.ChainId)
	s := a.ms.Working()
	s.KV(kvStore).Set(chainIDKey, []byte(req.ChainId))
	vals, err := a.layer.InitGenesis(s, &cg, nil, max(req.InitialHeight, 1), req.Time)
	if err != nil {
		return nil, err
	}
	a.genesis = a.ms.WorkingHash()
	return &abci.ResponseInitChain{Validators: vals, AppHash: a.genesis}, nil
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
	prevHash := a.ms.LastCommit().Hash
	if a.genesis != nil {
		prevHash = a.genesis
	}
	b := interchain.Block{Height: req.Height, Time: req.Time, LastCommit: req.DecidedLastCommit, AppHash: prevHash, NextValidatorsHash: req.NextValidatorsHash}
	block := state.NewCache(a.ms.Working())
	resp := &abci.ResponseFinalizeBlock{}
	evs, err := a.layer.BeginBlock(block, b)
	if err != nil {
		return nil, err
	}
	resp.Events = evs
	for _, raw := range req.Txs {
		resp.TxResults = append(resp.TxResults, a.deliver(block, b, raw))
	}
	updates, evs, err := a.layer.EndBlock(block, b)
	if err != nil {
		return nil, err
	}
	resp.ValidatorUpdates, resp.Events = updates, append(resp.Events, evs...)
	block.Write()
	resp.AppHash = a.ms.WorkingHash()
	a.last = req.Time
	return resp, nil
}

// deliver runs one transaction on the block cache.
func (a *App) deliver(block *state.Cache, b interchain.Block, raw []byte) *abci.ExecTxResult {
	relay, kv, err := decodeTx(raw)
	if err != nil {
		return &abci.ExecTxResult{Code: 1, Log: err.Error()}
	}
	if kv != nil {
		block.KV(kvStore).Set([]byte("d/"+kv.Key), []byte(kv.Value))
		return &abci.ExecTxResult{Events: []abci.Event{{Type: "kv_set", Attributes: []abci.EventAttribute{{Key: "key", Value: kv.Key, Index: true}}}}}
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
	if _, err := a.ms.Commit(); err != nil {
		return nil, err
	}
	a.genesis = nil
	return &abci.ResponseCommit{}, nil
}

// Query answers /kv/KEY, the raw store reads with proofs that relayers
// make (/store/NAME/key), and the layer's paths.
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
	if key, ok := strings.CutPrefix(req.Path, "/kv/"); ok {
		return &abci.ResponseQuery{Key: []byte(key), Value: v.KV(kvStore).Get([]byte("d/" + key))}, nil
	}
	if name, ok := strings.CutPrefix(req.Path, "/store/"); ok {
		name, ok = strings.CutSuffix(name, "/key")
		if !ok || !slices.Contains(a.ms.Names(), name) || len(req.Data) == 0 {
			return nil, fmt.Errorf("want /store/NAME/key with a key, NAME one of %v", a.ms.Names())
		}
		if !req.Prove {
			return &abci.ResponseQuery{Key: req.Data, Value: v.KV(name).Get(req.Data)}, nil
		}
		value, proofs, err := v.Prove(name, req.Data)
		if err != nil {
			return nil, err
		}
		ops, err := stateproof.Ops(name, req.Data, proofs)
		if err != nil {
			return nil, err
		}
		return &abci.ResponseQuery{Key: req.Data, Value: value, ProofOps: ops}, nil
	}
	a.mu.Lock()
	layer, now := a.layer, a.last
	a.mu.Unlock()
	if layer == nil {
		return nil, errors.New("chain not started")
	}
	bz, err := layer.Query(v, req.Path, now)
	if err != nil {
		return nil, err
	}
	return &abci.ResponseQuery{Value: bz}, nil
}
