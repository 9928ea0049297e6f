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
	"github.com/cometbft/cometbft/crypto/ed25519"
	dbm "github.com/cosmos/cosmos-db"

	"github.com/abci-ics/ics/chain/auth"
	"github.com/abci-ics/ics/chain/bank"
	"github.com/abci-ics/ics/chain/distribution"
	"github.com/abci-ics/ics/chain/gov"
	"github.com/abci-ics/ics/chain/staking"
	"github.com/abci-ics/ics/consumer"
	"github.com/abci-ics/ics/ibc/channel"
	"github.com/abci-ics/ics/ibc/client"
	"github.com/abci-ics/ics/ibc/transfer"
	"github.com/abci-ics/ics/provider"
	"github.com/abci-ics/ics/state"
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

// Block is what hooks and message handlers learn of the block.
type Block struct {
	ChainID string
	Height  int64
	Time    time.Time
	// LastCommit says which validators signed the previous block.
	LastCommit abcitypes.CommitInfo
	// Misbehavior is the evidence CometBFT decided on in this block.
	Misbehavior []abcitypes.Misbehavior
	// AppHash is the app hash in the block's header (that of the previous
	// block) and NextValidatorsHash the header's hash of the next set.
	AppHash            []byte
	NextValidatorsHash []byte
}

// Hook runs at the beginning or the end of every block, on the block's
// cache. Its events are returned with the block.
type Hook func(s state.Store, b Block) ([]abcitypes.Event, error)

// ValidatorHook runs last in every block and returns the block's validator
// updates for CometBFT.
type ValidatorHook func(s state.Store, b Block) ([]abcitypes.ValidatorUpdate, []abcitypes.Event, error)

// Options configure an App.
type Options struct {
	Logger Logger
	State  state.Options
	// Version is the software version reported by Info.
	Version string
	// Role says whether the chain is a provider (the default) or a
	// consumer. It must be the same every time a chain's state is opened.
	Role Role
}

// App is the ABCI++ application. It is safe for CometBFT's concurrent
// connections: the consensus methods hold the block lock, CheckTx holds the
// mempool lock, and queries read committed versions without either.
type App struct {
	abcitypes.BaseApplication

	log     Logger
	version string
	ms      *state.MultiStore

	auth     auth.Keeper
	bank     bank.Keeper
	staking  *staking.Keeper
	dist     distribution.Keeper
	gov      *gov.Keeper
	clients  client.Keeper
	channels *channel.Keeper
	transfer *transfer.Keeper
	provider *provider.Keeper // provider role only
	consumer *consumer.Keeper // consumer role only
	role     Role
	stores   []string
	routes   map[string]route
	begin    []Hook
	end      []Hook
	valset   ValidatorHook

	blockMu     sync.Mutex // consensus connection
	chainID     string
	pending     bool   // genesis written, not yet committed
	genesisHash []byte // app hash after InitChain, while pending
	finished    bool   // a block was finalized and awaits Commit

	checkMu    sync.Mutex // mempool connection
	checkState *state.Cache

	lastTime atomic.Int64 // time of the last finalized block, Unix ns, for queries
}

// lastBlockTime returns the time of the last finalized block (zero time
// before the first block of this process).
func (a *App) lastBlockTime() time.Time { return time.Unix(0, a.lastTime.Load()) }

var _ abcitypes.Application = (*App)(nil)

// ProviderStores and ConsumerStores are the names of the stores of each
// role.
var (
	ProviderStores = []string{auth.StoreName, bank.StoreName, staking.StoreName, distribution.StoreName, gov.StoreName, provider.StoreName, channel.StoreName}
	ConsumerStores = []string{auth.StoreName, bank.StoreName, consumer.StoreName, channel.StoreName}
)

