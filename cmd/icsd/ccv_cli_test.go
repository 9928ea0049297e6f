package main_test

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cometbft/cometbft/crypto/ed25519"
	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/cosmos/gogoproto/jsonpb"
	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"
	commitmenttypes "github.com/cosmos/ibc-go/v10/modules/core/23-commitment/types"
	ibctm "github.com/cosmos/ibc-go/v10/modules/light-clients/07-tendermint"

	"github.com/abci-ics/ics/app"
	"github.com/abci-ics/ics/ccv"
	"github.com/abci-ics/ics/ccv/icsgenesis"
	"github.com/abci-ics/ics/nodehome"
	"github.com/abci-ics/ics/types/address"
)

// fail runs the binary, requires it to fail, and returns its output.
func fail(t *testing.T, bin string, args ...string) string {
	t.Helper()
	out, err := exec.Command(bin, args...).CombinedOutput()
	if err == nil {
		t.Fatalf("icsd %s succeeded:\n%s", strings.Join(args, " "), out)
	}
	return string(out)
}

// consumerGenesisFile writes a valid consumer genesis with one initial
// validator, as `icsd query provider consumer-genesis -o json` prints it.
func consumerGenesisFile(t *testing.T) (string, []byte) {
	t.Helper()
	cs := ibctm.NewClientState("provider-1", ibctm.DefaultTrustLevel, time.Hour, 2*time.Hour, 10*time.Second,
		clienttypes.NewHeight(1, 5), commitmenttypes.GetSDKSpecs(), nil)
	cons := ibctm.NewConsensusState(time.Now(), commitmenttypes.NewMerkleRoot([]byte("apphash")), make([]byte, 32))
	csBz, err := cs.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	consBz, err := cons.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	key := ed25519.GenPrivKey().PubKey().Bytes()
	g := &ccv.ConsumerGenesis{ProviderClientState: csBz, ProviderConsensusState: consBz,
		InitialValidators: []ccv.InitialValidator{{PubKey: key, Power: 10}}, Params: ccv.DefaultConsumerParams()}
	var buf bytes.Buffer
	if err := (&jsonpb.Marshaler{OrigName: true, EmitDefaults: true, Indent: "  "}).Marshal(&buf, g); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "cg.json")
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return file, key
}

