package keys

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cometbft/cometbft/crypto/ed25519"
	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	"github.com/spf13/cobra"

	"github.com/abci-ics/ics/chain/auth/sdktx"
	"github.com/abci-ics/ics/client"
	"github.com/abci-ics/ics/cmd/icsd/cmd/cli"
	"github.com/abci-ics/ics/types/address"
)

// run executes icsd keys ARGS with home and stdin, and returns standard
// output, standard error and the error.
func run(t *testing.T, home, stdin string, args ...string) (string, string, error) {
	t.Helper()
	root := &cobra.Command{Use: "icsd", SilenceUsage: true, SilenceErrors: true}
	root.PersistentFlags().String(cli.FlagHome, home, "")
	root.AddCommand(Command(func(*cobra.Command) string { return "ics" }))
	var out, errOut bytes.Buffer
	root.SetIn(strings.NewReader(stdin))
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetArgs(append([]string{"keys"}, args...))
	err := root.Execute()
	return out.String(), errOut.String(), err
}

func mustRun(t *testing.T, home, stdin string, args ...string) string {
	t.Helper()
	out, errOut, err := run(t, home, stdin, args...)
	if err != nil {
		t.Fatalf("keys %v: %v\n%s", args, err, errOut)
	}
	return out
}

func writeFile(t *testing.T, body string) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "pass")
	if err := os.WriteFile(f, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

// TestKeysLifecycle runs a file keyring through the commands: add prints
// a mnemonic once, show finds the key by name or address, a wrong
// passphrase is refused, delete asks, and add --recover restores the same
// account from the mnemonic.
func TestKeysLifecycle(t *testing.T) {
	t.Setenv(client.EnvKeyringPassphrase, "")
	os.Unsetenv(client.EnvKeyringPassphrase)
	home := t.TempDir()
	pass := writeFile(t, "correct horse\n")
	var added map[string]string
	if err := json.Unmarshal([]byte(mustRun(t, home, "", "add", "alice", "--keyring-passphrase-file", pass, "-o", "json")), &added); err != nil {
		t.Fatal(err)
	}
	if n := len(strings.Fields(added["mnemonic"])); n != 24 || !strings.HasPrefix(added["address"], "ics1") {
		t.Fatalf("add: %v", added)
	}
	k, err := client.KeyFromMnemonic("alice", added["mnemonic"])
	if err != nil || address.Encode("ics", k.Address()) != added["address"] {
		t.Fatalf("the mnemonic gives another key: %v", err)
	}
	bz, _ := os.ReadFile(filepath.Join(home, "keyring", "backend"))
	if string(bz) != "file\n" {
		t.Fatalf("backend %q", bz)
	}
	if bz, _ := os.ReadFile(filepath.Join(home, "keyring", "alice.json")); !strings.Contains(string(bz), `"n": 32768`) {
		t.Fatalf("key file without scrypt's full cost:\n%s", bz)
	}
	text := mustRun(t, home, "", "add", "bob", "--keyring-passphrase-file", pass)
	if !strings.Contains(text, "write this mnemonic down") || len(strings.Fields(text[strings.LastIndex(strings.TrimSpace(text), "\n")+1:])) != 24 {
		t.Fatalf("add text:\n%s", text)
	}

	// show and list need no passphrase.
	if got := mustRun(t, home, "", "show", "alice", "--address"); got != added["address"]+"\n" {
		t.Fatalf("show --address: %q", got)
	}
	if got := mustRun(t, home, "", "show", added["address"], "-o", "json"); !strings.Contains(got, `"name": "alice"`) {
		t.Fatalf("show ADDRESS: %s", got)
	}
	if got := mustRun(t, home, "", "list"); !strings.Contains(got, "alice\t"+added["address"]) || !strings.Contains(got, "bob\t") {
		t.Fatalf("list: %s", got)
	}

	// A wrong passphrase, and none at all.
	wrong := writeFile(t, "wrong horse")
	if _, _, err := run(t, home, "", "export", "alice", "--unarmored-hex", "--unsafe", "--keyring-passphrase-file", wrong); err == nil || !strings.Contains(err.Error(), "wrong passphrase or corrupt key file") {
		t.Fatalf("wrong passphrase: %v", err)
	}
	if _, _, err := run(t, home, "", "add", "carol", "--keyring-passphrase-file", wrong); err == nil || !strings.Contains(err.Error(), "wrong passphrase") {
		t.Fatalf("add with a wrong passphrase: %v", err)
	}
	if _, _, err := run(t, home, "", "export", "alice", "--unarmored-hex", "--unsafe"); err == nil || !strings.Contains(err.Error(), "passphrase needed") {
		t.Fatalf("no passphrase: %v", err)
	}
	if _, _, err := run(t, home, "", "add", "carol", "--keyring-backend", "test"); err == nil || !strings.Contains(err.Error(), "is a file keyring") {
		t.Fatalf("--keyring-backend test on a file keyring: %v", err)
	}

	// delete asks; n keeps the key.
	if _, _, err := run(t, home, "n\n", "delete", "alice"); err == nil {
		t.Fatal("delete without a yes")
	}
	if _, _, err := run(t, home, "", "delete", "alice"); err == nil || !strings.Contains(err.Error(), "--yes") {
		t.Fatalf("delete with nothing on stdin: %v", err)
	}
	mustRun(t, home, "", "show", "alice")
	mustRun(t, home, "y\n", "delete", "alice")
	if _, _, err := run(t, home, "", "show", "alice"); err == nil {
		t.Fatal("alice still there")
	}
	mustRun(t, home, "", "delete", "bob", "--yes")

	// --recover reads the mnemonic from stdin and restores the account.
	var recovered map[string]string
	t.Setenv(client.EnvKeyringPassphrase, "correct horse")
	if err := json.Unmarshal([]byte(mustRun(t, home, added["mnemonic"]+"\n", "add", "alice", "--recover", "-o", "json")), &recovered); err != nil {
		t.Fatal(err)
	}
	if recovered["address"] != added["address"] || recovered["mnemonic"] != "" {
		t.Fatalf("recovered %v, added %v", recovered, added)
	}
	if _, _, err := run(t, home, "not a mnemonic\n", "add", "dave", "--recover"); err == nil || !strings.Contains(err.Error(), "mnemonic") {
		t.Fatalf("bad mnemonic: %v", err)
	}
	if _, _, err := run(t, home, added["mnemonic"], "add", "alice", "--recover"); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("name in use: %v", err)
	}
}