// New opens the application over db (goleveldb for a node, memdb for
// tests), loading its last committed state.
func New(db dbm.DB, opts Options) (*App, error) {
	role := opts.Role
	if role == "" {
		role = RoleProvider
	}
	stores := ProviderStores
	switch role {
	case RoleProvider:
	case RoleConsumer:
		stores = ConsumerStores
	default:
		return nil, fmt.Errorf("unknown role %q (want %q or %q)", role, RoleProvider, RoleConsumer)
	}
	ms, err := state.Open(db, stores, opts.State)
	if err != nil {
		return nil, fmt.Errorf("open state: %w", err)
	}
	a := &App{log: opts.Logger, version: opts.Version, ms: ms, role: role, stores: stores}
	if a.log == nil {
		a.log = nopLogger{}
	}
	a.routes = map[string]route{}
	a.auth = auth.Keeper{Bank: &a.bank}
	a.bank.Accounts = a.auth
	a.wireIBC()
	if role == RoleProvider {
		a.wireModules()
		a.wireProvider()
	} else {
		a.wireConsumer()
	}
	if ms.LastCommit().Version > 0 {
		v, err := ms.View(0)
		if err != nil {
			return nil, err
		}
		a.setChainID(a.auth.ChainID(v))
		a.setPrefix(a.auth.Params(v).Bech32Prefix)
		a.resetCheckState()
	}
	return a, nil
}

// View returns the committed state at version (0: the latest), read-only.
// Tests and embedding chains use it to look at any store.
func (a *App) View(version int64) (*state.View, error) { return a.ms.View(version) }

// Close releases the state database.
func (a *App) Close() error { return a.ms.Close() }

// AddBeginBlocker and AddEndBlocker add hooks, run in the order added.
func (a *App) AddBeginBlocker(h Hook) { a.begin = append(a.begin, h) }

// AddEndBlocker adds an end-block hook.
func (a *App) AddEndBlocker(h Hook) { a.end = append(a.end, h) }

// Info reports the last committed height and app hash, so that CometBFT
// replays exactly the blocks the application has not committed.
func (a *App) Info(_ context.Context, _ *abcitypes.RequestInfo) (*abcitypes.ResponseInfo, error) {
	c := a.ms.LastCommit()
	return &abcitypes.ResponseInfo{
		Data:             "icsd",
		Version:          a.version,
		AppVersion:       AppVersion,
		LastBlockHeight:  c.Version,
		LastBlockAppHash: c.Hash,
	}, nil
}

// InitChain validates the genesis and writes it into the working state.
func (a *App) InitChain(_ context.Context, req *abcitypes.RequestInitChain) (*abcitypes.ResponseInitChain, error) {
	a.blockMu.Lock()
	defer a.blockMu.Unlock()
	if a.ms.LastCommit().Version > 0 {
		return nil, fmt.Errorf("%w: InitChain on a chain at height %d", ErrInvalidGenesis, a.ms.LastCommit().Version)
	}
	g, err := ParseGenesis(req.AppStateBytes)
	if err != nil {
		return nil, err
	}
	if g.Role() != a.role {
		return nil, fmt.Errorf("%w: a %s genesis given to a %s chain", ErrInvalidGenesis, g.Role(), a.role)
	}
	a.ms.Discard()
	if req.InitialHeight > 1 {
		if err := a.ms.SetInitialVersion(req.InitialHeight); err != nil {
			return nil, err
		}
	}
	cache := state.NewCache(a.ms.Working())
	height := max(req.InitialHeight, 1)
	validators, err := a.initModules(cache, req.ChainId, g, req.Time, height)
	if err != nil {
		return nil, err
	}
	cache.Write()
	a.setChainID(req.ChainId)
	a.pending = true
	a.genesisHash = a.ms.WorkingHash()
	a.log.Info("genesis loaded", "chain_id", req.ChainId, "accounts", len(g.Auth.Accounts), "validators", len(validators))
	return &abcitypes.ResponseInitChain{AppHash: a.genesisHash, Validators: validators}, nil
}

