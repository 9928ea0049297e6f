package load

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cometbft/cometbft/crypto/ed25519"

	"github.com/abci-ics/ics/app"
	"github.com/abci-ics/ics/chain/auth"
	"github.com/abci-ics/ics/chain/bank"
	"github.com/abci-ics/ics/client"
	"github.com/abci-ics/ics/types/address"
	"github.com/abci-ics/ics/types/coin"
)

// Keys derives n account keys from seed: key i from sha256(seed, i), the
// way the W1 genesis of `icsd bench` derives its accounts.
func Keys(n int, seed uint64) []ed25519.PrivKey {
	keys := make([]ed25519.PrivKey, n)
	for i := range keys {
		var b [16]byte
		binary.BigEndian.PutUint64(b[:8], seed)
		binary.BigEndian.PutUint64(b[8:], uint64(i))
		secret := sha256.Sum256(b[:])
		keys[i] = ed25519.GenPrivKeyFromSecret(secret[:])
	}
	return keys
}

// transfers is the W1 generator: bank transfers between random accounts,
// each paying the minimum fee. Account i belongs to submitter i%conns,
// whose free channel holds one entry per transaction the account may still
// have in flight; next[i] is written by that submitter only.
type transfers struct {
	chainID string
	fee     coin.Coin
	keys    []ed25519.PrivKey
	addrs   [][]byte
	next    []uint64
	retired []atomic.Bool
	free    []chan int
	rngs    []*rand.Rand
	conns   int
}

func newTransfers(keys []ed25519.PrivKey, nonces []uint64, perAccount, conns int, chainID string, fee coin.Coin, seed uint64) *transfers {
	t := &transfers{chainID: chainID, fee: fee, keys: keys, next: nonces, conns: conns,
		retired: make([]atomic.Bool, len(keys)), free: make([]chan int, conns), rngs: make([]*rand.Rand, conns)}
	for _, k := range keys {
		t.addrs = append(t.addrs, address.FromPubKey(k.PubKey().Bytes()))
	}
	for w := range conns {
		t.free[w] = make(chan int, (len(keys)/conns+1)*perAccount)
		t.rngs[w] = rand.New(rand.NewPCG(seed, uint64(w)+100))
	}
	for range perAccount {
		for i := range keys {
			t.free[i%conns] <- i
		}
	}
	return t
}

func (t *transfers) reserve(ctx context.Context, w int) (int, bool) {
	select {
	case i := <-t.free[w]:
		return i, true
	case <-ctx.Done():
		return -1, false
	}
}

func (t *transfers) build(w, from int) ([]byte, uint64) {
	rng := t.rngs[w]
	to := rng.IntN(len(t.keys) - 1)
	if to >= from {
		to++
	}
	msg, err := auth.NewAny(&bank.MsgSend{From: t.addrs[from], To: t.addrs[to],
		Amount: []coin.Coin{{Denom: t.fee.Denom, Amount: 1 + uint64(rng.IntN(1000))}}})
	if err != nil {
		panic(fmt.Sprintf("load: encode a transfer: %v", err))
	}
	nonce := t.next[from]
	body := auth.TxBody{ChainId: t.chainID, Nonce: nonce, Fee: t.fee, Msgs: []auth.Any{msg}}
	tx, err := auth.SignTx(t.keys[from], &body)
	if err != nil {
		panic(fmt.Sprintf("load: sign a transfer: %v", err))
	}
	t.next[from]++
	return tx, nonce
}

func (t *transfers) unreserve(w, i int) { t.free[w] <- i }

func (t *transfers) rejected(w, i int, nonce uint64, sure bool, log string) {
	if !sure {
		t.retired[i].Store(true)
		return
	}
	// Nothing of i was sent after this transaction: its submitter sends
	// one call at a time. When the node expects another nonce it lost
	// transactions of i it had accepted (CometBFT answers CheckTx OK for a
	// transaction it then drops because its mempool filled up, and the
	// next recheck evicts the ones after it): carry on from its nonce.
	t.next[i] = nonce
	if exp, ok := expectedNonce(log); ok {
		t.next[i] = exp
	}
	t.free[w] <- i
}

// expectedNonce reads the nonce a wrong-nonce refusal says the account
// needs.
func expectedNonce(log string) (uint64, bool) {
	_, rest, ok := strings.Cut(log, auth.ErrBadNonce.Error()+": expected ")
	if !ok {
		return 0, false
	}
	var n uint64
	if _, err := fmt.Sscanf(rest, "%d", &n); err != nil {
		return 0, false
	}
	return n, true
}

