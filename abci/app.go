package abci

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	dbm "github.com/cosmos/cosmos-db"

	"github.com/abci-ics/ics/abci/snapshots"
	"github.com/abci-ics/ics/state"
	"github.com/abci-ics/ics/state/export"
	"github.com/abci-ics/ics/state/overlay"
)

// AppVersion is the application protocol version reported by Info.
const AppVersion uint64 = 1

// GCPercent is the garbage collector target (GOGC) that icsd runs the app
// with when the GOGC environment variable is not set. The app keeps large,
// pointer-rich caches (IAVL node caches, value caches), and every block
// allocates many short-lived tree nodes: at Go's default of 100 the
// collector rescans those caches after every doubling of the heap and
// took about a fifth of the CPU in the W1 benchmark. At 400 the heap may
// grow to five times the live data between collections.
const GCPercent = 400

// Logger is what the application logs through. CometBFT's log.Logger
// satisfies it.
type Logger interface {
	Debug(msg string, keyvals ...any)
	Info(msg string, keyvals ...any)
	Error(msg string, keyvals ...any)
}

type nopLogger struct{}

func (nopLogger) Debug(string, ...any) {}
func (nopLogger) Info(string, ...any)  {}
func (nopLogger) Error(string, ...any) {}

// Options configure an App.
type Options struct {
	Logger Logger
	State  state.Options
	// Version is the software version reported by Info, and Name its
	// Data.
	Version string
	Name    string
	// Chain assembles the chain's application. Required.
	Chain Factory
	// Code maps the chain's errors to ABCI codes; nil maps only this
	// package's errors (Code). Codespace names the codes (default
	// Codespace).
	Code      func(error) uint32
	Codespace string
	// Admit, if set, is the node's own mempool policy (a minimum fee, for
	// example): CheckTx refuses a decoded transaction for which it returns
	// an error, on first check and on recheck. Blocks never run it, so
	// nodes may differ in it.
	Admit func(Tx) error
	// Snapshots, when set, takes state snapshots at the heights it says,
	// serves them to state-syncing peers, and receives the one this node
	// restores from (see the package documentation); nil turns state
	// sync off. App.Close closes it.
	Snapshots *snapshots.Store
	// Pipeline saves each block's state in the background, while the
	// next block executes (see the package documentation, "Pipelined
	// commit"). Blocks, app hashes and answers are the same either way.
	Pipeline bool
	// PauseSave, if set, runs in the background save of each block before
	// it writes anything (tests use it to stop a node mid-save).
	PauseSave func(height int64)
}

// App is the ABCI++ application. It is safe for CometBFT's concurrent
// connections: the consensus methods hold the block lock, CheckTx holds the
// mempool lock, and queries read committed versions without either.
type App struct {
	abcitypes.BaseApplication

	log       Logger
	version   string
	name      string
	db        dbm.DB
	stateOpts state.Options
	ms        atomic.Pointer[state.MultiStore] // replaced once, by a state sync restore
	factory   Factory
	code      func(error) uint32
	codespace string
	admit     func(Tx) error

	chain atomic.Pointer[chainRef] // nil until InitChain or a committed state assembles it

	blockMu      sync.Mutex       // consensus connection
	pending      bool             // genesis written, not yet committed
	genesisHash  []byte           // app hash after InitChain, while pending
	finished     bool             // a block was finalized and awaits Commit
	next         Chain            // the chain a transition in that block assembled, run from its Commit on
	finalized    state.CommitInfo // height and app hash of the block awaiting Commit
	transitioned bool             // that block made a transition, which wrote to the working state directly

	pipeline  bool
	pauseSave func(height int64)
	saving    atomic.Pointer[save] // the last block's save, while it runs
	layer     *overlay.Layer       // that block's writes over the version before, while it runs
	written   *overlay.Recorder    // the finalized block's writes, with the pipeline on

	checkMu    sync.Mutex // mempool connection
	checkState *state.Cache

	lastTime atomic.Int64 // time of the last finalized block, Unix ns, for queries

	snaps   *snapshots.Store
	restore *restore // the snapshot being restored, under blockMu
}

