package node

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/abci-ics/ics/cmd/icsd/cmd/cli"
	"github.com/abci-ics/ics/nodehome"
	"github.com/abci-ics/ics/types/coin"
	"github.com/spf13/cobra"
)

func execute(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := &cobra.Command{Use: "icsd", SilenceUsage: true}
	root.PersistentFlags().String(cli.FlagHome, "", "home")
	root.AddCommand(CometCmd(), StatusCmd(), RollbackCmd())
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	err := root.Execute()
	return out.String(), err
}

// TestComet: show-node-id and show-validator read a home's keys;
// unsafe-reset-all empties its data and resets the signing state, keeping
// keys and configuration; a directory that is not a home is refused and
// left alone.
func TestComet(t *testing.T) {
	home := t.TempDir()
	if _, err := nodehome.Init(nodehome.InitOptions{Home: home, ChainID: "c-1", Moniker: "n", KeyName: "k", Prefix: "ics",
		Amount: []coin.Coin{{Denom: "stake", Amount: 1_000_000_000}}}); err != nil {
		t.Fatal(err)
	}
	id, err := execute(t, "comet", "show-node-id", "--home", home)
	if err != nil || len(strings.TrimSpace(id)) != 40 {
		t.Fatalf("node id %q: %v", id, err)
	}
	out, err := execute(t, "comet", "show-validator", "--home", home, "-o", "json")
	var v struct{ Address, PubKey string }
	if err != nil || json.Unmarshal([]byte(out), &v) != nil || len(v.Address) != 40 {
		t.Fatalf("validator %q: %v", out, err)
	}
	cfg := nodehome.Config(home)
	if err := os.WriteFile(filepath.Join(cfg.DBDir(), "blockstore.db"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg.PrivValidatorStateFile(), []byte(`{"height":"9","round":0,"step":3}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := execute(t, "comet", "unsafe-reset-all", "--home", home); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(cfg.DBDir(), "blockstore.db")); !os.IsNotExist(err) {
		t.Fatalf("the block store survived: %v", err)
	}
	if bz, err := os.ReadFile(cfg.PrivValidatorStateFile()); err != nil || !strings.Contains(string(bz), `"height": "0"`) {
		t.Fatalf("signing state %s: %v", bz, err)
	}
	if again, err := execute(t, "comet", "show-node-id", "--home", home); err != nil || again != id {
		t.Fatalf("node id after the reset %q: %v", again, err)
	}
	other := t.TempDir()
	keep := filepath.Join(other, "data", "keep")
	if err := os.MkdirAll(filepath.Dir(keep), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keep, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := execute(t, "comet", "unsafe-reset-all", "--home", other); err == nil || !strings.Contains(err.Error(), "not a node home") {
		t.Fatalf("a directory that is not a home: %v", err)
	}
	if _, err := os.Stat(keep); err != nil {
		t.Fatal("a directory that is not a home was emptied")
	}
	if _, err := execute(t, "comet", "show-node-id", "--home", other); err == nil {
		t.Fatal("a node id without a node key")
	}
}