func (t *transfers) settled(i int, code uint32) {
	if code != 0 {
		t.retired[i].Store(true)
		return
	}
	if !t.retired[i].Load() {
		t.free[i%t.conns] <- i
	}
}

// chainInfo is what the funder needs of the chain.
type chainInfo struct {
	chainID string
	params  auth.Params
}

func queryChain(ctx context.Context, c *client.Client) (chainInfo, error) {
	var ci chainInfo
	var err error
	if ci.chainID, err = c.ChainID(ctx); err != nil {
		return ci, err
	}
	if err := c.QueryJSON(ctx, app.PathParams, &ci.params); err != nil {
		return ci, err
	}
	return ci, nil
}

// accountState is an account's nonce and its balance of the fee
// denomination.
type accountState struct {
	nonce   uint64
	balance uint64
}

// queryAccounts reads the nonce and balance of every address, over
// parallel calls.
func queryAccounts(ctx context.Context, addr string, ci chainInfo, addrs [][]byte) ([]accountState, error) {
	out := make([]accountState, len(addrs))
	var (
		wg    sync.WaitGroup
		next  atomic.Int64
		mu    sync.Mutex
		first error
	)
	for range 16 {
		c, err := client.NewClient(normalizeAddr(addr))
		if err != nil {
			return nil, err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(addrs) || ctx.Err() != nil {
					return
				}
				a := address.Encode(ci.params.Bech32Prefix, addrs[i])
				var acc app.AccountJSON
				var coins []app.CoinJSON
				err := c.QueryJSON(ctx, app.PathAccount+a, &acc)
				if err == nil {
					err = c.QueryJSON(ctx, app.PathBalances+a, &coins)
				}
				if err != nil {
					mu.Lock()
					if first == nil {
						first = fmt.Errorf("account %s: %w", a, err)
					}
					mu.Unlock()
					return
				}
				out[i].nonce = acc.Nonce
				for _, cn := range coins {
					if cn.Denom == ci.params.MinFee.Denom {
						out[i].balance = cn.Amount
					}
				}
			}
		}()
	}
	wg.Wait()
	if first != nil {
		return nil, first
	}
	return out, ctx.Err()
}

// fund tops up every account below half of amount to amount, in
// transactions of the chain's largest message count from funder, sent in
// nonce order to one node, and waits for them to succeed in blocks.
func fund(ctx context.Context, addr string, ci chainInfo, watch *watcher, funder client.Key, addrs [][]byte, states []accountState, amount uint64, o Options) error {
	var msgs []auth.Any
	for i, a := range addrs {
		if states[i].balance >= amount/2 {
			continue
		}
		m, err := auth.NewAny(&bank.MsgSend{From: funder.Address(), To: a, Amount: []coin.Coin{{Denom: ci.params.MinFee.Denom, Amount: amount - states[i].balance}}})
		if err != nil {
			return err
		}
		msgs = append(msgs, m)
	}
	if len(msgs) == 0 {
		o.logf("funding: every account holds at least %d%s", amount/2, ci.params.MinFee.Denom)
		return nil
	}
	c, err := client.NewClient(normalizeAddr(addr))
	if err != nil {
		return err
	}
	var acc app.AccountJSON
	if err := c.QueryJSON(ctx, app.PathAccount+address.Encode(ci.params.Bech32Prefix, funder.Address()), &acc); err != nil {
		return fmt.Errorf("funder: %w", err)
	}
	chunk := int(max(ci.params.MaxMsgs, 1))
	n := (len(msgs) + chunk - 1) / chunk
	o.logf("funding %d accounts with %d%s each in %d transactions from %s", len(msgs), amount, ci.params.MinFee.Denom, n, funder.Name)
	results := make(chan uint32, n)
	for k := 0; k < n; k++ {
		body := auth.TxBody{ChainId: ci.chainID, Nonce: acc.Nonce + uint64(k), Fee: ci.params.MinFee, Msgs: msgs[k*chunk : min(len(msgs), (k+1)*chunk)]}
		tx, err := auth.SignTx(funder.Priv, &body)
		if err != nil {
			return err
		}
		h := sha256.Sum256(tx)
		watch.expect(h, expected{done: func(code uint32, _ time.Time) { results <- code }})
		res, err := c.RPC().BroadcastTxSync(ctx, tx)
		if err != nil {
			return fmt.Errorf("funding transaction %d of %d: %w", k+1, n, err)
		}
		if res.Code != 0 {
			return fmt.Errorf("funding transaction %d of %d refused with code %d: %s", k+1, n, res.Code, res.Log)
		}
	}
	timeout := time.After(2 * time.Minute)
	for k := 0; k < n; k++ {
		select {
		case code := <-results:
			if code != 0 {
				return fmt.Errorf("a funding transaction failed in its block with code %d (does %s hold enough %s?)", code, funder.Name, ci.params.MinFee.Denom)
			}
		case <-timeout:
			return fmt.Errorf("funding: %d of %d transactions not in a block after 2 minutes", n-k, n)
		case <-ctx.Done():
			return ctx.Err()
		}
		if err := watch.stopped(); err != nil {
			return fmt.Errorf("watching blocks: %w", err)
		}
	}
	return nil
}

