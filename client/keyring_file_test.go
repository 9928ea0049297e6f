package client

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cometbft/cometbft/crypto/ed25519"

	"github.com/abci-ics/ics/types/address"
)

// TestMain lowers scrypt's cost: the tests check the format, not the cost.
func TestMain(m *testing.M) {
	scryptN = 1 << 10
	os.Exit(m.Run())
}

// fixedPass returns a PassphraseFunc that gives pass and counts its calls.
func fixedPass(pass string, calls *int) PassphraseFunc {
	return func(bool) ([]byte, error) {
		if calls != nil {
			*calls++
		}
		return []byte(pass), nil
	}
}

func openFile(t *testing.T, home, pass string) *Keyring {
	t.Helper()
	kr, err := OpenKeyring(home, BackendFile, fixedPass(pass, nil))
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

// TestFileKeyringRoundTrip: a new keyring of the file backend records it,
// writes keys encrypted (neither private key nor seed in the file), lists
// and finds them without the passphrase, and loads them back with it.
func TestFileKeyringRoundTrip(t *testing.T) {
	home := t.TempDir()
	kr := openFile(t, home, "correct horse")
	k, m, err := kr.Add("alice")
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := KeyFromMnemonic("alice", m); !want.Priv.Equals(k.Priv) {
		t.Fatal("the key is not the mnemonic's")
	}
	if bz, _ := os.ReadFile(filepath.Join(home, "keyring", "backend")); string(bz) != "file\n" {
		t.Fatalf("backend record %q", bz)
	}
	bz, err := os.ReadFile(filepath.Join(home, "keyring", "alice.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range [][]byte{k.Priv, k.Priv[:32]} {
		if bytes.Contains(bz, []byte(base64.StdEncoding.EncodeToString(secret))) || bytes.Contains(bz, secret) {
			t.Fatal("the key file holds the private key in the clear")
		}
	}
	if fi, _ := os.Stat(filepath.Join(home, "keyring", "alice.json")); fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v", fi.Mode())
	}

	calls := 0
	kr2, err := OpenKeyring(home, BackendTest, fixedPass("correct horse", &calls))
	if err != nil {
		t.Fatal(err)
	}
	if kr2.Backend() != BackendFile {
		t.Fatalf("reopened as %s", kr2.Backend())
	}
	list, err := kr2.List()
	if err != nil || len(list) != 1 || !list[0].Encrypted || !bytes.Equal(list[0].PubKey, k.Priv.PubKey().Bytes()) {
		t.Fatalf("list: %v %+v", err, list)
	}
	if i, err := kr2.Find(address.Encode("cosmos", k.Address())); err != nil || i.Name != "alice" {
		t.Fatalf("find by address: %v %+v", err, i)
	}
	if calls != 0 {
		t.Fatal("listing asked for the passphrase")
	}
	got, err := kr2.Load("alice")
	if err != nil || !got.Priv.Equals(k.Priv) {
		t.Fatalf("load: %v", err)
	}
	// A second key takes the keyring's passphrase, checked against the
	// first, and the keyring asks once.
	if _, _, err := kr2.Add("bob"); err != nil {
		t.Fatal(err)
	}
	if calls != 1 {
		t.Fatalf("asked for the passphrase %d times", calls)
	}
	if _, err := openFile(t, home, "correct horse").Load("bob"); err != nil {
		t.Fatal(err)
	}
}

// TestWrongPassphrase: a wrong passphrase fails to load a key and to add
// one, with ErrWrongPassphrase, and changes no file.
func TestWrongPassphrase(t *testing.T) {
	home := t.TempDir()
	if _, _, err := openFile(t, home, "correct horse").Add("alice"); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, home)
	kr := openFile(t, home, "wrong horse")
	if _, err := kr.Load("alice"); !errors.Is(err, ErrWrongPassphrase) || !strings.Contains(err.Error(), "wrong passphrase or corrupt key file") {
		t.Fatalf("load: %v", err)
	}
	if _, _, err := kr.Add("bob"); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("add: %v", err)
	}
	noPass, err := OpenKeyring(home, BackendFile, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := noPass.Load("alice"); !errors.Is(err, ErrPassphraseNeeded) {
		t.Fatalf("no passphrase: %v", err)
	}
	if after := snapshot(t, home); !maps.Equal(before, after) {
		t.Fatalf("files changed: %v -> %v", slices.Sorted(maps.Keys(before)), slices.Sorted(maps.Keys(after)))
	}
}

