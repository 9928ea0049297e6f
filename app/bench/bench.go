// Package bench generates the standard block workloads and replays them
// straight into an ABCI application's FinalizeBlock and Commit, without
// consensus, measuring each block.
//
// Workload W1 (transfers): Accounts funded accounts in genesis, blocks of
// TxsPerBlock signed transfers between uniformly random pairs, each paying
// the minimum fee. Everything is derived from Seed, so the same
// configuration gives the same blocks, and so the same final app hash,
// every run. The same harness replays comparable blocks into any other
// ABCI application (Run), such as CometBFT's kvstore example.
//
// A long run streams its workload (W1.Stream, Runner.ReplayStream): each
// block is generated just before it runs, outside its timing, so the
// process holds one block of txs rather than the whole run and its memory
// is the application's. Every block is measured (BlockStat: FinalizeBlock
// and Commit times, resident memory, Go heap in use and live); Windows
// aggregates them into windows of N blocks so that drift over a run shows,
// WriteCSV writes them one row per block and Chart draws block time over
// height.
package bench

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/crypto/ed25519"

	"github.com/abci-ics/ics/app"
	"github.com/abci-ics/ics/chain/auth"
	"github.com/abci-ics/ics/chain/bank"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/coin"
)

// ChainID is the chain id of generated workloads.
const ChainID = "bench-1"

// genesisTime is the time of every generated genesis.
var genesisTime = time.Unix(1_700_000_000, 0).UTC()

// W1 configures the transfer workload.
type W1 struct {
	Accounts    int
	TxsPerBlock int
	Blocks      int
	Seed        uint64
}

// Workload is a generated genesis and its blocks.
type Workload struct {
	Genesis *abcitypes.RequestInitChain
	Blocks  [][][]byte
}

// Generate builds the genesis and the blocks of cfg.
func (cfg W1) Generate() (*Workload, error) {
	if cfg.TxsPerBlock < 0 || cfg.Blocks < 0 {
		return nil, fmt.Errorf("w1: negative sizes in %+v", cfg)
	}
	g, err := NewGenerator(cfg.Accounts, cfg.Seed)
	if err != nil {
		return nil, err
	}
	w := &Workload{}
	if w.Genesis, err = g.Genesis(); err != nil {
		return nil, err
	}
	for b := 0; b < cfg.Blocks; b++ {
		w.Blocks = append(w.Blocks, g.Block(cfg.TxsPerBlock))
	}
	return w, nil
}

// Stream is a workload generated block by block as it is replayed.
type Stream struct {
	Genesis *abcitypes.RequestInitChain
	// Blocks is the number of blocks; Next returns the txs of the next one
	// and is called Blocks times, in order.
	Blocks int
	Next   func() [][]byte
}

// Stream returns cfg's workload as a stream: the genesis and the blocks,
// in order, that Generate returns, each block generated when it is asked
// for.
func (cfg W1) Stream() (*Stream, error) {
	if cfg.TxsPerBlock < 0 || cfg.Blocks < 0 {
		return nil, fmt.Errorf("w1: negative sizes in %+v", cfg)
	}
	g, err := NewGenerator(cfg.Accounts, cfg.Seed)
	if err != nil {
		return nil, err
	}
	genesis, err := g.Genesis()
	if err != nil {
		return nil, err
	}
	return &Stream{Genesis: genesis, Blocks: cfg.Blocks, Next: func() [][]byte { return g.Block(cfg.TxsPerBlock) }}, nil
}

// Stream returns the generated workload w as a stream.
func (w *Workload) Stream() *Stream {
	i := 0
	return &Stream{Genesis: w.Genesis, Blocks: len(w.Blocks), Next: func() [][]byte {
		i++
		return w.Blocks[i-1]
	}}
}

// Generator produces the W1 genesis and then block after block of signed
// transfers, keeping every account's nonce. Its keys and addresses hold no
// pointers, so that with a million accounts the collector has nothing of
// the harness to mark.
type Generator struct {
	keys   [][ed25519.PrivateKeySize]byte
	addrs  [][address.Len]byte
	nonces []uint64
	rng    *rand.Rand
	fee    coin.Coin
}

