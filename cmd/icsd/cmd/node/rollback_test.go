package node

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/abci-ics/ics/nodehome"
	"github.com/abci-ics/ics/types/coin"
)

// TestRollbackRefusesEmptyHomes: a directory that is not a home, and a
// home whose node never ran, are refused with a message that says so,
// and left as they were. (TestRollback in cmd/icsd rolls back real nodes.)
func TestRollbackRefusesEmptyHomes(t *testing.T) {
	empty := t.TempDir()
	if _, err := execute(t, "rollback", "--home", empty); err == nil || !strings.Contains(err.Error(), "is not a node home") {
		t.Fatalf("rollback of an empty directory: %v", err)
	}
	if entries, _ := os.ReadDir(empty); len(entries) != 0 {
		t.Fatalf("the refused rollback wrote %v", entries)
	}
	home := t.TempDir()
	if _, err := nodehome.Init(nodehome.InitOptions{Home: home, ChainID: "c-1", Moniker: "n", KeyName: "k", Prefix: "ics",
		Amount: []coin.Coin{{Denom: "stake", Amount: 1_000_000_000}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := execute(t, "rollback", "--home", home); err == nil || !strings.Contains(err.Error(), "nothing to roll back") || !strings.Contains(err.Error(), "never ran") {
		t.Fatalf("rollback of a home that never ran: %v", err)
	}
	for _, db := range []string{"application.db", "blockstore.db", "state.db"} {
		if _, err := os.Stat(filepath.Join(home, "data", db)); !os.IsNotExist(err) {
			t.Fatalf("the refused rollback created %s: %v", db, err)
		}
	}
}
