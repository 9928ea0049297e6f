// Package failover lets the relayer reach a chain through several of its
// nodes. A Pool holds the endpoints of one chain (a Node and a Submitter
// each, usually over the RPC of one node); reads and transactions go to
// one endpoint at a time and move to the next when it fails. An endpoint
// that failed rests for a backoff (Min, doubling at each failure up to
// Max) before it is tried again; one that answers is used until it fails.
// When every endpoint rests, the one whose rest ends first is tried: a
// pool never refuses to try.
//
// What fails over is what a node that is down or unreachable causes: an
// error from the endpoint while the caller's context is still live. An
// answer is never retried elsewhere: a failed query comes back with its
// code, a failed transaction with its result, and a packet event the node
// has not indexed (relayer.ErrEventNotFound) is an answer too.
package failover

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	cmttypes "github.com/cometbft/cometbft/types"
	gogoproto "github.com/cosmos/gogoproto/proto"

	"github.com/abci-ics/ics/relayer"
)

// Endpoint is one way to a chain.
type Endpoint struct {
	// Addr names the endpoint in errors and logs (its RPC address).
	Addr   string
	Node   relayer.Node
	Submit relayer.Submitter
}

// Backoffs of a Pool made by New.
const (
	DefaultMin = 500 * time.Millisecond
	DefaultMax = 30 * time.Second
)

// Pool is the endpoints of one chain. Its Node and Submitter are safe for
// concurrent use.
type Pool struct {
	// Min and Max bound an endpoint's rest after a failure.
	Min, Max time.Duration
	// OnSwitch, when set, is told each move from one endpoint to another
	// and the error that caused it.
	OnSwitch func(from, to string, err error)
	// Now is the clock (time.Now when nil).
	Now func() time.Time

	mu        sync.Mutex
	eps       []endpoint
	cur       int
	failovers atomic.Uint64
}

type endpoint struct {
	Endpoint
	until   time.Time     // resting until then
	backoff time.Duration // the last rest
}

// New returns the pool of eps, the first one in use. Every endpoint must
// have a Node and a Submitter with the same address.
func New(eps ...Endpoint) (*Pool, error) {
	if len(eps) == 0 {
		return nil, errors.New("failover: no endpoint")
	}
	p := &Pool{Min: DefaultMin, Max: DefaultMax}
	for _, e := range eps {
		if e.Node == nil || e.Submit == nil {
			return nil, fmt.Errorf("failover: endpoint %q without a node or a submitter", e.Addr)
		}
		if string(e.Submit.Address()) != string(eps[0].Submit.Address()) {
			return nil, fmt.Errorf("failover: endpoint %q submits from another address", e.Addr)
		}
		p.eps = append(p.eps, endpoint{Endpoint: e})
	}
	return p, nil
}

// Failovers is how many times the pool moved to another endpoint.
func (p *Pool) Failovers() uint64 { return p.failovers.Load() }

// Current is the address of the endpoint in use.
func (p *Pool) Current() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.eps[p.cur].Addr
}

func (p *Pool) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

// pick returns the endpoint to try: the one in use unless it rests, else
// the next that does not rest, else the one whose rest ends first.
func (p *Pool) pick() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	now, n := p.now(), len(p.eps)
	best := p.cur
	for k := 0; k < n; k++ {
		i := (p.cur + k) % n
		if !now.Before(p.eps[i].until) {
			return i
		}
		if p.eps[i].until.Before(p.eps[best].until) {
			best = i
		}
	}
	return best
}

// answered records that endpoint i answered: it is the one in use, and
// its backoff starts over.
func (p *Pool) answered(i int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.eps[i].backoff, p.eps[i].until = 0, time.Time{}
	p.cur = i
}

