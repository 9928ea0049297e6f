package main_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/abci-ics/ics/app"
)

// The Go relayer (github.com/cosmos/relayer/v2) is built from the Go
// module proxy, at this version, into a cache directory that outlives the
// test run.
const rlyVersion = "v2.6.0"

// rlyMnemonic is the relayer key's mnemonic on both chains. rly derives a
// secp256k1 key at coin type 118, so its address is the well-known
// cosmos19rl4cm2hmr8afy4kldpxz3fka4jguq0ahjxfhz with icsd's prefix.
const (
	rlyMnemonic = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
	rlyAddress  = "ics19rl4cm2hmr8afy4kldpxz3fka4jguq0ahjxfhz"
	rlyFunds    = 10_000_000
)

// rlyBinary returns the path of the rly binary, building it on the first
// run: a scratch module requires github.com/cosmos/relayer/v2 at
// rlyVersion (`go install pkg@version` needs the proxy to list versions,
// `go get` of an exact version does not) and `go build` writes the binary
// to $(os.UserCacheDir)/icsd-rly/<version>/rly, which later runs reuse.
// rly's go.mod has no replace directives, so the scratch module needs
// none. A proxy that cannot be reached fails the test (it does not skip):
// CI has the proxy. A cold build takes about six minutes on two cores.
func rlyBinary(t *testing.T) string {
	t.Helper()
	cache, err := os.UserCacheDir()
	if err != nil {
		t.Fatalf("no user cache directory for the rly build: %v", err)
	}
	dir := filepath.Join(cache, "icsd-rly", rlyVersion)
	bin := filepath.Join(dir, "rly")
	if out, err := exec.Command(bin, "version").CombinedOutput(); err == nil && strings.Contains(string(out), "cosmos-sdk") {
		return bin
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	scratch, err := os.MkdirTemp(dir, "build-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(scratch)
	ctx, cancel := context.WithTimeout(context.Background(), 25*time.Minute)
	defer cancel()
	goCmd := func(args ...string) {
		t.Helper()
		cmd := exec.CommandContext(ctx, "go", args...)
		cmd.Dir = scratch
		cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod", "GOTOOLCHAIN=local")
		start := time.Now()
		out, err := cmd.CombinedOutput()
		if err != nil {
			proxy, _ := exec.Command("go", "env", "GOPROXY").Output()
			t.Fatalf("building rly %s: go %s: %v (the Go module proxy must be reachable; GOPROXY=%s)\n%s",
				rlyVersion, strings.Join(args, " "), err, strings.TrimSpace(string(proxy)), out)
		}
		t.Logf("rly build: go %s took %s", args[0], time.Since(start).Round(time.Second))
	}
	goCmd("mod", "init", "icsd-rly-build")
	tools := "//go:build tools\n\npackage tools\n\nimport _ \"github.com/cosmos/relayer/v2\"\n"
	if err := os.WriteFile(filepath.Join(scratch, "tools.go"), []byte(tools), 0o644); err != nil {
		t.Fatal(err)
	}
	goCmd("get", "github.com/cosmos/relayer/v2@"+rlyVersion)
	goCmd("build", "-o", filepath.Join(scratch, "rly"), "github.com/cosmos/relayer/v2")
	if err := os.Rename(filepath.Join(scratch, "rly"), bin); err != nil {
		t.Fatal(err)
	}
	return bin
}

// rlyNet is two single-validator icsd provider chains on loopback, with
// their gRPC servers on, and an rly home configured for both with the
// relayer key funded at genesis on each.
type rlyNet struct {
	t       *testing.T
	bin     string // icsd
	rly     string
	rlyHome string
	chains  [2]*rlyChain
}

type rlyChain struct {
	id   string
	home string
	grpc string
	n    *node
}

// rpc is the chain's RPC address as rly and icsd take it.
func (c *rlyChain) rpc() string { return "tcp://" + c.n.rpc }

// newRlyNet sets the chains and the rly home up and starts the chains.
func newRlyNet(t *testing.T) *rlyNet {
	t.Helper()
	r := &rlyNet{t: t, bin: buildBinary(t), rly: rlyBinary(t), rlyHome: t.TempDir()}
	r.run("config", "init")
	for i, id := range []string{"rly-a", "rly-b"} {
		c := &rlyChain{id: id, home: t.TempDir(), grpc: fmt.Sprintf("127.0.0.1:%d", freePort(t))}
		run(t, r.bin, "init", "--home", c.home, "--chain-id", id)
		enableGRPC(t, c.home, c.grpc)
		// One-second blocks: rly's event processor, which polls once a
		// second, never reports a 300ms chain in sync and so never starts
		// a handshake on it.
		c.n = &node{t: t, bin: r.bin, home: c.home, rpc: fmt.Sprintf("127.0.0.1:%d", freePort(t)), p2p: fmt.Sprintf("127.0.0.1:%d", freePort(t)), timeoutCommit: "1s"}
		r.chains[i] = c
		r.addRlyChain(c)
		run(t, r.bin, "genesis", "add-account", rlyAddress, fmt.Sprintf("%dstake", rlyFunds), "--home", c.home)
	}
	for _, c := range r.chains {
		c.n.start()
		t.Cleanup(c.n.kill)
	}
	for _, c := range r.chains {
		c.n.waitHeight(2)
	}
	return r
}

// enableGRPC turns the gRPC server of a home on at addr.
func enableGRPC(t *testing.T, home, addr string) {
	t.Helper()
	file := filepath.Join(home, "config", "app.toml")
	text, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(text), "[grpc]\n# enable starts the server with the node.\nenable = false\n", "[grpc]\n# enable starts the server with the node.\nenable = true\n", 1)
	s = strings.Replace(s, `address = "127.0.0.1:9090"`, fmt.Sprintf("address = %q", addr), 1)
	if s == string(text) {
		t.Fatalf("app.toml without the default [grpc] section:\n%s", text)
	}
	if err := os.WriteFile(file, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// run runs rly with the net's home and returns its standard output; it
// fails the test with both outputs when rly fails or takes over 3 minutes.
func (r *rlyNet) run(args ...string) string {
	r.t.Helper()
	out, errOut, err := r.try(3*time.Minute, args...)
	if err != nil {
		r.t.Fatalf("rly %s: %v\n%s\n%s", strings.Join(args, " "), err, out, errOut)
	}
	return out
}

// try runs rly with the net's home and a timeout.
func (r *rlyNet) try(timeout time.Duration, args ...string) (stdout, stderr string, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, r.rly, append(args, "--home", r.rlyHome)...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	return o.String(), e.String(), err
}

// jsonLines decodes each non-empty line of out that starts with '{'.
func jsonLines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var all []map[string]any
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "{") {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("rly output line %q: %v", line, err)
		}
		all = append(all, m)
	}
	return all
}

