package main_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	rpcclient "github.com/cometbft/cometbft/rpc/client"
	gogoproto "github.com/cosmos/gogoproto/proto"

	"github.com/abci-ics/ics/app"
	"github.com/abci-ics/ics/client"
	"github.com/abci-ics/ics/ibc/transfer"
	"github.com/abci-ics/ics/interchain"
	"github.com/abci-ics/ics/relayer/linkfile"
	"github.com/abci-ics/ics/types/coin"
)

func stakeOf(t *testing.T, bin, rpc, addr, denom string) uint64 {
	t.Helper()
	var coins []app.CoinJSON
	if err := json.Unmarshal([]byte(run(t, bin, "query", "bank", "balances", addr, "--node", "tcp://"+rpc, "-o", "json")), &coins); err != nil {
		t.Fatal(err)
	}
	for _, c := range coins {
		if c.Denom == denom {
			return c.Amount
		}
	}
	return 0
}

// TestRelay links two single-validator chains with `icsd relay link`,
// moves tokens both ways through `icsd relay start`, and kills the relayer
// in the middle of a burst of 200 transfers: every packet arrives exactly
// once and is acknowledged. The relayer serves its metrics (--metrics):
// after the first transfers they count packets and client updates, and
// the lag of each chain's client.
func TestRelay(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two chains and a relayer")
	}
	bin := buildBinary(t)
	var nodes [2]*node
	var addrs [2]string
	for i, id := range []string{"ibc-a", "ibc-b"} {
		home := t.TempDir()
		var out map[string]string
		if err := json.Unmarshal([]byte(run(t, bin, "init", "--home", home, "--chain-id", id, "-o", "json")), &out); err != nil {
			t.Fatal(err)
		}
		addrs[i] = out["address"]
		nodes[i] = &node{t: t, bin: bin, home: home, rpc: fmt.Sprintf("127.0.0.1:%d", freePort(t)), p2p: fmt.Sprintf("127.0.0.1:%d", freePort(t))}
		nodes[i].start()
		defer nodes[i].kill()
	}
	nodes[0].waitHeight(2)
	nodes[1].waitHeight(2)
	a, b := "tcp://"+nodes[0].rpc, "tcp://"+nodes[1].rpc
	linkFile := filepath.Join(t.TempDir(), "link.json")
	run(t, bin, "relay", "link", "--a-node", a, "--b-node", b, "--a-home", nodes[0].home, "--b-home", nodes[1].home, "--link", linkFile)
	var lf linkfile.File
	bz, err := os.ReadFile(linkFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(bz, &lf); err != nil || lf.A.Channel == "" || lf.B.Channel == "" {
		t.Fatalf("link file %s: %v", bz, err)
	}

	relayLog := &lockedBuffer{}
	defer func() {
		if t.Failed() {
			t.Logf("relayer output:\n%s", relayLog.String())
		}
	}()
	metricsAddr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	relay := func() *exec.Cmd {
		c := exec.Command(bin, "relay", "start", "--link", linkFile, "--interval", "200ms", "--client-refresh", "3s", "--metrics", metricsAddr)
		c.Stdout, c.Stderr = relayLog, relayLog
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		return c
	}
	r := relay()
	defer func() { _ = r.Process.Signal(syscall.SIGKILL); _ = r.Wait() }()

	supplyA := func() uint64 {
		var coins []app.CoinJSON
		if err := json.Unmarshal([]byte(run(t, bin, "q", "bank", "supply", "--node", a, "-o", "json")), &coins); err != nil {
			t.Fatal(err)
		}
		for _, c := range coins {
			if c.Denom == "stake" {
				return c.Amount
			}
		}
		return 0
	}
	total := supplyA()
	voucher := "transfer/" + lf.B.Channel + "/stake"
	run(t, bin, "tx", "ibc-transfer", "transfer", "validator", lf.A.Channel, addrs[1], "5000stake", "--home", nodes[0].home, "--node", a)
	waitFor(t, func() bool { return stakeOf(t, bin, nodes[1].rpc, addrs[1], voucher) == 5000 }, "voucher on B")

	// Back to A, to an account that pays no relayer fees.
	var bob map[string]string
	if err := json.Unmarshal([]byte(run(t, bin, "keys", "add", "bob", "--home", nodes[0].home, "-o", "json")), &bob); err != nil {
		t.Fatal(err)
	}
	run(t, bin, "tx", "ibc-transfer", "transfer", "validator", lf.B.Channel, bob["address"], "2000"+voucher, "--home", nodes[1].home, "--node", b)
	waitFor(t, func() bool { return stakeOf(t, bin, nodes[0].rpc, bob["address"], "stake") == 2000 }, "tokens back on A")
	if supplyA() != total {
		t.Fatal("supply of stake changed on A")
	}
	checkRelayMetrics(t, metricsAddr, linkFile, "ibc-a", "ibc-b", "transfer/"+lf.A.Channel)

	// A burst of 200 transfers in 10 transactions; the relayer is killed
	// in the middle and restarted.
	key, err := client.LoadKey(nodes[0].home, "validator")
	if err != nil {
		t.Fatal(err)
	}
	nc, err := client.NewClient(a)
	if err != nil {
		t.Fatal(err)
	}
	sub := client.Submitter{Client: nc, Key: key}
	before := stakeOf(t, bin, nodes[1].rpc, addrs[1], voucher)
	for i := 0; i < 10; i++ {
		var msgs []gogoproto.Message
		for j := 0; j < 20; j++ {
			msgs = append(msgs, &transfer.MsgTransfer{Sender: key.Address(), SourcePort: "transfer", SourceChannel: lf.A.Channel,
				Token: coin.Coin{Denom: "stake", Amount: 1}, Receiver: addrs[1], TimeoutTimestamp: uint64(time.Now().Add(time.Hour).UnixNano())})
		}
		res, err := sub.Submit(context.Background(), msgs...)
		if err != nil || res.Code != 0 {
			t.Fatalf("burst tx %d: %v %v", i, err, res)
		}
		if i == 4 {
			_ = r.Process.Signal(syscall.SIGKILL)
			_ = r.Wait()
			r = relay()
		}
	}
	waitFor(t, func() bool { return stakeOf(t, bin, nodes[1].rpc, addrs[1], voucher) == before+200 }, "200 vouchers on B")
	waitFor(t, func() bool {
		var seqs []uint64
		_ = json.Unmarshal([]byte(run(t, bin, "q", "ibc", "packets", "transfer", lf.A.Channel, "--node", a, "-o", "json")), &seqs)
		return len(seqs) == 0
	}, "every packet acknowledged")
	time.Sleep(2 * time.Second)
	if got := stakeOf(t, bin, nodes[1].rpc, addrs[1], voucher); got != before+200 {
		t.Fatalf("vouchers %d, want exactly %d", got, before+200)
	}
	// With no packets flowing the relayer still refreshes the clients.
	clientHeight := func() string {
		var c interchain.ClientJSON
		if err := json.Unmarshal([]byte(run(t, bin, "q", "ibc", "client", lf.A.Client, "--node", a, "-o", "json")), &c); err != nil {
			t.Fatal(err)
		}
		if c.Status != "Active" || c.ChainID != "ibc-b" {
			t.Fatalf("client %+v", c)
		}
		return c.LatestHeight
	}
	idle := clientHeight()
	waitFor(t, func() bool { return clientHeight() != idle }, "a client refresh")

	// The native supply of A was the same at every height.
	rpcA := nodes[0].client()
	top := nodes[0].waitHeight(0) - 1 // the application may not have committed the store's latest block yet
	for h := int64(1); h <= top; h++ {
		res, err := rpcA.ABCIQueryWithOptions(context.Background(), app.PathSupply+"/stake", nil, rpcclient.ABCIQueryOptions{Height: h})
		if err != nil || res.Response.Code != 0 {
			t.Fatalf("supply at %d: %v %s", h, err, res.Response.Log)
		}
		var c app.CoinJSON
		if err := json.Unmarshal(res.Response.Value, &c); err != nil || c.Amount != total {
			t.Fatalf("supply of stake at height %d: %d, want %d", h, c.Amount, total)
		}
	}
}

