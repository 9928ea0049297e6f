package main_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/abci-ics/ics/app"
	"github.com/abci-ics/ics/nodehome"
)

// rlyCCVConsumer is the consumer's state on the provider, as `icsd query
// provider consumers -o json` lists it.
type rlyCCVConsumer struct {
	ConsumerID     string `json:"consumer_id"`
	ChainID        string `json:"chain_id"`
	Phase          string `json:"phase"`
	ClientID       string `json:"client_id"`
	ChannelID      string `json:"channel_id"`
	LastVSCSent    uint64 `json:"last_vsc_sent,string"`
	LastVSCMatured uint64 `json:"last_vsc_matured,string"`
}

// addRlyChain writes rly's chain file for c, adds the chain to rly's home
// and restores the relayer key on it. icsd's fee is a flat minimum
// (1stake by default); rly pays gas × gas-prices.
func (r *rlyNet) addRlyChain(c *rlyChain) {
	r.t.Helper()
	cfg := map[string]any{"type": "cosmos", "value": map[string]any{
		"key": "relayer", "chain-id": c.id, "rpc-addr": c.rpc(), "grpc-addr": c.grpc,
		"account-prefix": "ics", "keyring-backend": "test", "gas-adjustment": 1.5, "gas-prices": "0.01stake",
		"min-gas-amount": 0, "debug": true, "timeout": "20s", "output-format": "json", "sign-mode": "direct",
	}}
	bz, _ := json.Marshal(cfg)
	file := filepath.Join(r.rlyHome, c.id+".json")
	if err := os.WriteFile(file, bz, 0o644); err != nil {
		r.t.Fatal(err)
	}
	r.run("chains", "add", "--file", file, c.id)
	if addr := strings.TrimSpace(r.run("keys", "restore", c.id, "relayer", rlyMnemonic)); addr != rlyAddress {
		r.t.Fatalf("rly keys restore on %s: address %q, want %s", c.id, addr, rlyAddress)
	}
}