// TestKeysExportImport: an export opens with its passphrase alone and
// imports the same key into a test keyring; --unarmored-hex needs --unsafe
// and prints the raw key.
func TestKeysExportImport(t *testing.T) {
	home := t.TempDir()
	t.Setenv(client.EnvKeyringPassphrase, "correct horse")
	var added map[string]string
	if err := json.Unmarshal([]byte(mustRun(t, home, "", "add", "alice", "-o", "json")), &added); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, home, "", "export", "alice"); err == nil || !strings.Contains(err.Error(), "--export-passphrase-file") {
		t.Fatalf("export without a passphrase: %v", err)
	}
	exportPass := writeFile(t, "export pass\n")
	armored := mustRun(t, home, "", "export", "alice", "--export-passphrase-file", exportPass)
	file := writeFile(t, armored)

	other := t.TempDir()
	if _, _, err := run(t, other, "", "import", "copy", file, "--keyring-backend", "test", "--export-passphrase-file", writeFile(t, "other pass")); err == nil || !strings.Contains(err.Error(), "wrong passphrase") {
		t.Fatalf("wrong export passphrase: %v", err)
	}
	out := mustRun(t, other, armored, "import", "copy", "-", "--keyring-backend", "test", "--export-passphrase-file", exportPass)
	if !strings.Contains(out, added["address"]) {
		t.Fatalf("import: %s", out)
	}
	if bz, _ := os.ReadFile(filepath.Join(other, "keyring", "backend")); string(bz) != "test\n" {
		t.Fatalf("backend %q", bz)
	}

	if _, _, err := run(t, home, "", "export", "alice", "--unarmored-hex"); err == nil || !strings.Contains(err.Error(), "--unsafe") {
		t.Fatalf("--unarmored-hex alone: %v", err)
	}
	raw := strings.TrimSpace(mustRun(t, home, "", "export", "alice", "--unarmored-hex", "--unsafe"))
	bz, err := hex.DecodeString(raw)
	if err != nil || len(bz) != ed25519.PrivateKeySize || address.Encode("ics", address.FromPubKey(ed25519.PrivKey(bz).PubKey().Bytes())) != added["address"] {
		t.Fatalf("raw export %q: %v", raw, err)
	}
}

