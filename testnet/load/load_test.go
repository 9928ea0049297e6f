package load

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/abci-ics/ics/chain/auth"
	"github.com/abci-ics/ics/chain/bank"
)

func TestPercentile(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for i, x := range v {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = i + 1
	}
	for _, c := range []struct {
		samples []time.Duration
		p       float64
		want    time.Duration
	}{
		{nil, 50, 0},
		{ms(7), 50, 7 * time.Millisecond},
		{ms(7), 99, 7 * time.Millisecond},
		{ms(1, 2), 50, 1 * time.Millisecond},
		{ms(1, 2, 3), 50, 2 * time.Millisecond},
		{ms(1, 2, 3, 4), 50, 2 * time.Millisecond},
		{ms(1, 2, 3, 4), 99, 4 * time.Millisecond},
		{ms(hundred...), 50, 50 * time.Millisecond},
		{ms(hundred...), 99, 99 * time.Millisecond},
		{ms(hundred...), 100, 100 * time.Millisecond},
		{ms(hundred...), 0.1, 1 * time.Millisecond},
	} {
		if got := Percentile(c.samples, c.p); got != c.want {
			t.Errorf("p%v of %v = %s, want %s", c.p, c.samples, got, c.want)
		}
	}
}

func TestWindowRate(t *testing.T) {
	t0 := time.Unix(1000, 0)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	blocks := []Block{
		{Height: 10, Seen: at(0), Txs: 3},                         // before the load
		{Height: 11, Seen: at(500), Txs: 100, Load: 100, OK: 100}, // first: its txs arrived before the window
		{Height: 12, Seen: at(1000), Txs: 300, Load: 300, OK: 290},
		{Height: 13, Seen: at(1500)},                               // empty, inside
		{Height: 14, Seen: at(2500), Txs: 210, Load: 200, OK: 200}, // last
		{Height: 15, Seen: at(3000)},                               // after
	}
	w := WindowRate(blocks)
	if w.First != 11 || w.Last != 14 || w.Blocks != 4 || w.Span != 2*time.Second {
		t.Fatalf("window %+v", w)
	}
	if w.Rate != 245 { // (290+0+200) / 2s
		t.Fatalf("rate %v, want 245", w.Rate)
	}
	if w.Load != 600 || w.MaxLoad != 300 {
		t.Fatalf("load %d max %d", w.Load, w.MaxLoad)
	}
	if w := WindowRate(blocks[:2]); w.Rate != 0 || w.Blocks != 1 || w.Load != 100 {
		t.Fatalf("one block: %+v", w)
	}
	if w := WindowRate([]Block{{Height: 1}, {Height: 2}}); w.Blocks != 0 || w.First != 0 {
		t.Fatalf("no load: %+v", w)
	}

	var r Result
	r.fill(blocks, []time.Duration{3 * time.Second, time.Second, 2 * time.Second})
	if r.Blocks != 4 || r.TxsPerBlock != 150 || r.MaxTxsPerBlk != 300 || r.CommittedRate != 245 ||
		r.Samples != 3 || r.P50ms != 2000 || r.P99ms != 3000 || r.MaxMs != 3000 {
		t.Fatalf("result %+v", r)
	}
	if r.BlockS < 0.666 || r.BlockS > 0.667 {
		t.Fatalf("block interval %v", r.BlockS)
	}
}

