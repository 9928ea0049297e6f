package load

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// pollEvery is how often the watcher asks for a block that is not there
// yet.
const pollEvery = 5 * time.Millisecond

// expected is a transaction the watcher looks for.
type expected struct {
	load bool // counted in the block statistics
	done func(code uint32, seen time.Time)
}

// watcher follows one node's blocks from a height on and settles the
// expected transactions it finds in them. One loop polls the small headers
// to learn when each block is committed; another reads the blocks and
// their results, which may lag under load without moving the times.
type watcher struct {
	base    string       // http://host:port of the node's RPC
	headers *http.Client // for the header loop
	bodies  *http.Client // for the block loop

	mu      sync.Mutex
	want    map[[sha256.Size]byte]expected
	seen    map[int64]time.Time // when each header was first there
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
	base := normalizeAddr(addr)
	if rest, ok := strings.CutPrefix(base, "tcp://"); ok {
		base = "http://" + rest
	}
	return &watcher{base: strings.TrimSuffix(base, "/"), headers: &http.Client{}, bodies: &http.Client{},
		want: map[[sha256.Size]byte]expected{}, seen: map[int64]time.Time{}, height: st.SyncInfo.LatestBlockHeight + 1}, nil
}

// rpcGet calls the node's JSON-RPC method with the URI arguments query and
// decodes the result into out, reading only the fields out names.
func rpcGet(ctx context.Context, c *http.Client, url string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	env := struct {
		Result any `json:"result"`
		Error  *struct {
			Message string `json:"message"`
			Data    string `json:"data"`
		} `json:"error"`
	}{Result: out}
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
		return fmt.Errorf("%s: %w", url, err)
	}
	if env.Error != nil {
		return fmt.Errorf("%s: %s %s", url, env.Error.Message, env.Error.Data)
	}
	return nil
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
	go w.followHeaders(ctx)
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

// followHeaders records when each header from the start height on is
// first there: when the client sees its block committed.
func (w *watcher) followHeaders(ctx context.Context) {
	w.mu.Lock()
	h := w.height
	w.mu.Unlock()
	for ctx.Err() == nil {
		var hdr struct{}
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		err := rpcGet(cctx, w.headers, fmt.Sprintf("%s/header?height=%d", w.base, h), &hdr)
		cancel()
		if err != nil {
			select {
			case <-ctx.Done():
			case <-time.After(pollEvery):
			}
			continue
		}
		w.mu.Lock()
		if h >= w.height {
			w.seen[h] = time.Now()
		}
		w.mu.Unlock()
		h++
	}
}

// next reads the results and then the transactions of the next height, and
// settles the expected transactions in it. It returns an error while the
// block is not there yet.
func (w *watcher) next(ctx context.Context) error {
	h := w.height
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var res struct {
		TxsResults []struct {
			Code uint32 `json:"code"`
		} `json:"txs_results"`
	}
	if err := rpcGet(cctx, w.bodies, fmt.Sprintf("%s/block_results?height=%d", w.base, h), &res); err != nil {
		return err
	}
	seen := time.Now()
	var blk struct {
		Block struct {
			Data struct {
				Txs [][]byte `json:"txs"`
			} `json:"data"`
		} `json:"block"`
	}
	if err := rpcGet(cctx, w.bodies, fmt.Sprintf("%s/block?height=%d", w.base, h), &blk); err != nil {
		return err
	}
	txs := blk.Block.Data.Txs
	if len(res.TxsResults) != len(txs) {
		return fmt.Errorf("block %d: %d transactions, %d results", h, len(txs), len(res.TxsResults))
	}
	type settle struct {
		e    expected
		code uint32
	}
	var found []settle
	w.mu.Lock()
	if t, ok := w.seen[h]; ok && t.Before(seen) {
		seen = t
	}
	delete(w.seen, h)
	b := Block{Height: h, Seen: seen, Txs: len(txs)}
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
