package load

import (
	"context"
	"crypto/sha256"
	"fmt"
	"sync"
	"time"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
)

// pollEvery is how often the watcher asks for a block that is not there
// yet.
const pollEvery = 10 * time.Millisecond

// expected is a transaction the watcher looks for.
type expected struct {
	load bool // counted in the block statistics
	done func(code uint32, seen time.Time)
}

// watcher follows one node's blocks from a height on and settles the
// expected transactions it finds in them.
type watcher struct {
	rpc *rpchttp.HTTP

	mu      sync.Mutex
	want    map[[sha256.Size]byte]expected
	blocks  []Block
	height  int64 // the next height to read
	loadCnt int   // expected load transactions not yet seen
	err     error // why the watcher stopped, if it did on its own
}

// newWatcher returns a watcher of the node at addr that starts at the
// node's next height.
func newWatcher(ctx context.Context, addr string) (*watcher, error) {
	c, err := newRPC(addr)
	if err != nil {
		return nil, err
	}
	st, err := c.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("status of %s: %w", addr, err)
	}
	return &watcher{rpc: c, want: map[[sha256.Size]byte]expected{}, height: st.SyncInfo.LatestBlockHeight + 1}, nil
}

// expect registers the transaction with hash h before it is sent.
func (w *watcher) expect(h [sha256.Size]byte, e expected) {
	w.mu.Lock()
	w.want[h] = e
	if e.load {
		w.loadCnt++
	}
	w.mu.Unlock()
}

// forget drops h (the node refused it).
func (w *watcher) forget(h [sha256.Size]byte) {
	w.mu.Lock()
	if e, ok := w.want[h]; ok {
		delete(w.want, h)
		if e.load {
			w.loadCnt--
		}
	}
	w.mu.Unlock()
}

// pendingLoad returns how many load transactions are expected and not
// seen yet.
func (w *watcher) pendingLoad() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.loadCnt
}

// stopped returns why the watcher gave up, or nil.
func (w *watcher) stopped() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// takeBlocks returns the blocks seen so far and forgets them.
func (w *watcher) takeBlocks() []Block {
	w.mu.Lock()
	defer w.mu.Unlock()
	b := w.blocks
	w.blocks = nil
	return b
}

// run reads block after block until ctx ends. A node that stops answering
// for a minute stops it (stopped says why).
func (w *watcher) run(ctx context.Context) {
	failing := time.Time{}
	for ctx.Err() == nil {
		err := w.next(ctx)
		if err == nil {
			failing = time.Time{}
			continue
		}
		if failing.IsZero() {
			failing = time.Now()
		} else if time.Since(failing) > time.Minute && ctx.Err() == nil {
			w.mu.Lock()
			w.err = err
			w.mu.Unlock()
			return
		}
		select {
		case <-ctx.Done():
		case <-time.After(pollEvery):
		}
	}
}

// next reads the results and then the transactions of the next height, and
// settles the expected transactions in it. It returns an error while the
// block is not there yet.
func (w *watcher) next(ctx context.Context) error {
	h := w.height
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	res, err := w.rpc.BlockResults(cctx, &h)
	if err != nil {
		return err
	}
	seen := time.Now()
	blk, err := w.rpc.Block(cctx, &h)
	if err != nil {
		return err
	}
	txs := blk.Block.Txs
	if len(res.TxsResults) != len(txs) {
		return fmt.Errorf("block %d: %d transactions, %d results", h, len(txs), len(res.TxsResults))
	}
	b := Block{Height: h, Seen: seen, Txs: len(txs)}
	type settle struct {
		e    expected
		code uint32
	}
	var found []settle
	w.mu.Lock()
	for i, tx := range txs {
		hash := sha256.Sum256(tx)
		e, ok := w.want[hash]
		if !ok {
			continue
		}
		delete(w.want, hash)
		code := res.TxsResults[i].Code
		if e.load {
			w.loadCnt--
			b.Load++
			if code == 0 {
				b.OK++
			}
		}
		found = append(found, settle{e, code})
	}
	w.blocks = append(w.blocks, b)
	w.height = h + 1
	w.mu.Unlock()
	for _, s := range found {
		s.e.done(s.code, seen)
	}
	return nil
}