// chainRef holds the assembled chain, so that it can sit in an
// atomic.Pointer.
type chainRef struct{ Chain }

// lastBlockTime returns the time of the last finalized block (zero time
// before the first block of this process).
func (a *App) lastBlockTime() time.Time { return time.Unix(0, a.lastTime.Load()) }

var _ abcitypes.Application = (*App)(nil)

// New opens the application over db (goleveldb for a node, memdb for
// tests), loading its last committed state and assembling its chain when
// there is one.
func New(db dbm.DB, opts Options) (*App, error) {
	if opts.Chain == nil {
		return nil, errors.New("abci: Options.Chain is required")
	}
	ms, err := state.Open(db, opts.Chain.Stores(), opts.State)
	if err != nil {
		return nil, fmt.Errorf("open state: %w", err)
	}
	a := &App{log: opts.Logger, version: opts.Version, name: opts.Name, db: db, stateOpts: opts.State, factory: opts.Chain,
		code: opts.Code, codespace: opts.Codespace, admit: opts.Admit, snaps: opts.Snapshots,
		pipeline: opts.Pipeline, pauseSave: opts.PauseSave}
	a.ms.Store(ms)
	if a.log == nil {
		a.log = nopLogger{}
	}
	if a.code == nil {
		a.code = Code
	}
	if a.codespace == "" {
		a.codespace = Codespace
	}
	if ms.LastCommit().Version > 0 {
		if err := a.openChain(); err != nil {
			ms.Close()
			return nil, err
		}
	}
	return a, nil
}

// openChain assembles the chain from the last committed state and points
// CheckTx at it.
func (a *App) openChain() error {
	v, err := a.st().View(0)
	if err != nil {
		return err
	}
	c, err := a.factory.Open(v, a.st().Names())
	if err != nil {
		return fmt.Errorf("open chain: %w", err)
	}
	a.setChain(c)
	a.resetCheckState()
	return nil
}

// st returns the state.
func (a *App) st() *state.MultiStore { return a.ms.Load() }

func (a *App) setChain(c Chain) { a.chain.Store(&chainRef{c}) }

// Chain returns the assembled chain, nil before InitChain on a new chain.
// Tests and embedding chains use it to reach the chain's modules.
func (a *App) Chain() Chain {
	if r := a.chain.Load(); r != nil {
		return r.Chain
	}
	return nil
}

// View returns the committed state at version (0: the latest), read-only.
// Tests and embedding chains use it to look at any store.
func (a *App) View(version int64) (*state.View, error) { return a.view(version) }

// Stores returns the stores the chain's state has at its last commit
// (sorted): its genesis stores, changed by the transitions it made.
func (a *App) Stores() []string { return a.st().Names() }

// Close waits for the save in flight, stops the snapshot being taken,
// if any, and releases the state database.
func (a *App) Close() error {
	if s := a.saving.Load(); s != nil {
		<-s.done
	}
	if a.snaps != nil {
		a.snaps.Close()
	}
	return a.st().Close()
}

// Info reports the last committed height and app hash, so that CometBFT
// replays exactly the blocks the application has not committed. With a
// save in flight it waits for it and reports that block once recorded, as
// queries of the latest height do.
func (a *App) Info(_ context.Context, _ *abcitypes.RequestInfo) (*abcitypes.ResponseInfo, error) {
	if s := a.saving.Load(); s != nil {
		<-s.done
	}
	c := a.st().LastCommit()
	return &abcitypes.ResponseInfo{
		Data:             a.name,
		Version:          a.version,
		AppVersion:       AppVersion,
		LastBlockHeight:  c.Version,
		LastBlockAppHash: c.Hash,
	}, nil
}

