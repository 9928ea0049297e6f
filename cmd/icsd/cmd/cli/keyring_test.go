package cli

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/abci-ics/ics/client"
	"github.com/abci-ics/ics/types/address"
)

var errStop = errors.New("stop")

// signWith runs a transaction command of min to max arguments after KEY
// on home and returns the name of the key it would sign with and the
// arguments after KEY.
func signWith(t *testing.T, home string, min, max int, args ...string) (string, []string, error) {
	t.Helper()
	var name string
	var rest []string
	c := &cobra.Command{
		Use: "tx", Args: KeyArgs(min, max), SilenceUsage: true, SilenceErrors: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			k, r, err := SigningKey(cmd, args, min, max)
			if err != nil {
				return err
			}
			name, rest = k.Name, r
			return errStop
		},
	}
	c.Flags().String(FlagHome, home, "")
	AddTxFlags(c)
	c.SetArgs(args)
	err := c.Execute()
	if errors.Is(err, errStop) {
		err = nil
	}
	return name, rest, err
}

// TestSigningKey: a transaction command signs with --from (a name or an
// address) or the positional KEY, which may be given with --from when it
// names the same key; a different one is refused.
func TestSigningKey(t *testing.T) {
	home := t.TempDir()
	kr, _ := client.OpenKeyring(home, client.BackendTest, nil)
	alice, _, _ := kr.Add("alice")
	kr.Add("bob")
	aliceAddr := address.Encode("ics", alice.Address())
	for _, tc := range []struct {
		min, max int
		args     []string
		key      string
		rest     string
		err      string
	}{
		{3, 3, []string{"alice", "x", "y"}, "alice", "x,y", ""},
		{3, 3, []string{aliceAddr, "x", "y"}, "alice", "x,y", ""},
		{3, 3, []string{"--from", "alice", "x", "y"}, "alice", "x,y", ""},
		{3, 3, []string{"--from", aliceAddr, "x", "y"}, "alice", "x,y", ""},
		{3, 3, []string{"--from", aliceAddr, "alice", "x", "y"}, "alice", "x,y", ""},
		{3, 3, []string{"--from", "alice", "bob", "x", "y"}, "", "", "different keys"},
		{3, 3, []string{"--from", "alice", "carol", "x", "y"}, "", "", "no key \"carol\""},
		{3, 3, []string{"--from", "carol", "x", "y"}, "", "", "--from: key not found"},
		{3, 3, []string{"--from", "alice", "x"}, "", "", "accepts between 2 and 3 arg(s)"},
		{3, 3, []string{"alice", "x"}, "", "", "accepts 3 arg(s)"},
		{3, 3, []string{"carol", "x", "y"}, "", "", "no key \"carol\""},
		{2, 3, []string{"--from", "alice", "0"}, "alice", "0", ""},
		{2, 3, []string{"--from", "alice", "0", "f.json"}, "alice", "0,f.json", ""},
		{2, 3, []string{"--from", "alice", "alice", "0"}, "alice", "0", ""},
		{2, 3, []string{"--from", "alice", "alice", "0", "f.json"}, "alice", "0,f.json", ""},
		{2, 3, []string{"--from", "alice", "bob", "0"}, "", "", "different keys"},
		{2, 3, []string{"bob", "0"}, "bob", "0", ""},
		{1, 2, []string{"--from", "bob"}, "bob", "", ""},
	} {
		key, rest, err := signWith(t, home, tc.min, tc.max, tc.args...)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%v: %v, want %q", tc.args, err, tc.err)
			}
			continue
		}
		if err != nil || key != tc.key || strings.Join(rest, ",") != tc.rest {
			t.Errorf("%v: key %q rest %q %v, want %q %q", tc.args, key, rest, err, tc.key, tc.rest)
		}
	}
}

// TestSigningKeyEncrypted: the key of a file keyring is decrypted with
// --keyring-passphrase-file; a wrong passphrase is a clear error.
func TestSigningKeyEncrypted(t *testing.T) {
	t.Setenv(client.EnvKeyringPassphrase, "")
	os.Unsetenv(client.EnvKeyringPassphrase)
	home := t.TempDir()
	kr, _ := client.OpenKeyring(home, client.BackendFile, func(bool) ([]byte, error) { return []byte("correct horse"), nil })
	if _, _, err := kr.Add("alice"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	good, bad := filepath.Join(dir, "good"), filepath.Join(dir, "bad")
	os.WriteFile(good, []byte("correct horse\n"), 0o600)
	os.WriteFile(bad, []byte("wrong horse\n"), 0o600)
	if key, _, err := signWith(t, home, 1, 1, "--from", "alice", "--keyring-passphrase-file", good); err != nil || key != "alice" {
		t.Fatalf("good passphrase: %v", err)
	}
	if _, _, err := signWith(t, home, 1, 1, "alice", "--keyring-passphrase-file", bad); err == nil || !strings.Contains(err.Error(), "wrong passphrase or corrupt key file") {
		t.Fatalf("bad passphrase: %v", err)
	}
	if _, _, err := signWith(t, home, 1, 1, "alice"); !errors.Is(err, client.ErrPassphraseNeeded) {
		t.Fatalf("no passphrase: %v", err)
	}
	t.Setenv(client.EnvKeyringPassphrase, "correct horse")
	if key, _, err := signWith(t, home, 1, 1, "alice"); err != nil || key != "alice" {
		t.Fatalf("passphrase from the environment: %v", err)
	}
}