// CheckTx runs the stateless checks, the signature and Ante against the
// mempool's state. It never runs the messages.
func (a *App) CheckTx(_ context.Context, req *abcitypes.RequestCheckTx) (*abcitypes.ResponseCheckTx, error) {
	a.checkMu.Lock()
	defer a.checkMu.Unlock()
	if a.checkState == nil {
		return checkResult(ErrNotStarted), nil
	}
	tx, err := auth.DecodeTx(req.Tx)
	if err == nil {
		err = tx.CheckChainID(a.chainID)
	}
	if err == nil {
		err = tx.VerifySignature()
	}
	if err == nil {
		err = a.checkRoutes(tx)
	}
	if err != nil {
		return checkResult(err), nil
	}
	c := state.NewCache(a.checkState)
	if _, err := a.auth.Ante(c, tx, len(req.Tx)); err != nil {
		return checkResult(err), nil
	}
	c.Write()
	return &abcitypes.ResponseCheckTx{Code: 0}, nil
}

func checkResult(err error) *abcitypes.ResponseCheckTx {
	return &abcitypes.ResponseCheckTx{Code: Code(err), Codespace: Codespace, Log: err.Error()}
}

// PrepareProposal keeps the mempool's transactions in order, dropping those
// that do not decode, up to the block's byte limit.
func (a *App) PrepareProposal(_ context.Context, req *abcitypes.RequestPrepareProposal) (*abcitypes.ResponsePrepareProposal, error) {
	var total int64
	txs := make([][]byte, 0, len(req.Txs))
	for _, tx := range req.Txs {
		if _, err := auth.DecodeTx(tx); err != nil {
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
	for _, tx := range req.Txs {
		if _, err := auth.DecodeTx(tx); err != nil {
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
	if a.finished {
		return nil, fmt.Errorf("finalize block %d: the previous block awaits Commit", req.Height)
	}
	if want := a.ms.LastCommit().Version + 1; !a.pending && req.Height != want {
		return nil, fmt.Errorf("finalize block %d: the next height is %d", req.Height, want)
	}
	b := Block{ChainID: a.chainID, Height: req.Height, Time: req.Time, LastCommit: req.DecidedLastCommit, Misbehavior: req.Misbehavior,
		AppHash: a.ms.LastCommit().Hash, NextValidatorsHash: req.NextValidatorsHash}
	if a.pending {
		b.AppHash = a.genesisHash
	}
	block := state.NewCache(a.ms.Working())
	resp := &abcitypes.ResponseFinalizeBlock{TxResults: make([]*abcitypes.ExecTxResult, len(req.Txs))}

	for _, h := range a.begin {
		evs, err := h(block, b)
		if err != nil {
			return nil, fmt.Errorf("begin block %d: %w", req.Height, err)
		}
		resp.Events = append(resp.Events, evs...)
	}
	decoded, errs := a.decodeAndVerify(req.Txs)
	for i := range req.Txs {
		resp.TxResults[i] = a.deliver(block, b, req.Txs[i], decoded[i], errs[i])
	}
	for _, h := range a.end {
		evs, err := h(block, b)
		if err != nil {
			return nil, fmt.Errorf("end block %d: %w", req.Height, err)
		}
		resp.Events = append(resp.Events, evs...)
	}
	if a.valset != nil {
		updates, evs, err := a.valset(block, b)
		if err != nil {
			return nil, fmt.Errorf("validator updates of block %d: %w", req.Height, err)
		}
		resp.ValidatorUpdates = updates
		resp.Events = append(resp.Events, evs...)
	}
	block.Write()
	resp.AppHash = a.ms.WorkingHash()
	a.finished = true
	a.lastTime.Store(req.Time.UnixNano())
	return resp, nil
}

// decodeAndVerify decodes every transaction and verifies the signatures in
// parallel, one batch per core.
func (a *App) decodeAndVerify(txs [][]byte) ([]*auth.DecodedTx, []error) {
	decoded := make([]*auth.DecodedTx, len(txs))
	errs := make([]error, len(txs))
	workers := min(runtime.GOMAXPROCS(0), (len(txs)+63)/64)
	if workers <= 1 {
		a.verifyRange(txs, decoded, errs, 0, len(txs))
		return decoded, errs
	}
	var wg sync.WaitGroup
	chunk := (len(txs) + workers - 1) / workers
	for lo := 0; lo < len(txs); lo += chunk {
		hi := min(lo+chunk, len(txs))
		wg.Add(1)
		go func() {
			defer wg.Done()
			a.verifyRange(txs, decoded, errs, lo, hi)
		}()
	}
	wg.Wait()
	return decoded, errs
}

// verifyRange decodes txs[lo:hi] and checks their signatures with one batch
// verification, falling back to one by one when the batch fails.
func (a *App) verifyRange(txs [][]byte, decoded []*auth.DecodedTx, errs []error, lo, hi int) {
	bv := ed25519.NewBatchVerifier()
	var batch []int
	for i := lo; i < hi; i++ {
		tx, err := auth.DecodeTx(txs[i])
		if err == nil {
			err = tx.CheckChainID(a.chainID)
		}
		if err != nil {
			errs[i] = err
			continue
		}
		decoded[i] = tx
		if err := bv.Add(ed25519.PubKey(tx.PubKey), tx.SignBytes(), tx.Signature); err != nil {
			errs[i] = fmt.Errorf("%w: %v", auth.ErrInvalidSignature, err)
			continue
		}
		batch = append(batch, i)
	}
	if len(batch) == 0 {
		return
	}
	if ok, _ := bv.Verify(); ok {
		return
	}
	for _, i := range batch {
		errs[i] = decoded[i].VerifySignature()
	}
}

// deliver runs one transaction on the block cache and returns its result.
func (a *App) deliver(block *state.Cache, b Block, raw []byte, tx *auth.DecodedTx, err error) *abcitypes.ExecTxResult {
	if err == nil {
		err = a.checkRoutes(tx)
	}
	if err != nil {
		return txResult(err)
	}
	ante := state.NewCache(block)
	anteEv, err := a.auth.Ante(ante, tx, len(raw))
	if err != nil {
		return txResult(err)
	}
	ante.Write()
	msgs := state.NewCache(block)
	events := []abcitypes.Event{anteEv}
	for i, m := range tx.Body.Msgs {
		evs, err := a.routes[m.TypeUrl](msgs, b, tx.Signer, m.Value)
		if err != nil {
			res := txResult(fmt.Errorf("message %d (%s): %w", i, m.TypeUrl, err))
			res.Events = events[:1]
			return res
		}
		events = append(events, evs...)
	}
	msgs.Write()
	return &abcitypes.ExecTxResult{Code: 0, Events: events}
}

func txResult(err error) *abcitypes.ExecTxResult {
	return &abcitypes.ExecTxResult{Code: Code(err), Codespace: Codespace, Log: err.Error()}
}

// Commit saves the working state as the block's version.
func (a *App) Commit(_ context.Context, _ *abcitypes.RequestCommit) (*abcitypes.ResponseCommit, error) {
	a.blockMu.Lock()
	defer a.blockMu.Unlock()
	if !a.finished {
		return nil, errors.New("commit without a finalized block")
	}
	c, err := a.ms.Commit()
	if err != nil {
		return nil, fmt.Errorf("commit: %w", err)
	}
	a.finished, a.pending = false, false
	a.resetCheckState()
	a.log.Debug("committed", "height", c.Version, "app_hash", fmt.Sprintf("%X", c.Hash))
	return &abcitypes.ResponseCommit{}, nil
}

// resetCheckState points CheckTx at the latest committed version.
func (a *App) resetCheckState() {
	v, err := a.ms.View(0)
	if err != nil {
		panic(fmt.Sprintf("abci: view of the version just committed: %v", err))
	}
	a.checkMu.Lock()
	a.checkState = state.NewCache(v)
	a.checkMu.Unlock()
}
