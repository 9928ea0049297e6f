package load

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
)

// generator makes the transactions of one workload for the submitters.
// Submitter w calls reserve, build, unreserve and rejected from its own
// goroutine only; the watcher calls settled.
type generator interface {
	// reserve blocks until submitter w may send another transaction and
	// returns its slot (an account, or -1 for a workload without
	// accounts); false when ctx ends first.
	reserve(ctx context.Context, w int) (slot int, ok bool)
	// build returns the transaction to send in slot and its nonce.
	build(w, slot int) (tx []byte, nonce uint64)
	// unreserve gives back a slot that was not used.
	unreserve(w, slot int)
	// rejected says the transaction of slot with nonce did not enter the
	// mempool (sure, with the node's log), or that its broadcast got no
	// answer (not sure).
	rejected(w, slot int, nonce uint64, sure bool, log string)
	// settled says a transaction of slot was in a block with code.
	settled(slot int, code uint32)
}

// Options configure a load run.
type Options struct {
	// Nodes are the RPC addresses (tcp://host:port) the submitters send
	// to; the watcher follows the first.
	Nodes    []string
	Rate     float64       // transactions per second
	Duration time.Duration // how long to send
	Conns    int           // submitters, each with its own connection
	Drain    time.Duration // how long to wait for transactions in flight

	// The transfer workload only.
	Accounts   int
	PerAccount int    // transactions of one account in flight at most
	Seed       uint64 // derives the accounts' keys
	Fund       uint64 // the balance the funder tops each account up to

	// Log receives progress lines; nil for none.
	Log io.Writer
}

// Validate checks the options common to every workload. Its errors name
// the options as the flags of icsd bench load do.
func (o Options) Validate() error {
	switch {
	case len(o.Nodes) == 0:
		return fmt.Errorf("no --node to send to")
	case !(o.Rate > 0) || o.Rate > 1e6:
		return fmt.Errorf("--rate %v: must be above 0 and at most 1000000 tx/s", o.Rate)
	case o.Duration <= 0:
		return fmt.Errorf("--duration %s: must be positive", o.Duration)
	case o.Conns < 1 || o.Conns > 4096:
		return fmt.Errorf("--conns %d: must be 1 to 4096", o.Conns)
	case o.Drain < 0:
		return fmt.Errorf("--drain %s: must not be negative", o.Drain)
	}
	return nil
}

// ValidateTransfers checks the options of the transfer workload.
func (o Options) ValidateTransfers() error {
	if err := o.Validate(); err != nil {
		return err
	}
	switch {
	case o.Accounts < 2 || o.Accounts > 1_000_000:
		return fmt.Errorf("--accounts %d: must be 2 to 1000000", o.Accounts)
	case o.PerAccount < 1 || o.PerAccount > 64:
		return fmt.Errorf("--per-account %d: must be 1 to 64", o.PerAccount)
	case o.Fund < 2:
		return fmt.Errorf("--fund %d: must be at least 2", o.Fund)
	}
	return nil
}

func (o Options) logf(format string, args ...any) {
	if o.Log != nil {
		fmt.Fprintf(o.Log, format+"\n", args...)
	}
}

// normalizeAddr adds tcp:// to a bare host:port.
func normalizeAddr(addr string) string {
	if !strings.Contains(addr, "://") {
		return "tcp://" + addr
	}
	return addr
}

// newRPC returns a CometBFT RPC client of addr with its own connections.
func newRPC(addr string) (*rpchttp.HTTP, error) {
	c, err := rpchttp.New(normalizeAddr(addr), "/websocket")
	if err != nil {
		return nil, fmt.Errorf("node %s: %w", addr, err)
	}
	return c, nil
}

// slack is how far the submitters may fall behind the pacer (stalled in
// calls while a node commits a block, say) before slots are missed.
const slack = 500 * time.Millisecond