// InitChain assembles the chain from its genesis and writes the genesis
// into the working state.
func (a *App) InitChain(_ context.Context, req *abcitypes.RequestInitChain) (*abcitypes.ResponseInitChain, error) {
	a.blockMu.Lock()
	defer a.blockMu.Unlock()
	if a.st().LastCommit().Version > 0 {
		return nil, fmt.Errorf("%w: InitChain on a chain at height %d", ErrInvalidGenesis, a.st().LastCommit().Version)
	}
	a.st().Discard()
	if req.InitialHeight > 1 {
		if err := a.st().SetInitialVersion(req.InitialHeight); err != nil {
			return nil, err
		}
	}
	if st, ok, err := export.Parse(req.AppStateBytes); ok || err != nil {
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalidGenesis, err)
		}
		return a.importState(req, st)
	}
	cache := state.NewCache(a.st().Working())
	height := max(req.InitialHeight, 1)
	c, validators, err := a.factory.InitChain(cache, req.ChainId, req.AppStateBytes, height, req.Time)
	if err != nil {
		return nil, err
	}
	cache.Write()
	a.setChain(c)
	a.pending = true
	a.genesisHash = a.st().WorkingHash()
	a.log.Info("genesis loaded", "chain_id", req.ChainId, "validators", len(validators))
	return &abcitypes.ResponseInitChain{AppHash: a.genesisHash, Validators: validators}, nil
}

// CheckTx runs the stateless checks, the signature and Ante against the
// mempool's state. It never runs the messages.
func (a *App) CheckTx(_ context.Context, req *abcitypes.RequestCheckTx) (*abcitypes.ResponseCheckTx, error) {
	a.checkMu.Lock()
	defer a.checkMu.Unlock()
	r := a.chain.Load()
	if a.checkState == nil || r == nil {
		return a.checkResult(ErrNotStarted), nil
	}
	tx, err := r.DecodeTx(req.Tx)
	if err == nil && a.admit != nil {
		err = a.admit(tx)
	}
	// A recheck is of a transaction this CheckTx admitted, whose signature
	// does not depend on the state: only what the state decides (routes,
	// nonce, fee, balance) is checked again.
	if err == nil && req.Type != abcitypes.CheckTxType_Recheck {
		errs := []error{nil}
		r.VerifyTxs([]Tx{tx}, errs)
		err = errs[0]
	}
	if err == nil {
		err = checkRoutes(r, tx)
	}
	if err != nil {
		return a.checkResult(err), nil
	}
	c := state.NewCache(a.checkState)
	if _, err := r.Ante(c, tx, len(req.Tx)); err != nil {
		return a.checkResult(err), nil
	}
	c.Write()
	return &abcitypes.ResponseCheckTx{Code: 0}, nil
}

func (a *App) checkResult(err error) *abcitypes.ResponseCheckTx {
	code, space := codeAndSpace(err, a.code, a.codespace)
	return &abcitypes.ResponseCheckTx{Code: code, Codespace: space, Log: err.Error()}
}

// checkRoutes returns ErrUnknownMessage if the transaction has a message
// the chain does not handle.
func checkRoutes(c Chain, tx Tx) error {
	for i, m := range tx.Msgs() {
		if !c.Handles(m.TypeURL) {
			return fmt.Errorf("%w: message %d: %q", ErrUnknownMessage, i, m.TypeURL)
		}
	}
	return nil
}

// PrepareProposal keeps the mempool's transactions in order, dropping those
// that do not decode, up to the block's byte limit.
func (a *App) PrepareProposal(_ context.Context, req *abcitypes.RequestPrepareProposal) (*abcitypes.ResponsePrepareProposal, error) {
	r := a.chain.Load()
	if r == nil {
		return nil, ErrNotStarted
	}
	var total int64
	txs := make([][]byte, 0, len(req.Txs))
	for _, tx := range req.Txs {
		if _, err := r.DecodeTx(tx); err != nil {
			continue
		}
		if total+int64(len(tx)) > req.MaxTxBytes {
			break
		}
		total += int64(len(tx))
		txs = append(txs, tx)
	}
	return &abcitypes.ResponsePrepareProposal{Txs: txs}, nil
}