// TestNewPassphraseTooShort: a new file keyring refuses a passphrase
// shorter than MinPassphraseLen and writes nothing.
func TestNewPassphraseTooShort(t *testing.T) {
	home := t.TempDir()
	if _, _, err := openFile(t, home, "short").Add("alice"); err == nil || !strings.Contains(err.Error(), "at least 8") {
		t.Fatalf("short passphrase: %v", err)
	}
	if names, _ := ListKeys(home); len(names) != 0 {
		t.Fatalf("keys: %v", names)
	}
}

// TestCorruptKeyFile: an altered encrypted file fails with a clear error,
// never a panic, whichever part was changed.
func TestCorruptKeyFile(t *testing.T) {
	home := t.TempDir()
	kr := openFile(t, home, "correct horse")
	if _, _, err := kr.Add("alice"); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(home, "keyring", "alice.json")
	orig, _ := os.ReadFile(file)
	edit := func(f func(m map[string]any)) []byte {
		var m map[string]any
		if err := json.Unmarshal(orig, &m); err != nil {
			t.Fatal(err)
		}
		f(m)
		bz, _ := json.Marshal(m)
		return bz
	}
	flip := func(field string) func(m map[string]any) {
		return func(m map[string]any) {
			bz, _ := base64.StdEncoding.DecodeString(m[field].(string))
			bz[0] ^= 1
			m[field] = base64.StdEncoding.EncodeToString(bz)
		}
	}
	for _, tc := range []struct {
		name string
		body []byte
		want string
	}{
		{"ciphertext", edit(flip("ciphertext")), "wrong passphrase or corrupt key file"},
		{"nonce", edit(flip("nonce")), "wrong passphrase or corrupt key file"},
		{"public key", edit(flip("pub_key")), "wrong passphrase or corrupt key file"},
		{"salt", edit(func(m map[string]any) { flip("salt")(m["kdf"].(map[string]any)) }), "wrong passphrase or corrupt key file"},
		{"kdf cost", edit(func(m map[string]any) { m["kdf"].(map[string]any)["n"] = 1 << 30 }), "out of range"},
		{"no kdf", edit(func(m map[string]any) { delete(m, "kdf") }), "corrupt key file"},
		{"version", edit(func(m map[string]any) { m["version"] = 2 }), "version 2"},
		{"truncated", orig[:len(orig)/2], "corrupt key file"},
		{"empty", nil, "corrupt key file"},
	} {
		if err := os.WriteFile(file, tc.body, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := openFile(t, home, "correct horse").Load("alice"); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

// TestTestBackend: a test keyring keeps keys in the clear, in the format
// of the keyrings before backends, and needs no passphrase.
func TestTestBackend(t *testing.T) {
	home := t.TempDir()
	kr, err := OpenKeyring(home, BackendTest, nil)
	if err != nil {
		t.Fatal(err)
	}
	k, _, err := kr.Add("alice")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Name    string `json:"name"`
		PrivKey []byte `json:"priv_key"`
	}
	bz, _ := os.ReadFile(filepath.Join(home, "keyring", "alice.json"))
	if err := json.Unmarshal(bz, &f); err != nil || f.Name != "alice" || !bytes.Equal(f.PrivKey, k.Priv) {
		t.Fatalf("test key file: %v %s", err, bz)
	}
	if bz, _ := os.ReadFile(filepath.Join(home, "keyring", "backend")); string(bz) != "test\n" {
		t.Fatalf("backend record %q", bz)
	}
	// A file keyring asked of a home whose keyring is test stays test.
	if kr, _ := OpenKeyring(home, BackendFile, nil); kr.Backend() != BackendTest {
		t.Fatalf("reopened as %s", kr.Backend())
	}
	if got, err := LoadKey(home, "alice"); err != nil || !got.Priv.Equals(k.Priv) {
		t.Fatalf("LoadKey: %v", err)
	}
	if _, err := OpenKeyring(home, "vault", nil); err == nil {
		t.Fatal("unknown backend accepted")
	}
}

// TestLegacyKeyring: a keyring written before backends (key files in the
// clear, no record) opens as a test keyring whatever backend is asked,
// loads without a passphrase, and is recorded as test with its next key.
func TestLegacyKeyring(t *testing.T) {
	home := t.TempDir()
	dir := filepath.Join(home, "keyring")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	priv := ed25519.GenPrivKey()
	legacy, _ := json.MarshalIndent(map[string]any{"name": "validator", "priv_key": []byte(priv)}, "", "  ")
	if err := os.WriteFile(filepath.Join(dir, "validator.json"), legacy, 0o600); err != nil {
		t.Fatal(err)
	}
	kr, err := OpenKeyring(home, BackendFile, nil)
	if err != nil {
		t.Fatal(err)
	}
	if kr.Backend() != BackendTest {
		t.Fatalf("legacy keyring opened as %s", kr.Backend())
	}
	if k, err := kr.Load("validator"); err != nil || !k.Priv.Equals(priv) {
		t.Fatalf("load: %v", err)
	}
	if k, err := LoadOrAddKey(home, "validator"); err != nil || !k.Priv.Equals(priv) {
		t.Fatalf("LoadOrAddKey: %v", err)
	}
	if _, err := AddKey(home, "relayer"); err != nil {
		t.Fatal(err)
	}
	if bz, _ := os.ReadFile(filepath.Join(dir, "backend")); string(bz) != "test\n" {
		t.Fatalf("backend record %q", bz)
	}
	if names, _ := ListKeys(home); strings.Join(names, ",") != "relayer,validator" {
		t.Fatalf("keys %v", names)
	}
	if _, err := AddKey(home, "relayer"); !errors.Is(err, ErrKeyExists) {
		t.Fatalf("name in use: %v", err)
	}
}

// TestExportImport: an export opens only with its own passphrase and
// imports the same key into another keyring, of either backend.
func TestExportImport(t *testing.T) {
	src := openFile(t, t.TempDir(), "correct horse")
	k, _, err := src.Add("alice")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.Export("alice", []byte("short")); err == nil {
		t.Fatal("short export passphrase accepted")
	}
	armored, err := src.Export("alice", []byte("export pass"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(armored, []byte("-----BEGIN ICSD PRIVATE KEY-----")) {
		t.Fatalf("export:\n%s", armored)
	}
	dstHome := t.TempDir()
	dst, _ := OpenKeyring(dstHome, BackendTest, nil)
	if _, err := dst.Import("copy", armored, []byte("correct horse")); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("wrong export passphrase: %v", err)
	}
	if _, err := dst.Import("copy", []byte("not armored"), []byte("export pass")); err == nil {
		t.Fatal("garbage imported")
	}
	if names, _ := ListKeys(dstHome); len(names) != 0 {
		t.Fatalf("keys after refusals: %v", names)
	}
	got, err := dst.Import("copy", armored, []byte("export pass"))
	if err != nil || !got.Priv.Equals(k.Priv) || got.Name != "copy" {
		t.Fatalf("import: %v", err)
	}
	enc := openFile(t, t.TempDir(), "other horse")
	if got, err := enc.Import("copy", armored, []byte("export pass")); err != nil || !got.Priv.Equals(k.Priv) {
		t.Fatalf("import into a file keyring: %v", err)
	}
}

// TestFindAndDelete: keys are found by name or address; unknown ones fail
// with ErrKeyNotFound; a deleted key is gone and the others stay.
func TestFindAndDelete(t *testing.T) {
	home := t.TempDir()
	kr, _ := OpenKeyring(home, BackendTest, nil)
	a, _, _ := kr.Add("alice")
	kr.Add("bob")
	for _, s := range []string{"alice", address.Encode("ics", a.Address()), address.Encode("cosmos", a.Address())} {
		if i, err := kr.Find(s); err != nil || i.Name != "alice" {
			t.Errorf("find %s: %v %+v", s, err, i)
		}
	}
	for _, s := range []string{"carol", address.Encode("ics", make([]byte, 20)), "ics1notbech32"} {
		if _, err := kr.Find(s); !errors.Is(err, ErrKeyNotFound) {
			t.Errorf("find %s: %v", s, err)
		}
	}
	if err := kr.Delete("alice"); err != nil {
		t.Fatal(err)
	}
	if err := kr.Delete("alice"); !errors.Is(err, ErrKeyNotFound) {
		t.Fatalf("second delete: %v", err)
	}
	if names, _ := ListKeys(home); strings.Join(names, ",") != "bob" {
		t.Fatalf("keys %v", names)
	}
}

// TestEnvPassphrase: the package functions take a file keyring's
// passphrase from ICSD_KEYRING_PASSPHRASE, and say so without it.
func TestEnvPassphrase(t *testing.T) {
	home := t.TempDir()
	k, _, err := openFile(t, home, "correct horse").Add("alice")
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(EnvKeyringPassphrase, "correct horse")
	if got, err := LoadKey(home, "alice"); err != nil || !got.Priv.Equals(k.Priv) {
		t.Fatalf("LoadKey: %v", err)
	}
	os.Unsetenv(EnvKeyringPassphrase)
	if _, err := LoadKey(home, "alice"); !errors.Is(err, ErrPassphraseNeeded) || !strings.Contains(err.Error(), EnvKeyringPassphrase) {
		t.Fatalf("LoadKey without the variable: %v", err)
	}
}

func snapshot(t *testing.T, home string) map[string]string {
	t.Helper()
	out := map[string]string{}
	entries, _ := os.ReadDir(filepath.Join(home, "keyring"))
	for _, e := range entries {
		bz, err := os.ReadFile(filepath.Join(home, "keyring", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = string(bz)
	}
	return out
}

// TestEncrypt: a test keyring, one from before backends included, becomes
// a file keyring whose keys are the same and need the passphrase; keys
// already encrypted are left as they are.
func TestEncrypt(t *testing.T) {
	home := t.TempDir()
	a, err := AddKey(home, "validator")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := AddKey(home, "relayer")
	os.Remove(filepath.Join(home, "keyring", "backend"))
	kr := openFile(t, home, "correct horse")
	if kr.Backend() != BackendTest {
		t.Fatalf("opened as %s", kr.Backend())
	}
	done, err := kr.Encrypt()
	if err != nil || strings.Join(done, ",") != "relayer,validator" {
		t.Fatalf("encrypt: %v %v", done, err)
	}
	if bz, _ := os.ReadFile(filepath.Join(home, "keyring", "backend")); string(bz) != "file\n" {
		t.Fatalf("backend record %q", bz)
	}
	if _, err := LoadKey(home, "validator"); !errors.Is(err, ErrPassphraseNeeded) {
		t.Fatalf("LoadKey without a passphrase: %v", err)
	}
	kr2 := openFile(t, home, "correct horse")
	for _, k := range []Key{a, b} {
		if got, err := kr2.Load(k.Name); err != nil || !got.Priv.Equals(k.Priv) {
			t.Fatalf("%s: %v", k.Name, err)
		}
	}
	if done, err := kr2.Encrypt(); err != nil || len(done) != 0 {
		t.Fatalf("second encrypt: %v %v", done, err)
	}
	if entries, _ := os.ReadDir(filepath.Join(home, "keyring")); len(entries) != 3 {
		t.Fatalf("keyring holds %d files", len(entries))
	}
}

// TestLostRecord: a keyring whose record was lost is a file keyring if a
// key is encrypted, and a corrupt key file spoils only its own key.
func TestLostRecord(t *testing.T) {
	home := t.TempDir()
	if _, _, err := openFile(t, home, "correct horse").Add("alice"); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(home, "keyring")
	os.Remove(filepath.Join(dir, "backend"))
	os.WriteFile(filepath.Join(dir, "broken.json"), []byte("{"), 0o600)
	kr, err := OpenKeyring(home, BackendTest, fixedPass("correct horse", nil))
	if err != nil || kr.Backend() != BackendFile {
		t.Fatalf("open: %v %v", kr, err)
	}
	if _, err := kr.Load("alice"); err != nil {
		t.Fatal(err)
	}
	if _, err := kr.Load("broken"); err == nil || !strings.Contains(err.Error(), "corrupt key file") {
		t.Fatalf("broken: %v", err)
	}
}