// NewGenerator derives accounts keys from seed.
func NewGenerator(accounts int, seed uint64) (*Generator, error) {
	if accounts < 2 {
		return nil, fmt.Errorf("w1: need at least 2 accounts, got %d", accounts)
	}
	g := &Generator{
		keys:   make([][ed25519.PrivateKeySize]byte, accounts),
		addrs:  make([][address.Len]byte, accounts),
		nonces: make([]uint64, accounts),
		rng:    rand.New(rand.NewPCG(seed, 1)),
		fee:    auth.DefaultParams().MinFee,
	}
	for i := range g.keys {
		var b [16]byte
		binary.BigEndian.PutUint64(b[:8], seed)
		binary.BigEndian.PutUint64(b[8:], uint64(i))
		secret := sha256.Sum256(b[:])
		key := ed25519.GenPrivKeyFromSecret(secret[:])
		copy(g.keys[i][:], key)
		copy(g.addrs[i][:], address.FromPubKey(key.PubKey().Bytes()))
	}
	return g, nil
}

// Genesis returns InitChain for a genesis in which every account exists
// and holds plenty of the fee denomination.
func (g *Generator) Genesis() (*abcitypes.RequestInitChain, error) {
	gs := app.DefaultGenesis()
	prefix := gs.Auth.Params.Bech32Prefix
	gs.Auth.Accounts = make([]auth.GenesisAccount, len(g.keys))
	gs.Bank.Balances = make([]bank.GenesisBalance, len(g.keys))
	for i := range g.keys {
		a := address.Encode(prefix, g.addrs[i][:])
		gs.Auth.Accounts[i] = auth.GenesisAccount{Address: a, PubKey: ed25519.PrivKey(g.keys[i][:]).PubKey().Bytes()}
		gs.Bank.Balances[i] = bank.GenesisBalance{Address: a, Coins: []coin.Coin{{Denom: g.fee.Denom, Amount: 1 << 40}}}
	}
	appState, err := gs.MarshalJSON()
	if err != nil {
		return nil, err
	}
	return &abcitypes.RequestInitChain{Time: genesisTime, ChainId: ChainID, InitialHeight: 1, AppStateBytes: appState}, nil
}

// Block returns n signed transfers between uniformly random distinct
// accounts, each paying the minimum fee.
func (g *Generator) Block(n int) [][]byte {
	txs := make([][]byte, n)
	for t := range txs {
		from := g.rng.IntN(len(g.keys))
		to := g.rng.IntN(len(g.keys) - 1)
		if to >= from {
			to++
		}
		msg, err := auth.NewAny(&bank.MsgSend{
			From:   g.addrs[from][:],
			To:     g.addrs[to][:],
			Amount: []coin.Coin{{Denom: g.fee.Denom, Amount: 1 + uint64(g.rng.IntN(1000))}},
		})
		if err != nil {
			panic(fmt.Sprintf("bench: encode transfer: %v", err))
		}
		body := auth.TxBody{ChainId: ChainID, Nonce: g.nonces[from], Fee: g.fee, Msgs: []auth.Any{msg}}
		g.nonces[from]++
		if txs[t], err = auth.SignTx(ed25519.PrivKey(g.keys[from][:]), &body); err != nil {
			panic(fmt.Sprintf("bench: sign transfer: %v", err))
		}
	}
	return txs
}

// KVStoreWorkload returns blocks of the same shape for CometBFT's kvstore
// example application: transactions key=value over random keys.
func KVStoreWorkload(blocks, txsPerBlock int, seed uint64) *Workload {
	s := KVStoreStream(blocks, txsPerBlock, seed)
	w := &Workload{Genesis: s.Genesis}
	for b := 0; b < s.Blocks; b++ {
		w.Blocks = append(w.Blocks, s.Next())
	}
	return w
}

// KVStoreStream is KVStoreWorkload generated block by block.
func KVStoreStream(blocks, txsPerBlock int, seed uint64) *Stream {
	rng := rand.New(rand.NewPCG(seed, 2))
	return &Stream{
		Genesis: &abcitypes.RequestInitChain{Time: genesisTime, ChainId: ChainID, InitialHeight: 1},
		Blocks:  blocks,
		Next: func() [][]byte {
			txs := make([][]byte, txsPerBlock)
			for t := range txs {
				txs[t] = fmt.Appendf(nil, "k%08d=v%016x", rng.IntN(100_000), rng.Uint64())
			}
			return txs
		},
	}
}

// Result is the measurement of one run.
type Result struct {
	Txs      int
	Failed   int
	Blocks   int
	Elapsed  time.Duration
	P50, P99 time.Duration
	AppHash  []byte
	// Stats holds every block's measurement, in height order.
	Stats []BlockStat
	// Generate is the time spent generating blocks during the run, which
	// no block time includes.
	Generate time.Duration
	// PeakRSS is the process's peak resident memory (VmHWM) at the end of
	// the run, in bytes; 0 where it cannot be read.
	PeakRSS uint64
}