// ProcessProposal rejects a proposal with a transaction that does not
// decode; everything else is decided, deterministically, in FinalizeBlock.
func (a *App) ProcessProposal(_ context.Context, req *abcitypes.RequestProcessProposal) (*abcitypes.ResponseProcessProposal, error) {
	r := a.chain.Load()
	if r == nil {
		return nil, ErrNotStarted
	}
	for _, tx := range req.Txs {
		if _, err := r.DecodeTx(tx); err != nil {
			return &abcitypes.ResponseProcessProposal{Status: abcitypes.ResponseProcessProposal_REJECT}, nil
		}
	}
	return &abcitypes.ResponseProcessProposal{Status: abcitypes.ResponseProcessProposal_ACCEPT}, nil
}

// FinalizeBlock executes a decided block on the working state and returns
// the working app hash. See the package documentation for the pipeline.
func (a *App) FinalizeBlock(_ context.Context, req *abcitypes.RequestFinalizeBlock) (*abcitypes.ResponseFinalizeBlock, error) {
	a.blockMu.Lock()
	defer a.blockMu.Unlock()
	r := a.chain.Load()
	if r == nil {
		return nil, fmt.Errorf("finalize block %d: %w", req.Height, ErrNotStarted)
	}
	if a.finished {
		return nil, fmt.Errorf("finalize block %d: the previous block awaits Commit", req.Height)
	}
	if want := a.last().Version + 1; !a.pending && req.Height != want {
		return nil, fmt.Errorf("finalize block %d: the next height is %d", req.Height, want)
	}
	b := Block{ChainID: r.ChainID(), Height: req.Height, Time: req.Time, LastCommit: req.DecidedLastCommit, Misbehavior: req.Misbehavior,
		AppHash: a.last().Hash, NextValidatorsHash: req.NextValidatorsHash}
	if a.pending {
		b.AppHash = a.genesisHash
	}
	resp := &abcitypes.ResponseFinalizeBlock{TxResults: make([]*abcitypes.ExecTxResult, len(req.Txs))}
	a.transitioned = false
	c, evs, err := a.transition(r.Chain, b)
	if err != nil {
		return nil, err
	}
	resp.Events = evs
	block := state.NewCache(a.base())

	evs, err = c.BeginBlock(block, b)
	if err != nil {
		return nil, fmt.Errorf("begin block %d: %w", req.Height, err)
	}
	resp.Events = append(resp.Events, evs...)
	decoded, errs := a.decodeAndVerify(c, req.Txs)
	for i := range req.Txs {
		resp.TxResults[i] = a.deliver(c, block, b, req.Txs[i], decoded[i], errs[i])
	}
	updates, evs, err := c.EndBlock(block, b)
	if err != nil {
		return nil, fmt.Errorf("end block %d: %w", req.Height, err)
	}
	resp.ValidatorUpdates = updates
	resp.Events = append(resp.Events, evs...)
	if err := a.waitSave(); err != nil {
		return nil, fmt.Errorf("finalize block %d: %w", req.Height, err)
	}
	block.WriteTo(a.record())
	resp.AppHash = a.st().WorkingHash()
	a.finalized = state.CommitInfo{Version: req.Height, Hash: resp.AppHash}
	a.finished = true
	if c != r.Chain {
		a.next = c
	}
	a.lastTime.Store(req.Time.UnixNano())
	return resp, nil
}