// failed records that endpoint i failed with err: it rests, and the pool
// moves on to the next endpoint.
func (p *Pool) failed(i int, err error) {
	p.mu.Lock()
	e := &p.eps[i]
	e.backoff = min(max(p.Min, 2*e.backoff), p.Max)
	e.until = p.now().Add(e.backoff)
	var from, to string
	if i == p.cur && len(p.eps) > 1 {
		p.cur = (i + 1) % len(p.eps)
		from, to = e.Addr, p.eps[p.cur].Addr
	}
	p.mu.Unlock()
	if to != "" {
		p.failovers.Add(1)
		if p.OnSwitch != nil {
			p.OnSwitch(from, to, err)
		}
	}
}

// fails reports whether err, returned while ctx lives, is the endpoint's
// failure rather than an answer.
func fails(ctx context.Context, err error) bool {
	return err != nil && ctx.Err() == nil && !errors.Is(err, relayer.ErrEventNotFound)
}

// do runs f on endpoints until one answers, each endpoint at most once;
// when all fail, the error names each one's.
func do[T any](ctx context.Context, p *Pool, f func(Endpoint) (T, error)) (T, error) {
	var errs []error
	for range p.eps {
		i := p.pick()
		v, err := f(p.eps[i].Endpoint)
		if !fails(ctx, err) {
			if err == nil {
				p.answered(i)
			}
			return v, err
		}
		p.failed(i, err)
		errs = append(errs, fmt.Errorf("%s: %w", p.eps[i].Addr, err))
	}
	var zero T
	return zero, fmt.Errorf("every node failed: %w", errors.Join(errs...))
}

// Node returns the pool as a relayer.Node.
func (p *Pool) Node() relayer.Node { return node{p} }

// Submitter returns the pool as a relayer.Submitter.
func (p *Pool) Submitter() relayer.Submitter { return submitter{p} }

type node struct{ p *Pool }

var _ relayer.Node = node{}

func (n node) Status(ctx context.Context) (relayer.Status, error) {
	return do(ctx, n.p, func(e Endpoint) (relayer.Status, error) { return e.Node.Status(ctx) })
}

// WaitHeight polls Status through the pool, so that a node that goes down
// while the relayer waits is left for the next.
func (n node) WaitHeight(ctx context.Context, h int64) error {
	return relayer.PollHeight(ctx, n.Status, h)
}

func (n node) SignedHeader(ctx context.Context, h int64) (*cmttypes.SignedHeader, error) {
	return do(ctx, n.p, func(e Endpoint) (*cmttypes.SignedHeader, error) { return e.Node.SignedHeader(ctx, h) })
}

func (n node) Validators(ctx context.Context, h int64) (*cmttypes.ValidatorSet, error) {
	return do(ctx, n.p, func(e Endpoint) (*cmttypes.ValidatorSet, error) { return e.Node.Validators(ctx, h) })
}

func (n node) Query(ctx context.Context, path string, data []byte, height int64, prove bool) (*abcitypes.ResponseQuery, error) {
	return do(ctx, n.p, func(e Endpoint) (*abcitypes.ResponseQuery, error) {
		return e.Node.Query(ctx, path, data, height, prove)
	})
}

func (n node) PacketEvent(ctx context.Context, q relayer.PacketQuery) (abcitypes.Event, error) {
	return do(ctx, n.p, func(e Endpoint) (abcitypes.Event, error) { return e.Node.PacketEvent(ctx, q) })
}

func (n node) Evidence(ctx context.Context, h int64) ([]cmttypes.Evidence, error) {
	return do(ctx, n.p, func(e Endpoint) ([]cmttypes.Evidence, error) { return e.Node.Evidence(ctx, h) })
}

type submitter struct{ p *Pool }

var _ relayer.Submitter = submitter{}

// Submit sends the transaction through the endpoint in use, and through
// the next when that one fails. A transaction whose answer was lost may
// then reach the chain twice; the second copy fails (a repeated nonce, a
// packet received already) and changes nothing.
func (s submitter) Submit(ctx context.Context, msgs ...gogoproto.Message) (*abcitypes.ExecTxResult, error) {
	return do(ctx, s.p, func(e Endpoint) (*abcitypes.ExecTxResult, error) { return e.Submit.Submit(ctx, msgs...) })
}

func (s submitter) Address() []byte { return s.p.eps[0].Submit.Address() }