// rlyBalance returns the balance rly shows for the relayer key on chain.
func (r *rlyNet) rlyBalance(chain string) string {
	r.t.Helper()
	var b struct{ Address, Balance string }
	out := r.run("q", "balance", chain, "-o", "json")
	if err := json.Unmarshal([]byte(out), &b); err != nil {
		r.t.Fatalf("rly q balance %s: %q: %v", chain, out, err)
	}
	if b.Address != rlyAddress {
		r.t.Fatalf("rly q balance %s: address %s, want %s", chain, b.Address, rlyAddress)
	}
	return b.Balance
}

// TestRlyQueries builds the Go relayer and asks two icsd chains what it
// asks before it relays: the relayer key's balance, the node state, the
// clients, connections and channels (none, then those `icsd relay link`
// opened), a pending packet, its commitment with proof, and client
// expiry.
func TestRlyQueries(t *testing.T) {
	if testing.Short() {
		t.Skip("builds rly and starts two nodes")
	}
	r := newRlyNet(t)
	a, b := r.chains[0], r.chains[1]
	for _, c := range r.chains {
		if got, want := r.rlyBalance(c.id), fmt.Sprintf("%dstake", rlyFunds); got != want {
			t.Fatalf("rly q balance %s: %s, want %s", c.id, got, want)
		}
		var ns struct {
			Root struct{ Hash []byte } `json:"root"`
		}
		if out := r.run("q", "node-state", c.id); json.Unmarshal([]byte(out), &ns) != nil || len(ns.Root.Hash) != 32 {
			t.Fatalf("rly q node-state %s: %q", c.id, out)
		}
		for _, q := range []string{"clients", "connections", "channels"} {
			if got := jsonLines(t, r.run("q", q, c.id)); len(got) != 0 {
				t.Fatalf("rly q %s %s on a new chain: %v", q, c.id, got)
			}
		}
		if out := r.run("q", "ibc-denoms", c.id); strings.TrimSpace(out) != "" {
			t.Fatalf("rly q ibc-denoms %s: %q, want nothing (icsd keeps no ibc/HASH denominations)", c.id, out)
		}
	}

	// icsd's own relayer opens clients, a connection and a transfer channel;
	// a transfer from a to the relayer key on b waits unrelayed.
	link := filepath.Join(t.TempDir(), "link.json")
	run(t, r.bin, "relay", "link", "--a-home", a.home, "--b-home", b.home, "--a-node", a.rpc(), "--b-node", b.rpc(), "--link", link, "--timeout", "2m")
	run(t, r.bin, "tx", "ibc-transfer", "transfer", "validator", "channel-0", rlyAddress, "100stake", "--home", a.home, "--node", a.rpc())
	r.run("paths", "new", a.id, b.id, "ab")
	r.run("paths", "update", "ab", "--src-client-id", "07-tendermint-0", "--src-connection-id", "connection-0",
		"--dst-client-id", "07-tendermint-0", "--dst-connection-id", "connection-0")

	for i, c := range r.chains {
		other := r.chains[1-i]
		clients := jsonLines(t, r.run("q", "clients", c.id))
		if len(clients) != 1 || clients[0]["client_id"] != "07-tendermint-0" {
			t.Fatalf("rly q clients %s: %v", c.id, clients)
		}
		cs, _ := clients[0]["client_state"].(map[string]any)
		if cs["@type"] != "/ibc.lightclients.tendermint.v1.ClientState" || cs["chain_id"] != other.id {
			t.Fatalf("rly q clients %s: client state %v", c.id, cs)
		}
		conns := jsonLines(t, r.run("q", "connections", c.id))
		if len(conns) != 1 || conns[0]["id"] != "connection-0" || conns[0]["state"] != "STATE_OPEN" || conns[0]["client_id"] != "07-tendermint-0" {
			t.Fatalf("rly q connections %s: %v", c.id, conns)
		}
		var conn struct {
			Proof       []byte `json:"proof"`
			ProofHeight struct {
				RevisionHeight string `json:"revision_height"`
			} `json:"proof_height"`
		}
		if out := r.run("q", "connection", c.id, "connection-0"); json.Unmarshal([]byte(out), &conn) != nil || len(conn.Proof) == 0 || conn.ProofHeight.RevisionHeight == "" {
			t.Fatalf("rly q connection %s connection-0: %q", c.id, out)
		}
		var cc struct {
			Connections []struct{ ID string } `json:"connections"`
		}
		if out := r.run("q", "client-connections", c.id, "07-tendermint-0"); json.Unmarshal([]byte(out), &cc) != nil || len(cc.Connections) != 1 || cc.Connections[0].ID != "connection-0" {
			t.Fatalf("rly q client-connections %s: %q", c.id, out)
		}
		chans := jsonLines(t, r.run("q", "channels", c.id))
		if len(chans) != 1 || chans[0]["channel_id"] != "channel-0" || chans[0]["port_id"] != "transfer" || chans[0]["state"] != "STATE_OPEN" || chans[0]["version"] != "ics20-1" {
			t.Fatalf("rly q channels %s: %v", c.id, chans)
		}
		if cc := jsonLines(t, r.run("q", "connection-channels", c.id, "connection-0")); len(cc) != 1 || cc[0]["channel_id"] != "channel-0" {
			t.Fatalf("rly q connection-channels %s: %v", c.id, cc)
		}
	}

	var unrelayed struct{ Src, Dst []uint64 }
	if out := r.run("q", "unrelayed-packets", "ab", "channel-0"); json.Unmarshal([]byte(out), &unrelayed) != nil ||
		len(unrelayed.Src) != 1 || unrelayed.Src[0] != 1 || len(unrelayed.Dst) != 0 {
		t.Fatalf("rly q unrelayed-packets ab channel-0: %q, want src [1]", out)
	}
	var acks struct{ Src, Dst []uint64 }
	if out := r.run("q", "unrelayed-acks", "ab", "channel-0"); json.Unmarshal([]byte(out), &acks) != nil || len(acks.Src)+len(acks.Dst) != 0 {
		t.Fatalf("rly q unrelayed-acks ab channel-0: %q, want none", out)
	}
	var commit struct {
		Commitment, Proof []byte
	}
	if out := r.run("q", "packet-commit", a.id, "channel-0", "transfer", "1"); json.Unmarshal([]byte(out), &commit) != nil || len(commit.Commitment) != 32 || len(commit.Proof) == 0 {
		t.Fatalf("rly q packet-commit: %q", out)
	}
	if out := r.run("q", "clients-expiration", "ab"); strings.Count(out, "GOOD") != 2 {
		t.Fatalf("rly q clients-expiration ab: %q, want both clients GOOD", out)
	}

	// icsd's relayer delivers the packet; rly sees it received and shows the
	// voucher under its trace denomination.
	relay := exec.Command(r.bin, "relay", "start", "--link", link)
	var relayLog bytes.Buffer
	relay.Stdout, relay.Stderr = &relayLog, &relayLog
	if err := relay.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = relay.Process.Signal(syscall.SIGKILL); _ = relay.Wait() }()
	want := fmt.Sprintf("%dstake,100transfer/channel-0/stake", rlyFunds) // sorted by denomination
	deadline := time.Now().Add(60 * time.Second)
	for r.rlyBalance(b.id) != want {
		if time.Now().After(deadline) {
			t.Fatalf("rly q balance %s: %s, want %s; relayer log:\n%s", b.id, r.rlyBalance(b.id), want, relayLog.String())
		}
		time.Sleep(500 * time.Millisecond)
	}
	for time.Now().Before(deadline) {
		out := r.run("q", "unrelayed-packets", "ab", "channel-0")
		if json.Unmarshal([]byte(out), &unrelayed) == nil && len(unrelayed.Src) == 0 && len(unrelayed.Dst) == 0 {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	if len(unrelayed.Src) != 0 {
		t.Fatalf("unrelayed packets after delivery: %+v", unrelayed)
	}
}

// denomBalance is addr's balance of denom on the chain at rpc, from icsd's
// own query.
func denomBalance(t *testing.T, bin, rpc, addr, denom string) uint64 {
	t.Helper()
	var coins []app.CoinJSON
	if err := json.Unmarshal([]byte(run(t, bin, "query", "bank", "balances", addr, "--node", rpc, "-o", "json")), &coins); err != nil {
		t.Fatal(err)
	}
	for _, c := range coins {
		if c.Denom == denom {
			return c.Amount
		}
	}
	return 0
}

// waitBalance waits until addr holds want of denom.
func (r *rlyNet) waitBalance(c *rlyChain, addr, denom string, want uint64, log func() string) {
	r.t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for denomBalance(r.t, r.bin, c.rpc(), addr, denom) != want {
		if time.Now().After(deadline) {
			r.t.Fatalf("%s on %s holds %d%s, want %d; rly log:\n%s", addr, c.id, denomBalance(r.t, r.bin, c.rpc(), addr, denom), denom, want, log())
		}
		time.Sleep(time.Second)
	}
}

// TestRlyTransfer relays ICS-20 transfers between two icsd chains with rly
// alone: rly tx link (clients, connection, transfer channel, each
// transaction a Cosmos SDK TxRaw signed with secp256k1 and sized by
// Simulate), a transfer from a to the relayer key on b delivered by rly tx
// flush, and the voucher sent back to an account on a, delivered by rly
// start. It takes about a minute.
func TestRlyTransfer(t *testing.T) {
	if testing.Short() {
		t.Skip("builds rly and starts two nodes")
	}
	r := newRlyNet(t)
	a, b := r.chains[0], r.chains[1]
	r.run("paths", "new", a.id, b.id, "ab")
	if out, errOut, err := r.try(5*time.Minute, "tx", "link", "ab"); err != nil {
		t.Fatalf("rly tx link ab: %v\n%s\n%s", err, out, tail(errOut, 6000))
	}
	for _, c := range r.chains {
		chans := jsonLines(t, r.run("q", "channels", c.id))
		if len(chans) != 1 || chans[0]["channel_id"] != "channel-0" || chans[0]["state"] != "STATE_OPEN" {
			t.Fatalf("rly q channels %s after link: %v", c.id, chans)
		}
	}

	// a -> b: 1000stake to the relayer key on b, delivered by a flush.
	before := denomBalance(t, r.bin, a.rpc(), rlyAddress, "stake")
	r.run("tx", "transfer", a.id, b.id, "1000stake", rlyAddress, "channel-0", "--path", "ab")
	if got := denomBalance(t, r.bin, a.rpc(), rlyAddress, "stake"); got >= before-1000 {
		t.Fatalf("sender on a holds %d after sending 1000stake, had %d", got, before)
	}
	if out, errOut, err := r.try(3*time.Minute, "tx", "flush", "ab", "channel-0"); err != nil {
		t.Fatalf("rly tx flush: %v\n%s\n%s", err, out, tail(errOut, 6000))
	}
	r.waitBalance(b, rlyAddress, "transfer/channel-0/stake", 1000, func() string { return "" })

	// b -> a: 400 of the voucher back to a fresh account on a, relayed by
	// rly start.
	var key map[string]string
	if err := json.Unmarshal([]byte(run(t, r.bin, "keys", "add", "carol", "--home", a.home, "-o", "json")), &key); err != nil {
		t.Fatal(err)
	}
	startLog := r.start("ab")
	r.run("tx", "transfer", b.id, a.id, "400transfer/channel-0/stake", key["address"], "channel-0", "--path", "ab")
	r.waitBalance(a, key["address"], "stake", 400, func() string { return tail(startLog.String(), 6000) })
	if got := denomBalance(t, r.bin, b.rpc(), rlyAddress, "transfer/channel-0/stake"); got != 600 {
		t.Fatalf("relayer key on b holds %d vouchers after sending 400 back, want 600", got)
	}
}

// start runs `rly start path` until the test ends and returns its
// output as it grows.
func (r *rlyNet) start(path string) *lockedBuffer {
	r.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, r.rly, "start", path, "--home", r.rlyHome)
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		cancel()
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { cancel(); _ = cmd.Wait() })
	return out
}