// TestCCVCLI checks the CCV commands that need no running chain: a
// consumer home from init to an imported consumer genesis, and the clear
// errors of bad input.
func TestCCVCLI(t *testing.T) {
	bin := buildBinary(t)
	prov, cons := t.TempDir(), t.TempDir()

	if out := fail(t, bin, "init", "--home", t.TempDir(), "--chain-id", "x-1", "--role", "validator"); !strings.Contains(out, `unknown role "validator"`) {
		t.Fatalf("bad role: %s", out)
	}
	run(t, bin, "init", "--home", prov, "--chain-id", "provider-1")
	run(t, bin, "init", "--home", cons, "--chain-id", "consumer-1", "--role", "consumer")
	for home, want := range map[string]app.Role{prov: app.RoleProvider, cons: app.RoleConsumer} {
		if got, err := nodehome.ReadRole(home); err != nil || got != want {
			t.Fatalf("role of %s: %q %v, want %q", home, got, err, want)
		}
	}
	// A home written before roles existed is a provider.
	if err := os.Remove(filepath.Join(prov, "config", "app.toml")); err != nil {
		t.Fatal(err)
	}
	if got, err := nodehome.ReadRole(prov); err != nil || got != app.RoleProvider {
		t.Fatalf("role without app.toml: %q %v", got, err)
	}

	// A consumer home cannot start before its consumer genesis is imported.
	if out := fail(t, bin, "start", "--home", cons); !strings.Contains(out, "import-consumer") {
		t.Fatalf("start before import: %s", out)
	}
	if out := fail(t, bin, "genesis", "add-validator", "validator", "1000000stake", "--home", cons); !strings.Contains(out, "consumer home") {
		t.Fatalf("add-validator on a consumer: %s", out)
	}
	file, key := consumerGenesisFile(t)
	if out := fail(t, bin, "genesis", "import-consumer", file, "--home", prov); !strings.Contains(out, "provider home") {
		t.Fatalf("import into a provider home: %s", out)
	}
	empty := filepath.Join(t.TempDir(), "empty.json")
	if err := os.WriteFile(empty, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out := fail(t, bin, "genesis", "import-consumer", empty, "--home", cons); !strings.Contains(out, "invalid consumer genesis") {
		t.Fatalf("import of an empty genesis: %s", out)
	}
	if out := fail(t, bin, "genesis", "import-consumer", filepath.Join(t.TempDir(), "missing.json"), "--home", cons); !strings.Contains(out, "no such file") {
		t.Fatalf("import of a missing file: %s", out)
	}
	run(t, bin, "genesis", "import-consumer", file, "--home", cons)
	doc, err := cmttypes.GenesisDocFromFile(filepath.Join(cons, "config", "genesis.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Validators) != 0 || doc.ChainID != "consumer-1" {
		t.Fatalf("genesis validators %v, chain %s", doc.Validators, doc.ChainID)
	}
	g, err := app.ParseGenesis(doc.AppState)
	if err != nil {
		t.Fatal(err)
	}
	if g.Role() != app.RoleConsumer || len(g.Consumer.InitialValidators) != 1 || !bytes.Equal(g.Consumer.InitialValidators[0].PubKey, key) {
		t.Fatalf("imported genesis %+v", g.Consumer)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(doc.AppState, &raw); err != nil {
		t.Fatal(err)
	}
	if _, ok := raw["staking"]; ok {
		t.Fatal("a consumer genesis with a staking module")
	}

	// The same genesis in the reference's form (ConsumerGenesisState)
	// imports into another consumer home and gives the same consumer part;
	// one our consumer cannot start is refused and changes nothing.
	cg, err := nodehome.ReadConsumerGenesis(mustRead(t, file))
	if err != nil {
		t.Fatal(err)
	}
	icsBz, err := icsgenesis.ToICS(cg)
	if err != nil {
		t.Fatal(err)
	}
	icsFile := filepath.Join(t.TempDir(), "ics.json")
	preCCVFile := filepath.Join(t.TempDir(), "preccv.json")
	if err := os.WriteFile(icsFile, icsBz, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(preCCVFile, bytes.Replace(icsBz, []byte(`"preCCV": false`), []byte(`"preCCV": true`), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	cons2 := t.TempDir()
	run(t, bin, "init", "--home", cons2, "--chain-id", "consumer-1", "--role", "consumer")
	before := mustRead(t, filepath.Join(cons2, "config", "genesis.json"))
	if out := fail(t, bin, "genesis", "import-consumer", preCCVFile, "--home", cons2); !strings.Contains(out, "cannot be converted") || !strings.Contains(out, "preCCV true") {
		t.Fatalf("import of a preCCV genesis: %s", out)
	}
	if !bytes.Equal(before, mustRead(t, filepath.Join(cons2, "config", "genesis.json"))) {
		t.Fatal("a refused import changed the genesis")
	}
	if out := run(t, bin, "genesis", "import-consumer", icsFile, "--home", cons2); !strings.Contains(out, "(ics form)") {
		t.Fatalf("import of the ics form: %s", out)
	}
	g2, err := nodehome.ReadAppGenesis(cons2)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := g.Consumer.Marshal()
	if got, _ := g2.Consumer.Marshal(); !bytes.Equal(got, want) {
		t.Fatalf("ics form imported %+v, want %+v", g2.Consumer, g.Consumer)
	}

	// Bad input fails before anything is sent: the node does not exist, so
	// an error that names it would mean the command went that far.
	node := []string{"--home", prov, "--node", "tcp://127.0.0.1:1"}
	valA := address.Encode("icsvalcons", bytes.Repeat([]byte{0xa}, address.Len))
	badFile := filepath.Join(t.TempDir(), "consumer.json")
	if err := os.WriteFile(badFile, []byte(`{"chain_id": "consumer-2", "power_shaping_parameters": {"top_m": 50}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	create := []string{"tx", "provider", "create-consumer", "validator", "--chain-id", "consumer-2"}
	update := []string{"tx", "provider", "update-consumer", "validator", "0"}
	govUpdate := []string{"tx", "gov", "submit-consumer-update", "validator", "0", "10stake"}
	with := func(base []string, args ...string) []string { return append(append([]string{}, base...), args...) }
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"tx", "provider", "assign-consumer-key", "validator", "0", "zz"}, "neither 64 hex digits nor a file"},
		{[]string{"tx", "provider", "assign-consumer-key", "validator", "0", "abcd"}, "public key of 2 bytes"},
		{[]string{"tx", "provider", "assign-consumer-key", "validator", "0", file}, "not an ed25519 validator key"},
		{[]string{"tx", "provider", "assign-consumer-key", "validator", "consumer-1", hex.EncodeToString(key)}, "not a decimal counter"},
		{[]string{"tx", "gov", "submit-consumer-addition", "validator", "consumer-2", "10stake", "--spawn-time", "soon"}, "--spawn-time"},
		{[]string{"tx", "gov", "submit-consumer-addition", "validator", "consumer-2", "10stake", "--unbonding-period", "0s"}, "unbonding_period must be positive"},
		{[]string{"tx", "gov", "submit-consumer-addition", "validator", "consumer/2", "10stake"}, "chain id"},
		{[]string{"tx", "gov", "submit-consumer-addition", "validator", "consumer-2", "lots"}, "deposit"},
		{[]string{"tx", "gov", "submit-consumer-removal", "validator", "0", "10stake", "--stop-time", "yesterday"}, "--stop-time"},
		{[]string{"tx", "provider", "submit-double-voting", "validator", "0", "0"}, "positive block height"},
		{[]string{"tx", "provider", "submit-double-voting", "validator", "consumer-1", "5"}, "not a decimal counter"},

		// create-consumer
		{[]string{"tx", "provider", "create-consumer", "validator"}, "chain id is missing"},
		{[]string{"tx", "provider", "create-consumer"}, "accepts between 1 and 2 arg(s)"},
		{[]string{"tx", "provider", "create-consumer", "validator", "--chain-id", ""}, "chain id is missing"},
		{[]string{"tx", "provider", "create-consumer", "validator", "--chain-id", "consumer 2"}, "chain id"},
		{with(create, "--top-n", "30"), "TopN must be 0 or between 50 and 100"},
		{with(create, "--top-n", "101"), "TopN must be 0 or between 50 and 100"},
		{with(create, "--top-n", "100"), "submit-consumer-addition"},
		{with(create, "--validators-power-cap", "101"), "ValidatorsPowerCap must be at most 100"},
		{with(create, "--allowlist", "icsvalcons1notanaddress"), "--allowlist"},
		{with(create, "--denylist", valA, "--allowlist", valA), "also Denylist"},
		{with(create, "--prioritylist", valA+","+valA), "appears twice"},
		{with(create, "--spawn-time", "tomorrow"), "--spawn-time"},
		{with(create, "--min-signed-per-window", "1/0"), "--min-signed-per-window"},
		{with(create, "--downtime-slash-fraction", "2"), "--downtime-slash-fraction"},
		{with(create, "--double-sign-jail-duration", "-1h"), "--double-sign-jail-duration"},
		{with(create, "--downtime-jail-duration", "forever"), "invalid argument"},
		{with(create, "--name", strings.Repeat("n", 51)), "name longer than 50 bytes"},
		{[]string{"tx", "provider", "create-consumer", "validator", badFile}, `power_shaping_parameters: unknown field "top_m"`},
		{[]string{"tx", "provider", "create-consumer", "validator", badFile, "--top-n", "0"}, "--top-n with FILE"},
		{[]string{"tx", "provider", "create-consumer", "validator", filepath.Join(t.TempDir(), "missing.json")}, "no such file"},

		// update-consumer and submit-consumer-update
		{update, "nothing to update"},
		{[]string{"tx", "provider", "update-consumer", "validator", "zero", "--top-n", "0"}, "not a decimal counter"},
		{with(update, "--top-n", "20"), "TopN must be 0 or between 50 and 100"},
		{with(update, "--validators-power-cap", "150"), "ValidatorsPowerCap must be at most 100"},
		{with(update, "--allowlist", "ics1qevw49n5nkj6c5l4u07hrdc6qmqpwyeu6cfkce"), "neither a bech32 valcons address"},
		{with(update, "--new-owner", "somebody"), "--new-owner"},
		{with(update, "--spawn-time", "later"), "--spawn-time"},
		{with(update, "--ccv-timeout-period", "0s"), "ccv_timeout_period must be positive"},
		{with(govUpdate, "--top-n", "10"), "TopN must be 0 or between 50 and 100"},
		{with(govUpdate, "--downtime-slash-fraction", "0.5.5"), "--downtime-slash-fraction"},
		{[]string{"tx", "gov", "submit-consumer-update", "validator", "0", "lots", "--top-n", "100"}, "deposit"},
		{[]string{"tx", "gov", "submit-consumer-update", "validator", "0", "10stake"}, "nothing to update"},

		// remove-consumer, opt-in, opt-out, set-consumer-commission-rate
		{[]string{"tx", "provider", "remove-consumer", "validator", "consumer-1"}, "not a decimal counter"},
		{[]string{"tx", "provider", "remove-consumer", "validator"}, "accepts 2 arg(s)"},
		{[]string{"tx", "provider", "opt-in", "validator", "01"}, "not a decimal counter"},
		{[]string{"tx", "provider", "opt-in", "validator", "0", "abcd"}, "public key of 2 bytes"},
		{[]string{"tx", "provider", "opt-in", "validator", "0", file}, "not an ed25519 validator key"},
		{[]string{"tx", "provider", "opt-in", "validator", "0", "1", "2"}, "accepts between 2 and 3 arg(s)"},
		{[]string{"tx", "provider", "opt-out", "validator", "1a"}, "not a decimal counter"},
		{[]string{"tx", "provider", "set-consumer-commission-rate", "validator", "0", "1.5"}, "rate"},
		{[]string{"tx", "provider", "set-consumer-commission-rate", "validator", "0", "five"}, "rate"},
		{[]string{"tx", "provider", "set-consumer-commission-rate", "validator", "x", "0.05"}, "not a decimal counter"},

		// change-reward-denoms and submit-change-reward-denoms
		{[]string{"tx", "provider", "change-reward-denoms", "validator", "0"}, "nothing to change: give --add or --remove"},
		{[]string{"tx", "provider", "change-reward-denoms", "validator", "0", "--add", ""}, "--add: no denomination"},
		{[]string{"tx", "provider", "change-reward-denoms", "validator", "0", "--add", "stake,,atom"}, "--add: an empty denomination"},
		{[]string{"tx", "provider", "change-reward-denoms", "validator", "0", "--remove", "1stake"}, "--remove: invalid denomination"},
		{[]string{"tx", "provider", "change-reward-denoms", "validator", "consumer-1", "--add", "stake"}, "not a decimal counter"},
		{[]string{"tx", "provider", "change-reward-denoms", "validator", "0", "--add", "stake", "--remove", "stake"}, "stake appears twice"},
		{[]string{"tx", "provider", "change-reward-denoms", "validator", "0", "--add", strings.TrimSuffix(strings.Repeat("den,", 101), ",")}, "want 1 to 100"},
		{[]string{"tx", "gov", "submit-change-reward-denoms", "validator", "0", "10stake"}, "nothing to change: give --add or --remove"},
		{[]string{"tx", "gov", "submit-change-reward-denoms", "validator", "0", "lots", "--add", "stake"}, "deposit"},
		{[]string{"tx", "gov", "submit-change-reward-denoms", "validator", "01", "10stake", "--add", "stake"}, "not a decimal counter"},
		{[]string{"tx", "gov", "submit-change-reward-denoms", "validator", "0", "10stake", "--add", "transfer/channel-0/stake", "--remove", "x"}, "--remove: invalid denomination"},

		// queries
		{[]string{"query", "provider", "validator-consumers", "ics1qevw49n5nkj6c5l4u07hrdc6qmqpwyeu6cfkce"}, "want a bech32 valcons address"},
		{[]string{"query", "provider", "validator-consumers", "abcd"}, "want a bech32 valcons address"},
		{[]string{"query", "provider", "consumer"}, "accepts 1 arg(s)"},
		{[]string{"query", "provider", "consumers", "0"}, "unknown command"},
		{[]string{"query", "provider", "blocks-until-next-epoch", "-o", "yaml"}, "127.0.0.1:1"},
	} {
		out := fail(t, bin, append(tc.args, node...)...)
		if !strings.Contains(out, tc.want) {
			t.Errorf("icsd %s: %s, want %q", strings.Join(tc.args, " "), out, tc.want)
		}
		if tc.want != "127.0.0.1:1" && strings.Contains(out, "127.0.0.1:1") {
			t.Errorf("icsd %s asked the node: %s", strings.Join(tc.args, " "), out)
		}
	}
	// A valid validator address goes to the node.
	if out := fail(t, bin, append([]string{"query", "provider", "validator-consumers", valA}, node...)...); !strings.Contains(out, "127.0.0.1:1") {
		t.Fatalf("validator-consumers of a valid address: %s", out)
	}
	// Valid reward denominations go to the node.
	for _, args := range [][]string{
		{"tx", "provider", "change-reward-denoms", "validator", "0", "--add", "transfer/channel-0/stake,atom", "--remove", "transfer/channel-1/stake"},
		{"tx", "gov", "submit-change-reward-denoms", "validator", "0", "10stake", "--remove", "transfer/channel-1/stake"},
	} {
		if out := fail(t, bin, append(args, node...)...); !strings.Contains(out, "127.0.0.1:1") {
			t.Fatalf("icsd %s: %s", strings.Join(args, " "), out)
		}
	}
	// The priv_validator_key.json of a home is a valid consumer key.
	if pk, err := nodehome.ParseConsensusKey(filepath.Join(cons, "config", "priv_validator_key.json")); err != nil || len(pk) != 32 {
		t.Fatalf("consumer key from a priv_validator_key.json: %x %v", pk, err)
	}
	if out := fail(t, bin, "testnet", "start", "--dir", t.TempDir(), "--consumers", "2", "--validators", "0"); !strings.Contains(out, "--validators must be 1 to 100") {
		t.Fatalf("testnet with no validators: %s", out)
	}
	if out := fail(t, bin, "relay", "link-ccv", "--consumer-node", "tcp://127.0.0.1:1", "--consumer-home", cons, "--provider-home", prov, "--timeout", "5s"); !strings.Contains(out, "127.0.0.1:1") {
		t.Fatalf("link-ccv to no node: %s", out)
	}
}

func mustRead(t *testing.T, file string) []byte {
	t.Helper()
	bz, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return bz
}