// TxPerSec is the throughput of the run.
func (r Result) TxPerSec() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Txs) / r.Elapsed.Seconds()
}

// String formats the result on one line.
func (r Result) String() string {
	return fmt.Sprintf("%d blocks, %d txs (%d failed) in %s: %.0f tx/s, block p50 %s p99 %s, app hash %X",
		r.Blocks, r.Txs, r.Failed, r.Elapsed.Round(time.Millisecond), r.TxPerSec(), r.P50.Round(time.Microsecond), r.P99.Round(time.Microsecond), r.AppHash)
}

// Runner drives an application block by block.
type Runner struct {
	App    abcitypes.Application
	Height int64
}

// Init runs InitChain and commits an empty block at height 1, so that the
// measured blocks start from a committed genesis.
func (r *Runner) Init(req *abcitypes.RequestInitChain) error {
	if _, err := r.App.InitChain(context.Background(), req); err != nil {
		return fmt.Errorf("init chain: %w", err)
	}
	r.Height = 0
	_, _, err := r.Block(nil)
	return err
}

// Block finalizes and commits the next block and returns how long that
// took and the response.
func (r *Runner) Block(txs [][]byte) (time.Duration, *abcitypes.ResponseFinalizeBlock, error) {
	st, resp, err := r.Step(txs)
	return st.Time, resp, err
}

// Step finalizes and commits the next block and returns its measurement
// (times and counts; memory is left to the caller) and the response.
func (r *Runner) Step(txs [][]byte) (BlockStat, *abcitypes.ResponseFinalizeBlock, error) {
	ctx := context.Background()
	h := r.Height + 1
	start := time.Now()
	resp, err := r.App.FinalizeBlock(ctx, &abcitypes.RequestFinalizeBlock{Txs: txs, Height: h, Time: genesisTime.Add(time.Duration(h) * time.Second)})
	if err != nil {
		return BlockStat{}, nil, fmt.Errorf("finalize block %d: %w", h, err)
	}
	finalized := time.Now()
	if _, err := r.App.Commit(ctx, &abcitypes.RequestCommit{}); err != nil {
		return BlockStat{}, nil, fmt.Errorf("commit %d: %w", h, err)
	}
	end := time.Now()
	r.Height = h
	st := BlockStat{Height: h, Txs: len(txs), Time: end.Sub(start), Commit: end.Sub(finalized)}
	for _, tr := range resp.TxResults {
		if tr.Code != 0 {
			st.Failed++
		}
	}
	return st, resp, nil
}

// Run initializes app with w's genesis and replays w's blocks, timing
// FinalizeBlock plus Commit of each.
func Run(app abcitypes.Application, w *Workload) (Result, error) {
	return RunStream(app, w.Stream())
}

// RunStream initializes app with s's genesis and replays s's blocks.
func RunStream(app abcitypes.Application, s *Stream) (Result, error) {
	r := &Runner{App: app}
	if err := r.Init(s.Genesis); err != nil {
		return Result{}, err
	}
	return r.ReplayStream(s)
}

// Replay runs blocks one after the other, timing FinalizeBlock plus Commit
// of each.
func (r *Runner) Replay(blocks [][][]byte) (Result, error) {
	return r.ReplayStream((&Workload{Blocks: blocks}).Stream())
}

// ReplayStream runs s's blocks one after the other, generating each just
// before it runs. A block's time is its FinalizeBlock plus Commit alone:
// generating it, and reading the process's memory after it, are outside.
// It stops at the first error, returning what it measured until then.
func (r *Runner) ReplayStream(s *Stream) (Result, error) {
	res := Result{Stats: make([]BlockStat, 0, s.Blocks)}
	for b := 0; b < s.Blocks; b++ {
		gen := time.Now()
		txs := s.Next()
		res.Generate += time.Since(gen)
		st, resp, err := r.Step(txs)
		if err != nil {
			return res, err
		}
		m := ReadMem()
		st.RSS, st.Heap, st.Live = m.RSS, m.Heap, m.Live
		res.Stats = append(res.Stats, st)
		res.Txs += st.Txs
		res.Failed += st.Failed
		res.Elapsed += st.Time
		res.AppHash = resp.AppHash
	}
	res.Blocks = len(res.Stats)
	times := make([]time.Duration, len(res.Stats))
	for i, st := range res.Stats {
		times[i] = st.Time
	}
	res.P50, res.P99 = percentiles(times)
	res.PeakRSS = ReadMem().PeakRSS
	return res, nil
}