// TestRlyCCV opens and relays the CCV channel between an icsd provider and
// an icsd consumer with rly alone. A one-validator provider creates an
// opt-in consumer its validator opts in to (consumer unbonding period
// 45s); at launch the provider holds its client of the consumer and the
// consumer genesis the consumer's client of the provider. The consumer
// node runs with its own consensus key, assigned at opt-in. rly then opens a
// connection on those two clients (rly paths update --src-client-id
// --dst-client-id, rly tx connection) and the ordered CCV channel from
// the consumer (rly tx channel --src-port consumer --dst-port provider
// --order ordered --version 1: the consumer proposes ccv.Version, the
// provider answers its handshake metadata), and relays with rly start: a
// delegation on the provider reaches the consumer's CometBFT set, and the
// consumer's VSCMatured comes back to the provider once the unbonding
// period passed.
func TestRlyCCV(t *testing.T) {
	if testing.Short() {
		t.Skip("builds rly and starts a provider and a consumer")
	}
	began := time.Now()
	r := &rlyNet{t: t, bin: buildBinary(t), rly: rlyBinary(t), rlyHome: t.TempDir()}
	r.run("config", "init")
	newChain := func(id string, role ...string) *rlyChain {
		c := &rlyChain{id: id, home: t.TempDir(), grpc: fmt.Sprintf("127.0.0.1:%d", freePort(t))}
		run(t, r.bin, append([]string{"init", "--home", c.home, "--chain-id", id}, role...)...)
		enableGRPC(t, c.home, c.grpc)
		c.n = &node{t: t, bin: r.bin, home: c.home, rpc: fmt.Sprintf("127.0.0.1:%d", freePort(t)), p2p: fmt.Sprintf("127.0.0.1:%d", freePort(t)), timeoutCommit: "1s"}
		run(t, r.bin, "genesis", "add-account", rlyAddress, fmt.Sprintf("%dstake", rlyFunds), "--home", c.home)
		return c
	}
	prov := newChain("rlyprov-1")
	cons := newChain("rlycons-1", "--role", "consumer")
	r.chains = [2]*rlyChain{cons, prov}
	// Epochs of two blocks: a delegation reaches the consumer within
	// seconds instead of 600 blocks.
	if err := nodehome.EditGenesis(prov.home, func(g *app.Genesis) error {
		g.Provider.Params.BlocksPerEpoch = 2
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	prov.n.start()
	t.Cleanup(prov.n.kill)
	prov.n.waitHeight(2)
	pnode := []string{"--home", prov.home, "--node", prov.rpc()}
	icsd := func(args ...string) string { return run(t, r.bin, append(args, pnode...)...) }

	// Launch: an opt-in consumer, spawning in 8s, which the validator joins.
	icsd("tx", "provider", "create-consumer", "validator", "--chain-id", cons.id, "--spawn-time", "8s",
		"--unbonding-period", "45s", "-o", "json")
	consumers := func() []rlyCCVConsumer {
		var cs []rlyCCVConsumer
		out := icsd("query", "provider", "consumers", "-o", "json")
		if err := json.Unmarshal([]byte(out), &cs); err != nil {
			var wrapped struct{ Consumers []rlyCCVConsumer }
			if err2 := json.Unmarshal([]byte(out), &wrapped); err2 != nil {
				t.Fatalf("icsd query provider consumers: %q: %v", out, err)
			}
			cs = wrapped.Consumers
		}
		if len(cs) != 1 {
			t.Fatalf("icsd query provider consumers: %q, want one consumer", out)
		}
		return cs
	}
	id := consumers()[0].ConsumerID
	// The validator opts in with the consumer home's own consensus key, not
	// its provider key. With the provider key both chains would have the
	// same validator set hashes, and rly v2.6.0 then takes a consumer header
	// as its trusted header whenever its NextValidatorsHash equals the one
	// of the provider header it trusts (updateClientTrustedState compares
	// headers of the two chains): just after a VSC changes the set, it
	// sends that header's own validators as TrustedValidators, which
	// the provider's client refuses (they do not hash to the trusted
	// consensus state's NextValidatorsHash) until the client expires.
	icsd("tx", "provider", "opt-in", "validator", id, filepath.Join(cons.home, "config", "priv_validator_key.json"))
	waitUntil(t, "the consumer launched", 60*time.Second, func() string { return prov.n.log.String() }, func() bool {
		return consumers()[0].ClientID != ""
	})
	provClient := consumers()[0].ClientID
	cg := filepath.Join(t.TempDir(), "cg.json")
	if err := os.WriteFile(cg, []byte(icsd("query", "provider", "consumer-genesis", id, "-o", "json")), 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, r.bin, "genesis", "import-consumer", cg, "--home", cons.home)
	cons.n.start()
	t.Cleanup(cons.n.kill)
	// rly refuses proofs at heights up to 2.
	waitUntil(t, "consumer height 4", 60*time.Second, func() string {
		st, err := cons.n.client().Status(context.Background())
		g, _ := os.ReadFile(filepath.Join(cons.home, "config", "genesis.json"))
		return fmt.Sprintf("status %+v %v\ngenesis (head): %s\nnode log: %s", st, err, tail(string(g), 600), cons.n.log.String())
	}, func() bool {
		st, err := cons.n.client().Status(context.Background())
		return err == nil && st.SyncInfo.LatestBlockHeight >= 4
	})
	var status struct {
		ProviderClientID  string `json:"provider_client_id"`
		ProviderChannelID string `json:"provider_channel_id"`
	}
	if out := run(t, r.bin, "query", "consumer", "status", "--node", cons.rpc(), "-o", "json"); json.Unmarshal([]byte(out), &status) != nil || status.ProviderClientID == "" {
		t.Fatalf("icsd query consumer status: %q", out)
	}
	t.Logf("consumer %s launched after %s: provider client %s, consumer client %s", id, time.Since(began).Round(time.Second), provClient, status.ProviderClientID)

	// rly: a path on the two launch clients, a connection, the CCV channel.
	for _, c := range []*rlyChain{cons, prov} {
		r.addRlyChain(c)
	}
	r.run("paths", "new", cons.id, prov.id, "ccv")
	r.run("paths", "update", "ccv", "--src-client-id", status.ProviderClientID, "--dst-client-id", provClient)
	if out, errOut, err := r.try(3*time.Minute, "tx", "connection", "ccv"); err != nil {
		t.Fatalf("rly tx connection ccv: %v\n%s\n%s", err, out, tail(errOut, 6000))
	}
	if out, errOut, err := r.try(3*time.Minute, "tx", "channel", "ccv", "--src-port", "consumer", "--dst-port", "provider",
		"--order", "ordered", "--version", "1"); err != nil {
		t.Fatalf("rly tx channel ccv: %v\n%s\n%s", err, out, tail(errOut, 6000))
	}
	// Both ends are open, ordered, on ports consumer and provider, with the
	// provider's handshake metadata (its fee pool address, version 1) as
	// the channel version; each chain took the channel as its CCV channel.
	var chanIDs [2]string
	for i, c := range []*rlyChain{cons, prov} {
		port := []string{"consumer", "provider"}[i]
		chans := jsonLines(t, r.run("q", "channels", c.id))
		if len(chans) != 1 || chans[0]["state"] != "STATE_OPEN" || chans[0]["ordering"] != "ORDER_ORDERED" || chans[0]["port_id"] != port {
			t.Fatalf("rly q channels %s: %v", c.id, chans)
		}
		var md struct {
			FeePool string `json:"provider_fee_pool_addr"`
			Version string `json:"version"`
		}
		if v, _ := chans[0]["version"].(string); json.Unmarshal([]byte(v), &md) != nil || md.Version != "1" || md.FeePool == "" {
			t.Fatalf("rly q channels %s: version %q, want the provider's handshake metadata", c.id, chans[0]["version"])
		}
		chanIDs[i], _ = chans[0]["channel_id"].(string)
		t.Logf("%s: %s/%s %s version %q", c.id, port, chanIDs[i], chans[0]["ordering"], chans[0]["version"])
	}
	if out := run(t, r.bin, "query", "consumer", "status", "--node", cons.rpc(), "-o", "json"); json.Unmarshal([]byte(out), &status) != nil || status.ProviderChannelID != chanIDs[0] {
		t.Fatalf("icsd query consumer status after the handshake: %q, want CCV channel %s", out, chanIDs[0])
	}
	if got := consumers()[0].ChannelID; got != chanIDs[1] {
		t.Fatalf("provider's CCV channel of the consumer: %q, want %s", got, chanIDs[1])
	}
	t.Logf("CCV channel open after %s", time.Since(began).Round(time.Second))

	// rly start relays; a delegation on the provider changes the
	// validator's power on the consumer, and its VSCMatured returns.
	startLog := r.start("ccv")
	// On failure: rly's first errors and warnings, then its last lines.
	rlyLog := func() string {
		var first []string
		for _, line := range strings.Split(startLog.String(), "\n") {
			if len(first) < 15 && (strings.Contains(line, "\terror\t") || strings.Contains(line, "\twarn\t")) {
				first = append(first, line)
			}
		}
		return strings.Join(first, "\n") + "\n...\n" + tail(startLog.String(), 4000)
	}

	// The consumer's one CometBFT validator is the key assigned at opt-in.
	assigned, err := nodehome.ParseConsensusKey(filepath.Join(cons.home, "config", "priv_validator_key.json"))
	if err != nil {
		t.Fatal(err)
	}
	power := func() int64 {
		res, err := cons.n.client().Validators(context.Background(), nil, nil, nil)
		if err != nil || len(res.Validators) != 1 || !bytes.Equal(res.Validators[0].PubKey.Bytes(), assigned) {
			t.Fatalf("consumer validators: %v %+v, want the one key %X", err, res, assigned)
		}
		return res.Validators[0].VotingPower
	}
	before := power()
	var vals []struct {
		Operator string `json:"operator"`
	}
	if out := icsd("query", "staking", "validators", "-o", "json"); json.Unmarshal([]byte(out), &vals) != nil || len(vals) != 1 {
		t.Fatalf("icsd query staking validators: %q", out)
	}
	sent := consumers()[0].LastVSCSent
	icsd("tx", "staking", "delegate", "validator", vals[0].Operator, "5000000stake", "-o", "json")
	waitUntil(t, "the delegation on the consumer's CometBFT set", 60*time.Second, rlyLog, func() bool { return power() > before })
	delegated := consumers()[0]
	if delegated.LastVSCSent <= sent {
		t.Fatalf("consumer power changed, but the provider's last VSC sent is %d, was %d", delegated.LastVSCSent, sent)
	}
	t.Logf("consumer power %d -> %d after %s (VSC %d)", before, power(), time.Since(began).Round(time.Second), delegated.LastVSCSent)
	waitUntil(t, "VSCMatured on the provider", 90*time.Second, rlyLog, func() bool {
		return consumers()[0].LastVSCMatured >= delegated.LastVSCSent
	})
	t.Logf("VSC %d matured on the provider after %s", delegated.LastVSCSent, time.Since(began).Round(time.Second))
	t.Logf("rly start sent %d transactions", strings.Count(startLog.String(), "Successful transaction"))
}

// waitUntil polls cond every second and fails the test with log's output
// when it does not hold within d.
func waitUntil(t *testing.T, what string, d time.Duration, log func() string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s; log:\n%s", what, d, log())
		}
		time.Sleep(time.Second)
	}
}
