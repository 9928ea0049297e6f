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
	"syscall"
	"testing"
	"time"

	rpcclient "github.com/cometbft/cometbft/rpc/client"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"

	"github.com/abci-ics/ics/app"
	"github.com/abci-ics/ics/chain/auth"
	stateproof "github.com/abci-ics/ics/state/proof"
	"github.com/abci-ics/ics/types/address"
)

// buildBinary compiles icsd once for the tests of this package.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "icsd")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func run(t *testing.T, bin string, args ...string) string {
	t.Helper()
	out, err := exec.Command(bin, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("icsd %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

type node struct {
	t    *testing.T
	bin  string
	home string
	rpc  string
	p2p  string
	// metrics, when set, is the address the node serves Prometheus
	// metrics on.
	metrics string
	// timeoutCommit, when set, replaces the 300ms commit timeout.
	timeoutCommit string
	// env is added to the node's environment.
	env []string
	cmd *exec.Cmd
	log *bytes.Buffer
}

func (n *node) start() {
	n.t.Helper()
	n.log = &bytes.Buffer{}
	timeoutCommit := "300ms"
	if n.timeoutCommit != "" {
		timeoutCommit = n.timeoutCommit
	}
	args := []string{"start", "--home", n.home, "--rpc.laddr", "tcp://" + n.rpc, "--p2p.laddr", "tcp://" + n.p2p,
		"--consensus.timeout_commit", timeoutCommit, "--log_level", "error"}
	if n.metrics != "" {
		args = append(args, "--instrumentation.prometheus", "true", "--instrumentation.prometheus_listen_addr", n.metrics)
	}
	n.cmd = exec.Command(n.bin, args...)
	n.cmd.Env = append(os.Environ(), n.env...)
	n.cmd.Stdout, n.cmd.Stderr = n.log, n.log
	if err := n.cmd.Start(); err != nil {
		n.t.Fatal(err)
	}
}

func (n *node) kill() {
	_ = n.cmd.Process.Signal(syscall.SIGKILL)
	_ = n.cmd.Wait()
}

func (n *node) client() *rpchttp.HTTP {
	c, err := rpchttp.New("tcp://"+n.rpc, "/websocket")
	if err != nil {
		n.t.Fatal(err)
	}
	return c
}

// waitHeight waits until the node has committed height h.
func (n *node) waitHeight(h int64) int64 {
	n.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if st, err := n.client().Status(context.Background()); err == nil && st.SyncInfo.LatestBlockHeight >= h {
			return st.SyncInfo.LatestBlockHeight
		}
		time.Sleep(100 * time.Millisecond)
	}
	n.t.Fatalf("height %d not reached; node log:\n%s", h, n.log.String())
	return 0
}

func balance(t *testing.T, bin, rpc, addr string) uint64 {
	t.Helper()
	var coins []app.CoinJSON
	if err := json.Unmarshal([]byte(run(t, bin, "query", "bank", "balances", addr, "--node", "tcp://"+rpc, "-o", "json")), &coins); err != nil {
		t.Fatal(err)
	}
	for _, c := range coins {
		if c.Denom == "stake" {
			return c.Amount
		}
	}
	return 0
}

// TestNode runs a real single-validator chain: transfers through the CLI,
// proofs checked against the next header's app hash, and kill -9 restarts.
func TestNode(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a node")
	}
	bin := buildBinary(t)
	home := t.TempDir()
	var initOut map[string]string
	if err := json.Unmarshal([]byte(run(t, bin, "init", "--home", home, "--chain-id", "e2e-1", "-o", "json")), &initOut); err != nil {
		t.Fatal(err)
	}
	from := initOut["address"]
	if out, err := exec.Command(bin, "init", "--home", home, "--chain-id", "e2e-1").CombinedOutput(); err == nil {
		t.Fatalf("second init succeeded: %s", out)
	}
	var key map[string]string
	if err := json.Unmarshal([]byte(run(t, bin, "keys", "add", "bob", "--home", home, "-o", "json")), &key); err != nil {
		t.Fatal(err)
	}
	to := key["address"]

	n := &node{t: t, bin: bin, home: home, rpc: fmt.Sprintf("127.0.0.1:%d", freePort(t)), p2p: fmt.Sprintf("127.0.0.1:%d", freePort(t)),
		metrics: fmt.Sprintf("127.0.0.1:%d", freePort(t))}
	n.start()
	defer n.kill()
	n.waitHeight(2)

	node := "tcp://" + n.rpc
	start := balance(t, bin, n.rpc, from)
	run(t, bin, "tx", "bank", "send", "validator", to, "1234stake", "--home", home, "--node", node)
	if got := balance(t, bin, n.rpc, to); got != 1234 {
		t.Fatalf("recipient balance %d", got)
	}
	if got := balance(t, bin, n.rpc, from); got != start-1234-1 {
		t.Fatalf("sender balance %d, want %d", got, start-1234-1)
	}
	// A failing transfer exits non-zero with the code, and costs its fee.
	out, err := exec.Command(bin, "tx", "bank", "send", "bob", from, "999999stake", "--home", home, "--node", node).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "code 9") {
		t.Fatalf("overdraft: %v %s", err, out)
	}
	if got := balance(t, bin, n.rpc, to); got != 1233 {
		t.Fatalf("balance after a failed transfer %d, want 1233", got)
	}

	// The node serves icsd's metrics beside CometBFT's.
	resp, err := http.Get("http://" + n.metrics + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	scraped, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{`icsd_txs_total{code="0"}`, `icsd_txs_total{code="9"}`, "icsd_finalize_block_seconds_count", "icsd_commit_seconds_count",
		`icsd_provider_consumers{phase="running"} 0`, "icsd_provider_slash_meter", "cometbft_consensus_height"} {
		if !strings.Contains(string(scraped), m) {
			t.Errorf("metrics without %s", m)
		}
	}

	// The balance proof verifies against the app hash in the next header.
	c := n.client()
	ctx := context.Background()
	toAddr, err := address.Decode("ics", to)
	if err != nil {
		t.Fatal(err)
	}
	// The native denomination's balance is in the account record.
	bkey := auth.AccountKey(toAddr)
	res, err := c.ABCIQueryWithOptions(ctx, "/store/auth/key", bkey, rpcclient.ABCIQueryOptions{Prove: true})
	if err != nil || res.Response.Code != 0 {
		t.Fatalf("proof query: %v %s", err, res.Response.Log)
	}
	var acc auth.Account
	if err := acc.Unmarshal(res.Response.Value); err != nil || acc.Balance != 1233 {
		t.Fatalf("proven record %+v (%v), want a balance of 1233", acc, err)
	}
	h := res.Response.Height
	n.waitHeight(h + 1)
	hdr, err := c.Commit(ctx, &[]int64{h + 1}[0])
	if err != nil {
		t.Fatal(err)
	}
	_, _, proofs, err := stateproof.FromOps(res.Response.ProofOps)
	if err != nil {
		t.Fatal(err)
	}
	if err := stateproof.VerifyMembership(hdr.AppHash, "auth", bkey, res.Response.Value, proofs); err != nil {
		t.Fatalf("proof against header %d: %v", h+1, err)
	}

	// kill -9 at a few moments, restart, and keep going from the committed state.
	for i := 0; i < 3; i++ {
		before := n.waitHeight(0)
		time.Sleep(time.Duration(100*i) * time.Millisecond)
		n.kill()
		n.start()
		n.waitHeight(before + 2)
		if got := balance(t, bin, n.rpc, to); got != 1233+uint64(i)*10 {
			t.Fatalf("after restart %d: balance %d; log:\n%s", i, got, n.log.String())
		}
		run(t, bin, "tx", "bank", "send", "validator", to, "10stake", "--home", home, "--node", node)
	}
}
