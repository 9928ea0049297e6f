package main_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestAppConfigNode: a real node started with app.toml settings: a node
// minimum fee refuses cheaper transactions at submission and admits those
// that pay it; [metrics] enabled = false leaves icsd's metrics off
// CometBFT's endpoint. A malformed app.toml stops start at once with the
// file and the setting named.
func TestAppConfigNode(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a node")
	}
	bin := buildBinary(t)
	home := t.TempDir()
	var initOut map[string]string
	if err := json.Unmarshal([]byte(run(t, bin, "init", "--home", home, "--chain-id", "conf-1", "-o", "json")), &initOut); err != nil {
		t.Fatal(err)
	}
	from := initOut["address"]
	appToml := filepath.Join(home, "config", "app.toml")
	text, err := os.ReadFile(appToml)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []struct{ from, to, want string }{
		{`minimum-fee = ""`, `minimum-fee = "five"`, `mempool: minimum-fee "five"`},
		{"[pruning]", "[pruning", "app.toml:"},
		{"enabled = true", `enabled = "no"`, "metrics.enabled must be true or false"},
	} {
		if !strings.Contains(string(text), bad.from) {
			t.Fatalf("app.toml has no %q:\n%s", bad.from, text)
		}
		if err := os.WriteFile(appToml, []byte(strings.Replace(string(text), bad.from, bad.to, 1)), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(bin, "start", "--home", home).CombinedOutput()
		if err == nil || !strings.Contains(string(out), bad.want) || !strings.Contains(string(out), "app.toml") {
			t.Fatalf("start with %q: %v\n%s\nwant an error with %q", bad.to, err, out, bad.want)
		}
	}
	set := strings.NewReplacer(`minimum-fee = ""`, `minimum-fee = "5stake"`, "enabled = true", "enabled = false").Replace(string(text))
	if err := os.WriteFile(appToml, []byte(set), 0o644); err != nil {
		t.Fatal(err)
	}

	n := &node{t: t, bin: bin, home: home, rpc: fmt.Sprintf("127.0.0.1:%d", freePort(t)), p2p: fmt.Sprintf("127.0.0.1:%d", freePort(t)),
		metrics: fmt.Sprintf("127.0.0.1:%d", freePort(t))}
	n.start()
	defer n.kill()
	n.waitHeight(2)
	node := "tcp://" + n.rpc
	out, err := exec.Command(bin, "tx", "bank", "send", "validator", from, "1stake", "--home", home, "--node", node).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "this node's minimum is 5stake") {
		t.Fatalf("a transfer paying the chain's minimum: %v\n%s", err, out)
	}
	run(t, bin, "tx", "bank", "send", "validator", from, "1stake", "--fee", "5stake", "--home", home, "--node", node)

	resp, err := http.Get("http://" + n.metrics + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	scraped, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(scraped), "cometbft_consensus_height") || strings.Contains(string(scraped), "icsd_") {
		t.Fatalf("metrics with [metrics] enabled = false:\n%.2000s", scraped)
	}
}