// waitSameHeight waits until every node of others has the block that
// first's latest is, so that transactions spread over them meet funded
// accounts everywhere (the funding was watched on first alone).
func waitSameHeight(ctx context.Context, first *client.Client, others []string) error {
	st, err := first.RPC().Status(ctx)
	if err != nil {
		return err
	}
	h := st.SyncInfo.LatestBlockHeight
	for _, node := range others {
		c, err := client.NewClient(normalizeAddr(node))
		if err != nil {
			return err
		}
		deadline := time.Now().Add(time.Minute)
		for {
			st, err := c.RPC().Status(ctx)
			if err == nil && st.SyncInfo.LatestBlockHeight >= h {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("node %s has not reached height %d, where the funding is, in a minute (%v)", node, h, err)
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
	return nil
}

// RunTransfers runs the W1 transfer load against the icsd nodes of
// o.Nodes: it derives o.Accounts keys from o.Seed, funds them from funder
// (a funded key of the chain), and sends transfers between them at o.Rate
// for o.Duration.
func RunTransfers(ctx context.Context, o Options, funder client.Key) (*Result, error) {
	if err := o.ValidateTransfers(); err != nil {
		return nil, err
	}
	c, err := client.NewClient(normalizeAddr(o.Nodes[0]))
	if err != nil {
		return nil, err
	}
	ci, err := queryChain(ctx, c)
	if err != nil {
		return nil, fmt.Errorf("node %s: %w", o.Nodes[0], err)
	}
	watch, err := newWatcher(ctx, o.Nodes[0])
	if err != nil {
		return nil, err
	}
	wctx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	go watch.run(wctx)

	start := time.Now()
	keys := Keys(o.Accounts, o.Seed)
	addrs := make([][]byte, len(keys))
	for i, k := range keys {
		addrs[i] = address.FromPubKey(k.PubKey().Bytes())
	}
	states, err := queryAccounts(ctx, o.Nodes[0], ci, addrs)
	if err != nil {
		return nil, err
	}
	if err := fund(ctx, o.Nodes[0], ci, watch, funder, addrs, states, o.Fund, o); err != nil {
		return nil, err
	}
	if err := waitSameHeight(ctx, c, o.Nodes[1:]); err != nil {
		return nil, err
	}
	o.logf("%d accounts ready in %s", len(keys), time.Since(start).Round(time.Millisecond))
	nonces := make([]uint64, len(keys))
	for i, s := range states {
		nonces[i] = s.nonce
	}
	conns := min(o.Conns, o.Accounts)
	gen := newTransfers(keys, nonces, o.PerAccount, conns, ci.chainID, ci.params.MinFee, o.Seed)
	res := Result{Name: "icsd", Workload: fmt.Sprintf("W1 transfers, %d accounts, %d in flight each", o.Accounts, o.PerAccount)}
	if slots := float64(o.Accounts * o.PerAccount); slots < o.Rate*1.5 {
		w := fmt.Sprintf("%d accounts x %d in flight is below the %.0f transactions a rate of %.0f tx/s keeps in flight over 1.5 s of latency: raise --accounts or --per-account",
			o.Accounts, o.PerAccount, o.Rate*1.5, o.Rate)
		res.Warnings = append(res.Warnings, w)
		o.logf("warning: %s", w)
	}
	return run(ctx, o, conns, gen, watch, res)
}