// engine runs the submitters of one load.
type engine struct {
	o     Options
	gen   generator
	watch *watcher
	rpcs  []*rpchttp.HTTP // one per submitter

	waiting atomic.Int64 // submitters waiting for a slot of the generator

	mu        sync.Mutex
	res       Result
	latencies []time.Duration
	calls     []time.Duration // broadcast round trips
	firstSend time.Time
	lastSend  time.Time
}

// run sends o.Rate transactions per second from gen for o.Duration over
// conns submitters, waits up to o.Drain for those in flight, and returns
// the result. The watcher must be running.
func run(ctx context.Context, o Options, conns int, gen generator, watch *watcher, res Result) (*Result, error) {
	e := &engine{o: o, gen: gen, watch: watch, res: res}
	e.res.Nodes = len(o.Nodes)
	e.res.TargetRate = o.Rate
	e.res.DurationS = o.Duration.Seconds()
	e.res.Conns = conns
	e.res.RejectReasons = map[string]int{}
	for w := 0; w < conns; w++ {
		c, err := newRPC(o.Nodes[w%len(o.Nodes)])
		if err != nil {
			return nil, err
		}
		e.rpcs = append(e.rpcs, c)
	}
	watch.takeBlocks()

	sendCtx, stopSending := context.WithCancel(ctx)
	defer stopSending()
	tokens := make(chan struct{}, max(1, int(o.Rate*slack.Seconds())))
	var wg sync.WaitGroup
	for w := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.submitter(sendCtx, w, tokens)
		}()
	}
	start := time.Now()
	done := make(chan struct{})
	go e.progress(start, done)
	e.pace(sendCtx, tokens, start, int64(conns))
	stopSending()
	wg.Wait()
	e.mu.Lock()
	e.res.Missed += len(tokens) // slots handed out that nobody sent in time
	e.mu.Unlock()
	o.logf("%s: sending stopped after %s; waiting up to %s for %d transactions in flight", e.res.Name, time.Since(start).Round(time.Millisecond), o.Drain, watch.pendingLoad())
	deadline := time.Now().Add(o.Drain)
	for watch.pendingLoad() > 0 && time.Now().Before(deadline) && ctx.Err() == nil && watch.stopped() == nil {
		time.Sleep(50 * time.Millisecond)
	}
	close(done)
	if err := watch.stopped(); err != nil {
		return nil, fmt.Errorf("watching blocks: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	blocks := watch.takeBlocks()

	e.mu.Lock()
	defer e.mu.Unlock()
	r := e.res
	r.Pending = watch.pendingLoad()
	if span := e.lastSend.Sub(e.firstSend); span > 0 && r.Submitted > 1 {
		r.SubmitRate = float64(r.Submitted-1) / span.Seconds()
	}
	r.fill(blocks, e.latencies)
	slices.Sort(e.calls)
	r.CallP50ms, r.CallP99ms = ms(Percentile(e.calls, 50)), ms(Percentile(e.calls, 99))
	if r.Missed > 0 {
		share := float64(r.Missed) / (o.Rate * o.Duration.Seconds())
		switch {
		case r.MissedAccounts*2 > r.Missed:
			r.Warnings = append(r.Warnings, fmt.Sprintf("the client missed %.0f%% of the target rate, mostly waiting for accounts with a free slot: raise --accounts or --per-account", 100*share))
		default:
			r.Warnings = append(r.Warnings, fmt.Sprintf("the client missed %.0f%% of the target rate with its %d connections waiting on broadcast_tx_sync (p50 %.0fms, p99 %.0fms): the nodes' CheckTx, which the mempool runs one at a time, or --conns limits the rate",
				100*share, conns, r.CallP50ms, r.CallP99ms))
		}
	}
	if r.Pending > 0 {
		r.Warnings = append(r.Warnings, fmt.Sprintf("%d accepted transactions were not seen in a block within --drain %s", r.Pending, o.Drain))
	}
	if len(r.RejectReasons) == 0 {
		r.RejectReasons = nil
	}
	return &r, nil
}

// pace hands out one token per transaction of the target rate until the
// duration is over. A token that finds the buffer full is missed.
func (e *engine) pace(ctx context.Context, tokens chan struct{}, start time.Time, conns int64) {
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	var sent int64
	for {
		el := min(time.Since(start), e.o.Duration)
		due := int64(el.Seconds() * e.o.Rate)
		for ; sent < due; sent++ {
			select {
			case tokens <- struct{}{}:
			default:
				starved := e.waiting.Load() == conns
				e.mu.Lock()
				e.res.Missed++
				if starved {
					e.res.MissedAccounts++
				}
				e.mu.Unlock()
			}
		}
		if el >= e.o.Duration {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// submitter w sends transactions to its node, one call at a time, each
// when it holds a slot of the generator and a token of the pacer.
func (e *engine) submitter(ctx context.Context, w int, tokens <-chan struct{}) {
	c := e.rpcs[w]
	for {
		e.waiting.Add(1)
		slot, ok := e.gen.reserve(ctx, w)
		e.waiting.Add(-1)
		if !ok {
			return
		}
		select {
		case <-tokens:
		case <-ctx.Done():
			e.gen.unreserve(w, slot)
			return
		}
		tx, nonce := e.gen.build(w, slot)
		hash := sha256.Sum256(tx)
		sent := time.Now()
		e.watch.expect(hash, expected{load: true, done: func(code uint32, seen time.Time) {
			e.settled(slot, code, seen.Sub(sent))
		}})
		e.mu.Lock()
		e.res.Submitted++
		if e.firstSend.IsZero() {
			e.firstSend = sent
		}
		e.lastSend = sent
		e.mu.Unlock()
		cctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		res, err := c.BroadcastTxSync(cctx, tx)
		cancel()
		took := time.Since(sent)
		e.mu.Lock()
		e.calls = append(e.calls, took)
		e.mu.Unlock()
		switch {
		case err != nil && strings.Contains(err.Error(), "mempool is full"):
			e.watch.forget(hash)
			e.reject("mempool is full")
			e.gen.rejected(w, slot, nonce, true, "")
		case err != nil:
			e.watch.forget(hash)
			e.mu.Lock()
			e.res.Errors++
			e.mu.Unlock()
			e.gen.rejected(w, slot, nonce, false, "")
		case res.Code != 0:
			e.watch.forget(hash)
			e.reject(fmt.Sprintf("code %d: %s", res.Code, reason(res.Log)))
			e.gen.rejected(w, slot, nonce, true, res.Log)
		default:
			e.mu.Lock()
			e.res.Accepted++
			e.mu.Unlock()
		}
	}
}

func (e *engine) reject(why string) {
	e.mu.Lock()
	e.res.Rejected++
	if len(e.res.RejectReasons) < 8 || e.res.RejectReasons[why] > 0 {
		e.res.RejectReasons[why]++
	}
	e.mu.Unlock()
}

// settled records a load transaction seen in a block.
func (e *engine) settled(slot int, code uint32, latency time.Duration) {
	e.mu.Lock()
	if code == 0 {
		e.res.Committed++
		e.latencies = append(e.latencies, latency)
	} else {
		e.res.Failed++
	}
	e.mu.Unlock()
	e.gen.settled(slot, code)
}

// progress prints the counts every 5 seconds until done.
func (e *engine) progress(start time.Time, done <-chan struct{}) {
	if e.o.Log == nil {
		return
	}
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-t.C:
		}
		e.mu.Lock()
		r := e.res
		e.mu.Unlock()
		e.o.logf("%s: %4.0fs submitted %d accepted %d committed %d failed %d not seen yet %d",
			r.Name, time.Since(start).Seconds(), r.Submitted, r.Accepted, r.Committed, r.Failed, e.watch.pendingLoad())
	}
}