// TestKeysLegacyHome: a keyring written before backends (key files in the
// clear, no record) keeps working without a passphrase, and new keys in it
// stay in the clear.
func TestKeysLegacyHome(t *testing.T) {
	home := t.TempDir()
	dir := filepath.Join(home, "keyring")
	os.MkdirAll(dir, 0o700)
	priv := ed25519.GenPrivKey()
	legacy, _ := json.Marshal(map[string]any{"name": "validator", "priv_key": []byte(priv)})
	if err := os.WriteFile(filepath.Join(dir, "validator.json"), legacy, 0o600); err != nil {
		t.Fatal(err)
	}
	addr := address.Encode("ics", address.FromPubKey(priv.PubKey().Bytes()))
	if got := mustRun(t, home, "", "show", "validator", "-a"); got != addr+"\n" {
		t.Fatalf("show: %q", got)
	}
	if got := mustRun(t, home, "", "export", "validator", "--unarmored-hex", "--unsafe"); strings.TrimSpace(got) != hex.EncodeToString(priv) {
		t.Fatal("raw export of a legacy key")
	}
	_, errOut, err := run(t, home, "", "add", "bob")
	if err != nil || !strings.Contains(errOut, "test keyring") {
		t.Fatalf("add: %v %s", err, errOut)
	}
	// -o json writes nothing else, on either stream: scripts (and the
	// end-to-end tests) read both as one.
	out, errOut, err := run(t, home, "", "add", "carol", "-o", "json")
	var added map[string]string
	if err != nil || errOut != "" || json.Unmarshal([]byte(out), &added) != nil || added["mnemonic"] == "" {
		t.Fatalf("add -o json: %v\n%s\n%s", err, out, errOut)
	}
	if k, err := client.LoadKey(home, "bob"); err != nil || k.Name != "bob" {
		t.Fatalf("LoadKey: %v", err)
	}
}

// TestKeysEncrypt: keys encrypt makes the test keyring of an init'ed home
// a file keyring with the same keys, which then need the passphrase.
func TestKeysEncrypt(t *testing.T) {
	t.Setenv(client.EnvKeyringPassphrase, "")
	os.Unsetenv(client.EnvKeyringPassphrase)
	home := t.TempDir()
	k, err := client.AddKey(home, "validator")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, home, "", "encrypt"); err == nil || !strings.Contains(err.Error(), "passphrase needed") {
		t.Fatalf("encrypt without a passphrase: %v", err)
	}
	pass := writeFile(t, "correct horse")
	if out := mustRun(t, home, "", "encrypt", "--keyring-passphrase-file", pass); !strings.Contains(out, "1 key(s) encrypted") {
		t.Fatalf("encrypt: %s", out)
	}
	if _, _, err := run(t, home, "", "export", "validator", "--unarmored-hex", "--unsafe"); err == nil {
		t.Fatal("exported without the passphrase")
	}
	raw := mustRun(t, home, "", "export", "validator", "--unarmored-hex", "--unsafe", "--keyring-passphrase-file", pass)
	if strings.TrimSpace(raw) != hex.EncodeToString(k.Priv) {
		t.Fatal("the key changed")
	}
}

// TestKeysSecp256k1: add --algo secp256k1 --recover restores the key the
// SDK (and so rly keys restore) derives from the mnemonic, with its SDK
// address; list shows it; tx signing refuses it; an unknown --algo is
// refused.
func TestKeysSecp256k1(t *testing.T) {
	home := t.TempDir()
	const mnemonic = "measure slogan connect luggage stereo federal stuff stomach stumble security end differ"
	addr, _ := hex.DecodeString("72e7d6e9cfa899043a0783752a4876423f8effb8") // the SDK's fundraiser vector
	want := address.Encode("ics", addr)
	var added map[string]string
	out := mustRun(t, home, mnemonic+"\n", "add", "relayer", "--algo", "secp256k1", "--recover", "--keyring-backend", "test", "-o", "json")
	if err := json.Unmarshal([]byte(out), &added); err != nil {
		t.Fatal(err)
	}
	if added["address"] != want || added["algo"] != "secp256k1" {
		t.Fatalf("add: %v, want address %s", added, want)
	}
	if out := mustRun(t, home, "", "list"); !strings.Contains(out, want) {
		t.Fatalf("list: %s", out)
	}
	if out := mustRun(t, home, "", "show", want, "--address"); strings.TrimSpace(out) != want {
		t.Fatalf("show by address: %s", out)
	}
	if _, _, err := run(t, home, "", "export", "relayer", "--unarmored-hex", "--unsafe"); !errors.Is(err, client.ErrNotEd25519) {
		t.Fatalf("export of a secp256k1 key: %v", err)
	}
	if _, _, err := run(t, home, "", "add", "x", "--algo", "sr25519", "--keyring-backend", "test"); err == nil || !strings.Contains(err.Error(), "--algo") {
		t.Fatalf("unknown algo: %v", err)
	}
	// A new secp256k1 key prints its mnemonic, which derives it.
	if err := json.Unmarshal([]byte(mustRun(t, home, "", "add", "r2", "--algo", "secp256k1", "-o", "json")), &added); err != nil {
		t.Fatal(err)
	}
	priv, err := client.Secp256k1FromMnemonic(added["mnemonic"])
	if err != nil || address.Encode("ics", sdktx.Address((&secp256k1.PrivKey{Key: priv}).PubKey().Bytes())) != added["address"] {
		t.Fatalf("new key: %v %v", added, err)
	}
}
