package failover

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	cmttypes "github.com/cometbft/cometbft/types"
	gogoproto "github.com/cosmos/gogoproto/proto"

	"github.com/abci-ics/ics/relayer"
)

// fake is an endpoint that answers, or fails while down.
type fake struct {
	name  string
	down  bool
	calls int
	addr  []byte
}

var errDown = errors.New("connection refused")

func (f *fake) answer() error {
	f.calls++
	if f.down {
		return errDown
	}
	return nil
}

func (f *fake) Status(context.Context) (relayer.Status, error) {
	if err := f.answer(); err != nil {
		return relayer.Status{}, err
	}
	return relayer.Status{ChainID: "c-1", Height: 7}, nil
}
func (f *fake) WaitHeight(context.Context, int64) error { return f.answer() }
func (f *fake) SignedHeader(context.Context, int64) (*cmttypes.SignedHeader, error) {
	return nil, f.answer()
}
func (f *fake) Validators(context.Context, int64) (*cmttypes.ValidatorSet, error) {
	return nil, f.answer()
}
func (f *fake) Query(context.Context, string, []byte, int64, bool) (*abcitypes.ResponseQuery, error) {
	if err := f.answer(); err != nil {
		return nil, err
	}
	return &abcitypes.ResponseQuery{Code: 15, Log: f.name}, nil
}
func (f *fake) PacketEvent(context.Context, relayer.PacketQuery) (abcitypes.Event, error) {
	if err := f.answer(); err != nil {
		return abcitypes.Event{}, err
	}
	return abcitypes.Event{}, fmt.Errorf("%w: at %s", relayer.ErrEventNotFound, f.name)
}
func (f *fake) Evidence(context.Context, int64) ([]cmttypes.Evidence, error) { return nil, f.answer() }
func (f *fake) Submit(context.Context, ...gogoproto.Message) (*abcitypes.ExecTxResult, error) {
	if err := f.answer(); err != nil {
		return nil, err
	}
	return &abcitypes.ExecTxResult{Code: 4, Log: f.name}, nil
}
func (f *fake) Address() []byte { return f.addr }

func pool(t *testing.T, fs ...*fake) (*Pool, *time.Time, *[]string) {
	t.Helper()
	var eps []Endpoint
	for _, f := range fs {
		if f.addr == nil {
			f.addr = []byte("relayer")
		}
		eps = append(eps, Endpoint{Addr: f.name, Node: f, Submit: f})
	}
	p, err := New(eps...)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p.Now = func() time.Time { return now }
	var switches []string
	p.OnSwitch = func(from, to string, err error) { switches = append(switches, from+">"+to) }
	return p, &now, &switches
}

// TestFailover: reads and transactions go to the first node while it
// answers, to the next when it is down (and stay there), and back to a
// node whose rest is over when the one in use fails; answers (a failed
// query, a failed transaction, an event the node has not indexed) are
// never retried elsewhere.
func TestFailover(t *testing.T) {
	a, b, c := &fake{name: "a"}, &fake{name: "b"}, &fake{name: "c"}
	p, now, switches := pool(t, a, b, c)
	ctx := context.Background()
	n, s := p.Node(), p.Submitter()

	if res, err := n.Query(ctx, "/x", nil, 0, false); err != nil || res.Log != "a" || res.Code != 15 {
		t.Fatalf("query: %v %+v", err, res)
	}
	a.down = true
	if res, err := s.Submit(ctx); err != nil || res.Log != "b" || res.Code != 4 {
		t.Fatalf("submit with a down: %v %+v", err, res)
	}
	if p.Current() != "b" || p.Failovers() != 1 || strings.Join(*switches, ",") != "a>b" {
		t.Fatalf("current %s, %d failovers, switches %v", p.Current(), p.Failovers(), *switches)
	}
	a.down = false
	calls := a.calls
	if _, err := n.PacketEvent(ctx, relayer.PacketQuery{}); !errors.Is(err, relayer.ErrEventNotFound) || !strings.Contains(err.Error(), "at b") {
		t.Fatalf("event not found: %v", err)
	}
	if a.calls != calls || b.calls != 2 {
		t.Fatalf("an answer was retried: a %d calls, b %d", a.calls, b.calls)
	}

	// b fails: c is next in turn, even though a would answer again.
	b.down = true
	if st, err := n.Status(ctx); err != nil || st.Height != 7 || p.Current() != "c" {
		t.Fatalf("status with b down: %v %+v, current %s", err, st, p.Current())
	}
	// c fails while a and b rest: a's rest (from the first failure) ends
	// first, so a is tried, and answers.
	c.down = true
	*now = now.Add(100 * time.Millisecond)
	if st, err := n.Status(ctx); err != nil || st.ChainID != "c-1" || p.Current() != "a" {
		t.Fatalf("status with b, c down: %v, current %s", err, p.Current())
	}
	if got := strings.Join(*switches, ","); got != "a>b,b>c,c>a" {
		t.Fatalf("switches %s", got)
	}
}

// TestFailoverAllDown: when every node fails, the error names each one's,
// and each endpoint was tried once; a cancelled call does not fail over.
func TestFailoverAllDown(t *testing.T) {
	a, b := &fake{name: "a", down: true}, &fake{name: "b", down: true}
	p, _, _ := pool(t, a, b)
	_, err := p.Node().Validators(context.Background(), 3)
	if err == nil || !errors.Is(err, errDown) || !strings.Contains(err.Error(), "a: connection refused") || !strings.Contains(err.Error(), "b: connection refused") {
		t.Fatalf("all down: %v", err)
	}
	if a.calls != 1 || b.calls != 1 {
		t.Fatalf("calls a %d b %d, want one each", a.calls, b.calls)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	before := p.Failovers()
	if _, err := p.Node().SignedHeader(ctx, 3); err == nil || p.Failovers() != before {
		t.Fatalf("cancelled call: %v, failovers %d -> %d", err, before, p.Failovers())
	}
}

// TestBackoff: a node that keeps failing rests twice as long each time, up
// to Max; when every node rests, the one whose rest ends first is tried;
// once rests are over the node in use is; answering resets the backoff.
func TestBackoff(t *testing.T) {
	a, b := &fake{name: "a"}, &fake{name: "b"}
	p, now, _ := pool(t, a, b)
	p.Min, p.Max = time.Second, 4*time.Second
	for i, want := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 4 * time.Second} {
		p.failed(0, errDown)
		if e := p.eps[0]; e.backoff != want || !e.until.Equal(now.Add(want)) {
			t.Fatalf("failure %d: rest %s until %s, want %s", i+1, e.backoff, e.until, want)
		}
	}
	if p.pick() != 1 {
		t.Fatal("a resting node was picked")
	}
	p.failed(1, errDown) // b rests 1s, a 4s; a is next in turn
	if p.cur != 0 || p.pick() != 1 {
		t.Fatalf("in use %d, picked %d: want b, whose rest ends first", p.cur, p.pick())
	}
	*now = now.Add(4 * time.Second)
	if p.pick() != 0 {
		t.Fatal("with every rest over, the node in use was not picked")
	}
	p.answered(0)
	if p.eps[0].backoff != 0 {
		t.Fatal("answering kept the backoff")
	}

	if _, err := New(); err == nil {
		t.Fatal("a pool without endpoints")
	}
	other := &fake{name: "o", addr: []byte("other")}
	if _, err := New(Endpoint{Addr: "a", Node: a, Submit: a}, Endpoint{Addr: "o", Node: other, Submit: other}); err == nil {
		t.Fatal("endpoints with different addresses")
	}
}
