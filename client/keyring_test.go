package client

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cometbft/cometbft/privval"
)

// TestImportValidatorKey: a node's priv_validator_key.json becomes an
// account key whose address is the validator's consensus address; a file
// that is not an ed25519 validator key, and a name in use, are refused and
// write nothing.
func TestImportValidatorKey(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "priv_validator_key.json")
	pv := privval.GenFilePV(file, filepath.Join(dir, "state.json"))
	pv.Save()
	home := filepath.Join(dir, "home")
	k, err := ImportValidatorKey(home, "operator", file)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(k.Address(), pv.Key.Address) || !bytes.Equal(k.Priv.PubKey().Bytes(), pv.Key.PubKey.Bytes()) {
		t.Fatalf("imported address %X, consensus address %X", k.Address(), pv.Key.Address)
	}
	if got, err := LoadKey(home, "operator"); err != nil || !bytes.Equal(got.Priv, k.Priv) {
		t.Fatalf("reloaded: %v", err)
	}
	if _, err := ImportValidatorKey(home, "operator", file); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("name in use: %v", err)
	}
	bad := filepath.Join(dir, "bad.json")
	for _, body := range []string{`{"priv_key":{"type":"tendermint/PrivKeySecp256k1","value":"AAAA"}}`, `not json`, `{}`} {
		if err := os.WriteFile(bad, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := ImportValidatorKey(home, "other", bad); err == nil {
			t.Fatalf("%s imported", body)
		}
	}
	if names, _ := ListKeys(home); len(names) != 1 {
		t.Fatalf("keys after refusals: %v", names)
	}
}
