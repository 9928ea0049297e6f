package main_test

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	cmttypes "github.com/cometbft/cometbft/types"
)

// TestExport restarts a real chain from icsd export, as a network does for
// a hard fork: the node is stopped, its state exported, its data reset,
// and it starts again from the exported genesis at the next height with
// the balances it had; it then goes on making blocks and takes transfers.
// Exports of a running node, an uncommitted height and a pruned height
// fail with a clear message and write nothing.
func TestExport(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a node")
	}
	bin := buildBinary(t)
	home := t.TempDir()
	var initOut map[string]string
	if err := json.Unmarshal([]byte(run(t, bin, "init", "--home", home, "--chain-id", "export-1", "-o", "json")), &initOut); err != nil {
		t.Fatal(err)
	}
	from := initOut["address"]
	var key map[string]string
	if err := json.Unmarshal([]byte(run(t, bin, "keys", "add", "bob", "--home", home, "-o", "json")), &key); err != nil {
		t.Fatal(err)
	}
	to := key["address"]
	// Keep few versions, so that early heights are pruned.
	appToml := filepath.Join(home, "config", "app.toml")
	toml, err := os.ReadFile(appToml)
	if err != nil {
		t.Fatal(err)
	}
	custom := strings.Replace(string(toml), "keep-recent = 10000", "keep-recent = 3", 1)
	if err := os.WriteFile(appToml, []byte(custom), 0o644); err != nil {
		t.Fatal(err)
	}

	n := &node{t: t, bin: bin, home: home, rpc: fmt.Sprintf("127.0.0.1:%d", freePort(t)), p2p: fmt.Sprintf("127.0.0.1:%d", freePort(t))}
	n.start()
	defer n.kill()
	n.waitHeight(2)
	node := "tcp://" + n.rpc
	run(t, bin, "tx", "bank", "send", "validator", to, "1234stake", "--home", home, "--node", node)
	n.waitHeight(n.waitHeight(1) + 8)
	sender, recipient := balance(t, bin, n.rpc, from), balance(t, bin, n.rpc, to)

	genesis := filepath.Join(t.TempDir(), "genesis.json")
	fails := func(what, want string, args ...string) {
		t.Helper()
		out, err := exec.Command(bin, append([]string{"export", "--home", home, "--output", genesis}, args...)...).CombinedOutput()
		if err == nil || !strings.Contains(string(out), want) {
			t.Fatalf("%s: %v\n%s\nwant an error with %q", what, err, out, want)
		}
		if _, err := os.Stat(genesis); err == nil {
			t.Fatalf("%s: wrote a genesis", what)
		}
	}
	fails("export of a running node", "is the node running?")
	_ = n.cmd.Process.Signal(syscall.SIGTERM)
	_ = n.cmd.Wait()
	fails("export of a pruned height", "pruned", "--height", "2")
	fails("export of a future height", "not found", "--height", "100000")
	fails("negative height", "--height -1", "--height", "-1")

	run(t, bin, "export", "--home", home, "--output", genesis)
	doc, err := cmttypes.GenesisDocFromFile(genesis)
	if err != nil {
		t.Fatal(err)
	}
	var val map[string]string
	if err := json.Unmarshal([]byte(run(t, bin, "comet", "show-validator", "--home", home, "-o", "json")), &val); err != nil {
		t.Fatal(err)
	}
	exported := doc.InitialHeight - 1
	if doc.ChainID != "export-1" || exported < 10 || len(doc.Validators) != 1 || hex.EncodeToString(doc.Validators[0].PubKey.Bytes()) != val["pub_key"] {
		t.Fatalf("exported genesis: chain %s, initial height %d, validators %v", doc.ChainID, doc.InitialHeight, doc.Validators)
	}
	// The same to stdout.
	if out := run(t, bin, "export", "--home", home); !strings.Contains(out, `"icsd_state"`) {
		t.Fatalf("export to stdout: %.200s", out)
	}

	run(t, bin, "comet", "unsafe-reset-all", "--home", home)
	bz, err := os.ReadFile(genesis)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, "config", "genesis.json"), bz, 0o644); err != nil {
		t.Fatal(err)
	}
	n.start()
	if h := n.waitHeight(exported + 3); h < exported+3 {
		t.Fatalf("height %d", h)
	}
	if got, want := []uint64{balance(t, bin, n.rpc, from), balance(t, bin, n.rpc, to)}, []uint64{sender, recipient}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("balances after the restart %v, before %v", got, want)
	}
	run(t, bin, "tx", "bank", "send", "validator", to, "1000stake", "--home", home, "--node", node)
	if got := balance(t, bin, n.rpc, to); got != recipient+1000 {
		t.Fatalf("recipient balance %d after a transfer, want %d", got, recipient+1000)
	}
}