// checkRelayMetrics waits until the relayer's metrics at addr count two
// packets received on channel, client updates sent to both chains a and
// b, and serve each chain's lag.
func checkRelayMetrics(t *testing.T, addr, link, a, b, channel string) {
	t.Helper()
	var scraped string
	want := []string{
		fmt.Sprintf(`icsd_relayer_packets_total{channel=%q,kind="received",link=%q} 2`, channel, link),
		fmt.Sprintf(`icsd_relayer_client_updates_total{chain=%q,link=%q} `, a, link),
		fmt.Sprintf(`icsd_relayer_client_updates_total{chain=%q,link=%q} `, b, link),
		fmt.Sprintf(`icsd_relayer_client_lag_blocks{chain=%q,link=%q} `, a, link),
		fmt.Sprintf(`icsd_relayer_client_lag_blocks{chain=%q,link=%q} `, b, link),
		fmt.Sprintf(`icsd_relayer_last_success_timestamp_seconds{link=%q} `, link),
	}
	defer func() {
		if t.Failed() {
			t.Logf("the relayer's metrics:\n%s", scraped)
		}
	}()
	waitFor(t, func() bool {
		resp, err := http.Get("http://" + addr + "/metrics")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		bz, err := io.ReadAll(resp.Body)
		if err != nil {
			return false
		}
		scraped = string(bz)
		for _, w := range want {
			if !strings.Contains(scraped, w) {
				return false
			}
		}
		// Updates were sent to both chains.
		return !strings.Contains(scraped, want[1]+"0\n") && !strings.Contains(scraped, want[2]+"0\n")
	}, "the relayer's metrics")
}

func waitFor(t *testing.T, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// lockedBuffer collects a child process's output.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