// decodeAndVerify decodes every transaction and verifies them in
// parallel, one chunk per core.
func (a *App) decodeAndVerify(c Chain, txs [][]byte) ([]Tx, []error) {
	decoded := make([]Tx, len(txs))
	errs := make([]error, len(txs))
	workers := min(runtime.GOMAXPROCS(0), (len(txs)+63)/64)
	if workers <= 1 {
		verifyRange(c, txs, decoded, errs, 0, len(txs))
		return decoded, errs
	}
	var wg sync.WaitGroup
	chunk := (len(txs) + workers - 1) / workers
	for lo := 0; lo < len(txs); lo += chunk {
		hi := min(lo+chunk, len(txs))
		wg.Add(1)
		go func() {
			defer wg.Done()
			verifyRange(c, txs, decoded, errs, lo, hi)
		}()
	}
	wg.Wait()
	return decoded, errs
}

// verifyRange decodes txs[lo:hi] and verifies those that decode in one
// call of the chain's VerifyTxs.
func verifyRange(c Chain, txs [][]byte, decoded []Tx, errs []error, lo, hi int) {
	var batch []Tx
	var at []int
	for i := lo; i < hi; i++ {
		tx, err := c.DecodeTx(txs[i])
		if err != nil {
			errs[i] = err
			continue
		}
		decoded[i] = tx
		batch = append(batch, tx)
		at = append(at, i)
	}
	if len(batch) == 0 {
		return
	}
	berrs := make([]error, len(batch))
	c.VerifyTxs(batch, berrs)
	for j, i := range at {
		errs[i] = berrs[j]
	}
}

// deliver runs one transaction on the block cache and returns its result.
func (a *App) deliver(c Chain, block *state.Cache, b Block, raw []byte, tx Tx, err error) *abcitypes.ExecTxResult {
	if err == nil {
		err = checkRoutes(c, tx)
	}
	if err != nil {
		return a.txResult(err)
	}
	ante := state.NewCache(block)
	anteEv, err := c.Ante(ante, tx, len(raw))
	if err != nil {
		return a.txResult(err)
	}
	ante.Write()
	msgs := state.NewCache(block)
	events := anteEv
	signer := tx.Signer()
	for i, m := range tx.Msgs() {
		evs, err := c.HandleMsg(msgs, b, signer, m)
		if err != nil {
			res := a.txResult(fmt.Errorf("message %d (%s): %w", i, m.TypeURL, err))
			res.Events = anteEv
			return res
		}
		events = append(events, evs...)
	}
	msgs.Write()
	return &abcitypes.ExecTxResult{Code: 0, Events: events}
}

func (a *App) txResult(err error) *abcitypes.ExecTxResult {
	code, space := codeAndSpace(err, a.code, a.codespace)
	return &abcitypes.ExecTxResult{Code: code, Codespace: space, Log: err.Error()}
}

// Commit saves the working state as the block's version.
func (a *App) Commit(_ context.Context, _ *abcitypes.RequestCommit) (*abcitypes.ResponseCommit, error) {
	a.blockMu.Lock()
	defer a.blockMu.Unlock()
	if !a.finished {
		return nil, errors.New("commit without a finalized block")
	}
	if a.commitBehind() {
		a.finished = false
		a.log.Debug("saving", "height", a.finalized.Version, "app_hash", fmt.Sprintf("%X", a.finalized.Hash))
		return &abcitypes.ResponseCommit{}, nil
	}
	c, err := a.st().Commit()
	if err != nil {
		return nil, fmt.Errorf("commit: %w", err)
	}
	a.finished, a.pending = false, false
	if a.next != nil {
		a.setChain(a.next)
		a.next = nil
	}
	a.resetCheckState()
	a.snapshot(c.Version)
	a.log.Debug("committed", "height", c.Version, "app_hash", fmt.Sprintf("%X", c.Hash))
	return &abcitypes.ResponseCommit{}, nil
}

// resetCheckState points CheckTx at the latest committed version.
func (a *App) resetCheckState() {
	v, err := a.st().View(0)
	if err != nil {
		panic(fmt.Sprintf("abci: view of the version just committed: %v", err))
	}
	a.checkMu.Lock()
	a.checkState = state.NewCache(v)
	a.checkMu.Unlock()
}