// TestTransfersNonces: an account's nonce comes back when CheckTx refuses
// its transaction, it gets its slot back when its transaction succeeds in
// a block, and it is retired when one fails or gets no answer.
func TestTransfersNonces(t *testing.T) {
	keys := Keys(4, 9)
	g := newTransfers(keys, []uint64{5, 0, 0, 0}, 2, 2, "c-1", auth.DefaultParams().MinFee, 9)
	ctx := context.Background()
	take := func(w int) int {
		t.Helper()
		i, ok := g.reserve(ctx, w)
		if !ok {
			t.Fatal("no slot")
		}
		return i
	}
	// Submitter 0 owns accounts 0 and 2, two slots each, round-robin.
	if a, b, c := take(0), take(0), take(0); a != 0 || b != 2 || c != 0 {
		t.Fatalf("slots %d %d %d", a, b, c)
	}
	tx, nonce := g.build(0, 0)
	if nonce != 5 || g.next[0] != 6 {
		t.Fatalf("nonce %d, next %d", nonce, g.next[0])
	}
	d, err := auth.DecodeTx(tx)
	if err != nil || d.VerifySignature() != nil || d.Body.Nonce != 5 || d.Body.ChainId != "c-1" {
		t.Fatalf("decode: %v", err)
	}
	var send bank.MsgSend
	if err := send.Unmarshal(d.Body.Msgs[0].Value); err != nil || string(send.From) != string(g.addrs[0]) || string(send.To) == string(g.addrs[0]) {
		t.Fatalf("transfer %+v: %v", send, err)
	}
	_, n2 := g.build(0, 0)
	g.rejected(0, 0, n2, true, "mempool is full")
	if g.next[0] != 6 {
		t.Fatalf("after a refusal next is %d, want 6", g.next[0])
	}
	g.settled(0, 0)
	if i := take(0); i != 2 {
		t.Fatalf("slot %d", i)
	}
	// Account 0 is back twice: once refused, once committed.
	if a, b := take(0), take(0); a != 0 || b != 0 {
		t.Fatalf("slots %d %d", a, b)
	}
	g.settled(0, 5)
	g.settled(0, 0)
	g.rejected(1, 1, 0, false, "")
	g.settled(1, 0)
	if !g.retired[0].Load() || !g.retired[1].Load() {
		t.Fatal("not retired")
	}
	cctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if i, ok := g.reserve(cctx, 0); ok {
		t.Fatalf("retired account 0 came back as %d", i)
	}

	// A node that lost transactions it had accepted says which nonce it
	// expects, and the account carries on from there.
	g = newTransfers(keys, []uint64{7, 0, 0, 0}, 1, 1, "c-1", auth.DefaultParams().MinFee, 9)
	_, n := g.build(0, 0)
	g.rejected(0, 0, n, true, "wrong nonce: expected 3, got 7")
	if g.next[0] != 3 {
		t.Fatalf("after a wrong nonce next is %d, want 3", g.next[0])
	}
}

// TestKVStoreLoad runs a kvstore node in this process and a short load on
// it: every accepted transaction is committed, each with a latency sample,
// in a window of several blocks.
func TestKVStoreLoad(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Second)
	defer cancel()
	var log strings.Builder
	o := Options{Rate: 200, Duration: 2 * time.Second, Conns: 4, Drain: 20 * time.Second, Log: &log}
	r, err := RunKVStore(ctx, o, 100*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", r)
	if r.Submitted < 200 || r.Submitted > 401 {
		t.Fatalf("submitted %d in 2 s at 200 tx/s", r.Submitted)
	}
	if r.Rejected != 0 || r.Errors != 0 || r.Accepted != r.Submitted {
		t.Fatalf("accepted %d of %d (rejected %d, errors %d): %v", r.Accepted, r.Submitted, r.Rejected, r.Errors, r.RejectReasons)
	}
	if r.Committed != r.Accepted || r.Failed != 0 || r.Pending != 0 {
		t.Fatalf("committed %d failed %d pending %d of %d accepted", r.Committed, r.Failed, r.Pending, r.Accepted)
	}
	if r.Samples != r.Committed || r.P50ms <= 0 || r.P50ms > r.P99ms || r.P99ms > r.MaxMs {
		t.Fatalf("latency: %d samples, p50 %v p99 %v max %v", r.Samples, r.P50ms, r.P99ms, r.MaxMs)
	}
	if r.Blocks < 2 || r.CommittedRate <= 0 || r.TxsPerBlock <= 0 || r.MaxTxsPerBlk < int(r.TxsPerBlock) {
		t.Fatalf("blocks %d, %v tx/s, %v txs per block (max %d)", r.Blocks, r.CommittedRate, r.TxsPerBlock, r.MaxTxsPerBlk)
	}
	var out strings.Builder
	NewComparison(nil, r).WriteText(&out)
	if !strings.Contains(out.String(), "committed tx/s") || !strings.Contains(out.String(), "kvstore") {
		t.Fatalf("text:\n%s", out.String())
	}
}
